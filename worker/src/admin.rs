//! What the admin's jobs page reads from apalis' tables (SQLite `Jobs`, PostgreSQL
//! `apalis.jobs`): queue depths, jobs that failed for good, and putting one back in its queue.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, FromQueryResult, Statement, Value};

pub use entities::outbox::QueueDepth;

use crate::WorkerError;
use crate::jobs::QUEUES;

fn jobs_table(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Sqlite => "Jobs",
        _ => "apalis.jobs",
    }
}

#[derive(FromQueryResult)]
struct DepthRow {
    job_type: String,
    ready: i64,
    scheduled: i64,
    running: i64,
    done: i64,
    failed: i64,
}

/// The depth of each of our queues, in one statement.
pub async fn queue_depths(db: &DatabaseConnection) -> Result<Vec<QueueDepth>, WorkerError> {
    let backend = db.get_database_backend();
    let now = match backend {
        DatabaseBackend::Sqlite => "strftime('%s', 'now')",
        _ => "now()",
    };
    let sql = format!(
        "SELECT job_type, \
           SUM(CASE WHEN (status = 'Pending' AND run_at <= {now}) OR (status = 'Failed' AND attempts < max_attempts) THEN 1 ELSE 0 END) AS ready, \
           SUM(CASE WHEN status = 'Pending' AND run_at > {now} THEN 1 ELSE 0 END) AS scheduled, \
           SUM(CASE WHEN status IN ('Queued', 'Running') THEN 1 ELSE 0 END) AS running, \
           SUM(CASE WHEN status = 'Done' THEN 1 ELSE 0 END) AS done, \
           SUM(CASE WHEN status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts) THEN 1 ELSE 0 END) AS failed \
         FROM {} GROUP BY job_type",
        jobs_table(backend)
    );
    let sql = match backend {
        // SUM over integers is numeric on PostgreSQL.
        DatabaseBackend::Sqlite => sql,
        _ => sql.replace(" END) AS", " END)::bigint AS"),
    };
    let rows = DepthRow::find_by_statement(Statement::from_string(backend, sql))
        .all(db)
        .await?;
    Ok(QUEUES
        .iter()
        .map(|queue| {
            rows.iter()
                .find(|r| r.job_type == *queue)
                .map(|r| QueueDepth {
                    queue: r.job_type.clone(),
                    ready: r.ready,
                    scheduled: r.scheduled,
                    running: r.running,
                    done: r.done,
                    failed: r.failed,
                })
                .unwrap_or_else(|| QueueDepth {
                    queue: (*queue).to_owned(),
                    ..Default::default()
                })
        })
        .collect())
}

/// A job that failed for good, with its last error.
#[derive(Debug, Clone)]
pub struct FailedJob {
    pub id: String,
    pub queue: String,
    pub attempts: i32,
    pub error: String,
    pub when: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct FailedRow {
    id: String,
    job_type: String,
    attempts: i32,
    error: Option<String>,
    done: Option<i64>,
}

pub async fn failed_jobs(db: &DatabaseConnection, limit: u64) -> Result<Vec<FailedJob>, WorkerError> {
    let backend = db.get_database_backend();
    let (error, done) = match backend {
        DatabaseBackend::Sqlite => ("last_result", "done_at"),
        _ => ("last_result::text", "EXTRACT(EPOCH FROM done_at)::bigint"),
    };
    let sql = format!(
        "SELECT id, job_type, attempts, {error} AS error, {done} AS done FROM {} \
         WHERE status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts) \
         ORDER BY done_at DESC LIMIT {limit}",
        jobs_table(backend)
    );
    let rows = FailedRow::find_by_statement(Statement::from_string(backend, sql))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| FailedJob {
            id: r.id,
            queue: r.job_type,
            attempts: r.attempts,
            error: r.error.unwrap_or_default(),
            when: r.done.and_then(|s| DateTime::from_timestamp(s, 0)),
        })
        .collect())
}

/// Puts a job that failed for good back in its queue, with its attempts reset; `false` if
/// there is no such failed job.
pub async fn retry_job(db: &DatabaseConnection, id: &str) -> Result<bool, WorkerError> {
    let backend = db.get_database_backend();
    let (now, param) = match backend {
        DatabaseBackend::Sqlite => ("strftime('%s', 'now')", "?"),
        _ => ("now()", "$1"),
    };
    let sql = format!(
        "UPDATE {} SET status = 'Pending', attempts = 0, run_at = {now}, lock_by = NULL, lock_at = NULL, \
         done_at = NULL WHERE id = {param} AND (status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts))",
        jobs_table(backend)
    );
    let result = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [Value::from(id)]))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Puts every job that failed for good back in its queue (the admin's "retry all"); returns
/// how many.
pub async fn retry_failed_jobs(db: &DatabaseConnection) -> Result<u64, WorkerError> {
    let backend = db.get_database_backend();
    let now = match backend {
        DatabaseBackend::Sqlite => "strftime('%s', 'now')",
        _ => "now()",
    };
    let sql = format!(
        "UPDATE {} SET status = 'Pending', attempts = 0, run_at = {now}, lock_by = NULL, lock_at = NULL, \
         done_at = NULL WHERE status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts)",
        jobs_table(backend)
    );
    Ok(db
        .execute_raw(Statement::from_string(backend, sql))
        .await?
        .rows_affected())
}

/// Which of `keys` already name a job (the relay's idempotency keys).
pub(crate) async fn known_keys(
    db: &DatabaseConnection,
    keys: Vec<String>,
) -> Result<std::collections::HashSet<String>, WorkerError> {
    if keys.is_empty() {
        return Ok(Default::default());
    }
    let backend = db.get_database_backend();
    let params: Vec<String> = (1..=keys.len())
        .map(|i| match backend {
            DatabaseBackend::Sqlite => "?".to_owned(),
            _ => format!("${i}"),
        })
        .collect();
    let sql = format!(
        "SELECT idempotency_key AS key FROM {} WHERE idempotency_key IN ({})",
        jobs_table(backend),
        params.join(", ")
    );
    #[derive(FromQueryResult)]
    struct Key {
        key: String,
    }
    let rows = Key::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        keys.into_iter().map(Value::from),
    ))
    .all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.key).collect())
}

/// Work not done yet: outbox rows not relayed, and jobs due now or running.
pub async fn pending_work(db: &DatabaseConnection) -> Result<i64, WorkerError> {
    // The outbox first: a row is pushed as a job before it is marked relayed, so a row that
    // this read finds relayed is a job by the time the queues are read (the other order could
    // miss a row that moves between the two reads).
    let outbox = entities::outbox::unrelayed(db).await?;
    let depths = queue_depths(db).await?;
    Ok(outbox + depths.iter().map(|d| d.ready + d.running).sum::<i64>())
}
