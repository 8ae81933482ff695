//! Secrets in links and cookies.
//!
//! Session cookies are random; the database keeps only their SHA-256. One-time links (email
//! confirmation, password reset, invitation) are `ID.MAC` where MAC = HMAC-SHA256(secret key,
//! purpose · id · nonce): the database keeps the nonce, the server keeps the key, so neither a
//! database dump nor an outbox payload (which carries only the id) is enough to use a link.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The server's secret key. Its `Debug` never shows the value.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac.finalize().into_bytes().to_vec()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(**redacted**)")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// 32 random bytes as 64 hex characters.
pub fn random_hex() -> String {
    hex(&random_bytes::<32>())
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// The token of a one-time link for the row `id` with `nonce`.
pub fn link_token(key: &SecretKey, purpose: &str, id: i32, nonce: &str) -> String {
    let mac = key.mac(&[purpose.as_bytes(), id.to_string().as_bytes(), nonce.as_bytes()]);
    format!("{id}.{}", hex(&mac))
}

/// Splits a link token into the row id it claims; `verify_link` then checks it against the row.
pub fn link_id(token: &str) -> Option<i32> {
    let (id, mac) = token.split_once('.')?;
    (mac.len() == 64).then_some(())?;
    id.parse().ok()
}

pub fn verify_link(key: &SecretKey, purpose: &str, id: i32, nonce: &str, token: &str) -> bool {
    let expected = link_token(key, purpose, id, nonce);
    expected.as_bytes().ct_eq(token.as_bytes()).into()
}

/// A CSRF token bound to the visitor's CSRF cookie and, when logged in, to the session.
pub fn csrf_token(key: &SecretKey, csrf_cookie: &str, session_id: &str) -> String {
    hex(&key.mac(&[b"csrf", csrf_cookie.as_bytes(), session_id.as_bytes()]))
}

pub fn csrf_matches(key: &SecretKey, csrf_cookie: &str, session_id: &str, presented: &str) -> bool {
    csrf_token(key, csrf_cookie, session_id)
        .as_bytes()
        .ct_eq(presented.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_verify_only_for_their_row_and_purpose() {
        let key = SecretKey::new(b"k".repeat(32));
        let t = link_token(&key, "reset", 7, "n1");
        assert_eq!(link_id(&t), Some(7));
        assert!(verify_link(&key, "reset", 7, "n1", &t));
        assert!(!verify_link(&key, "confirm", 7, "n1", &t));
        assert!(!verify_link(&key, "reset", 7, "n2", &t));
        assert!(!verify_link(&SecretKey::new(b"other".to_vec()), "reset", 7, "n1", &t));
        assert_eq!(link_id("7.short"), None);
        assert_eq!(format!("{key:?}"), "SecretKey(**redacted**)");
    }
}
