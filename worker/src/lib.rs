//! Background work of Pumpurs: closing calls at their deadline, removing expired sessions, relaying outbox rows written by
//! application transactions and delivering the emails they describe (once per event and
//! recipient, recorded in `deliveries`), through SMTP (lettre) or as `.eml` files in the data
//! directory. Every message is rendered from the templates in the recipient's language.
//!
//! A row is claimed before it is handled (so several workers never take the same row) and
//! released again when delivery fails, so it is retried at the next poll.

mod archive;
mod deliveries;
mod emails;
mod mailer;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use entities::entity::outbox;
use entities::outbox::{ARCHIVE_CALL, EmailEvent, SEND_EMAIL};
use entities::tokens::SecretKey;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::watch;

pub use mailer::Mailer;

/// What the worker needs to know; built by the binary from the web configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub public_url: String,
    pub mail_from: String,
    /// SMTP URL, or `None` for `.eml` files in `mail_dir`.
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub secret_key: SecretKey,
    pub poll_interval: Duration,
    /// Where documents are, and where decided calls' documents are archived.
    pub documents: entities::storage::StoreConfig,
    pub archive: entities::storage::StoreConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Domain(#[from] entities::Error),
    #[error("mail: {0}")]
    Mail(String),
    #[error("payload: {0}")]
    Payload(#[from] serde_json::Error),
    #[error("storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("storage: {0}")]
    Storage(#[from] entities::storage::StorageError),
    #[error("archive: {0}")]
    Archive(String),
}

/// Rows handled in one pass.
const BATCH: u64 = 50;

/// Polls the outbox until `shutdown` turns true; a pass in progress finishes first.
pub async fn run(
    db: DatabaseConnection,
    cfg: WorkerConfig,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), WorkerError> {
    let mailer = Mailer::from_config(&cfg)?;
    tracing::info!(poll_ms = cfg.poll_interval.as_millis() as u64, "worker started");
    let mut last_sweep: Option<std::time::Instant> = None;
    loop {
        // Closing is swept once a minute: a deadline is enforced by the submit itself, so the
        // sweep only decides how soon the call shows as closed and its coordinators hear of it.
        if last_sweep.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
            last_sweep = Some(std::time::Instant::now());
            if let Err(e) = close_due_calls(&db, Utc::now()).await {
                tracing::warn!(error = %e, "closing calls failed; will retry");
            }
            if let Err(e) = queue_reminders(&db, Utc::now()).await {
                tracing::warn!(error = %e, "queueing reminders failed; will retry");
            }
            match entities::sessions::purge_expired(&db, Utc::now()).await {
                Ok(n) if n > 0 => tracing::debug!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
            }
        }
        match relay_once(&db, &cfg, &mailer).await {
            Ok(n) if n > 0 => tracing::debug!(handled = n, "outbox pass"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.poll_interval) => {}
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
    tracing::info!("worker stopped");
    Ok(())
}

/// Handles the pending outbox rows once; returns how many were delivered.
pub async fn relay_once(db: &DatabaseConnection, cfg: &WorkerConfig, mailer: &Mailer) -> Result<usize, WorkerError> {
    let pending = outbox::Entity::find()
        .filter(outbox::Column::RelayedAt.is_null())
        .order_by_asc(outbox::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut delivered = 0;
    for row in pending {
        // Claim the row; another worker may have taken it since the read.
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::RelayedAt, Expr::value(Utc::now()))
            .filter(outbox::Column::Id.eq(row.id))
            .filter(outbox::Column::RelayedAt.is_null())
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        match handle(db, cfg, mailer, &row).await {
            Ok(()) => delivered += 1,
            Err(e) => {
                tracing::warn!(outbox_id = row.id, kind = %row.kind, error = %e, "delivery failed; will retry");
                outbox::Entity::update_many()
                    .col_expr(
                        outbox::Column::RelayedAt,
                        Expr::value(Option::<chrono::DateTime<Utc>>::None),
                    )
                    .filter(outbox::Column::Id.eq(row.id))
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(delivered)
}

pub use entities::outbox::MAX_DELIVERY_ATTEMPTS as MAX_ATTEMPTS;

async fn handle(
    db: &DatabaseConnection,
    cfg: &WorkerConfig,
    mailer: &Mailer,
    row: &outbox::Model,
) -> Result<(), WorkerError> {
    match row.kind.as_str() {
        SEND_EMAIL => {
            let event: EmailEvent = serde_json::from_str(&row.payload)?;
            let key = event.key();
            let mut failed = None;
            for message in emails::compose(db, cfg, &event).await? {
                let to = message.to.clone();
                match deliveries::state(db, &key, &to).await? {
                    deliveries::State::Sent | deliveries::State::GaveUp => continue,
                    deliveries::State::Pending => {}
                }
                match mailer.send(cfg, message).await {
                    Ok(()) => deliveries::sent(db, &key, &to).await?,
                    Err(e) => {
                        deliveries::failed(db, &key, &to, &e.to_string()).await?;
                        failed = Some(e);
                    }
                }
            }
            // A failure is retried at the next pass, unless it has failed for good.
            match failed {
                Some(e) if deliveries::retryable(db, &key).await? => Err(e),
                _ => Ok(()),
            }
        }
        ARCHIVE_CALL => {
            let payload: serde_json::Value = serde_json::from_str(&row.payload)?;
            let call_id = payload["call_id"]
                .as_i64()
                .and_then(|id| i32::try_from(id).ok())
                .unwrap_or_default();
            let documents = entities::storage::build(&cfg.documents)?;
            let archive = entities::storage::build(&cfg.archive)?;
            archive::archive_call(db, &documents, &archive, call_id)
                .await
                .map(|_| ())
        }
        other => {
            tracing::warn!(outbox_id = row.id, kind = other, "unknown outbox kind; left as relayed");
            Ok(())
        }
    }
}

/// Sends the test message to `to` through the configured transport (`pumpurs email-test`).
pub async fn send_test(cfg: &WorkerConfig, to: &str, lang: entities::domain::Lang) -> Result<(), WorkerError> {
    let mailer = Mailer::from_config(cfg)?;
    let rendered = templates::email::render(lang, &templates::email::EmailView::Test);
    mailer
        .send(
            cfg,
            mailer::Outgoing {
                to: to.to_owned(),
                rendered,
            },
        )
        .await
}

/// Queues the reminders due at `now` (each once), in one transaction.
pub async fn queue_reminders(db: &DatabaseConnection, now: chrono::DateTime<Utc>) -> Result<usize, WorkerError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let queued = entities::reminders::queue_due(&txn, now).await?;
    txn.commit().await?;
    Ok(queued)
}

/// Closes the calls whose deadline has passed (and queues their emails), in one transaction.
pub async fn close_due_calls(db: &DatabaseConnection, now: chrono::DateTime<Utc>) -> Result<usize, WorkerError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let closed = entities::calls::close_due(&txn, now).await?;
    txn.commit().await?;
    for c in &closed {
        tracing::info!(call = c.id, "call closed at its deadline");
    }
    Ok(closed.len())
}
