//! Youth-initiative grant pages: calls (the coordinator's and the public's), the applicants'
//! profiles and applications with the coordinator's compliance check, the panel's scoring, and
//! the decision with its results, and the funded projects with their agreements.

mod applications;
mod call_form;
mod calls;
mod decisions;
mod profiles;
mod projects;
mod reports;
mod scoring;

use axum::Router;

use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .merge(calls::router(max_upload))
        .merge(call_form::router())
        .merge(profiles::router())
        .merge(applications::router(max_upload))
        .merge(scoring::router())
        .merge(decisions::router())
        .merge(projects::router(max_upload))
        .merge(reports::router(max_upload))
}

/// A file's size as people read it: `340 kB`, `2.4 MB`.
pub(crate) fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!(
            "{}.{} MB",
            bytes / (1024 * 1024),
            (bytes % (1024 * 1024)) * 10 / (1024 * 1024)
        )
    } else {
        format!("{} kB", (bytes + 1023) / 1024)
    }
}
