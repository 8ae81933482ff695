//! The admin's page of background work: pending outbox rows, deliveries that failed for good,
//! and retrying them.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use entities::sea_orm::ActiveEnum;
use templates::pages::jobs::{FailedJobRow, FailedRow, jobs};

use crate::ctx::{Signed, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::lists::{self, ListQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", get(page))
        .route("/admin/jobs/deliveries/{id}/retry", post(retry))
        .route("/admin/jobs/queue/{id}/retry", post(retry_job))
        .route("/admin/jobs/retry-all", post(retry_all))
}

async fn page(State(state): State<AppState>, signed: Signed, Query(list): Query<ListQuery>) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    let window = list.window();
    let backlog = entities::outbox::backlog(&state.db, entities::outbox::MAX_DELIVERY_ATTEMPTS, &window).await?;
    let sorts = [
        ("-time", "list-sort-newest"),
        ("time", "list-sort-oldest"),
        ("-attempts", "list-sort-attempts"),
    ];
    let list = lists::view(
        signed.ctx.lang,
        "/admin/jobs".to_owned(),
        Vec::new(),
        &window,
        &sorts,
        backlog.failed_total,
    );
    let pending: Vec<(String, u64, String)> = backlog
        .pending
        .into_iter()
        .map(|(kind, n, oldest)| {
            (
                kind.to_value(),
                n,
                oldest.map(templates::view::riga).unwrap_or_default(),
            )
        })
        .collect();
    let failed: Vec<FailedRow> = backlog
        .failed
        .into_iter()
        .map(|d| FailedRow {
            id: d.id,
            event: d.event_key,
            recipient: d.recipient,
            attempts: d.attempts,
            error: d.last_error.unwrap_or_default(),
            when: templates::view::riga(d.updated_at),
        })
        .collect();
    let queues = worker::queue_depths(&state.db).await?;
    let failed_jobs: Vec<FailedJobRow> = worker::failed_jobs(&state.db, entities::listing::PAGE_SIZE)
        .await?
        .into_iter()
        .map(|j| FailedJobRow {
            id: j.id,
            queue: j.queue,
            attempts: j.attempts,
            error: j.error,
            when: j.when.map(templates::view::riga).unwrap_or_default(),
        })
        .collect();
    Ok(jobs(&signed.ctx.page(), &queues, &failed_jobs, &pending, &failed, &list).into_response())
}

async fn retry(State(state): State<AppState>, signed: Signed, Path(id): Path<i64>) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    entities::outbox::retry_delivery(&state.db, id, state.now()).await?;
    audit_retry(&state, &signed, "delivery", id.to_string()).await?;
    Ok(redirect_with_flash(&state, "/admin/jobs", "jobs-retried"))
}

async fn retry_job(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    let flash = if worker::retry_job(&state.db, &id).await? {
        audit_retry(&state, &signed, "job", id).await?;
        "jobs-job-retried"
    } else {
        "jobs-job-gone"
    };
    Ok(redirect_with_flash(&state, "/admin/jobs", flash))
}

/// Every failure at once, after an outage: the deliveries given up and the jobs failed for good.
async fn retry_all(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    let txn = entities::db::write(&state.db).await?;
    let deliveries =
        entities::outbox::retry_failed_deliveries(&txn, entities::outbox::MAX_DELIVERY_ATTEMPTS, state.now()).await?;
    txn.commit().await?;
    let jobs = worker::retry_failed_jobs(&state.db).await?;
    audit_retry(&state, &signed, "all", format!("deliveries={deliveries} jobs={jobs}")).await?;
    Ok(redirect_with_flash(&state, "/admin/jobs", "jobs-retried-all"))
}

/// Who put which delivery or job back in its queue.
async fn audit_retry(state: &AppState, signed: &Signed, object_type: &'static str, id: String) -> AppResult<()> {
    entities::audit::record(
        &state.db,
        entities::audit::Entry {
            actor_user_id: Some(signed.actor.user.id),
            action: "retry",
            object_type,
            details: Some(id),
            ..Default::default()
        },
        state.now(),
    )
    .await?;
    Ok(())
}
