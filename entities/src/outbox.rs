//! The outbox: a write that causes background work inserts a row here in the same transaction;
//! the worker relays rows to jobs. Payloads carry ids, never bodies or secrets.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde::{Deserialize, Serialize};

use crate::entity::outbox;
use crate::error::Result;

/// Emails the portal sends. Each names the rows the message is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EmailEvent {
    /// Confirm the address of a new self-registered account (a `user_tokens` row).
    ConfirmEmail { token_id: i32 },
    /// Someone tried to register with an address that already has an account.
    AccountExists { user_id: i32 },
    /// A password reset link (a `user_tokens` row).
    ResetPassword { token_id: i32 },
    /// An invitation to join an organisation (an `invitations` row).
    Invitation { invitation_id: i32 },
    /// The receipt of a submitted application, to the member who submitted it.
    ApplicationReceipt { application_id: i32 },
    /// A question from the coordinator to the applicant (a `clarifications` row).
    Clarification { clarification_id: i32 },
    /// The published result of a call, to the applicant.
    CallResult { application_id: i32 },
    /// A call closed at its deadline: to the municipality's coordinators, with the count.
    CallClosed { call_id: i32 },
    /// A deadline reminder (a `reminders` row) to everyone it concerns.
    Reminder { reminder_id: i32 },
}

impl EmailEvent {
    /// A stable key for the event, unique per message the portal means to send.
    pub fn key(&self) -> String {
        match self {
            Self::ConfirmEmail { token_id } => format!("confirm_email:{token_id}"),
            Self::AccountExists { user_id } => format!("account_exists:{user_id}"),
            Self::ResetPassword { token_id } => format!("reset_password:{token_id}"),
            Self::Invitation { invitation_id } => format!("invitation:{invitation_id}"),
            Self::ApplicationReceipt { application_id } => format!("application_receipt:{application_id}"),
            Self::Clarification { clarification_id } => format!("clarification:{clarification_id}"),
            Self::CallResult { application_id } => format!("call_result:{application_id}"),
            Self::CallClosed { call_id } => format!("call_closed:{call_id}"),
            Self::Reminder { reminder_id } => format!("reminder:{reminder_id}"),
        }
    }
}

pub const SEND_EMAIL: &str = "send_email";
/// Copy a decided call's documents to the archive store; payload `{"call_id": N}`.
pub const ARCHIVE_CALL: &str = "archive_call";

/// Queues work of `kind` with an id-only payload, in the caller's transaction.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    kind: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    let row = outbox::ActiveModel {
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_string()),
        created_at: Set(now),
        relayed_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

pub async fn enqueue_email(conn: &impl ConnectionTrait, event: &EmailEvent, now: DateTime<Utc>) -> Result<i64> {
    let row = outbox::ActiveModel {
        kind: Set(SEND_EMAIL.to_owned()),
        payload: Set(serde_json::to_string(event)?),
        created_at: Set(now),
        relayed_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}
