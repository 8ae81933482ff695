//! The web layer's one error type and its `IntoResponse`. A 4xx says what to fix; a 5xx logs its
//! cause once with a reference id and shows only that id. The page itself is drawn by the
//! `ctx` middleware, which knows the visitor's language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Attached to an error response so that the middleware can draw the right page.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub reference: Option<String>,
    /// An i18n message id saying more than the status does.
    pub message: Option<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<entities::Error> for AppError {
    fn from(e: entities::Error) -> Self {
        match e {
            entities::Error::NotFound => Self::NotFound,
            entities::Error::Refused(msg) => Self::BadRequest(msg),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<worker::WorkerError> for AppError {
    fn from(e: worker::WorkerError) -> Self {
        Self::Internal(e.into())
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(e.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, info) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorInfo {
                    reference: None,
                    message: None,
                },
            ),
            Self::BadRequest(msg) => (
                StatusCode::BAD_REQUEST,
                ErrorInfo {
                    reference: None,
                    message: Some(msg),
                },
            ),
            Self::Forbidden(msg) => (
                StatusCode::FORBIDDEN,
                ErrorInfo {
                    reference: None,
                    message: Some(msg),
                },
            ),
            Self::Internal(err) => {
                let reference = entities::tokens::random_hex()[..12].to_owned();
                tracing::error!(reference = %reference, error = format!("{err:#}"), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorInfo {
                        reference: Some(reference),
                        message: None,
                    },
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}
