//! Building and running the application: connect to the database, apply migrations, assemble
//! the router, serve until a shutdown signal. Tests call these functions directly, on port 0.

use std::net::SocketAddr;
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
        // A PostgreSQL connection can come back to the pool inside a failed transaction (seen
        // after the job tables went away under load), and would then refuse every statement
        // until rolled back. One that cannot answer is discarded; the pool opens a new one.
        .map_sqlx_postgres_before_acquire(|conn, _| {
            Box::pin(async move {
                let usable = sea_orm::sqlx::Executor::execute(conn, "SELECT 1").await;
                if let Err(e) = &usable {
                    tracing::warn!(error = %e, "a pooled database connection could not answer; discarded");
                }
                Ok(usable.is_ok())
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

/// Serves `router` on `listener` until `shutdown` turns true; in-flight requests finish.
/// Responses go out without Nagle's delay: a streamed body's last small chunk would otherwise
/// wait for the client's delayed acknowledgement (40 ms on Linux).
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
        .context("serving HTTP")
}
