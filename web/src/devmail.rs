//! The development mailbox at `/dev/mail`: the `.eml` files the worker wrote, outside
//! production only (in production the routes do not exist for anyone).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::Markup;
use templates::pages::mail::{MailRow, mailbox};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dev/mail", get(list))
        .route("/dev/mail/{file}", get(show))
}

fn header_value(text: &str, name: &str) -> String {
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
        .unwrap_or_default()
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    if state.cfg.is_production() {
        return Err(AppError::NotFound);
    }
    let dir = state.cfg.mail_dir();
    let mut rows = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(&dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            let file = entry.file_name().to_string_lossy().into_owned();
            if !file.ends_with(".eml") {
                continue;
            }
            let modified = entry.metadata().await.and_then(|m| m.modified()).ok();
            let text = tokio::fs::read_to_string(entry.path()).await.unwrap_or_default();
            rows.push((
                modified,
                MailRow {
                    to: header_value(&text, "To:"),
                    subject: header_value(&text, "Subject:"),
                    file,
                },
            ));
        }
    }
    rows.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    let rows: Vec<MailRow> = rows.into_iter().map(|(_, r)| r).take(200).collect();
    Ok(mailbox(&ctx.page(), &dir.display().to_string(), &rows))
}

async fn show(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let safe = file.ends_with(".eml") && file.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if state.cfg.is_production() || !safe {
        return Err(AppError::NotFound);
    }
    let text = tokio::fs::read_to_string(state.cfg.mail_dir().join(&file))
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
