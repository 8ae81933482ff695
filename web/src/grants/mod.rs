//! Youth-initiative grant pages: calls (the coordinator's and the public's), the applicants'
//! profiles and applications with the coordinator's compliance check, the panel's scoring, and
//! the decision with its results.

mod applications;
mod calls;
mod decisions;
mod profiles;
mod scoring;

use axum::Router;

use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .merge(calls::router())
        .merge(profiles::router())
        .merge(applications::router(max_upload))
        .merge(scoring::router())
        .merge(decisions::router())
}
