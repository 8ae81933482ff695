//! Home pages: `/home` sends each person to the home of their role (or lets them choose), and
//! `/home/{membership}` shows that role's page.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use entities::domain::{OrgKind, Role};
use entities::orgs;
use maud::Markup;
use templates::NavLink;
use templates::pages::{accounts as account_pages, dash};

use crate::ctx::{Ctx, Signed, home_links};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/home", get(home))
        .route("/home/{membership}", get(dashboard))
}

/// The landing page, with the calls open now.
async fn landing(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let now = state.now();
    let open: Vec<account_pages::OpenCall> = entities::grants::calls::open_calls(&state.db, now)
        .await?
        .into_iter()
        .map(|(c, m)| account_pages::OpenCall {
            href: format!("/calls/{}", c.id),
            deadline: format!(
                "{} ({})",
                templates::view::riga(c.closes_at),
                templates::view::time_left(ctx.lang, c.closes_at, now)
            ),
            title: c.title,
            municipality: m.map(|m| m.name).unwrap_or_default(),
        })
        .collect();
    Ok(account_pages::landing(&ctx.page(), &open))
}

async fn home(signed: Signed) -> Response {
    let homes = home_links(&signed.actor, signed.ctx.lang);
    match homes.as_slice() {
        [only] => Redirect::to(&only.href).into_response(),
        _ => dash::chooser(&signed.ctx.page(), &homes).into_response(),
    }
}

async fn dashboard(State(state): State<AppState>, signed: Signed, Path(membership): Path<i32>) -> AppResult<Markup> {
    let grant = signed
        .actor
        .grants
        .iter()
        .find(|g| g.membership_id == membership)
        .ok_or(AppError::NotFound)?;
    let org = &grant.org;
    let org_href = Some(format!("/orgs/{}", org.id));
    let mut view = dash::DashView {
        role: grant.role,
        org_name: org.name.clone(),
        org_href,
        counts: vec![],
        children: vec![],
        links: vec![],
        waiting: maud::html! {},
    };
    let lang = signed.ctx.lang;
    let link = |label: &str, href: String| NavLink {
        label: templates::t(lang, label),
        href,
    };
    let stats = link("stats-title", "/stats".to_owned());
    view.links = match grant.role {
        Role::Admin => vec![
            link("semesters-title", "/admin/semesters".to_owned()),
            link("catalogue-title", "/admin/catalogue".to_owned()),
            stats,
            link("tokens-title", "/admin/api-tokens".to_owned()),
        ],
        Role::StateReviewer | Role::Coordinator => vec![link("queue-title", "/plans/approvals".to_owned()), stats],
        Role::Director => vec![
            link("pupils-title", format!("/schools/{}/pupils", org.id)),
            link("funding-title", format!("/schools/{}/funding", org.id)),
            link("queue-title", "/plans/approvals".to_owned()),
            stats,
        ],
        Role::SupportStaff => vec![
            link("pupils-title", format!("/schools/{}/pupils", org.id)),
            link("funding-title", format!("/schools/{}/funding", org.id)),
            stats,
        ],
        // A municipality's accountant pays its grants; a school's, its compensations.
        Role::Accountant if org.kind == OrgKind::Municipality => {
            vec![link("projects-title", "/manage/projects".to_owned())]
        }
        Role::Accountant => vec![link("funding-title", format!("/schools/{}/funding", org.id)), stats],
        Role::PanelMember | Role::NgoMember => vec![],
    };
    match grant.role {
        Role::Admin => {
            view.counts = vec![
                (
                    "dash-count-municipalities",
                    orgs::count_by_kind(&state.db, OrgKind::Municipality).await?,
                ),
                (
                    "dash-count-schools",
                    orgs::count_by_kind(&state.db, OrgKind::School).await?,
                ),
                ("dash-count-ngos", orgs::count_by_kind(&state.db, OrgKind::Ngo).await?),
            ];
        }
        Role::Coordinator => {
            view.children = orgs::children(&state.db, org.id)
                .await?
                .into_iter()
                .map(|c| NavLink {
                    label: c.name,
                    href: format!("/orgs/{}", c.id),
                })
                .collect();
        }
        Role::PanelMember => view.org_href = None,
        Role::NgoMember => {
            let home = entities::homes::applicant_home(&state.db, org.id, state.now()).await?;
            view.waiting = dash::applicant_waiting(&signed.ctx.page(), &home, state.now());
        }
        Role::StateReviewer | Role::Director | Role::SupportStaff | Role::Accountant => {}
    }
    let page = signed.ctx.page();
    let now = state.now();
    let queue = async || -> AppResult<maud::Markup> {
        let waiting = entities::plans::queries::approval_count(&state.db, &signed.actor).await?;
        Ok(dash::queue_waiting(&page, waiting))
    };
    let staff = async || -> AppResult<maud::Markup> {
        let (to_finish, in_progress) =
            entities::homes::staff_plans(&state.db, &signed.actor, org.id, state.now()).await?;
        Ok(dash::staff_waiting(&page, &to_finish, &in_progress))
    };
    match grant.role {
        Role::PanelMember => {
            let seats = entities::grants::panel::seats_of(&state.db, signed.actor.user.id).await?;
            view.waiting = dash::panel_waiting(&page, &entities::homes::open_seats(seats, now), now);
        }
        Role::Coordinator => {
            let calls = entities::homes::calls_to_act_on(&state.db, &signed.actor, now).await?;
            view.waiting = maud::html! { (dash::coordinator_waiting(&page, &calls)) (queue().await?) };
        }
        Role::StateReviewer => view.waiting = queue().await?,
        Role::Director => view.waiting = maud::html! { (staff().await?) (queue().await?) },
        Role::SupportStaff => view.waiting = staff().await?,
        Role::Admin | Role::Accountant | Role::NgoMember => {}
    }
    Ok(dash::dashboard(&signed.ctx.page(), &view))
}
