//! The outbox: a write that causes background work inserts a row here in the same transaction;
//! the worker relays rows to jobs. Payloads carry ids, never bodies or secrets.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde::{Deserialize, Serialize};

use crate::entity::outbox;
pub use crate::entity::outbox::OutboxKind;
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
    /// A grant offered to an applicant moved up from the reserve (a `projects` row).
    GrantOffered { project_id: i32 },
    /// A grant declined or left to lapse: to the call's coordinators, with who moved up.
    GrantGivenUp { project_id: i32 },
    /// A step of a funded project (a `project_events` row), to the side it concerns.
    ProjectStep { event_id: i32 },
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
            Self::GrantOffered { project_id } => format!("grant_offered:{project_id}"),
            Self::GrantGivenUp { project_id } => format!("grant_given_up:{project_id}"),
            Self::ProjectStep { event_id } => format!("project_step:{event_id}"),
        }
    }
}

impl EmailEvent {
    /// The event a `key()` names (the inverse of `key`), for retrying a failed delivery.
    pub fn from_key(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        let id: i32 = id.parse().ok()?;
        Some(match kind {
            "confirm_email" => Self::ConfirmEmail { token_id: id },
            "account_exists" => Self::AccountExists { user_id: id },
            "reset_password" => Self::ResetPassword { token_id: id },
            "invitation" => Self::Invitation { invitation_id: id },
            "application_receipt" => Self::ApplicationReceipt { application_id: id },
            "clarification" => Self::Clarification { clarification_id: id },
            "call_result" => Self::CallResult { application_id: id },
            "call_closed" => Self::CallClosed { call_id: id },
            "reminder" => Self::Reminder { reminder_id: id },
            "grant_offered" => Self::GrantOffered { project_id: id },
            "grant_given_up" => Self::GrantGivenUp { project_id: id },
            "project_step" => Self::ProjectStep { event_id: id },
            _ => return None,
        })
    }
}

/// After this many failed attempts for one recipient a delivery is given up (and shown to the
/// admin, who can retry it). A server that is away (refused connection, 4xx, timeout) is tried
/// again with growing waits up to half an hour, so this is about a day of trying; a message the
/// server rejects for good (5xx) is given up at once (its attempts are set to this).
pub const MAX_DELIVERY_ATTEMPTS: i32 = 300;

/// Queues work of `kind` with an id-only payload, in the caller's transaction.
async fn enqueue(
    conn: &impl ConnectionTrait,
    kind: OutboxKind,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    insert(conn, kind, payload.to_string(), now, None).await
}

/// The one writer of outbox rows; `run_at` holds the job back until then.
async fn insert(
    conn: &impl ConnectionTrait,
    kind: OutboxKind,
    payload: String,
    now: DateTime<Utc>,
    run_at: Option<DateTime<Utc>>,
) -> Result<i64> {
    let row = outbox::ActiveModel {
        kind: Set(kind),
        payload: Set(payload),
        created_at: Set(now),
        relayed_at: Set(None),
        run_at: Set(run_at),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

/// Work on one call (`ArchiveCall`, `ScheduleClose`): payload `{"call_id": …}`.
pub async fn enqueue_for_call(
    conn: &impl ConnectionTrait,
    kind: OutboxKind,
    call_id: i32,
    now: DateTime<Utc>,
) -> Result<i64> {
    enqueue(conn, kind, &serde_json::json!({ "call_id": call_id }), now).await
}

/// Archiving the documents of a closed semester.
pub async fn enqueue_for_semester(conn: &impl ConnectionTrait, semester_id: i32, now: DateTime<Utc>) -> Result<i64> {
    enqueue(
        conn,
        OutboxKind::ArchiveSemester,
        &serde_json::json!({ "semester_id": semester_id }),
        now,
    )
    .await
}

/// Archiving the documents of a closed project.
pub async fn enqueue_for_project(conn: &impl ConnectionTrait, project_id: i32, now: DateTime<Utc>) -> Result<i64> {
    enqueue(
        conn,
        OutboxKind::ArchiveProject,
        &serde_json::json!({ "project_id": project_id }),
        now,
    )
    .await
}

pub async fn enqueue_email(conn: &impl ConnectionTrait, event: &EmailEvent, now: DateTime<Utc>) -> Result<i64> {
    insert(conn, OutboxKind::SendEmail, serde_json::to_string(event)?, now, None).await
}

/// Queues work to be tried again no sooner than `run_at` (an email whose server was away, an
/// archive whose store was down): a row of `kind` with `payload`, as the first one was.
pub async fn enqueue_later(
    conn: &impl ConnectionTrait,
    kind: OutboxKind,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
    run_at: DateTime<Utc>,
) -> Result<i64> {
    insert(conn, kind, payload.to_string(), now, Some(run_at)).await
}

/// Up to `limit` rows waiting for the relay, oldest first.
pub async fn waiting(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<outbox::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(outbox::Entity::find()
        .filter(outbox::Column::RelayedAt.is_null())
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Marks rows relayed (those a concurrent relay has not marked already).
pub async fn mark_relayed(conn: &impl ConnectionTrait, ids: Vec<i64>, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    outbox::Entity::update_many()
        .col_expr(outbox::Column::RelayedAt, Expr::value(now))
        .filter(outbox::Column::Id.is_in(ids))
        .filter(outbox::Column::RelayedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// The state of background work, for the admin's page.
/// How many rows wait for the relay.
pub async fn unrelayed(conn: &impl ConnectionTrait) -> Result<i64> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let n = outbox::Entity::find()
        .filter(outbox::Column::RelayedAt.is_null())
        .count(conn)
        .await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The jobs of one queue by state (read by the worker from the queue tables).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub queue: String,
    /// Waiting to run now, including failed runs that will be tried again.
    pub ready: i64,
    /// Scheduled for later (a call's deadline).
    pub scheduled: i64,
    pub running: i64,
    pub done: i64,
    /// Failed for good.
    pub failed: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Backlog {
    /// (kind, pending rows, the oldest one's creation time)
    pub pending: Vec<(OutboxKind, u64, Option<DateTime<Utc>>)>,
    pub failed: Vec<crate::entity::delivery::Model>,
    /// How many deliveries failed for good and match the search.
    pub failed_total: u64,
}

/// Pending outbox rows by kind, and a page of the deliveries that failed for good, searched by
/// recipient or event and sorted newest first (the default), oldest first or by attempts.
/// Three statements however many there are.
pub async fn backlog(
    conn: &impl ConnectionTrait,
    max_attempts: i32,
    window: &crate::listing::Window,
) -> Result<Backlog> {
    use crate::entity::delivery;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
    let pending: Vec<(OutboxKind, i64, Option<DateTime<Utc>>)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Kind)
        .column_as(outbox::Column::Id.count(), "n")
        .column_as(outbox::Column::CreatedAt.min(), "oldest")
        .filter(outbox::Column::RelayedAt.is_null())
        .group_by(outbox::Column::Kind)
        .order_by_asc(outbox::Column::Kind)
        .into_tuple()
        .all(conn)
        .await?;
    let pending = pending
        .into_iter()
        .map(|(kind, n, oldest)| (kind, u64::try_from(n).unwrap_or_default(), oldest))
        .collect();
    let failed = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(crate::entity::delivery::DeliveryState::Failed))
        .filter(delivery::Column::Attempts.gte(max_attempts))
        .filter(window.matching([
            Expr::col(delivery::Column::Recipient),
            Expr::col(delivery::Column::EventKey),
        ]));
    let failed_total = failed.clone().count(conn).await?;
    let sorts: [(&str, &[Expr]); 2] = [
        ("time", &[Expr::col(delivery::Column::UpdatedAt)]),
        ("attempts", &[Expr::col(delivery::Column::Attempts)]),
    ];
    let failed = window
        .order(failed, &sorts, "-time", Expr::col(delivery::Column::Id))
        .offset(window.offset())
        .limit(crate::listing::PAGE_SIZE)
        .all(conn)
        .await?;
    Ok(Backlog {
        pending,
        failed,
        failed_total,
    })
}

/// Queues a failed delivery's event again; recipients already served are skipped when it runs.
pub async fn retry_delivery(conn: &impl ConnectionTrait, delivery_id: i64, now: DateTime<Utc>) -> Result<()> {
    use crate::entity::delivery;
    use sea_orm::EntityTrait;
    let d = delivery::Entity::find_by_id(delivery_id)
        .one(conn)
        .await?
        .ok_or(crate::Error::NotFound)?;
    let event = EmailEvent::from_key(&d.event_key).ok_or(crate::Error::NotFound)?;
    delivery::Entity::delete_by_id(d.id).exec(conn).await?;
    enqueue_email(conn, &event, now).await?;
    Ok(())
}

/// Puts every delivery that failed for good back into the outbox (the admin's "retry all");
/// returns how many. One transaction, the caller's.
pub async fn retry_failed_deliveries(
    conn: &impl ConnectionTrait,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> Result<u64> {
    use crate::entity::delivery;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let failed = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(crate::entity::delivery::DeliveryState::Failed))
        .filter(delivery::Column::Attempts.gte(max_attempts))
        .all(conn)
        .await?;
    let mut n = 0;
    for d in failed {
        if let Some(event) = EmailEvent::from_key(&d.event_key) {
            delivery::Entity::delete_by_id(d.id).exec(conn).await?;
            enqueue_email(conn, &event, now).await?;
            n += 1;
        }
    }
    Ok(n)
}
