//! Bearer tokens for the statistics API. An administrator issues one to the state agency or a
//! municipality for a named tool; the token is shown once and only its SHA-256 is kept; it can
//! be revoked. A tool presenting it sees what `policy::client_stats_view` allows.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::audit::{self, Entry};
use crate::domain::OrgKind;
use crate::entity::{api_token, organisation};
use crate::error::{Error, FieldErrors, Result};
use crate::policy::Actor;
use crate::tokens;

/// What every token starts with, so a leaked one is recognisable in a log or a repository.
pub const PREFIX: &str = "pumpurs_";

/// Issues a token for `org_id` (the state agency or a municipality) named `name`; returns the
/// row and the token, which is never shown again.
pub async fn issue(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    name: &str,
    org_id: Option<i32>,
    now: DateTime<Utc>,
) -> Result<(api_token::Model, String)> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let name = name.trim();
    let mut e = FieldErrors::new();
    if name.is_empty() || name.chars().count() > 100 {
        e.add("name", "error-token-name");
    }
    let org = match org_id {
        Some(id) => organisation::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let org = org.filter(|o| matches!(o.kind, OrgKind::StateAgency | OrgKind::Municipality));
    if org.is_none() {
        e.add("org", "error-token-org");
    }
    e.into_result()?;
    let org = org.ok_or(Error::NotFound)?;
    let token = format!("{PREFIX}{}", tokens::random_hex());
    let row = api_token::ActiveModel {
        name: Set(name.to_owned()),
        org_id: Set(org.id),
        token_hash: Set(tokens::sha256_hex(&token)),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let entry = Entry::by(actor, Some(org.id), "api_token_issued", ("api_token", row.id.into()));
    audit::record(conn, entry, now).await?;
    Ok((row, token))
}

/// Every token, newest first, with its organisation's name (administrators only).
pub async fn list(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<(api_token::Model, String)>> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let tokens = api_token::Entity::find()
        .order_by_desc(api_token::Column::Id)
        .all(conn)
        .await?;
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(tokens.iter().map(|t| t.org_id)))
        .all(conn)
        .await?;
    Ok(tokens
        .into_iter()
        .map(|t| {
            let name = orgs.iter().find(|o| o.id == t.org_id).map(|o| o.name.clone());
            (t, name.unwrap_or_default())
        })
        .collect())
}

/// Revokes a token: it stops working at once. Revoking twice changes nothing.
pub async fn revoke(conn: &impl ConnectionTrait, actor: &Actor, id: i32, now: DateTime<Utc>) -> Result<()> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let found = api_token::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if found.revoked_at.is_some() {
        return Ok(());
    }
    let org_id = found.org_id;
    let mut active: api_token::ActiveModel = found.into();
    active.revoked_at = Set(Some(now));
    active.update(conn).await?;
    let entry = Entry::by(actor, Some(org_id), "api_token_revoked", ("api_token", id.into()));
    audit::record(conn, entry, now).await
}

/// The organisation a presented token was issued to, if it is one of ours and not revoked;
/// notes when it was last used (to the minute).
pub async fn client(
    conn: &impl ConnectionTrait,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<Option<organisation::Model>> {
    if !presented.starts_with(PREFIX) {
        return Ok(None);
    }
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(tokens::sha256_hex(presented)))
        .filter(api_token::Column::RevokedAt.is_null())
        .find_also_related(organisation::Entity)
        .one(conn)
        .await?;
    let Some((token, Some(org))) = found else {
        return Ok(None);
    };
    // A tool may call often: the time of last use is written at most once a minute.
    if token
        .last_used_at
        .is_none_or(|at| now - at >= chrono::Duration::minutes(1))
    {
        let mut active: api_token::ActiveModel = token.into();
        active.last_used_at = Set(Some(now));
        active.update(conn).await?;
    }
    Ok(Some(org))
}
