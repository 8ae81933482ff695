//! Public call pages: open calls, past calls, one call (with the way to apply).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use entities::grants::calls::{self, CallList};
use maud::Markup;
use templates::pages::calls as pages;
use templates::{NavLink, t};

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::lists::ListQuery;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(open))
        .route("/calls/past", get(past))
        .route("/calls/{id}", get(show))
}

/// A public list of calls, a page at a time, with a link to the other list.
async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    which: CallList<'_>,
    list: &ListQuery,
    path: &str,
    (title, empty): (&str, &str),
    other: (&str, &str),
) -> AppResult<Markup> {
    let now = state.now();
    let window = list.window();
    let (calls, total) = calls::list_page(&state.db, which, &window).await?;
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
    let default = which.default_sort();
    let view = super::list_view(ctx.lang, path.to_owned(), &window, default, total);
    let empty = if window.search.is_empty() {
        empty
    } else {
        "list-none-found"
    };
    Ok(pages::public_list(&ctx.page(), title, &rows, &view, empty, other))
}

async fn open(State(state): State<AppState>, ctx: Ctx, Query(list): Query<ListQuery>) -> AppResult<Markup> {
    let which = CallList::Open(state.now());
    let names = ("calls-open-title", "calls-open-empty");
    list_page(
        &state,
        &ctx,
        which,
        &list,
        "/calls",
        names,
        ("calls-past-title", "/calls/past"),
    )
    .await
}

async fn past(State(state): State<AppState>, ctx: Ctx, Query(list): Query<ListQuery>) -> AppResult<Markup> {
    let which = CallList::Past(state.now());
    let names = ("calls-past-title", "calls-past-empty");
    list_page(
        &state,
        &ctx,
        which,
        &list,
        "/calls/past",
        names,
        ("calls-open-title", "/calls"),
    )
    .await
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
