//! The administrator's page of API tokens for the statistics API: issue one (shown once),
//! revoke one (with confirmation).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use entities::{Error as DomainError, api_tokens, orgs};
use maud::Markup;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::api_tokens::{self as pages, TokensView};

use crate::ctx::{ConfirmForm, Signed, redirect_with_flash, unprocessable};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api-tokens", get(list).post(issue))
        .route("/admin/api-tokens/{id}/revoke", post(revoke))
}

async fn page(state: &AppState, signed: &Signed, issued: Option<&str>, form: &FormView) -> AppResult<Markup> {
    let tokens = api_tokens::list(&state.db, &signed.actor).await?;
    let agency = orgs::state_agency(&state.db).await?;
    let orgs: Vec<_> = agency
        .into_iter()
        .chain(orgs::municipalities(&state.db).await?)
        .collect();
    let view = TokensView {
        tokens: &tokens,
        orgs: &orgs,
        issued,
        form,
    };
    Ok(pages::tokens(&signed.ctx.page(), &view))
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Markup> {
    page(&state, &signed, None, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IssueForm {
    name: String,
    org: String,
}

async fn issue(State(state): State<AppState>, signed: Signed, Form(f): Form<IssueForm>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let org = f.org.trim().parse().ok();
    match api_tokens::issue(&txn, &signed.actor, &f.name, org, state.now()).await {
        Ok((_, token)) => {
            txn.commit().await?;
            use axum::response::IntoResponse;
            Ok(page(&state, &signed, Some(&token), &FormView::new())
                .await?
                .into_response())
        }
        Err(DomainError::Invalid(errors)) => {
            let form = FormView::with_typed([("name", f.name.as_str()), ("org", f.org.as_str())], errors);
            Ok(unprocessable(page(&state, &signed, None, &form).await?))
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    if !signed.actor.is_admin() {
        return Err(AppError::NotFound);
    }
    f.required()?;
    let txn = entities::db::write(&state.db).await?;
    api_tokens::revoke(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(&state, "/admin/api-tokens", "token-revoked-flash"))
}
