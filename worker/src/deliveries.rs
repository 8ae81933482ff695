//! The deliveries table: whether a message of an event has reached a recipient, so that a
//! retried or duplicated job never sends it twice.

use chrono::Utc;
use entities::entity::delivery;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{MAX_ATTEMPTS, WorkerError};

pub(crate) enum State {
    Pending,
    Sent,
    GaveUp,
}

async fn find(db: &DatabaseConnection, key: &str, to: &str) -> Result<Option<delivery::Model>, WorkerError> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::EventKey.eq(key))
        .filter(delivery::Column::Recipient.eq(to))
        .one(db)
        .await?)
}

pub(crate) async fn state(db: &DatabaseConnection, key: &str, to: &str) -> Result<State, WorkerError> {
    Ok(match find(db, key, to).await? {
        Some(d) if d.status == "sent" => State::Sent,
        Some(d) if d.status == "failed" && d.attempts >= MAX_ATTEMPTS => State::GaveUp,
        _ => State::Pending,
    })
}

/// Records a successful send (the unique key keeps one row per event and recipient).
pub(crate) async fn sent(db: &DatabaseConnection, key: &str, to: &str) -> Result<(), WorkerError> {
    let now = Utc::now();
    delivery::Entity::insert(delivery::ActiveModel {
        event_key: Set(key.to_owned()),
        recipient: Set(to.to_owned()),
        status: Set("sent".to_owned()),
        attempts: Set(1),
        last_error: Set(None),
        sent_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::EventKey, delivery::Column::Recipient])
            .update_columns([
                delivery::Column::Status,
                delivery::Column::SentAt,
                delivery::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Records a failed attempt with its error.
pub(crate) async fn failed(db: &DatabaseConnection, key: &str, to: &str, error: &str) -> Result<(), WorkerError> {
    let now = Utc::now();
    let attempts = find(db, key, to).await?.map_or(0, |d| d.attempts) + 1;
    delivery::Entity::insert(delivery::ActiveModel {
        event_key: Set(key.to_owned()),
        recipient: Set(to.to_owned()),
        status: Set("failed".to_owned()),
        attempts: Set(attempts),
        last_error: Set(Some(error.chars().take(2000).collect())),
        sent_at: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::EventKey, delivery::Column::Recipient])
            .update_columns([
                delivery::Column::Status,
                delivery::Column::Attempts,
                delivery::Column::LastError,
                delivery::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    if attempts >= MAX_ATTEMPTS {
        tracing::error!(event = key, attempts, "delivery failed for good");
    }
    Ok(())
}

/// Whether any recipient of the event still has attempts left.
pub(crate) async fn retryable(db: &DatabaseConnection, key: &str) -> Result<bool, WorkerError> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::EventKey.eq(key))
        .filter(delivery::Column::Status.eq("failed"))
        .filter(delivery::Column::Attempts.lt(MAX_ATTEMPTS))
        .one(db)
        .await?
        .is_some())
}
