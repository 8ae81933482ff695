//! The integration-test harness: starts the real application on port 0 against a fresh
//! database per test (SQLite in a temporary directory; PostgreSQL in a database created for the
//! test and dropped after it, when `PUMPURS_TEST_POSTGRES_URL` is set), with a browser-like
//! client that keeps cookies and follows the CSRF rules, and helpers for reading HTML.
#![expect(
    clippy::expect_used,
    reason = "test support: a failed set-up step must stop the test at once"
)]

pub mod browser;
pub mod gate;
pub mod logs;
pub mod s3;
pub mod seed;
pub mod smtp;
pub mod webdriver;

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::sync::watch;
use web::config::{Config, Secret};

pub use browser::{Browser, Page};

/// An XLSX workbook with one sheet of `rows`, every cell a string (as a spreadsheet saves a
/// class list).
pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).expect("row"), u16::try_from(c).expect("column"));
            sheet.write_string(r, c, *cell).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running application with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: DatabaseConnection,
    pub cfg: Config,
    /// The application's clock: `app.clock.hold(Some(t))` makes "now" `t` for every request.
    pub clock: entities::time::Clock,
    /// SQL statements the application (not the test) has run so far.
    pub statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The most values any one of those statements has bound.
    pub most_values: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The S3 server, when the app runs on S3 storage.
    pub s3: Option<s3::S3Server>,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

/// Runs `body` against a fresh application on `backend`, then tears it down (also when the
/// body panics). Without `PUMPURS_TEST_POSTGRES_URL` the PostgreSQL variant says so and returns.
pub async fn run<F>(backend: Backend, body: F)
where
    F: for<'a> AsyncFnOnce(&'a TestApp),
{
    run_on(backend, false, body).await
}

/// As `run`, with documents and archive on a real S3-compatible server (s3s-fs) on loopback.
pub async fn run_with_s3<F>(backend: Backend, body: F)
where
    F: for<'a> AsyncFnOnce(&'a TestApp),
{
    run_on(backend, true, body).await
}

async fn run_on<F>(backend: Backend, s3: bool, body: F)
where
    F: for<'a> AsyncFnOnce(&'a TestApp),
{
    logs::init();
    let Some(app) = TestApp::spawn(backend, s3).await else {
        eprintln!("PUMPURS_TEST_POSTGRES_URL is not set: PostgreSQL variant not run");
        return;
    };
    // A test that hangs fails with what its database was doing, instead of holding up the run.
    let outcome = tokio::time::timeout(TEST_LIMIT, AssertUnwindSafe(body(&app)).catch_unwind()).await;
    let hung = match &outcome {
        Err(_) => Some(app.sessions().await),
        Ok(_) => None,
    };
    if tokio::time::timeout(TEST_LIMIT, app.stop()).await.is_err() {
        eprintln!("the test application did not stop within {} s", TEST_LIMIT.as_secs());
    }
    if let Some(sessions) = hung {
        panic!(
            "the test did not finish within {} s; its database sessions:\n{sessions}",
            TEST_LIMIT.as_secs()
        );
    }
    if let Ok(Err(panic)) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// The longest a test body (and then its tear-down) may take.
const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `both_backends!(async fn name(app) { ... });`
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($app: &$crate::TestApp) $body
            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::run($crate::Backend::Sqlite, body).await
            }
            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::run($crate::Backend::Postgres, body).await
            }
        }
    };
}

fn unique_name() -> String {
    format!("pumpurs_t_{}", &entities::tokens::random_hex()[..16])
}

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let base = without_query.rsplit_once('/').map(|(b, _)| b).unwrap_or(without_query);
    format!("{base}/{name}")
}

impl TestApp {
    async fn spawn(backend: Backend, on_s3: bool) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut cfg = Config::development(dir.path().to_path_buf());
        // The pool size the server reads, for benchmarks that compare sizes.
        if let Some(size) = std::env::var("PUMPURS_DB_MAX_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            cfg.db_max_connections = size;
        }
        let mut postgres = None;
        if backend == Backend::Postgres {
            let admin_url = std::env::var("PUMPURS_TEST_POSTGRES_URL").ok()?;
            let name = unique_name();
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to PUMPURS_TEST_POSTGRES_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            cfg.database_url = Secret::new(with_database(&admin_url, &name));
            postgres = Some((admin_url, name));
        }
        let s3 = if on_s3 {
            Some(s3::S3Server::start(&["documents", "archive"]).await)
        } else {
            None
        };
        if let Some(server) = &s3 {
            cfg.documents = server.store("documents");
            cfg.archive = server.store("archive");
        }
        let db = web::startup::connect(&cfg).await.expect("connect");
        web::startup::migrate(&db).await.expect("migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        cfg.addr = addr;
        cfg.public_url = format!("http://{addr}");
        let statements = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut counted = db.clone();
        let most_values = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (counter, most) = (statements.clone(), most_values.clone());
        counted.set_metric_callback(move |info| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let values = info.statement.values.as_ref().map_or(0, |v| v.0.len());
            most.fetch_max(
                u64::try_from(values).unwrap_or(u64::MAX),
                std::sync::atomic::Ordering::Relaxed,
            );
        });
        let state = web::startup::state(cfg.clone(), counted).await.expect("state");
        let clock = state.clock.clone();
        let (shutdown, rx) = watch::channel(false);
        let router = web::startup::router(state);
        let header_timeout = cfg.header_timeout;
        let server = tokio::spawn(async move {
            web::startup::serve(listener, router, header_timeout, rx)
                .await
                .expect("serve");
        });
        Some(Self {
            base: format!("http://{addr}"),
            addr,
            db,
            cfg,
            clock,
            statements,
            most_values,
            s3,
            shutdown,
            server,
            _dir: dir,
            postgres,
        })
    }

    /// What the sessions of a PostgreSQL test database are doing (and the locks they wait for).
    async fn sessions(&self) -> String {
        let Some((admin_url, name)) = &self.postgres else {
            return "(SQLite)".to_owned();
        };
        let Ok(admin) = Database::connect(admin_url).await else {
            return "(could not connect)".to_owned();
        };
        let sql = format!(
            "SELECT a.pid, a.state, a.wait_event_type, a.wait_event, a.xact_start::text, \
             (SELECT string_agg(l.locktype || ' ' || l.mode || CASE WHEN l.granted THEN '' ELSE ' (waiting)' END, ', ') \
              FROM pg_locks l WHERE l.pid = a.pid AND l.relation IS NOT NULL) AS locks, left(a.query, 300) AS query \
             FROM pg_stat_activity a WHERE a.datname = '{name}'"
        );
        let rows = admin
            .query_all_raw(sea_orm::Statement::from_string(sea_orm::DatabaseBackend::Postgres, sql))
            .await;
        admin.close().await.ok();
        match rows {
            Ok(rows) => rows
                .iter()
                .map(|r| {
                    let col = |c: &str| r.try_get::<Option<String>>("", c).ok().flatten().unwrap_or_default();
                    let pid = r.try_get::<i32>("", "pid").unwrap_or_default();
                    format!(
                        "{pid} {} {}/{} since {} locks [{}]: {}",
                        col("state"),
                        col("wait_event_type"),
                        col("wait_event"),
                        col("xact_start"),
                        col("locks"),
                        col("query")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => format!("(could not read: {e})"),
        }
    }

    async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        self.db.close().await.ok();
        if let Some((admin_url, name)) = self.postgres
            && let Ok(admin) = Database::connect(&admin_url).await
        {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
            admin.close().await.ok();
        }
    }

    /// How many SQL statements the application runs for `request`.
    pub async fn count_statements<T>(&self, request: impl std::future::Future<Output = T>) -> (u64, T) {
        let before = self.statements.load(std::sync::atomic::Ordering::Relaxed);
        let out = request.await;
        (self.statements.load(std::sync::atomic::Ordering::Relaxed) - before, out)
    }

    /// A fresh browser: no cookies, follows redirects.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A fresh browser at another place: its requests come from `local` (a loopback address),
    /// claiming to be forwarded for `forwarded_for`.
    pub fn browser_from(&self, local: &str, forwarded_for: Option<&str>) -> Browser {
        let local = local.parse().expect("a loopback address");
        Browser::from(&self.base, local, forwarded_for)
    }

    /// Runs the real worker (the apalis queues in this database) until no work is left that is
    /// due now, then stops it as SIGTERM would.
    pub async fn work(&self, cfg: &worker::WorkerConfig) {
        let (stop, rx) = watch::channel(false);
        let running = tokio::spawn(worker::run(self.db.clone(), cfg.clone(), rx));
        let started = std::time::Instant::now();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            if worker::pending_work(&self.db).await.expect("pending work") == 0 {
                break;
            }
            if started.elapsed().as_secs() >= 60 {
                let depths = worker::queue_depths(&self.db).await;
                let logs = logs::captured();
                let tail: String = logs.chars().skip(logs.chars().count().saturating_sub(4000)).collect();
                panic!("the worker did not finish its work within a minute: {depths:?}\n{tail}");
            }
        }
        let _ = stop.send(true);
        running.await.expect("worker task").expect("worker");
    }

    /// The messages the worker wrote as `.eml` files (no SMTP configured), with quoted-printable
    /// soft line breaks undone as a mail program would.
    pub fn mails(&self) -> Vec<String> {
        std::fs::read_dir(self.cfg.mail_dir())
            .map(|dir| {
                dir.flatten()
                    .map(|f| {
                        std::fs::read_to_string(f.path())
                            .unwrap_or_default()
                            .replace("=\r\n", "")
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The worker's configuration for this application (mail as `.eml` files in its data dir).
    pub fn worker_config(&self) -> worker::WorkerConfig {
        worker::WorkerConfig {
            public_url: self.cfg.public_url.clone(),
            mail_from: self.cfg.mail_from.clone(),
            smtp_url: None,
            mail_dir: self.cfg.mail_dir(),
            secret_key: self.cfg.secret_key.clone(),
            poll_interval: std::time::Duration::from_millis(50),
            heartbeat: std::time::Duration::from_secs(1),
            retry_backoff: std::time::Duration::from_millis(100),
            email_concurrency: 4,
            sweep: false,
            clock: self.clock.clone(),
            documents: self.cfg.documents.clone(),
            archive: self.cfg.archive.clone(),
        }
    }
}
