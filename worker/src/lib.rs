//! Background work of Pumpurs on apalis queues that live in the application's own database:
//! the outbox relay turns rows written by application transactions into jobs; workers deliver
//! emails (once per event and recipient, recorded in `deliveries`) through SMTP (lettre) or as
//! `.eml` files, close calls at their deadline, and archive decided calls' documents; a minute
//! sweep closes what is overdue, queues reminders and removes expired sessions.
//!
//! Any number of worker processes may run side by side: each registers its workers under an id
//! of its own, a job is locked by one worker at a time, and the jobs of a worker that stops
//! answering are handed to the others.

mod admin;
mod archive;
mod deliveries;
mod emails;
pub mod jobs;
mod mailer;
mod queues;
mod relay;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use entities::time::Clock;
use entities::tokens::SecretKey;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

pub use admin::{FailedJob, QueueDepth, failed_jobs, pending_work, queue_depths, retry_failed_jobs, retry_job};
pub use entities::outbox::MAX_DELIVERY_ATTEMPTS as MAX_ATTEMPTS;
pub use mailer::{Mailer, smtp_url_problem};
pub use queues::setup;

/// What the worker needs to know; built by the binary from the web configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub public_url: String,
    pub mail_from: String,
    /// SMTP URL, or `None` for `.eml` files in `mail_dir`.
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub secret_key: SecretKey,
    /// How often the queues and the outbox are looked at.
    pub poll_interval: Duration,
    /// How often a worker tells it is alive; one silent for three is taken for dead.
    pub heartbeat: Duration,
    /// The first wait before a failed job is tried again (doubling, at most a minute).
    pub retry_backoff: Duration,
    /// Emails sent at the same time by one process.
    pub email_concurrency: usize,
    /// Whether this process runs the minute sweep (every process may; tests run it by hand).
    pub sweep: bool,
    pub clock: Clock,
    /// Where documents are, and where decided calls' documents are archived.
    pub documents: entities::storage::StoreConfig,
    pub archive: entities::storage::StoreConfig,
}

impl WorkerConfig {
    /// The service defaults for everything but the addresses, keys and stores.
    pub const POLL_INTERVAL: Duration = Duration::from_millis(250);
    pub const RETRY_BACKOFF: Duration = Duration::from_secs(2);
    /// lettre 0.11.23 leaves Nagle's algorithm on, so each message waits for the server's
    /// delayed ACK (~40 ms on Linux): one connection sends ~22 messages a second, and
    /// throughput comes from sending on several connections at once (BENCHMARKS.md).
    pub const EMAIL_CONCURRENCY: usize = 16;
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Domain(#[from] entities::Error),
    /// The mail server could not take the message now (away, busy, 4xx): tried again later.
    #[error("mail: {0}")]
    Mail(String),
    /// The mail server refused the message for good (5xx), or the address cannot be used.
    #[error("mail refused for good: {0}")]
    MailRejected(String),
    /// Another run holds the work (a delivery being sent); look again after this long.
    #[error("busy for {0:?}")]
    Busy(Duration),
    #[error("payload: {0}")]
    Payload(#[from] serde_json::Error),
    #[error("storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("storage: {0}")]
    Storage(#[from] entities::storage::StorageError),
    #[error("archive: {0}")]
    Archive(String),
    /// The document store did not answer as it should now (down, a network error): tried again.
    #[error("storage away: {0}")]
    StoreAway(String),
    #[error("queue: {0}")]
    Queue(String),
}

impl WorkerError {
    /// Whether waiting may help: a mail server or document store that is away, work another
    /// run holds. Such work is tried again later (`jobs::try_later`), not given up.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Mail(_) | Self::Busy(_) | Self::StoreAway(_) => true,
            Self::Store(e) | Self::Storage(entities::storage::StorageError::Store(e)) => store_away(e),
            _ => false,
        }
    }

    /// This error, said of `what` (an archive's document), keeping whether waiting may help.
    pub(crate) fn about(self, what: &str) -> Self {
        if self.is_transient() {
            Self::StoreAway(format!("{what}: {self}"))
        } else {
            Self::Archive(format!("{what}: {self}"))
        }
    }
}

/// Whether a store error may pass by itself: not a missing object, a refused key or a
/// configuration the store does not take (those need a person), but anything else.
fn store_away(e: &object_store::Error) -> bool {
    use object_store::Error as E;
    !matches!(
        e,
        E::NotFound { .. }
            | E::InvalidPath { .. }
            | E::NotSupported { .. }
            | E::AlreadyExists { .. }
            | E::Precondition { .. }
            | E::NotImplemented { .. }
            | E::PermissionDenied { .. }
            | E::Unauthenticated { .. }
            | E::UnknownConfigurationKey { .. }
    )
}

/// Runs the relay and the queue workers until `shutdown` turns true; running jobs finish
/// first (for up to 30 seconds).
pub async fn run(
    db: DatabaseConnection,
    cfg: WorkerConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<(), WorkerError> {
    let ctx = jobs::Ctx::new(db, cfg)?;
    let process = process_id();
    let queues = queues::Queues::open(&ctx.db, ctx.cfg.heartbeat);
    tracing::info!(worker = %process, poll_ms = ctx.cfg.poll_interval.as_millis() as u64, "worker started");
    if ctx.cfg.sweep {
        jobs::sweep(&ctx).await;
    }
    let relay = tokio::spawn(relay_loop(ctx.clone(), queues.clone(), shutdown.clone()));
    let sweeper = ctx
        .cfg
        .sweep
        .then(|| tokio::spawn(sweep_loop(ctx.clone(), shutdown.clone())));
    // The queue workers, started again (under new ids) should they ever stop on an error, as
    // a lost database connection may make them: `serve` must not go on without a worker.
    let mut generation = 0;
    let result = loop {
        let died = std::sync::Arc::new(tokio::sync::Notify::new());
        let monitor = queues.monitor(&ctx, &format!("{process}-{generation}"), died.clone())?;
        let mut stop = shutdown.clone();
        let running = monitor.run_with_signal(async move {
            let _ = stop.wait_for(|s| *s).await;
            Ok(())
        });
        tokio::pin!(running);
        let result = tokio::select! {
            result = &mut running => result,
            // A queue worker died: the monitor stops the others; should one of them hang on
            // the database that is away, it is cut off after a while.
            () = died.notified() => match tokio::time::timeout(Duration::from_secs(10), &mut running).await {
                Ok(result) => result,
                Err(_) => {
                    tracing::warn!(worker = %process, "queue workers did not stop within 10 s; cut off");
                    Ok(())
                }
            },
        };
        if *shutdown.borrow() {
            break result;
        }
        tracing::error!(worker = %process, outcome = ?result, "queue workers stopped; starting them again in 5 s");
        let mut stop = shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.wait_for(|s| *s) => break Ok(()),
        }
        generation += 1;
    };
    let _ = relay.await;
    if let Some(sweeper) = sweeper {
        let _ = sweeper.await;
    }
    // A message the server took is recorded before the process ends (a job cut off by the
    // restart of its queue workers left it to a task of its own).
    if tokio::time::timeout(Duration::from_secs(30), ctx.in_flight.write())
        .await
        .is_err()
    {
        tracing::warn!(worker = %process, "messages still unrecorded after 30 s; stopping all the same");
    }
    tracing::info!(worker = %process, "worker stopped");
    result.map_err(|e| WorkerError::Queue(e.to_string()))
}

/// Sweeps at the start of every minute until shutdown. Outside the queue workers' monitor, so
/// that their monitor ends when they do (see `queues::Queues::monitor`).
async fn sweep_loop(ctx: jobs::Ctx, mut shutdown: watch::Receiver<bool>) {
    use chrono::Timelike;
    loop {
        let now = Utc::now();
        let into_minute = u64::from(now.second()) * 1000 + u64::from(now.timestamp_subsec_millis());
        let wait = Duration::from_millis(60_000u64.saturating_sub(into_minute).max(1));
        let stopped = tokio::select! {
            _ = tokio::time::sleep(wait) => false,
            _ = shutdown.wait_for(|s| *s) => true,
        };
        if stopped {
            return;
        }
        jobs::sweep(&ctx).await;
    }
}

/// Relays the outbox until shutdown: at once again after a full batch, else after a poll.
async fn relay_loop(ctx: jobs::Ctx, mut queues: queues::Queues, mut shutdown: watch::Receiver<bool>) {
    loop {
        let relayed = match relay::relay_once(&ctx.db, &mut queues, Utc::now()).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay failed; will retry");
                0
            }
        };
        if *shutdown.borrow() {
            break;
        }
        if relayed as u64 == relay::BATCH {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(ctx.cfg.poll_interval) => {}
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
}

/// An id for this process's workers, unique among processes side by side and over restarts.
fn process_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{host}-{}-{started}-{run}", std::process::id())
}

/// Sends the test message to `to` through the configured transport (`pumpurs email-test`).
pub async fn send_test(cfg: &WorkerConfig, to: &str, lang: entities::domain::Lang) -> Result<(), WorkerError> {
    let mailer = Mailer::from_config(cfg)?;
    let rendered = templates::email::render(lang, &templates::email::EmailView::Test);
    mailer
        .send(
            cfg,
            &format!("test:{}", Utc::now().timestamp_millis()),
            mailer::Outgoing {
                to: to.to_owned(),
                rendered,
            },
        )
        .await
}

/// Queues the reminders due at `now` (each once), in one transaction.
pub async fn queue_reminders(db: &DatabaseConnection, now: chrono::DateTime<Utc>) -> Result<usize, WorkerError> {
    let txn = entities::db::write(db).await?;
    let queued = entities::reminders::queue_due(&txn, now).await?;
    txn.commit().await?;
    Ok(queued)
}

/// Closes the calls whose deadline has passed (and queues their emails), in one transaction.
pub async fn close_due_calls(db: &DatabaseConnection, now: chrono::DateTime<Utc>) -> Result<usize, WorkerError> {
    close_calls(db, now, None).await
}

/// Closes the due calls, or only `only` if it is due; returns how many closed.
pub(crate) async fn close_calls(
    db: &DatabaseConnection,
    now: chrono::DateTime<Utc>,
    only: Option<i32>,
) -> Result<usize, WorkerError> {
    let txn = entities::db::write(db).await?;
    let closed = entities::grants::calls::close_due(&txn, now, only).await?;
    txn.commit().await?;
    for c in &closed {
        tracing::info!(call = c.id, "call closed at its deadline");
    }
    Ok(closed.len())
}
