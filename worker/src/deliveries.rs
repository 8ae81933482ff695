//! The deliveries table: whether a message of an event has reached a recipient, so that a
//! retried or duplicated job never sends it twice.

use chrono::Utc;
use entities::entity::delivery::{self, DeliveryState};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{MAX_ATTEMPTS, WorkerError};

/// Who may send a message of an event to a recipient now.
pub(crate) enum Claim {
    /// This run, under this token: the row says `sending` with the token and our time on it.
    Mine(String),
    /// Sent already, or given up for good.
    Done,
    /// Another job is sending it right now.
    Busy,
}

/// The row of one event's message to one recipient.
fn one(key: &str, to: &str) -> Condition {
    Condition::all()
        .add(delivery::Column::EventKey.eq(key))
        .add(delivery::Column::Recipient.eq(to))
}

async fn find(db: &DatabaseConnection, key: &str, to: &str) -> Result<Option<delivery::Model>, WorkerError> {
    Ok(delivery::Entity::find().filter(one(key, to)).one(db).await?)
}

/// Claims the delivery before sending, so two runs of one event (a duplicate job, a job handed
/// on from a worker taken for dead) never both send. The owner renews its claim while it sends
/// (`renew`). A claim left unrenewed longer than `lease` is first marked suspect (with the time
/// it was found so), and only a claim still suspect a whole lease later is taken over: its
/// owner may be alive and merely cut off from the database, and renews or records its send as
/// soon as the database answers again (see `jobs::send_one`), well within the lease that
/// follows. Only a process that died mid-send leaves a claim suspect for long.
pub(crate) async fn claim(
    db: &DatabaseConnection,
    key: &str,
    to: &str,
    lease: std::time::Duration,
) -> Result<Claim, WorkerError> {
    let now = Utc::now();
    let token = entities::tokens::random_hex()[..32].to_owned();
    let inserted = delivery::Entity::insert(delivery::ActiveModel {
        event_key: Set(key.to_owned()),
        recipient: Set(to.to_owned()),
        status: Set(DeliveryState::Sending),
        attempts: Set(0),
        last_error: Set(None),
        sent_at: Set(None),
        updated_at: Set(now),
        claimed_by: Set(Some(token.clone())),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::EventKey, delivery::Column::Recipient])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(Claim::Mine(token));
    }
    let stale = now - chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::minutes(1));
    let left_since = |status: DeliveryState| {
        Condition::all()
            .add(delivery::Column::Status.eq(status))
            .add(delivery::Column::UpdatedAt.lt(stale))
    };
    let taken = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(DeliveryState::Sending))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .col_expr(delivery::Column::ClaimedBy, Expr::value(token.clone()))
        .filter(one(key, to))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(delivery::Column::Status.eq(DeliveryState::Failed))
                        .add(delivery::Column::Attempts.lt(MAX_ATTEMPTS)),
                )
                .add(left_since(DeliveryState::Suspect)),
        )
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        tracing::debug!(event = key, "a failed or long-suspect delivery is taken over");
        return Ok(Claim::Mine(token));
    }
    let suspected = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(DeliveryState::Suspect))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(one(key, to))
        .filter(left_since(DeliveryState::Sending))
        .exec(db)
        .await?;
    if suspected.rows_affected == 1 {
        tracing::debug!(event = key, "a delivery's claim was not renewed for a lease: suspect");
    }
    Ok(match find(db, key, to).await? {
        Some(d) if d.status == DeliveryState::Sending || d.status == DeliveryState::Suspect => Claim::Busy,
        _ => Claim::Done,
    })
}

/// Renews the claim of the run holding `token` (a suspect one too): it is still sending.
pub(crate) async fn renew(db: &DatabaseConnection, key: &str, to: &str, token: &str) -> Result<(), WorkerError> {
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(DeliveryState::Sending))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(one(key, to))
        .filter(delivery::Column::ClaimedBy.eq(token))
        .filter(delivery::Column::Status.is_in([DeliveryState::Sending, DeliveryState::Suspect]))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a successful send (the unique key keeps one row per event and recipient).
pub(crate) async fn sent(db: &DatabaseConnection, key: &str, to: &str) -> Result<(), WorkerError> {
    let now = Utc::now();
    delivery::Entity::insert(delivery::ActiveModel {
        event_key: Set(key.to_owned()),
        recipient: Set(to.to_owned()),
        status: Set(DeliveryState::Sent),
        attempts: Set(1),
        last_error: Set(None),
        sent_at: Set(Some(now)),
        updated_at: Set(now),
        claimed_by: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::EventKey, delivery::Column::Recipient])
            .update_columns([
                delivery::Column::Status,
                delivery::Column::SentAt,
                delivery::Column::UpdatedAt,
                delivery::Column::ClaimedBy,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Records a failed attempt with its error; a `permanent` failure is given up at once.
pub(crate) async fn failed(
    db: &DatabaseConnection,
    key: &str,
    to: &str,
    error: &str,
    permanent: bool,
) -> Result<(), WorkerError> {
    let now = Utc::now();
    let attempts = if permanent {
        MAX_ATTEMPTS
    } else {
        find(db, key, to).await?.map_or(0, |d| d.attempts) + 1
    };
    delivery::Entity::insert(delivery::ActiveModel {
        event_key: Set(key.to_owned()),
        recipient: Set(to.to_owned()),
        status: Set(DeliveryState::Failed),
        attempts: Set(attempts),
        last_error: Set(Some(error.chars().take(2000).collect())),
        sent_at: Set(None),
        updated_at: Set(now),
        claimed_by: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([delivery::Column::EventKey, delivery::Column::Recipient])
            .update_columns([
                delivery::Column::Status,
                delivery::Column::Attempts,
                delivery::Column::LastError,
                delivery::Column::UpdatedAt,
                delivery::Column::ClaimedBy,
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
        .filter(delivery::Column::Status.eq(DeliveryState::Failed))
        .filter(delivery::Column::Attempts.lt(MAX_ATTEMPTS))
        .one(db)
        .await?
        .is_some())
}

/// The most failed attempts of any recipient of the event (how long it has been failing).
pub(crate) async fn most_attempts(db: &DatabaseConnection, key: &str) -> Result<i32, WorkerError> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::EventKey.eq(key))
        .all(db)
        .await?
        .iter()
        .map(|d| d.attempts)
        .max()
        .unwrap_or(0))
}
