//! sea-orm entities, one module per table. Queries and mutations live in the feature modules of
//! this crate (`accounts`, `orgs`, `sessions`, …), not here.

pub mod application;
pub mod attachment;
pub mod audit_log;
pub mod award;
pub mod budget_line;
pub mod call;
pub mod call_criterion;
pub mod call_requirement;
pub mod clarification;
pub mod compliance_check;
pub mod declaration;
pub mod delivery;
pub mod group_member;
pub mod invitation;
pub mod login_failure;
pub mod membership;
pub mod organisation;
pub mod outbox;
pub mod panel_member;
pub mod reduced_amount;
pub mod reminder;
pub mod score;
pub mod scorecard;
pub mod session;
pub mod user;
pub mod user_token;
