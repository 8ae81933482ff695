//! Forms kept for later: a form that arrives after its sender's session has ended (idle or
//! expired) is kept, against the person who typed it, until they sign in again and send it on —
//! so that a long text typed into a draft is not lost to a timeout. Only the person whose
//! session it was can see it, for a day.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::kept_form;
use crate::error::{Error, Result};
use crate::tokens;

/// How long a kept form waits for its owner.
pub const KEPT_HOURS: i64 = 24;
/// The largest form kept (the portal's forms without files are far smaller).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Keeps `body`, posted to `path` by `user_id`; returns the token for the owner's cookie.
pub async fn keep(
    conn: &impl ConnectionTrait,
    user_id: i32,
    path: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    if body.len() > MAX_BODY_BYTES || path.len() > 2000 || !path.starts_with('/') {
        return Err(Error::Refused("error-form-expired"));
    }
    let token = tokens::random_hex();
    kept_form::ActiveModel {
        token_hash: Set(tokens::sha256_hex(&token)),
        user_id: Set(user_id),
        path: Set(path.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The form kept under `token` for `user_id`, while it is fresh.
pub async fn find(
    conn: &impl ConnectionTrait,
    token: &str,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<kept_form::Model>> {
    Ok(kept_form::Entity::find()
        .filter(kept_form::Column::TokenHash.eq(tokens::sha256_hex(token)))
        .filter(kept_form::Column::UserId.eq(user_id))
        .filter(kept_form::Column::CreatedAt.gt(now - Duration::hours(KEPT_HOURS)))
        .one(conn)
        .await?)
}

/// Forgets the form kept under `token` for `user_id` (sent on, or discarded).
pub async fn forget(conn: &impl ConnectionTrait, token: &str, user_id: i32) -> Result<()> {
    kept_form::Entity::delete_many()
        .filter(kept_form::Column::TokenHash.eq(tokens::sha256_hex(token)))
        .filter(kept_form::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes kept forms nobody came back for.
pub async fn purge_old(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    Ok(kept_form::Entity::delete_many()
        .filter(kept_form::Column::CreatedAt.lte(now - Duration::hours(KEPT_HOURS)))
        .exec(conn)
        .await?
        .rows_affected)
}
