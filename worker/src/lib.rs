//! Background work of Pumpurs: relaying outbox rows written by application transactions and
//! delivering the emails they describe, through SMTP (lettre) or as `.eml` files in the data
//! directory. Every message is rendered from the templates in the recipient's language.
//!
//! A row is claimed before it is handled (so several workers never take the same row) and
//! released again when delivery fails, so it is retried at the next poll.

mod emails;
mod mailer;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use entities::entity::outbox;
use entities::outbox::{EmailEvent, SEND_EMAIL};
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
    loop {
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

async fn handle(
    db: &DatabaseConnection,
    cfg: &WorkerConfig,
    mailer: &Mailer,
    row: &outbox::Model,
) -> Result<(), WorkerError> {
    match row.kind.as_str() {
        SEND_EMAIL => {
            let event: EmailEvent = serde_json::from_str(&row.payload)?;
            let Some(message) = emails::compose(db, cfg, &event).await? else {
                tracing::info!(outbox_id = row.id, "nothing to send (its rows are gone)");
                return Ok(());
            };
            mailer.send(cfg, message).await
        }
        other => {
            tracing::warn!(outbox_id = row.id, kind = other, "unknown outbox kind; left as relayed");
            Ok(())
        }
    }
}
