//! Organisation pages: the admin's list of municipalities and schools with the form to create
//! them, and one organisation's page with its users, invitations and the invitation form.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use entities::accounts::{self, NewInvitation};
use entities::domain::OrgKind;
use entities::entity::organisation;
use entities::{Error as DomainError, orgs, policy};
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::orgs::{self as pages, InvitationRowView, MemberView, OrgListView, OrgPageView, OrgRowView};
use templates::{Lang, NavLink, t};

use crate::ctx::{Signed, redirect_with_flash, unprocessable};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/orgs", get(list).post(create))
        .route("/orgs/{id}", get(show).post(rename))
        .route("/orgs/{id}/invitations", post(invite))
}

fn kind_label(lang: Lang, org: &organisation::Model) -> String {
    let key = if org.is_vocational {
        "vocational_school"
    } else {
        org.kind.as_str()
    };
    t(lang, &format!("kind-{key}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    kind: String,
    page: Option<u64>,
}

async fn list_view(state: &AppState, signed: &Signed, q: &ListQuery, form: FormView) -> AppResult<OrgListView> {
    if !signed.actor.can_manage_orgs() {
        return Err(AppError::NotFound);
    }
    let lang = signed.ctx.lang;
    let kind = match q.kind.as_str() {
        "municipality" => Some(OrgKind::Municipality),
        "school" => Some(OrgKind::School),
        "ngo" => Some(OrgKind::Ngo),
        _ => None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = orgs::list_visible(&state.db, &signed.actor, kind, page).await?;
    let municipalities = orgs::municipalities(&state.db)
        .await?
        .into_iter()
        .map(|m| (m.id.to_string(), m.name))
        .collect();
    Ok(OrgListView {
        rows: rows
            .into_iter()
            .map(|r| OrgRowView {
                kind: kind_label(lang, &r.org),
                href: format!("/orgs/{}", r.org.id),
                name: r.org.name,
                parent: r.parent.map(|p| p.name),
            })
            .collect(),
        page,
        total,
        page_size: orgs::PAGE_SIZE,
        filter: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        municipalities,
        form,
    })
}

async fn list(State(state): State<AppState>, signed: Signed, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let view = list_view(&state, &signed, &q, FormView::new()).await?;
    Ok(pages::list(&signed.ctx.page(), &view).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    kind: String,
    name: String,
    reg_no: String,
    parent_id: String,
}

async fn create(State(state): State<AppState>, signed: Signed, Form(f): Form<CreateForm>) -> AppResult<Response> {
    let parsed = orgs::NewOrg::parse(&f.kind, f.parent_id.parse().ok(), &f.name, &f.reg_no);
    let result = match parsed {
        Ok(new) => {
            let txn = entities::db::write(&state.db).await?;
            let created = orgs::create(&txn, &signed.actor, new, Utc::now()).await;
            if created.is_ok() {
                txn.commit().await?;
            }
            created
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(org) => Ok(redirect_with_flash(
            &state,
            &format!("/orgs/{}", org.id),
            "orgs-created",
        )),
        Err(DomainError::Invalid(errors)) => {
            let form = FormView {
                errors,
                ..FormView::new()
            }
            .with("kind", f.kind)
            .with("name", f.name)
            .with("reg_no", f.reg_no)
            .with("parent_id", f.parent_id);
            let view = list_view(&state, &signed, &ListQuery::default(), form).await?;
            Ok(unprocessable(pages::list(&signed.ctx.page(), &view)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn page_view(
    state: &AppState,
    signed: &Signed,
    org: organisation::Model,
    rename_form: FormView,
    invite_form: FormView,
) -> AppResult<OrgPageView> {
    let lang = signed.ctx.lang;
    let now = Utc::now();
    let parent = match org.parent_id {
        Some(pid) => policy::visible_org(&state.db, &signed.actor, pid)
            .await
            .ok()
            .map(|p| p.name),
        None => None,
    };
    let children = orgs::children(&state.db, org.id)
        .await?
        .into_iter()
        .map(|c| NavLink {
            label: c.name,
            href: format!("/orgs/{}", c.id),
        })
        .collect();
    let role_label = |r: entities::domain::Role| t(lang, &format!("role-{}", r.as_str()));
    let members = orgs::members(&state.db, org.id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            role: role_label(m.role),
            name: m.name,
            email: m.email,
        })
        .collect();
    let invitations = orgs::open_invitations(&state.db, org.id, now)
        .await?
        .into_iter()
        .map(|i| InvitationRowView {
            role: role_label(i.role),
            expires: templates::view::riga(i.expires_at),
            name: i.name,
            email: i.email,
        })
        .collect();
    let invitable = signed
        .actor
        .invitable_roles(&org)
        .into_iter()
        .map(|r| (r.as_str().to_owned(), role_label(r)))
        .collect();
    let id = org.id;
    Ok(OrgPageView {
        id: org.id,
        kind: kind_label(lang, &org),
        can_rename: signed.actor.can_manage_orgs() && org.kind != OrgKind::Ngo,
        rename_form: if rename_form.values.is_empty() {
            rename_form.with("name", org.name.clone())
        } else {
            rename_form
        },
        name: org.name,
        reg_no: org.reg_no,
        parent,
        children,
        members,
        invitations,
        invitable,
        invite_form,
        profile_href: signed
            .actor
            .holds(entities::domain::Role::NgoMember, id)
            .then(|| format!("/orgs/{id}/profile")),
    })
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let org = policy::visible_org(&state.db, &signed.actor, id).await?;
    let view = page_view(&state, &signed, org, FormView::new(), FormView::new()).await?;
    Ok(pages::page(&signed.ctx.page(), &view).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RenameForm {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<RenameForm>,
) -> AppResult<Response> {
    let org = policy::visible_org(&state.db, &signed.actor, id).await?;
    match orgs::rename(&state.db, &signed.actor, org.clone(), &f.name).await {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/orgs/{id}"), "org-renamed")),
        Err(DomainError::Invalid(errors)) => {
            let form = FormView {
                errors,
                ..FormView::new()
            }
            .with("name", f.name)
            .in_scope(templates::pages::orgs::RENAME);
            let view = page_view(&state, &signed, org, form, FormView::new()).await?;
            Ok(unprocessable(pages::page(&signed.ctx.page(), &view)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InviteForm {
    name: String,
    email: String,
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    let org = policy::visible_org(&state.db, &signed.actor, id).await?;
    if signed.actor.invitable_roles(&org).is_empty() {
        return Err(AppError::NotFound);
    }
    let result = match NewInvitation::parse(&f.email, &f.name, &f.role) {
        Ok(new) => {
            let txn = entities::db::write(&state.db).await?;
            let invited = accounts::invite(&txn, &signed.actor, &org, new, Utc::now()).await;
            if invited.is_ok() {
                txn.commit().await?;
            }
            invited
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/orgs/{id}"), "invite-sent")),
        Err(DomainError::Invalid(errors)) => {
            let form = FormView {
                errors,
                ..FormView::new()
            }
            .with("name", f.name)
            .with("email", f.email)
            .with("role", f.role);
            let view = page_view(&state, &signed, org, FormView::new(), form).await?;
            Ok(unprocessable(pages::page(&signed.ctx.page(), &view)))
        }
        Err(e) => Err(e.into()),
    }
}
