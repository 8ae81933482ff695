//! Public call pages: open calls, past calls, one call (with the way to apply).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use entities::calls;
use entities::domain::Role;
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

async fn open(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let now = state.now();
    let rows: Vec<_> = calls::open_calls(&state.db, now)
        .await?
        .into_iter()
        .map(|(c, m)| {
            super::row(
                ctx.lang,
                &c,
                &m.map(|m| m.name).unwrap_or_default(),
                format!("/calls/{}", c.id),
                now,
                None,
            )
        })
        .collect();
    let other = NavLink {
        label: t(ctx.lang, "calls-past-title"),
        href: "/calls/past".into(),
    };
    Ok(pages::public_list(
        &ctx.page(),
        "calls-open-title",
        &rows,
        "calls-open-empty",
        other,
    ))
}

async fn past(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let now = state.now();
    let rows: Vec<_> = calls::past_calls(&state.db, now)
        .await?
        .into_iter()
        .map(|(c, m)| {
            super::row(
                ctx.lang,
                &c,
                &m.map(|m| m.name).unwrap_or_default(),
                format!("/calls/{}", c.id),
                now,
                None,
            )
        })
        .collect();
    let other = NavLink {
        label: t(ctx.lang, "calls-open-title"),
        href: "/calls".into(),
    };
    Ok(pages::public_list(
        &ctx.page(),
        "calls-past-title",
        &rows,
        "calls-past-empty",
        other,
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
            a.grants
                .iter()
                .filter(|g| g.role == Role::NgoMember && (call.allow_informal_groups || !g.org.is_informal_group))
                .map(|g| (g.org.id.to_string(), g.org.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let is_member = ctx.actor.as_ref().is_some_and(|a| a.has_role(Role::NgoMember));
    let no_apply = if is_member {
        "error-call-no-informal-groups"
    } else {
        "call-apply-no-ngo"
    };
    let accepting = calls::accepts_applications(&call, now);
    Ok(pages::public_page(
        &ctx.page(),
        id,
        &detail,
        accepting,
        &apply,
        no_apply,
    ))
}
