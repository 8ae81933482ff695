//! Password hashing with argon2id (m = 19 MiB, t = 2, p = 1: the OWASP minimum). Hashing takes
//! tens of milliseconds of CPU, so the async functions run it on tokio's blocking pool instead
//! of holding up the threads that serve requests.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{Error, Result};

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| Error::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| Error::Hash(e.to_string()))?
}

/// True when `password` matches `stored`. A malformed stored hash never matches.
pub async fn verify(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    tokio::task::spawn_blocking(move || verify_blocking(&password, &stored))
        .await
        .unwrap_or(false)
}

fn hash_blocking(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Hash(e.to_string()))
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of nothing in particular, verified against when an account does not exist so that a
/// login takes the same time either way.
pub fn decoy_hash() -> Result<String> {
    hash_blocking("decoy password that matches no account")
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let h = super::hash("correct horse battery").await.unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::verify("correct horse battery", &h).await);
        assert!(!super::verify("wrong", &h).await);
        assert!(!super::verify("x", "not a hash").await);
    }
}
