//! The web side of Pumpurs: axum routes beside their handlers (one module per feature), the
//! request context (session, user, CSRF, language), the error type and its pages, the typed
//! configuration, start-up, and the demo data. The `pumpurs` binary in `main.rs` is the only
//! place that knows the worker exists.

pub mod config;
pub mod ctx;
pub mod demo;
pub mod error;
pub mod startup;
pub mod state;

mod accounts;
mod api;
mod api_tokens;
mod csv;
mod dash;
mod devmail;
mod documents;
mod grants;
mod jobs;
mod kept;
mod lists;
mod orgs;
mod plans;
mod stats;
mod tables;
mod trace;
