//! Sessions live in the database so that web processes are stateless. The cookie carries a
//! random value; the row is keyed by its SHA-256. Sessions end after an idle period and at an
//! absolute expiry, whichever comes first.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::{session, user};
use crate::error::Result;
use crate::tokens;

/// A freshly created session: the cookie value to send and the row's id.
pub struct NewSession {
    pub cookie_value: String,
    pub id: String,
}

pub async fn create(
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
    absolute: Duration,
) -> Result<NewSession> {
    let cookie_value = tokens::random_hex();
    let id = tokens::sha256_hex(&cookie_value);
    session::ActiveModel {
        id: Set(id.clone()),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + absolute),
        second_factor_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(NewSession { cookie_value, id })
}

/// The live session and its user for a cookie value, or `None` when it is unknown, expired,
/// idle for too long, or its user is disabled.
pub async fn load(
    conn: &impl ConnectionTrait,
    cookie_value: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<(session::Model, user::Model)>> {
    let id = tokens::sha256_hex(cookie_value);
    let found = session::Entity::find_by_id(id)
        .find_also_related(user::Entity)
        .one(conn)
        .await?;
    let Some((session, Some(user))) = found else {
        return Ok(None);
    };
    let live = session.expires_at > now && session.last_seen_at + idle > now && user.disabled_at.is_none();
    Ok(live.then_some((session, user)))
}

/// For a cookie whose session has ended (idle, expired) but is still on record: its id and its
/// user. A form sent with it can be kept for that user (`kept_forms`).
pub async fn ended(conn: &impl ConnectionTrait, cookie_value: &str) -> Result<Option<(String, i32)>> {
    let id = tokens::sha256_hex(cookie_value);
    Ok(session::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|s| (s.id, s.user_id)))
}

/// Moves the idle deadline on; writes at most once a minute per session.
pub async fn touch(conn: &impl ConnectionTrait, session: &session::Model, now: DateTime<Utc>) -> Result<()> {
    if now - session.last_seen_at < Duration::minutes(1) {
        return Ok(());
    }
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
        .filter(session::Column::Id.eq(session.id.clone()))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &impl ConnectionTrait, id: &str) -> Result<()> {
    session::Entity::delete_by_id(id.to_owned()).exec(conn).await?;
    Ok(())
}

/// Ends every session of a user (after a password change or reset), except `keep`.
pub async fn delete_for_user(conn: &impl ConnectionTrait, user_id: i32, keep: Option<&str>) -> Result<()> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep.to_owned()));
    }
    q.exec(conn).await?;
    Ok(())
}

/// Removes sessions whose absolute expiry has passed.
pub async fn purge_expired(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let res = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}
