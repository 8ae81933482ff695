//! The append-only audit log: who did what, to which object, from where.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::entity::audit_log;
use crate::error::Result;

/// One audited action. `details` is a short machine-readable note; never personal data of pupils.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub actor_user_id: Option<i32>,
    pub org_id: Option<i32>,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Option<i64>,
    pub details: Option<String>,
    pub ip: Option<String>,
}

impl Entry {
    /// `actor`'s `action` on one object (type, id), within organisation `org_id`.
    pub fn by(
        actor: &crate::policy::Actor,
        org_id: Option<i32>,
        action: &'static str,
        (object_type, object_id): (&'static str, i64),
    ) -> Self {
        Self {
            actor_user_id: Some(actor.user.id),
            org_id,
            action,
            object_type,
            object_id: Some(object_id),
            ..Default::default()
        }
    }

    /// With a short note (ids and codes only: never a pupil's data).
    pub fn details(mut self, details: Option<String>) -> Self {
        self.details = details;
        self
    }
}

pub async fn record(conn: &impl ConnectionTrait, entry: Entry, now: DateTime<Utc>) -> Result<()> {
    audit_log::ActiveModel {
        at: Set(now),
        actor_user_id: Set(entry.actor_user_id),
        org_id: Set(entry.org_id),
        action: Set(entry.action.to_owned()),
        object_type: Set(entry.object_type.to_owned()),
        object_id: Set(entry.object_id),
        details: Set(entry.details),
        ip: Set(entry.ip),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
