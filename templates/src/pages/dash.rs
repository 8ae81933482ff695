//! Home pages: one per role, and a chooser for people with several roles.

use entities::domain::Role;
use maud::{Markup, html};

use crate::{NavLink, PageCtx, layout, t, tf, view};

pub fn chooser(ctx: &PageCtx, homes: &[NavLink]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "home-title"),
        html! {
            @if homes.is_empty() {
                p.empty { (t(l, "home-no-roles")) }
            } @else {
                p { (t(l, "home-choose")) }
                ul.cards {
                    @for home in homes { li { a href=(home.href) { (home.label) } } }
                }
            }
        },
    )
}

pub struct DashView {
    pub role: Role,
    pub org_name: String,
    pub org_href: Option<String>,
    /// (i18n label id, number)
    pub counts: Vec<(&'static str, u64)>,
    /// Organisations under this one that the role works with.
    pub children: Vec<NavLink>,
    /// The role's work pages (support plans, funding, semesters …), already labelled.
    pub links: Vec<NavLink>,
    /// What waits for the person (drawn for their role), first on the page.
    pub waiting: Markup,
}

/// An applying organisation's home: its drafts to continue (how much is filled, the deadline),
/// the questions asked of it, its submitted applications.
pub fn applicant_waiting(
    ctx: &PageCtx,
    home: &entities::homes::ApplicantHome,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let l = ctx.lang;
    let title = |a: &entities::entity::application::Model| {
        if a.title.is_empty() {
            t(l, "application-untitled")
        } else {
            a.title.clone()
        }
    };
    html! {
        section #waiting-questions {
            @if !home.questions.is_empty() {
                h2 { (t(l, "home-questions")) }
                ul.cards { @for (q, a) in &home.questions { li {
                    a href={ "/applications/" (a.id) "#clarifications" } { (a.ref_no.as_deref().unwrap_or("")) " — " (title(a)) }
                    br; span.pre { (q.question) }
                    br; span.hint { (tf(l, "home-answer-by", &[("deadline", &view::riga(q.deadline)), ("left", &view::time_left(l, q.deadline, now))])) }
                } } }
            }
        }
        @if !home.offers.is_empty() || !home.reports.is_empty() {
            section #waiting-projects {
                h2 { (t(l, "home-projects")) }
                ul.cards {
                    @for p in &home.offers { li {
                        @let app = home.submitted.iter().find(|(a, _)| a.id == p.application_id);
                        a href={ "/applications/" (p.application_id) } { (app.map(|(a, _)| title(a)).unwrap_or_default()) }
                        br; span { (tf(l, "home-offer", &[("amount", &entities::money::Eur::from_cents(p.granted_cents).display(l)), ("deadline", &view::riga(p.answer_by)), ("left", &view::time_left(l, p.answer_by, now))])) }
                    } }
                    @for (r, p) in &home.reports { li {
                        @let kind = if r.kind == entities::entity::project_report::ReportKind::Final { "final" } else { "interim" };
                        @let app = home.submitted.iter().find(|(a, _)| a.id == p.application_id);
                        a href={ "/projects/" (p.id) "/reports/" (kind) } { (t(l, &format!("home-report-{kind}"))) }
                        " — " (app.map(|(a, _)| title(a)).unwrap_or_default())
                        br; span { (tf(l, if r.status == entities::entity::project_report::ReportState::Returned { "home-report-returned" } else { "home-report-due" }, &[("due", &view::date(r.due_on))])) }
                    } }
                }
            }
        }
        section #waiting-drafts {
            h2 { (t(l, "home-drafts")) }
            @if home.drafts.is_empty() {
                p.empty { (t(l, "home-drafts-none")) " " a href="/calls" { (t(l, "home-see-calls")) } }
            } @else {
                ul.cards { @for d in &home.drafts { li {
                    a href={ "/applications/" (d.application.id) } { (title(&d.application)) } " — " (d.call.title)
                    br; span { (tf(l, "home-draft-filled", &[("filled", &d.filled.to_string()), ("all", &entities::homes::DRAFT_PARTS.to_string())])) }
                    @if !d.missing.is_empty() {
                        br; span.draft-missing { (t(l, "home-draft-missing")) " " (d.missing.iter().map(|key| t(l, key)).collect::<Vec<_>>().join(", ")) }
                    }
                    " · " span.hint { (tf(l, "home-deadline", &[("deadline", &view::riga(d.call.closes_at)), ("left", &view::time_left(l, d.call.closes_at, now))])) }
                } } }
            }
        }
        section #waiting-submitted {
            h2 { (t(l, "home-submitted")) }
            @if home.submitted.is_empty() {
                p.empty { (t(l, "home-submitted-none")) }
            } @else {
                ul.cards { @for (a, c) in home.submitted.iter().take(20) { li {
                    a href={ "/applications/" (a.id) } { (a.ref_no.as_deref().unwrap_or("")) " — " (title(a)) } " — " (c.title)
                    " · " strong { (view::application_status(l, a.status)) }
                } } }
                @if home.submitted.len() > 20 { p { a href="/applications" { (t(l, "home-all-applications")) } } }
            }
        }
    }
}

pub fn dashboard(ctx: &PageCtx, view: &DashView) -> Markup {
    let l = ctx.lang;
    let role = view.role.as_str();
    layout(
        ctx,
        &t(l, &format!("dash-{role}")),
        html! {
            p.org-name { strong { (view.org_name) } " · " (t(l, &format!("role-{role}"))) }
            p.lead { (t(l, &format!("dash-{role}-lead"))) }
            (view.waiting)
            @if !view.links.is_empty() {
                ul.cards {
                    @for link in &view.links { li { a href=(link.href) { (link.label) } } }
                }
            }
            @if !view.counts.is_empty() {
                ul.stats {
                    @for (label, n) in &view.counts {
                        li { span.number { (n) } " " span { (t(l, label)) } }
                    }
                }
            }
            @if !view.children.is_empty() {
                h2 { (t(l, "org-children")) }
                ul {
                    @for child in &view.children { li { a href=(child.href) { (child.label) } } }
                }
            }
            @if let Some(href) = &view.org_href {
                p { a.button href=(href) { (t(l, "dash-open-org")) } }
            }
            @if view.counts.is_empty() && view.children.is_empty() && view.links.is_empty() && view.waiting.0.is_empty() {
                p.empty { (t(l, "dash-nothing-yet")) }
            }
        },
    )
}

/// A panel member's home: the calls with scorecards still to submit, how far they are, and the
/// scoring deadline.
pub fn panel_waiting(
    ctx: &PageCtx,
    seats: &[entities::grants::panel::Seat],
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let l = ctx.lang;
    html! {
        section #waiting-scoring {
            h2 { (t(l, "home-scoring")) }
            @if seats.is_empty() {
                p.empty { (t(l, "home-scoring-none")) }
            } @else {
                ul.cards { @for s in seats { li {
                    a href={ "/panel/calls/" (s.call.id) } { (s.call.title) }
                    br; span { (tf(l, "home-scored", &[("done", &s.done.to_string()), ("total", &s.total.to_string())])) }
                    " · " span.hint { (tf(l, "home-deadline", &[("deadline", &view::riga(s.call.scoring_deadline)), ("left", &view::time_left(l, s.call.scoring_deadline, now))])) }
                } } }
            }
        }
    }
}

/// A coordinator's home: the calls that need them, each with what to do.
pub fn coordinator_waiting(
    ctx: &PageCtx,
    calls: &[(entities::entity::call::Model, entities::homes::CallAction)],
) -> Markup {
    use entities::homes::CallAction;
    let l = ctx.lang;
    html! {
        section #waiting-calls {
            h2 { (t(l, "home-calls")) }
            @if calls.is_empty() {
                p.empty { (t(l, "home-calls-none")) }
            } @else {
                ul.cards { @for (c, action) in calls { li {
                    a href={ "/manage/calls/" (c.id) } { (c.title) }
                    " — " strong { (t(l, match action {
                        CallAction::Publish => "home-call-publish",
                        CallAction::CheckAndDecide => "home-call-decide",
                        CallAction::PublishResults => "home-call-results",
                    })) }
                } } }
            }
        }
    }
}

/// Plans waiting at the approver's step (numbers and schools only: no pupil data).
pub fn queue_waiting(ctx: &PageCtx, waiting: u64) -> Markup {
    let l = ctx.lang;
    html! {
        section #waiting-approvals {
            h2 { (t(l, "queue-title")) }
            @if waiting == 0 {
                p.empty { (t(l, "home-queue-none")) }
            } @else {
                p { (tf(l, "home-queue-count", &[("count", &waiting.to_string())])) " " a href="/plans/approvals" { (t(l, "home-queue-open")) } }
            }
        }
    }
}

/// School staff's home: plans to finish (drafts, revisions) and plans in progress to log
/// sessions for.
pub fn staff_waiting(
    ctx: &PageCtx,
    to_finish: &[entities::homes::StaffPlan],
    in_progress: &[entities::homes::StaffPlan],
) -> Markup {
    let l = ctx.lang;
    html! {
        section #waiting-plans {
            h2 { (t(l, "home-plans-to-finish")) }
            @if to_finish.is_empty() { p.empty { (t(l, "home-plans-none")) } }
            @else { ul.cards { @for p in to_finish { li {
                a href={ "/plans/" (p.plan.id) } { (p.pupil) } " — " (view::plan_status(l, p.plan.status, p.plan.approval_step))
            } } } }
        }
        section #waiting-sessions {
            h2 { (t(l, "home-plans-in-progress")) }
            @if in_progress.is_empty() { p.empty { (t(l, "home-plans-none")) } }
            @else { ul.cards { @for p in in_progress { li {
                a href={ "/plans/" (p.plan.id) } { (p.pupil) } " — " (t(l, "home-log-sessions"))
            } } } }
        }
    }
}
