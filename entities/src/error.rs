//! The crate's one error type. Field errors carry i18n message ids, never text.

use std::collections::BTreeMap;

/// Problems with a submitted form: field name (rows are `criterion-2-name`) → i18n message id.
/// All are reported at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, &'static str>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, message: &'static str) {
        self.0.entry(field.into()).or_insert(message);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.get(field).copied()
    }
    /// `Ok(())` when nothing was added, so a parser can collect every problem and fail once.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
    /// Adds every problem of `other` (a field keeps its first problem).
    pub fn extend(&mut self, other: Self) {
        for (field, message) in other.0 {
            self.add(field, message);
        }
    }
    /// One problem with one field.
    pub fn one(field: impl Into<String>, message: &'static str) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }
    pub fn single(field: impl Into<String>, message: &'static str) -> Error {
        Error::Invalid(Self::one(field, message))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// A rule of the domain refused the action; the payload is an i18n message id.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("serialisation: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turns a unique-constraint violation into a field error; every other error passes through.
pub fn unique_to_field(err: sea_orm::DbErr, field: &'static str, message: &'static str) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => FieldErrors::single(field, message),
        _ => Error::Db(err),
    }
}
