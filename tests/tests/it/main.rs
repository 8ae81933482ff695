//! Integration tests: every test runs on SQLite and, with `PUMPURS_TEST_POSTGRES_URL`, on
//! PostgreSQL, against the real application on port 0.
#![expect(
    clippy::expect_used,
    reason = "test support: a failed set-up step must stop the test at once"
)]

mod accounts;
mod api_contract;
mod applications;
mod call_forms;
mod calls;
mod concurrency;
mod forms;
mod homes;
mod journey;
mod journeys;
mod layers;
mod lifecycle;
mod lists;
mod model;
mod outages;
mod pages;
mod panel;
mod panel_pages;
mod phones;
mod plan_corrections;
mod plan_pages;
mod plans;
mod projects;
mod roles;
mod school_lists;
mod security;
mod stats;
mod storage;
mod worker;
mod worker_jobs;

use entities::entity::{outbox, user_token};
use entities::outbox::EmailEvent;
use pumpurs_tests::TestApp;
use sea_orm::{EntityTrait, QueryOrder};

/// The email events in the outbox, oldest first.
pub async fn outbox_events(app: &TestApp) -> Vec<EmailEvent> {
    outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(&app.db)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|row| row.kind == entities::outbox::OutboxKind::SendEmail)
        .map(|row| serde_json::from_str(&row.payload).expect("payload"))
        .collect()
}

/// The link path a token email carries, made the way the worker makes it.
pub async fn token_link(app: &TestApp, token_id: i32) -> String {
    let token = user_token::Entity::find_by_id(token_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("token row");
    entities::tokens::link_token(&app.cfg.secret_key, &token.purpose, token.id, &token.nonce)
}
