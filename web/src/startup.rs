//! Building and running the application: connect to the database, apply migrations, assemble
//! the router, serve until a shutdown signal. Tests call these functions directly, on port 0.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use entities::storage::{self, Store, StoreConfig};
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;
use crate::{accounts, api, api_tokens, ctx, dash, devmail, grants, jobs, kept, orgs, plans, stats};

/// Opens the database pool. SQLite gets WAL, foreign keys, a busy timeout and several
/// connections (sea-orm's SQLite default is one); `data_dir` is created if missing.
pub async fn connect(cfg: &Config) -> anyhow::Result<DatabaseConnection> {
    std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    let mut opts = ConnectOptions::new(cfg.database_url.expose().to_owned());
    opts.max_connections(cfg.db_max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        })
        // A PostgreSQL connection can come back to the pool inside a transaction: a failed one
        // (seen after the job tables went away under load) refuses every statement, and one
        // whose `BEGIN` was sent by a caller dropped before the answer (sqlx 0.9 counts it only
        // once answered, so nobody rolls it back) would swallow every later autocommit write.
        // A statement is the first of its transaction exactly when its timestamp is the
        // transaction's (PostgreSQL documents this), and the pool answers every `BEGIN` before
        // it keeps a connection; a connection that fails this check or cannot answer is
        // discarded, which rolls back whatever it held, and the pool opens a new one.
        .map_sqlx_postgres_before_acquire(|conn, _| {
            Box::pin(async move {
                let check = "SELECT statement_timestamp() = transaction_timestamp()";
                // A simple query (not prepared): one command, so one timestamp.
                let first = sea_orm::sqlx::raw_sql(check).fetch_one(conn).await;
                let usable = match first.and_then(|row| sea_orm::sqlx::Row::try_get::<bool, _>(&row, 0)) {
                    Ok(true) => true,
                    Ok(false) => {
                        tracing::warn!("a pooled database connection was inside a transaction; discarded");
                        false
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "a pooled database connection could not answer; discarded");
                        false
                    }
                };
                Ok(usable)
            })
        });
    Database::connect(opts)
        .await
        .context("connecting to the database (PUMPURS_DATABASE_URL)")
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("applying migrations")?;
    worker::setup(db).await.context("creating the job tables")
}

/// On SQLite `serve` migrates by itself; on PostgreSQL migrating is a deploy step
/// (`pumpurs migrate`), so a web process refuses to start on an outdated schema.
pub async fn prepare_schema(cfg: &Config, db: &DatabaseConnection) -> anyhow::Result<()> {
    if cfg.is_sqlite() {
        return migrate(db).await;
    }
    let pending = Migrator::get_pending_migrations(db)
        .await
        .context("reading the migration status")?;
    if !pending.is_empty() {
        anyhow::bail!(
            "the database needs {} migration(s): run `pumpurs migrate` first",
            pending.len()
        );
    }
    Ok(())
}

/// Builds the shared state: opens both stores and checks that each can write, read and delete.
pub async fn state(cfg: Config, db: DatabaseConnection) -> anyhow::Result<AppState> {
    templates::i18n::set_file_limit_mb(cfg.max_file_bytes / (1024 * 1024));
    let decoy = tokio::task::spawn_blocking(entities::password::decoy_hash).await??;
    let documents = open_store(&cfg.documents, "documents").await?;
    let archive = open_store(&cfg.archive, "archive").await?;
    Ok(AppState {
        db,
        cfg: Arc::new(cfg),
        decoy_hash: decoy.into(),
        documents,
        archive,
        clock: Default::default(),
        rankings: Default::default(),
    })
}

async fn open_store(cfg: &StoreConfig, what: &str) -> anyhow::Result<Store> {
    let hint = "PUMPURS_STORAGE, PUMPURS_S3_*";
    let store = storage::build(cfg).with_context(|| format!("{what} storage {cfg:?} ({hint})"))?;
    storage::probe(store.as_ref())
        .await
        .with_context(|| format!("{what} storage {cfg:?} does not accept a test object ({hint})"))?;
    Ok(store)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(dash::router())
        .merge(accounts::router())
        .merge(orgs::router())
        .merge(grants::router(upload_limit(&state.cfg)))
        .merge(api::router())
        .merge(api_tokens::router())
        .merge(jobs::router())
        .merge(kept::router())
        .merge(plans::router(upload_limit(&state.cfg)))
        .merge(stats::router())
        .merge(devmail::router())
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn_with_state(state.clone(), ctx::context))
        .layer(DefaultBodyLimit::max(state.cfg.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), ctx::security_headers))
        .layer(axum::middleware::from_fn(crate::trace::requests))
        .with_state(state)
}

/// The body limit of the upload route: one file plus room for the multipart framing.
fn upload_limit(cfg: &Config) -> usize {
    usize::try_from(cfg.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        templates::STYLESHEET,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        templates::SCRIPT,
    )
}

/// How long requests in flight get to finish once shutdown is asked for: a stalled client
/// holds neither the server nor a deploy.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` turns true; requests in flight get
/// `SHUTDOWN_GRACE` to finish, then their connections are closed. A request's headers must
/// arrive within `header_timeout`. Responses go out without Nagle's delay: a streamed
/// body's last small chunk would otherwise wait for the client's delayed acknowledgement (40 ms
/// on Linux).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt as _;

    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // The guard the wait returns stays inside (it may not be held across an await).
            () = async { drop(shutdown.wait_for(|stop| *stop).await) } => break,
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let service = router
            .clone()
            .map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                req
            });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service));
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(seconds = SHUTDOWN_GRACE.as_secs(), "requests still open at shutdown were cut off");
        }
    }
    Ok(())
}

/// Readiness, for a load balancer: the database answers, both stores answer, and a worker
/// (this process's or another's) reported alive within three heartbeats. 200 with what was
/// checked, or 503 naming what is not ready. `/health` stays the cheap liveness answer.
async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    let database = entities::db::answers(&state.db).await;
    let answers = |store: &entities::storage::Store| {
        let store = store.clone();
        async move {
            match object_store::ObjectStoreExt::head(&store, &object_store::path::Path::from("ready-probe")).await {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "a store does not answer");
                    false
                }
            }
        }
    };
    let documents = answers(&state.documents).await;
    let archive = answers(&state.archive).await;
    let lease = state.cfg.job_heartbeat.as_secs().saturating_mul(3).max(1);
    let worker = database && entities::db::worker_alive(&state.db, lease, chrono::Utc::now()).await;
    let word = |ok: bool, bad: &str| if ok { "ok".to_owned() } else { bad.to_owned() };
    let body = serde_json::json!({
        "database": word(database, "unreachable"),
        "documents": word(documents, "unreachable"),
        "archive": word(archive, "unreachable"),
        "worker": word(worker, "none"),
    });
    let status = if database && documents && archive && worker {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}
