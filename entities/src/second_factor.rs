//! The second factor: time-based one-time codes (TOTP, RFC 6238: SHA-1, 6 digits, 30 s) for
//! everyone whose role can see pupil data. A user is shown their secret until the first code
//! is accepted, and never again; a code is good once (the last step used is kept) and within a
//! step either side of now; wrong codes count as failed logins of the account. When the
//! authenticator is set up, ten one-time recovery codes are issued (shown once, stored as
//! hashes); each replaces a code once, for a person without their phone.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::accounts::{MAX_FAILURES_PER_ACCOUNT, recent_failures, record_failure};
use crate::entity::{recovery_code, session, user};
use crate::error::Result;

const STEP: u64 = 30;
const DIGITS: usize = 6;

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP, bytes).ok()
}

/// The code for `secret` at `at` (what an authenticator app shows then).
pub fn code_at(secret: &str, at: DateTime<Utc>) -> Option<String> {
    Some(totp(secret)?.generate(u64::try_from(at.timestamp()).ok()?))
}

/// The `otpauth://` address an authenticator app reads (typed in or from a QR code).
pub fn otpauth_uri(secret: &str, email: &str) -> String {
    let label: String = form_urlencoded_component(&format!("Pumpurs:{email}"));
    format!("otpauth://totp/{label}?secret={secret}&issuer=Pumpurs&algorithm=SHA1&digits={DIGITS}&period={STEP}")
}

fn form_urlencoded_component(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b':') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether the user has confirmed a second factor (a code was accepted once).
pub fn is_set_up(user: &user::Model) -> bool {
    user.totp_secret.is_some() && user.totp_step.is_some()
}

/// The secret to show while setting up: the one made earlier if it was never confirmed, or a
/// new one. `None` once set up — the secret is not shown again.
pub async fn pending_secret(conn: &impl ConnectionTrait, user: &user::Model) -> Result<Option<String>> {
    if is_set_up(user) {
        return Ok(None);
    }
    if let Some(secret) = &user.totp_secret {
        return Ok(Some(secret.clone()));
    }
    // 160 random bits, as RFC 4226 recommends.
    let raw = crate::tokens::random_bytes::<20>().to_vec();
    let secret = TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 1, STEP, raw).get_secret_base32();
    let mut active: user::ActiveModel = user.clone().into();
    active.totp_secret = Set(Some(secret.clone()));
    active.update(conn).await?;
    Ok(Some(secret))
}

/// The outcome of a code.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    Accepted,
    Wrong,
    Throttled,
}

/// Checks `code` for the user of session `session_id`; when right, marks the session as past
/// the second step (and the secret as confirmed). Wrong codes count as failed logins.
pub async fn verify(
    conn: &impl ConnectionTrait,
    user: &user::Model,
    session_id: &str,
    code: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Check> {
    let email_key = user.email.to_lowercase();
    if recent_failures(conn, Some(&email_key), ip, now).await? >= MAX_FAILURES_PER_ACCOUNT {
        return Ok(Check::Throttled);
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.chars().any(|c| c.is_ascii_alphabetic()) {
        return use_recovery_code(conn, user, session_id, &code, ip, now).await;
    }
    let accepted = match (
        user.totp_secret.as_deref().and_then(totp),
        u64::try_from(now.timestamp()),
    ) {
        (Some(t), Ok(unix)) => {
            let step = unix / STEP;
            // One step either side, each good once: only steps after the last one used.
            let last = user.totp_step.and_then(|s| u64::try_from(s).ok());
            (step.saturating_sub(1)..=step + 1)
                .filter(|s| last.is_none_or(|last| *s > last))
                .find(|s| subtle::ConstantTimeEq::ct_eq(t.generate(s * STEP).as_bytes(), code.as_bytes()).into())
        }
        _ => None,
    };
    let Some(step) = accepted.and_then(|s| i64::try_from(s).ok()) else {
        record_failure(conn, &email_key, ip, now).await?;
        return Ok(Check::Wrong);
    };
    // Conditional on the step still being new, so two requests with one code cannot both pass.
    let taken = user::Entity::update_many()
        .col_expr(user::Column::TotpStep, Expr::value(step))
        .filter(user::Column::Id.eq(user.id))
        .filter(
            Condition::any()
                .add(user::Column::TotpStep.is_null())
                .add(user::Column::TotpStep.lt(step)),
        )
        .exec(conn)
        .await?
        .rows_affected
        == 1;
    if !taken {
        record_failure(conn, &email_key, ip, now).await?;
        return Ok(Check::Wrong);
    }
    pass_session(conn, session_id, now).await
}

async fn pass_session(conn: &impl ConnectionTrait, session_id: &str, now: DateTime<Utc>) -> Result<Check> {
    session::Entity::update_many()
        .col_expr(session::Column::SecondFactorAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id.to_owned()))
        .exec(conn)
        .await?;
    Ok(Check::Accepted)
}

/// How many recovery codes a person gets.
pub const RECOVERY_CODES: usize = 10;

/// A recovery code as typed, in the form it is hashed in: lower case, without spaces or dashes.
fn recovery_key(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Issues the person's recovery codes (replacing any earlier ones): ten codes of eight letters
/// and digits (`abcd-2345`, about 40 bits each), returned once to be shown, stored as hashes.
pub async fn issue_recovery_codes(
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = crate::tokens::random_bytes::<8>()
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            format!("{}-{}", &raw[..4], &raw[4..])
        })
        .collect();
    recovery_code::Entity::insert_many(codes.iter().map(|c| recovery_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(crate::tokens::sha256_hex(&recovery_key(c))),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(conn)
    .await?;
    audit_own(conn, user_id, "recovery_codes_issued", None, now).await?;
    Ok(codes)
}

/// A recovery code in place of a TOTP code: good once (marked used in the same statement that
/// checks it is unused), audited; a wrong one counts as a failed login.
async fn use_recovery_code(
    conn: &impl ConnectionTrait,
    user: &user::Model,
    session_id: &str,
    code: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Check> {
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(user.id))
        .filter(recovery_code::Column::CodeHash.eq(crate::tokens::sha256_hex(&recovery_key(code))))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected
        == 1;
    if !used {
        record_failure(conn, &user.email.to_lowercase(), ip, now).await?;
        return Ok(Check::Wrong);
    }
    audit_own(conn, user.id, "recovery_code_used", Some(ip), now).await?;
    pass_session(conn, session_id, now).await
}

/// An audit record of something a person did to their own account.
async fn audit_own(
    conn: &impl ConnectionTrait,
    user_id: i32,
    action: &'static str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    crate::audit::record(
        conn,
        crate::audit::Entry {
            actor_user_id: Some(user_id),
            action,
            object_type: "user",
            object_id: Some(user_id.into()),
            ip: ip.map(str::to_owned),
            ..Default::default()
        },
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8 digits there; the
        // last six digits are the 6-digit code.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        for (unix, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (2_000_000_000, "69279037"),
        ] {
            let at = DateTime::from_timestamp(unix, 0).expect("time");
            assert_eq!(code_at(secret, at).as_deref(), Some(&eight[2..]), "at {unix}");
        }
    }

    #[test]
    fn the_address_names_the_account_and_issuer() {
        let uri = otpauth_uri("ABC", "anna bērziņa@example.lv");
        assert!(uri.starts_with("otpauth://totp/Pumpurs:anna%20b%C4%93rzi%C5%86a@example.lv?secret=ABC"));
        assert!(uri.contains("issuer=Pumpurs"));
    }
}
