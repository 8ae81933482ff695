//! Forms kept across an ended session (see `entities::kept_forms`): after signing in again the
//! author finds what they typed at `/kept` and sends it on — a 307 redirect replays it, with
//! this session's token, to the address it was going to — or discards it.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use entities::kept_forms;
use maud::Markup;
use templates::pages::accounts as pages;

use crate::ctx::{CSRF_FIELD, KEPT_COOKIE, Signed, cookie, redirect_with_flash, set_cookie};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kept", get(show))
        .route("/kept/save", post(save))
        .route("/kept/discard", post(discard))
}

/// The kept form of the signed-in person named by the cookie, if any.
async fn kept_form(
    state: &AppState,
    signed: &Signed,
    headers: &HeaderMap,
) -> AppResult<Option<(String, entities::entity::kept_form::Model)>> {
    let Some(token) = cookie(headers, KEPT_COOKIE) else {
        return Ok(None);
    };
    let found = kept_forms::find(&state.db, token, signed.actor.user.id, Utc::now()).await?;
    Ok(found.map(|f| (token.to_owned(), f)))
}

async fn show(State(state): State<AppState>, signed: Signed, headers: HeaderMap) -> AppResult<Response> {
    let Some((_, form)) = kept_form(&state, &signed, &headers).await? else {
        return Ok(redirect_with_flash(&state, "/", "kept-none"));
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(form.body.as_bytes())
        .filter(|(name, _)| name != CSRF_FIELD)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let page: Markup = pages::kept(&signed.ctx.page(), &form.path, &fields);
    Ok(page.into_response())
}

/// Sends the kept form on: the browser posts this body (the fields and this session's token)
/// again, to the address the form was going to.
async fn save(State(state): State<AppState>, signed: Signed, headers: HeaderMap) -> AppResult<Response> {
    let (token, form) = kept_form(&state, &signed, &headers).await?.ok_or(AppError::NotFound)?;
    kept_forms::forget(&state.db, &token, signed.actor.user.id).await?;
    let mut response = (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, form.path)]).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.cfg.secure_cookies(), KEPT_COOKIE, "", 0),
    );
    Ok(response)
}

async fn discard(State(state): State<AppState>, signed: Signed, headers: HeaderMap) -> AppResult<Response> {
    if let Some((token, _)) = kept_form(&state, &signed, &headers).await? {
        kept_forms::forget(&state.db, &token, signed.actor.user.id).await?;
    }
    let mut response = redirect_with_flash(&state, "/", "kept-discarded");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.cfg.secure_cookies(), KEPT_COOKIE, "", 0),
    );
    Ok(response)
}
