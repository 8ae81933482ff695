//! The admin's page of background work: pending outbox rows, deliveries that failed for good,
//! and retrying them.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use templates::pages::jobs::{FailedRow, jobs};

use crate::ctx::{Signed, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/jobs", get(page))
        .route("/admin/jobs/deliveries/{id}/retry", post(retry))
}

async fn page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    let backlog = entities::outbox::backlog(&state.db, entities::outbox::MAX_DELIVERY_ATTEMPTS, 200).await?;
    let pending: Vec<(String, u64, String)> = backlog
        .pending
        .into_iter()
        .map(|(kind, n, oldest)| (kind, n, oldest.map(crate::calls::riga).unwrap_or_default()))
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
            when: crate::calls::riga(d.updated_at),
        })
        .collect();
    Ok(jobs(&signed.ctx.page(), &pending, &failed).into_response())
}

async fn retry(State(state): State<AppState>, signed: Signed, Path(id): Path<i64>) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    entities::outbox::retry_delivery(&state.db, id, state.now()).await?;
    Ok(redirect_with_flash(&state, "/admin/jobs", "jobs-retried"))
}
