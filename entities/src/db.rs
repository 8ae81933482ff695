//! Transactions. Every write transaction starts as a writer: on SQLite `BEGIN IMMEDIATE`, so
//! that it queues for the write lock behind the busy timeout. A plain (deferred) `BEGIN` starts
//! as a reader, and when it comes to write after another connection has committed, SQLite
//! cannot let it wait (its snapshot is stale) and answers `SQLITE_BUSY` at once — a 500 under
//! concurrent use. PostgreSQL has no such mode and ignores it. `clippy.toml` forbids a plain
//! `begin()` so that no write slips past this.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Begins a transaction that will write.
///
/// The begin runs as a task of its own, so that it always finishes: sqlx 0.9 counts a
/// transaction as begun only once the server has answered `BEGIN`, so a caller dropped while
/// it waits (a client that hung up) would return the connection to the pool inside a
/// transaction no one rolls back, and every later autocommit write on that connection would
/// vanish. A finished begin whose caller is gone is dropped here and rolled back as usual.
pub async fn write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let db = db.clone();
    tokio::spawn(async move {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    })
    .await
    .map_err(|e| DbErr::Custom(format!("beginning a transaction: {e}")))?
}

/// Whether the database answers a trivial query (readiness).
pub async fn answers(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// Whether a queue worker (of any process) reported alive within `lease_secs`, as the queues'
/// own table of workers says; `false` when the table is not there yet (no worker ever ran).
pub async fn worker_alive(db: &DatabaseConnection, lease_secs: u64, now: chrono::DateTime<chrono::Utc>) -> bool {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            format!(
                "SELECT COUNT(*) AS n FROM apalis.workers WHERE last_seen > now() - interval '{lease_secs} seconds'"
            )
        }
        _ => {
            let since = now.timestamp() - i64::try_from(lease_secs).unwrap_or(i64::MAX);
            format!("SELECT COUNT(*) AS n FROM Workers WHERE last_seen > {since}")
        }
    };
    match db.query_one_raw(sea_orm::Statement::from_string(backend, sql)).await {
        Ok(Some(row)) => row.try_get::<i64>("", "n").is_ok_and(|n| n > 0),
        _ => false,
    }
}
