//! sea-orm entities, one module per table. Queries and mutations live in the feature modules of
//! this crate (`accounts`, `orgs`, `sessions`, …), not here.

pub mod audit_log;
pub mod invitation;
pub mod login_failure;
pub mod membership;
pub mod organisation;
pub mod outbox;
pub mod session;
pub mod user;
pub mod user_token;
