//! Public call pages: open calls, past calls, one call (with the way to apply).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use entities::grants::calls;
use maud::Markup;
use templates::pages::calls as pages;
use templates::{NavLink, t};

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(open))
        .route("/calls/past", get(past))
        .route("/calls/{id}", get(show))
}

type CallList = Vec<(
    entities::entity::call::Model,
    Option<entities::entity::organisation::Model>,
)>;

/// A public list of calls, with a link to the other list.
fn list_page(
    ctx: &Ctx,
    calls: CallList,
    now: chrono::DateTime<chrono::Utc>,
    title: &str,
    empty: &str,
    other: (&str, &str),
) -> Markup {
    let rows: Vec<_> = calls
        .into_iter()
        .map(|(c, m)| {
            let href = format!("/calls/{}", c.id);
            super::row(ctx.lang, &c, &m.map(|m| m.name).unwrap_or_default(), href, now, None)
        })
        .collect();
    let other = NavLink {
        label: t(ctx.lang, other.0),
        href: other.1.to_owned(),
    };
    pages::public_list(&ctx.page(), title, &rows, empty, other)
}

async fn open(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let now = state.now();
    let calls = calls::open_calls(&state.db, now).await?;
    Ok(list_page(
        &ctx,
        calls,
        now,
        "calls-open-title",
        "calls-open-empty",
        ("calls-past-title", "/calls/past"),
    ))
}

async fn past(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let now = state.now();
    let calls = calls::past_calls(&state.db, now).await?;
    Ok(list_page(
        &ctx,
        calls,
        now,
        "calls-past-title",
        "calls-past-empty",
        ("calls-open-title", "/calls"),
    ))
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i32>) -> AppResult<Markup> {
    let now = state.now();
    let (call, municipality) = calls::published(&state.db, id).await?;
    let requirements = calls::requirements(&state.db, id).await?;
    let criteria = calls::criteria(&state.db, id).await?;
    let detail = super::detail(ctx.lang, &call, &municipality.name, &requirements, &criteria, now);
    let apply: Vec<(String, String)> = ctx
        .actor
        .as_ref()
        .map(|a| {
            a.applicants()
                .filter(|o| call.allow_informal_groups || !o.is_informal_group)
                .map(|o| (o.id.to_string(), o.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let is_member = ctx.actor.as_ref().is_some_and(|a| a.applicants().next().is_some());
    let no_apply = if is_member {
        "error-call-no-informal-groups"
    } else {
        "call-apply-no-ngo"
    };
    let accepting = calls::accepts_applications(&call, now);
    let files = super::files::listed(&state, id).await?;
    Ok(pages::public_page(
        &ctx.page(),
        id,
        &detail,
        accepting,
        &apply,
        no_apply,
        &files,
        matches!(
            call.status,
            entities::entity::call::CallStatus::ResultsPublished | entities::entity::call::CallStatus::Archived
        ),
    ))
}
