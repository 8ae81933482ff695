//! The jobs and their handlers. A job carries ids only; its handler reads the rest from the
//! database, so a job that runs twice does the same thing twice, and every effect is guarded
//! (deliveries per event and recipient, calls closed by a conditional update, archived
//! documents marked).

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{Attempt, Data};
use chrono::Utc;
use entities::outbox::EmailEvent;
use entities::storage::Store;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::mailer::Mailer;
use crate::{WorkerConfig, WorkerError, archive, deliveries, emails, queues};

/// Queue names, written out so that renaming a type never orphans waiting jobs.
pub const EMAIL_QUEUE: &str = "pumpurs-email";
pub const CLOSE_QUEUE: &str = "pumpurs-close-call";
pub const ARCHIVE_QUEUE: &str = "pumpurs-archive";
pub const QUEUES: [&str; 3] = [EMAIL_QUEUE, CLOSE_QUEUE, ARCHIVE_QUEUE];

/// Deliver the messages of one event to each of its recipients.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendEmail {
    pub event: EmailEvent,
}

/// Close a call whose deadline has come (scheduled at `closes_at`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CloseCall {
    pub call_id: i32,
}

/// Copy documents to the archive store: a decided call's, a closed semester's, or a closed
/// project's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Archive {
    Call {
        call_id: i32,
        /// How many times it was tried again after the store failed.
        #[serde(default)]
        attempt: i32,
    },
    Semester {
        semester_id: i32,
        #[serde(default)]
        attempt: i32,
    },
    Project {
        project_id: i32,
        #[serde(default)]
        attempt: i32,
    },
}

/// What every handler shares: one per worker process.
#[derive(Clone)]
pub(crate) struct Ctx(Arc<Inner>);

pub(crate) struct Inner {
    pub db: DatabaseConnection,
    pub cfg: WorkerConfig,
    pub mailer: Mailer,
    pub documents: Store,
    pub archive: Store,
    /// Held (shared) by every message on its way or waiting for its record; the worker takes
    /// it whole when it stops, so the process does not end between a send and its record.
    pub in_flight: Arc<tokio::sync::RwLock<()>>,
}

impl std::ops::Deref for Ctx {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Ctx {
    pub(crate) fn new(db: DatabaseConnection, cfg: WorkerConfig) -> Result<Self, WorkerError> {
        let mailer = Mailer::from_config(&cfg)?;
        let documents = entities::storage::build(&cfg.documents)?;
        let archive = entities::storage::build(&cfg.archive)?;
        Ok(Self(Arc::new(Inner {
            db,
            cfg,
            mailer,
            documents,
            archive,
            in_flight: Arc::default(),
        })))
    }
}

// Jobs are traced by their ids (an event's key names only ids), never with the data they load.
#[tracing::instrument(name = "send_email", skip_all, fields(event = %job.event.key(), attempt = attempt.current()))]
pub(crate) async fn send_email(job: SendEmail, ctx: Data<Ctx>, attempt: Attempt) -> Result<(), WorkerError> {
    match deliver(&ctx, &job.event).await {
        // This run's tries are spent and the server is still away (or another run holds a
        // delivery): the next run waits in the outbox, growing to half an hour, for about a
        // day (`MAX_DELIVERY_ATTEMPTS`), instead of the job failing for good.
        Err(e) if e.is_transient() && attempt.current() >= queues::TRIES => {
            let wait = match e {
                WorkerError::Busy(until) => until,
                _ => {
                    let failures = deliveries::most_attempts(&ctx.db, &job.event.key()).await?;
                    backoff(ctx.cfg.retry_backoff, failures / queues::TRIES as i32)
                }
            };
            try_later(
                &ctx,
                entities::outbox::OutboxKind::SendEmail,
                serde_json::to_value(&job.event)?,
                wait,
                &e,
            )
            .await
        }
        other => other,
    }
}

/// The wait before the `n`-th try again of failed work: the first wait doubled `n` times, at
/// most half an hour.
pub(crate) fn backoff(first: Duration, n: i32) -> Duration {
    let cap = Duration::from_secs(30 * 60);
    first
        .checked_mul(
            1u32.checked_shl(u32::try_from(n).unwrap_or(0).min(20))
                .unwrap_or(u32::MAX),
        )
        .map_or(cap, |d| d.min(cap))
}

/// Queues the work again, to run after `wait` (an outbox row with its time: the relay schedules
/// it), and ends this job as done.
async fn try_later(
    ctx: &Ctx,
    kind: entities::outbox::OutboxKind,
    payload: serde_json::Value,
    wait: Duration,
    cause: &WorkerError,
) -> Result<(), WorkerError> {
    let now = Utc::now();
    let at = now + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::minutes(30));
    entities::outbox::enqueue_later(&ctx.db, kind, &payload, now, at).await?;
    tracing::warn!(kind = ?kind, error = %cause, retry_at = %at, "work failed for now; it will be tried again");
    Ok(())
}

/// Sends what has not been sent yet; an error means some recipient should be tried again.
pub(crate) async fn deliver(ctx: &Ctx, event: &EmailEvent) -> Result<(), WorkerError> {
    let key = event.key();
    let lease = ctx.cfg.heartbeat * 3;
    let (mut failed, mut busy) = (None, false);
    for message in emails::compose(&ctx.db, &ctx.cfg, event).await? {
        let to = message.to.clone();
        let token = match deliveries::claim(&ctx.db, &key, &to, lease).await? {
            deliveries::Claim::Done => continue,
            deliveries::Claim::Busy => {
                busy = true;
                continue;
            }
            deliveries::Claim::Mine(token) => token,
        };
        // Sent and recorded by a task of its own (see `send_one`).
        let held = ctx.in_flight.clone().read_owned().await;
        let sending = tokio::spawn({
            let ctx = ctx.clone();
            let key = key.clone();
            async move {
                let sent = send_one(ctx, key, to, token, message, lease).await;
                drop(held);
                sent
            }
        });
        if let Some(e) = sending.await.map_err(|e| WorkerError::Queue(e.to_string()))?? {
            failed = Some(e);
        }
    }
    // A failure is tried again (with backoff) unless it has failed for good.
    // A message another run is sending is looked at again later: that run may fail.
    match failed {
        Some(e) if deliveries::retryable(&ctx.db, &key).await? => Err(e),
        // Its claim is taken over once the lease ends, should that run have died.
        _ if busy => Err(WorkerError::Busy(lease)),
        _ => Ok(()),
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends one message under its claim; `Some` error when the server did not take it (recorded
/// as a failed attempt). Runs as a task of its own, so that a job cut off (its queue workers
/// started again after a database error) never leaves a message between the server taking it
/// and its record: unrecorded, it would be sent again once the claim lapsed. The claim is
/// renewed while the message is on its way, however long the server takes; once the server
/// took it, the send is recorded as soon as the database answers, however long that takes.
async fn send_one(
    ctx: Ctx,
    key: String,
    to: String,
    token: String,
    message: crate::mailer::Outgoing,
    lease: Duration,
) -> Result<Option<WorkerError>, WorkerError> {
    let renewing = AbortOnDrop(tokio::spawn({
        let (db, key, to) = (ctx.db.clone(), key.clone(), to.clone());
        async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                if let Err(e) = deliveries::renew(&db, &key, &to, &token).await {
                    tracing::debug!(event = key, error = %e, "a claim could not be renewed now");
                }
            }
        }
    }));
    let sent = ctx.mailer.send(&ctx.cfg, &key, message).await;
    drop(renewing);
    tracing::debug!(event = key, sent = sent.is_ok(), "a message was handed to the server");
    if let Err(e) = sent {
        let permanent = matches!(e, WorkerError::MailRejected(_));
        deliveries::failed(&ctx.db, &key, &to, &e.to_string(), permanent).await?;
        return Ok(Some(e));
    }
    let mut late = false;
    while let Err(e) = deliveries::sent(&ctx.db, &key, &to).await {
        if !late {
            tracing::warn!(event = key, error = %e, "a sent message is not recorded yet; it will be once the database answers");
            late = true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if late {
        tracing::info!(event = key, "a sent message is recorded after the database came back");
    }
    Ok(None)
}

#[tracing::instrument(name = "close_call", skip_all, fields(call = job.call_id))]
pub(crate) async fn close_call(job: CloseCall, ctx: Data<Ctx>) -> Result<(), WorkerError> {
    // Closes this call if its deadline has come (only this one: closings at the same second
    // do not wait on each other's rows); a call whose deadline was extended is left open, as
    // the extension scheduled a job of its own.
    let closed = crate::close_calls(&ctx.db, ctx.cfg.clock.now(), Some(job.call_id)).await?;
    tracing::debug!(call = job.call_id, closed, "scheduled closing ran");
    Ok(())
}

#[tracing::instrument(name = "archive", skip_all, fields(job = ?job, attempt = attempt.current()))]
pub(crate) async fn archive(job: Archive, ctx: Data<Ctx>, attempt: Attempt) -> Result<(), WorkerError> {
    let done = match &job {
        Archive::Call { call_id, .. } => archive::archive_call(&ctx.db, &ctx.documents, &ctx.archive, *call_id).await,
        Archive::Semester { semester_id, .. } => {
            archive::archive_semester(&ctx.db, &ctx.documents, &ctx.archive, *semester_id).await
        }
        Archive::Project { project_id, .. } => {
            archive::archive_project(&ctx.db, &ctx.documents, &ctx.archive, *project_id).await
        }
    };
    match done {
        Ok(_) => Ok(()),
        // A store that is down: the archive is tried again, waiting longer each time, until it
        // is complete (copying is idempotent: a document archived and verified is skipped).
        Err(e) if e.is_transient() && attempt.current() >= queues::TRIES => {
            let (kind, payload, n) = match job {
                Archive::Call { call_id, attempt } => (
                    entities::outbox::OutboxKind::ArchiveCall,
                    serde_json::json!({ "call_id": call_id, "attempt": attempt + 1 }),
                    attempt,
                ),
                Archive::Semester { semester_id, attempt } => (
                    entities::outbox::OutboxKind::ArchiveSemester,
                    serde_json::json!({ "semester_id": semester_id, "attempt": attempt + 1 }),
                    attempt,
                ),
                Archive::Project { project_id, attempt } => (
                    entities::outbox::OutboxKind::ArchiveProject,
                    serde_json::json!({ "project_id": project_id, "attempt": attempt + 1 }),
                    attempt,
                ),
            };
            try_later(&ctx, kind, payload, backoff(ctx.cfg.retry_backoff, n), &e).await
        }
        Err(e) => Err(e),
    }
}

/// The minute sweep: closes calls past their deadline, queues due reminders, removes expired
/// sessions and forms kept past their day. Every part is idempotent, so any number of workers may sweep.
pub(crate) async fn sweep(ctx: &Ctx) {
    let now = ctx.cfg.clock.now();
    if let Err(e) = crate::close_due_calls(&ctx.db, now).await {
        tracing::warn!(error = %e, "closing calls failed; will retry");
    }
    if let Err(e) = crate::queue_reminders(&ctx.db, now).await {
        tracing::warn!(error = %e, "queueing reminders failed; will retry");
    }
    match entities::grants::projects::lapse_due(&ctx.db, now).await {
        Ok(n) if n > 0 => tracing::info!(lapsed = n, "grant offers lapsed; the reserve moved up"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "lapsing grant offers failed; will retry"),
    }
    match entities::sessions::purge_expired(&ctx.db, now).await {
        Ok(n) if n > 0 => tracing::debug!(removed = n, "expired sessions removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
    }
    if let Err(e) = entities::kept_forms::purge_old(&ctx.db, now).await {
        tracing::warn!(error = %e, "removing old kept forms failed");
    }
}
