//! The `pumpurs` binary: reads the configuration once, then serves, works, migrates or loads
//! the demo. Everything else lives in the library crates.

use std::io::BufRead as _;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio::sync::watch;
use web::config::Config;
use web::startup;

const SETTINGS: &str = "\
Settings (flags win over variables):
  PUMPURS_ENV                  development (default) or production
  PUMPURS_ADDR                 listen address, default 127.0.0.1:8080
  PUMPURS_DATABASE_URL         sqlite://… (default data/pumpurs.db) or postgres://…
  PUMPURS_DATA_DIR             directory for the SQLite file and mail, default ./data
  PUMPURS_SECRET_KEY           at least 32 random characters; required in production
  PUMPURS_PUBLIC_URL           how people reach the portal, for links in emails
  PUMPURS_SMTP_URL             smtp://user:pass@host:587?tls=required, smtps://…; default: .eml files
  PUMPURS_MAIL_FROM            sender, default \"Pumpurs <pumpurs@localhost>\"
  PUMPURS_SESSION_IDLE_MINUTES idle session expiry, default 60
  PUMPURS_SESSION_MAX_HOURS    absolute session expiry, default 12
  PUMPURS_MAX_BODY_KB          largest form body, default 2048
  PUMPURS_MAX_FILE_MB          largest attached document, default 20
  PUMPURS_MAX_APPLICATION_MB   all documents of one application, default 100
  PUMPURS_STORAGE              local (default) or s3, with PUMPURS_S3_BUCKET, PUMPURS_S3_ARCHIVE_BUCKET,
                               PUMPURS_S3_ENDPOINT, PUMPURS_S3_REGION, PUMPURS_S3_ACCESS_KEY_ID,
                               PUMPURS_S3_SECRET_ACCESS_KEY
  PUMPURS_DB_MAX_CONNECTIONS   database pool size, default 8
  PUMPURS_EMAIL_CONCURRENCY    emails one process sends at once (SMTP connections), default 16
  PUMPURS_JOB_HEARTBEAT_SECONDS how often a worker reports alive, default 10; one silent for
                               three heartbeats is taken for dead and its jobs go to the others
  PUMPURS_LOG                  log filter, default info
  PUMPURS_LOG_FORMAT           text (default) or json
  PUMPURS_TRUSTED_PROXIES      reverse proxies whose X-Forwarded-For is believed, comma-separated
  PUMPURS_HEADER_TIMEOUT_SECONDS how long a client may take to send a request's headers, default 30";

#[derive(Parser)]
#[command(name = "pumpurs", version, about = "Pumpurs: youth-initiative grants and pupil support plans for Latvian municipalities and schools.", after_help = SETTINGS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Database URL: sqlite://… or postgres://…
    #[arg(long, global = true, env = "PUMPURS_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Directory for the SQLite database and written mail.
    #[arg(long, global = true, env = "PUMPURS_DATA_DIR")]
    data_dir: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal: web and worker in one process (the embedded default). On SQLite the
    /// database is created and migrated; on PostgreSQL run `pumpurs migrate` first.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PUMPURS_ADDR")]
        addr: Option<String>,
        /// Serve the web only; run `pumpurs worker` processes separately.
        #[arg(long)]
        no_worker: bool,
        /// Load the demo data first, if it is not there yet (refused in production).
        #[arg(long)]
        demo: bool,
    },
    /// Run the background worker only (any number of these can run side by side).
    Worker,
    /// Apply the database migrations (a deploy step for PostgreSQL).
    Migrate,
    /// Load a demo municipality with a user for every role (refused in production).
    Demo,
    /// Send a test email to ADDRESS through the configured mail settings.
    EmailTest {
        #[arg(long)]
        to: String,
    },
    /// Create the state agency (if missing) and an administrator. The password is read from
    /// PUMPURS_ADMIN_PASSWORD or, if unset, from the first line of standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        // The format is read again here: the error may be the configuration's own.
        if std::env::var("PUMPURS_LOG_FORMAT").as_deref() == Ok("json") {
            let line = serde_json::json!({
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "level": "ERROR",
                "fields": { "message": format!("{e:#}") },
                "target": "pumpurs",
            });
            eprintln!("{line}");
        } else {
            eprintln!("pumpurs: {e:#}");
        }
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let addr = match &cli.command {
        Command::Serve { addr, .. } => addr.clone(),
        _ => None,
    };
    let cfg = Config::load(|key| match key {
        "PUMPURS_DATABASE_URL" => cli.database_url.clone(),
        "PUMPURS_DATA_DIR" => cli.data_dir.clone(),
        "PUMPURS_ADDR" => addr.clone().or_else(|| std::env::var(key).ok()),
        _ => std::env::var(key).ok(),
    })?;
    init_tracing(&cfg);
    let db = startup::connect(&cfg).await?;
    match cli.command {
        Command::Serve { no_worker, demo, .. } => {
            startup::prepare_schema(&cfg, &db).await?;
            if demo {
                web::demo::load(&cfg, &db).await?;
            }
            serve(cfg, db, !no_worker).await
        }
        Command::Worker => {
            startup::prepare_schema(&cfg, &db).await?;
            let (tx, rx) = watch::channel(false);
            tokio::spawn(shutdown_signal(tx));
            worker::run(db, worker_config(&cfg), rx).await.context("worker")
        }
        Command::Migrate => {
            startup::migrate(&db).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::Demo => {
            startup::prepare_schema(&cfg, &db).await?;
            web::demo::load(&cfg, &db).await
        }
        Command::EmailTest { to } => {
            let cfg = worker_config(&cfg);
            worker::send_test(&cfg, &to, entities::domain::Lang::Lv)
                .await
                .context("sending the test email")?;
            match &cfg.smtp_url {
                Some(_) => println!("Test email sent to {to} through SMTP."),
                None => println!(
                    "Test email written to {} (no PUMPURS_SMTP_URL set).",
                    cfg.mail_dir.display()
                ),
            }
            Ok(())
        }
        Command::CreateAdmin { email, name } => {
            startup::prepare_schema(&cfg, &db).await?;
            let password = match std::env::var("PUMPURS_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => std::io::stdin().lock().lines().next().transpose()?.unwrap_or_default(),
            };
            web::demo::create_admin(&db, &email, &name, &password).await
        }
    }
}

async fn serve(cfg: Config, db: sea_orm::DatabaseConnection, with_worker: bool) -> anyhow::Result<()> {
    let listener = TcpListener::bind(cfg.addr)
        .await
        .with_context(|| format!("listening on {} (PUMPURS_ADDR)", cfg.addr))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = watch::channel(false);
    tokio::spawn(shutdown_signal(tx.clone()));
    let worker = with_worker.then(|| tokio::spawn(worker::run(db.clone(), worker_config(&cfg), rx.clone())));
    let (json, header_timeout) = (cfg.log_json, cfg.header_timeout);
    let state = startup::state(cfg, db).await?;
    if json {
        tracing::info!(address = %format!("http://{addr}/"), "Pumpurs is running at http://{addr}/");
    } else {
        println!("Pumpurs is running at http://{addr}/ (stop with Ctrl+C)");
    }
    let stop_asked = rx.clone();
    let web = startup::serve(listener, startup::router(state), header_timeout, rx);
    let Some(mut worker) = worker else {
        return web.await;
    };
    tokio::pin!(web);
    tokio::select! {
        served = &mut web => {
            served?;
            worker.await?.context("worker")
        }
        // The worker ends only when asked to, or on an error: then the process stops too,
        // rather than serve pages whose emails and deadlines nobody handles.
        stopped = &mut worker => {
            let asked = *stop_asked.borrow();
            let _ = tx.send(true);
            web.await?;
            stopped?.context("worker")?;
            if asked {
                Ok(())
            } else {
                anyhow::bail!("the worker stopped")
            }
        }
    }
}

fn worker_config(cfg: &Config) -> worker::WorkerConfig {
    worker::WorkerConfig {
        public_url: cfg.public_url.clone(),
        mail_from: cfg.mail_from.clone(),
        smtp_url: cfg.smtp_url.as_ref().map(|s| s.expose().to_owned()),
        mail_dir: cfg.mail_dir(),
        secret_key: cfg.secret_key.clone(),
        poll_interval: worker::WorkerConfig::POLL_INTERVAL,
        heartbeat: cfg.job_heartbeat,
        retry_backoff: worker::WorkerConfig::RETRY_BACKOFF,
        email_concurrency: cfg.email_concurrency,
        sweep: true,
        clock: entities::time::Clock::default(),
        documents: cfg.documents.clone(),
        archive: cfg.archive.clone(),
    }
}

/// Turns Ctrl+C or SIGTERM into `true` on the shutdown channel.
async fn shutdown_signal(tx: watch::Sender<bool>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
    let _ = tx.send(true);
}

fn init_tracing(cfg: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("PUMPURS_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if cfg.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}
