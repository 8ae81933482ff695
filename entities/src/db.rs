//! Transactions. Every write transaction starts as a writer: on SQLite `BEGIN IMMEDIATE`, so
//! that it queues for the write lock behind the busy timeout. A plain (deferred) `BEGIN` starts
//! as a reader, and when it comes to write after another connection has committed, SQLite
//! cannot let it wait (its snapshot is stale) and answers `SQLITE_BUSY` at once — a 500 under
//! concurrent use. PostgreSQL has no such mode and ignores it. `clippy.toml` forbids a plain
//! `begin()` so that no write slips past this.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Begins a transaction that will write.
pub async fn write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
