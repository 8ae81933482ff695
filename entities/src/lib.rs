//! The Pumpurs model. This crate owns the sea-orm entities and every query and mutation on them
//! (functions taking `&impl ConnectionTrait`, so the caller decides the transaction), the domain
//! types that parse user input (`Eur`, `Email`, roles, organisation kinds), the rules that hold
//! everywhere (money in integer cents, UTC instants shown in Riga time), the one authorisation
//! module (`policy`), the outbox that turns writes into background jobs, and object storage.

pub mod accounts;
pub mod api_tokens;
pub mod archive;
pub mod attachments;
pub mod audit;
pub mod db;
pub mod domain;
pub mod error;
pub mod grants;
pub mod homes;
pub mod kept_forms;
pub mod listing;
pub mod money;
pub mod notices;
pub mod orgs;
pub mod outbox;
pub mod password;
pub mod plans;
pub mod policy;
pub mod reminders;
pub mod second_factor;
pub mod sessions;
pub mod stats;
pub mod storage;
pub mod time;
pub mod tokens;

pub mod entity;

pub use error::{Error, FieldErrors, Result};
pub use sea_orm;
