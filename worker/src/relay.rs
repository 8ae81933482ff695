//! The outbox relay: rows written by application transactions become apalis jobs.
//!
//! A pass pushes the jobs first and marks the rows relayed after, so a crash in between relays
//! the rows again (at least once). Every job carries the idempotency key of its row, and the
//! queues keep one job per key, so relaying a row twice creates no second job; the jobs guard
//! their effects besides (see `jobs`).

use apalis::prelude::TaskBuilder;
use chrono::{DateTime, Utc};
use entities::entity::outbox;
use entities::outbox::{EmailEvent, OutboxKind};
use sea_orm::DatabaseConnection;

use crate::WorkerError;
use crate::jobs::{Archive, CloseCall, SendEmail};
use crate::queues::Queues;

/// Rows relayed in one pass.
pub(crate) const BATCH: u64 = 500;

/// Runs of one job before it counts as failed (each run tries up to `queues::TRIES` times).
/// A run cut short by a crash counts too.
const MAX_RUNS: usize = 5;

/// Relays up to `BATCH` waiting rows; returns how many were relayed.
pub(crate) async fn relay_once(
    db: &DatabaseConnection,
    queues: &mut Queues,
    now: DateTime<Utc>,
) -> Result<usize, WorkerError> {
    let rows = entities::outbox::waiting(db, BATCH).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let (mut emails, mut archives, mut to_close) = (Vec::new(), Vec::new(), Vec::new());
    for row in &rows {
        let key = format!("outbox-{}", row.id);
        match row.kind {
            OutboxKind::SendEmail => match serde_json::from_str::<EmailEvent>(&row.payload) {
                Ok(event) => emails.push((
                    key.clone(),
                    not_before(TaskBuilder::new(SendEmail { event }), row)
                        .idempotency_key(key)
                        .max_attempts(MAX_RUNS)
                        .build(),
                )),
                Err(e) => tracing::error!(outbox_id = row.id, error = %e, "unreadable email event; skipped"),
            },
            OutboxKind::ArchiveCall | OutboxKind::ArchiveSemester | OutboxKind::ArchiveProject => {
                let attempt = id_in(&row.payload, "attempt").unwrap_or(0);
                let job = match row.kind {
                    OutboxKind::ArchiveCall => {
                        id_in(&row.payload, "call_id").map(|call_id| Archive::Call { call_id, attempt })
                    }
                    OutboxKind::ArchiveSemester => {
                        id_in(&row.payload, "semester_id").map(|semester_id| Archive::Semester { semester_id, attempt })
                    }
                    _ => id_in(&row.payload, "project_id").map(|project_id| Archive::Project { project_id, attempt }),
                };
                match job {
                    Some(job) => archives.push((
                        key.clone(),
                        not_before(TaskBuilder::new(job), row)
                            .idempotency_key(key)
                            .max_attempts(MAX_RUNS)
                            .build(),
                    )),
                    None => tracing::error!(outbox_id = row.id, "archive row without its id; skipped"),
                }
            }
            OutboxKind::ScheduleClose => to_close.extend(id_in(&row.payload, "call_id")),
        }
    }
    // A closing runs at the call's deadline as it is now (rounded up to the second the queue
    // counts in); an extension writes a new row, so a new job at the new deadline. The job at
    // the old one finds the call not yet due and leaves it open.
    let mut closings = Vec::new();
    if !to_close.is_empty() {
        for c in entities::grants::calls::open_among(db, to_close).await? {
            let at = c.closes_at.timestamp() + i64::from(c.closes_at.timestamp_subsec_nanos() > 0);
            let key = format!("close-{}-{at}", c.id);
            closings.push((
                key.clone(),
                TaskBuilder::new(CloseCall { call_id: c.id })
                    .run_at_timestamp(u64::try_from(at).unwrap_or_default())
                    .idempotency_key(key)
                    .max_attempts(MAX_RUNS)
                    .build(),
            ));
        }
    }
    // Rows relayed before (a crash between pushing and marking): their jobs exist already.
    // (apalis-sqlite skips a known key by itself; apalis-postgres refuses the whole batch.)
    let keys = emails
        .iter()
        .map(|(k, _)| k)
        .chain(archives.iter().map(|(k, _)| k))
        .chain(closings.iter().map(|(k, _)| k));
    let known = crate::admin::known_keys(db, keys.cloned().collect()).await?;
    queues.push_emails(fresh(emails, &known)).await?;
    queues.push_archives(fresh(archives, &known)).await?;
    queues.push_closings(fresh(closings, &known)).await?;
    entities::outbox::mark_relayed(db, rows.iter().map(|r| r.id).collect(), now).await?;
    Ok(rows.len())
}

/// A task that runs no sooner than its row says (work tried again later).
fn not_before<T>(task: TaskBuilder<T>, row: &outbox::Model) -> TaskBuilder<T> {
    match row.run_at {
        Some(at) => task.run_at_timestamp(u64::try_from(at.timestamp()).unwrap_or_default()),
        None => task,
    }
}

fn fresh<T>(tasks: Vec<(String, T)>, known: &std::collections::HashSet<String>) -> Vec<T> {
    tasks
        .into_iter()
        .filter(|(k, _)| !known.contains(k))
        .map(|(_, t)| t)
        .collect()
}

/// The id under `field` of an id-only payload (`{"call_id": 7}`).
fn id_in(payload: &str, field: &str) -> Option<i32> {
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    i32::try_from(value[field].as_i64()?).ok()
}
