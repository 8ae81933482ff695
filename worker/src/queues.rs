//! The apalis queues, on the application's own database pool: apalis-sqlite or apalis-postgres
//! by the connection's backend. Both storages have the same shape, so the workers are built by
//! one macro for either.

use std::time::Duration;

use apalis::layers::retry::RetryPolicy;
use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use futures_util::stream;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use tower::retry::backoff::{ExponentialBackoff, ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::WorkerError;
use crate::jobs::{self, ARCHIVE_QUEUE, Archive, CLOSE_QUEUE, CloseCall, Ctx, EMAIL_QUEUE, SendEmail};

/// Creates or updates apalis' own tables (SQLite: `Jobs`, `Workers`; PostgreSQL: schema
/// `apalis`). Run by `pumpurs migrate` and at start-up, next to the application's migrations.
///
/// On SQLite the migrations are run directly rather than through `SqliteStorage::setup`,
/// which would also switch a pooled connection to `synchronous = OFF`.
pub async fn setup(db: &DatabaseConnection) -> Result<(), WorkerError> {
    let result = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            SqliteStorage::<()>::migrations()
                .run(db.get_sqlite_connection_pool())
                .await
        }
        _ => {
            PostgresStorage::<()>::migrations()
                .run(db.get_postgres_connection_pool())
                .await
        }
    };
    result.map_err(|e| WorkerError::Queue(format!("job tables: {e}")))
}

/// The three queues on one backend.
#[derive(Clone)]
pub(crate) enum Queues {
    Sqlite {
        email: SqliteStorage<SendEmail>,
        close: SqliteStorage<CloseCall>,
        archive: SqliteStorage<Archive>,
    },
    Postgres {
        email: PostgresStorage<SendEmail>,
        close: PostgresStorage<CloseCall>,
        archive: PostgresStorage<Archive>,
    },
}

/// Pushes `$tasks` (in one batch) to the `$queue` storage of either backend.
macro_rules! push {
    ($self:ident, $queue:ident, $tasks:ident) => {{
        if $tasks.is_empty() {
            return Ok(());
        }
        let tasks = stream::iter($tasks);
        match $self {
            Self::Sqlite { $queue, .. } => $queue.push_all(tasks).await.map_err(queue_error),
            Self::Postgres { $queue, .. } => $queue.push_all(tasks).await.map_err(queue_error),
        }
    }};
}

/// Registers the three queue workers on `$monitor`; the same code for either storage.
macro_rules! register {
    ($monitor:expr, $ctx:expr, $process:expr, $retry:expr, $email:ident, $close:ident, $archive:ident) => {{
        let poll = $ctx.cfg.poll_interval;
        let (ctx_e, ctx_c, ctx_a) = ($ctx.clone(), $ctx.clone(), $ctx.clone());
        let (retry_e, retry_a) = ($retry.clone(), $retry.clone());
        let concurrency = $ctx.cfg.email_concurrency;
        let (name_e, name_c, name_a) = (
            format!("{EMAIL_QUEUE}@{}", $process),
            format!("{CLOSE_QUEUE}@{}", $process),
            format!("{ARCHIVE_QUEUE}@{}", $process),
        );
        $monitor
            .register(move |_| {
                WorkerBuilder::new(name_e.clone())
                    .backend($email.clone().poll_with_interval(poll))
                    .data(ctx_e.clone())
                    .concurrency(concurrency)
                    .retry(retry_e.policy())
                    .build(jobs::send_email)
            })
            .register(move |_| {
                WorkerBuilder::new(name_c.clone())
                    .backend($close.clone().poll_with_interval(poll))
                    .data(ctx_c.clone())
                    .build(jobs::close_call)
            })
            .register(move |_| {
                WorkerBuilder::new(name_a.clone())
                    .backend($archive.clone().poll_with_interval(poll))
                    .data(ctx_a.clone())
                    .retry(retry_a.policy())
                    .build(jobs::archive)
            })
    }};
}

impl Queues {
    /// The storages on `db`'s pool. Liveness is checked every `heartbeat`; a worker silent for
    /// three heartbeats is taken for dead and its running jobs are handed to the others.
    pub(crate) fn open(db: &DatabaseConnection, heartbeat: Duration) -> Self {
        macro_rules! storage {
            ($storage:ident, $config:path, $pool:expr, $queue:expr) => {
                $storage::new($pool).with_config(
                    <$config>::default()
                        .queue($queue)
                        .heartbeat_interval(heartbeat)
                        .missed_heartbeats(3),
                )
            };
        }
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                Self::Sqlite {
                    email: storage!(SqliteStorage, apalis_sqlite::Config, pool, EMAIL_QUEUE),
                    close: storage!(SqliteStorage, apalis_sqlite::Config, pool, CLOSE_QUEUE),
                    archive: storage!(SqliteStorage, apalis_sqlite::Config, pool, ARCHIVE_QUEUE),
                }
            }
            _ => {
                let pool = db.get_postgres_connection_pool();
                Self::Postgres {
                    email: storage!(PostgresStorage, apalis_postgres::Config, pool, EMAIL_QUEUE),
                    close: storage!(PostgresStorage, apalis_postgres::Config, pool, CLOSE_QUEUE),
                    archive: storage!(PostgresStorage, apalis_postgres::Config, pool, ARCHIVE_QUEUE),
                }
            }
        }
    }

    pub(crate) async fn push_emails(&mut self, tasks: Vec<Task<SendEmail>>) -> Result<(), WorkerError> {
        push!(self, email, tasks)
    }

    pub(crate) async fn push_closings(&mut self, tasks: Vec<Task<CloseCall>>) -> Result<(), WorkerError> {
        push!(self, close, tasks)
    }

    pub(crate) async fn push_archives(&mut self, tasks: Vec<Task<Archive>>) -> Result<(), WorkerError> {
        push!(self, archive, tasks)
    }

    /// A monitor with a worker per queue (named `queue@process`). Should any of them end on an
    /// error (its database away), the monitor stops them all and returns, so that `run` starts
    /// them again; a monitor left with some of its workers dead would idle on without them.
    pub(crate) fn monitor(
        &self,
        ctx: &Ctx,
        process: &str,
        died: std::sync::Arc<tokio::sync::Notify>,
    ) -> Result<Monitor, WorkerError> {
        let retry = Retry::new(ctx.cfg.retry_backoff)?;
        let monitor = Monitor::new().shutdown_timeout(Duration::from_secs(30));
        let monitor = match self.clone() {
            Self::Sqlite { email, close, archive } => register!(monitor, ctx, process, retry, email, close, archive),
            Self::Postgres { email, close, archive } => register!(monitor, ctx, process, retry, email, close, archive),
        };
        let all = monitor.context();
        Ok(monitor.should_restart(move |worker, error| {
            tracing::warn!(worker = worker.name(), %error, "a queue worker ended; stopping the others to start all again");
            let _ = all.shutdown();
            died.notify_one();
            false
        }))
    }
}

/// Tries a failed job again in the worker, waiting longer each time (first wait, doubled,
/// at most a minute), before the job counts as failed.
#[derive(Clone)]
pub(crate) struct Retry(ExponentialBackoffMaker<HasherRng>);

/// Tries per job run, the first included.
pub(crate) const TRIES: usize = 5;

impl Retry {
    fn new(first: Duration) -> Result<Self, WorkerError> {
        ExponentialBackoffMaker::new(first, Duration::from_secs(60), 0.1, HasherRng::default())
            .map(Self)
            .map_err(|e| WorkerError::Queue(e.to_string()))
    }

    fn policy(&self) -> apalis::prelude::BackoffRetryPolicy<ExponentialBackoff<HasherRng>> {
        let mut maker = self.0.clone();
        RetryPolicy::retries(TRIES - 1).with_backoff(maker.make_backoff())
    }
}

fn queue_error<E: std::fmt::Display>(e: E) -> WorkerError {
    WorkerError::Queue(e.to_string())
}
