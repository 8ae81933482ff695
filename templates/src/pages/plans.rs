//! Pupil support plans: a school's pupils, one pupil, one plan (risks, measures, consent, the
//! approval chain, sessions, expenses, evaluations), the approval queue, a school's funding and
//! indirect hours, and the administrator's semesters and risk catalogue.

use entities::entity::expense::ExpenseState;
use entities::entity::plan::PlanState;
use entities::entity::plan_measure::MeasureKind;
use entities::entity::{
    consultation_session, expense, indirect_hours, membership, plan_measure, risk, risk_catalogue, risk_group,
    semester, user,
};
use entities::money::Eur;
use entities::plans::queries::{ExpenseRow, PupilPage, PupilRow, QueueRow};
use entities::plans::{Funding, PlanView, Request};
use maud::{Markup, html};

use crate::components::{
    FormView, Input, ListView, checkbox, confirm_box, confirmed_action, csrf, error_summary, field, list_pager,
    list_tools, select, textarea,
};
use crate::view::{date, label, plan_status, riga};
use crate::{Lang, PageCtx, layout, t, tf};

/// "2026./2027. m. g., 1. semestris"
pub fn semester_label(l: Lang, s: &semester::Model) -> String {
    tf(
        l,
        "semester-label",
        &[
            ("year", &s.school_year.to_string()),
            ("next", &(s.school_year + 1).to_string()),
            ("half", &s.half.to_string()),
        ],
    )
}

/// Minutes as hours to a tenth, with the language's decimal separator: 450 → "7,5" / "7.5".
pub fn hours(l: Lang, minutes: i32) -> String {
    let tenths = minutes * 10 / 60;
    let separator = if l == Lang::Lv { ',' } else { '.' };
    format!("{}{separator}{}", crate::view::count(l, tenths / 10), tenths % 10)
}

fn money(l: Lang, cents: i64) -> String {
    Eur::from_cents(cents).display(l)
}

/// A risk's name in the page's language.
pub fn risk_name(l: Lang, r: &risk::Model) -> &str {
    match l {
        Lang::Lv => &r.name_lv,
        Lang::En => &r.name_en,
    }
}

fn group_name(l: Lang, g: &risk_group::Model) -> &str {
    match l {
        Lang::Lv => &g.name_lv,
        Lang::En => &g.name_en,
    }
}

/// A measure's name: the specialist, the cost category, or the supervision.
pub(crate) fn measure_name(l: Lang, m: &plan_measure::Model) -> String {
    match (m.kind, &m.specialist, &m.category) {
        (MeasureKind::Supervision, _, _) => t(l, "plan-supervision"),
        (_, Some(s), _) => t(l, &format!("specialist-{s}")),
        (_, None, Some(c)) => t(l, &format!("category-{c}")),
        (_, None, None) => String::new(),
    }
}

fn measure_label(l: Lang, m: &plan_measure::Model) -> String {
    let planned = match (m.planned_minutes, m.planned_cents) {
        (Some(minutes), _) => tf(l, "plan-planned-hours", &[("hours", &hours(l, minutes))]),
        (None, Some(cents)) => money(l, cents),
        (None, None) => return String::new(),
    };
    format!("{} — {planned}", measure_name(l, m))
}

pub struct PupilsView<'a> {
    pub school_id: i32,
    pub school_name: String,
    /// (id, label) of every semester, for the filter.
    pub semesters: Vec<(String, String)>,
    pub semester: Option<&'a semester::Model>,
    pub rows: &'a [PupilRow],
    /// The page, search and sort shown.
    pub list: ListView,
    /// Which pupils by their plan (`any`, `none`, a plan status, or empty for all).
    pub plan_filter: &'a str,
    pub can_register: bool,
    pub can_start: bool,
    pub form: FormView,
    /// The director's view of the staff and what they are allowed.
    pub staff: Option<&'a [(membership::Model, user::Model)]>,
    /// Pupils other schools ask this school's director to take over (transfer, pupil, from).
    pub incoming: &'a [(
        entities::entity::pupil_transfer::Model,
        entities::entity::pupil::Model,
        String,
    )],
    /// The director may move the school's pupils up a class.
    pub can_promote: bool,
}

pub fn pupils(ctx: &PageCtx, v: &PupilsView) -> Markup {
    let l = ctx.lang;
    let base = format!("/schools/{}/pupils", v.school_id);
    let plan_options: Vec<(String, String)> = [
        ("", t(l, "filter-any-plan")),
        ("any", t(l, "filter-with-plan")),
        ("none", t(l, "filter-without-plan")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(<PlanState as entities::sea_orm::Iterable>::iter().map(|s| {
        let name = if s == PlanState::InApproval {
            t(l, "filter-plan-in-approval")
        } else {
            plan_status(l, s, 0)
        };
        (s.as_str().to_owned(), name)
    }))
    .collect();
    layout(
        ctx,
        &t(l, "pupils-title"),
        html! {
            p.org-name { strong { (v.school_name) } }
            p { a href={ "/schools/" (v.school_id) "/funding" } { (t(l, "funding-title")) } " · " a href="/plans/approvals" { (t(l, "queue-title")) } }
            (list_tools(l, &v.list, "list-search-pupils", html! {
                @if !v.semesters.is_empty() {
                    (select(l, &FormView::new().with("semester", v.semester.map(|s| s.id.to_string()).unwrap_or_default()), "semester", "field-semester", &v.semesters))
                    (select(l, &FormView::new().with("plan", v.plan_filter), "plan", "field-plan-filter", &plan_options))
                }
            }))
            @if v.rows.is_empty() {
                p.empty { (t(l, if v.list.search.is_empty() && v.plan_filter.is_empty() { "pupils-none" } else { "list-none-found" })) }
            } @else {
                table.stack {
                    thead { tr { th { (t(l, "field-pupil-name")) } th { (t(l, "field-class")) } th { (t(l, "plan-title")) } } }
                    tbody {
                        @for row in v.rows {
                            tr {
                                td data-label=(t(l, "field-pupil-name")) { a href={ "/pupils/" (row.pupil.id) } { (row.pupil.name) } }
                                td data-label=(t(l, "field-class")) { (row.pupil.class_name) }
                                td data-label=(t(l, "plan-title")) {
                                    @if let Some(p) = &row.plan {
                                        a href={ "/plans/" (p.id) } { (plan_status(l, p.status, p.approval_step)) }
                                    } @else if let (true, Some(s)) = (v.can_start, v.semester) {
                                        form.inline method="post" action={ "/pupils/" (row.pupil.id) "/plans" } {
                                            (csrf(ctx))
                                            input type="hidden" name="semester_id" value=(s.id);
                                            button.secondary type="submit" { (t(l, "plan-start")) }
                                        }
                                    } @else {
                                        span.hint { (t(l, "plan-none")) }
                                    }
                                }
                            }
                        }
                    }
                }
                (list_pager(l, &v.list))
            }
            @if !v.incoming.is_empty() {
                section #incoming-transfers {
                    h2 { (t(l, "transfer-incoming")) }
                    table {
                        thead { tr { th { (t(l, "field-pupil-name")) } th { (t(l, "field-class")) } th { (t(l, "field-birth-date")) } th { (t(l, "transfer-from")) } th { span.visually-hidden { (t(l, "table-actions")) } } } }
                        tbody { @for (tr, p, from) in v.incoming { tr {
                            td { (p.name) } td { (p.class_name) } td { (date(p.birth_date)) } td { (from) }
                            td {
                                form.inline method="post" action={ "/transfers/" (tr.id) "/accept" } { (csrf(ctx)) button type="submit" { (t(l, "transfer-accept")) } }
                                " "
                                form.inline method="post" action={ "/transfers/" (tr.id) "/decline" } { (csrf(ctx)) button.secondary type="submit" { (t(l, "transfer-decline")) } }
                            }
                        } } }
                    }
                }
            }
            @if v.can_register {
                p.actions {
                    a.button.secondary href={ (base) "/import" } { (t(l, "import-title")) }
                    @if v.can_promote { a.button.secondary href={ (base) "/promote" } { (t(l, "promote-title")) } }
                }
                h2 { (t(l, "pupil-register")) }
                (error_summary(l, &v.form))
                form method="post" action=(base) novalidate {
                    (csrf(ctx))
                    (field(l, &v.form, "name", "field-pupil-name", Input::TEXT))
                    (field(l, &v.form, "class_name", "field-class", Input { hint: Some("field-class-hint"), ..Input::TEXT }))
                    (field(l, &v.form, "birth_date", "field-birth-date", Input { kind: "date", ..Input::TEXT }))
                    p.hint { (t(l, "pupil-minimal-data")) }
                    button type="submit" { (t(l, "pupil-register")) }
                }
            }
            @if let Some(staff) = v.staff {
                h2 { (t(l, "staff-grants-title")) }
                @if staff.is_empty() {
                    p.empty { (t(l, "staff-none")) }
                }
                @for (m, u) in staff {
                    form method="post" action={ "/schools/" (v.school_id) "/staff/" (m.id) } {
                        (csrf(ctx))
                        fieldset {
                            legend { (u.name) " — " (t(l, &format!("role-{}", m.role.as_str()))) }
                            (checkbox(l, &FormView::new().with(&format!("register-{}", m.id), if m.may_register_pupils { "on" } else { "" }), &format!("register-{}", m.id), "staff-may-register"))
                            @if m.role == entities::domain::Role::SupportStaff {
                                (checkbox(l, &FormView::new().with(&format!("all-{}", m.id), if m.sees_all_pupils { "on" } else { "" }), &format!("all-{}", m.id), "staff-sees-all"))
                            }
                            button.secondary type="submit" { (t(l, "staff-grants-save")) }
                        }
                    }
                }
            }
        },
    )
}

/// The director's step at the school year's change: each class with the class it becomes and
/// how many pupils move, confirmed with a box.
pub fn promotion(
    ctx: &PageCtx,
    school_id: i32,
    school_name: &str,
    rows: &[(String, Option<String>, u64)],
    form: &FormView,
) -> Markup {
    let l = ctx.lang;
    let base = format!("/schools/{school_id}/pupils");
    layout(
        ctx,
        &t(l, "promote-title"),
        html! {
            p.org-name { strong { (school_name) } }
            p.actions { a href=(base) { (t(l, "import-back")) } }
            (error_summary(l, form))
            p #plan-status { (t(l, "promote-lead")) }
            @if rows.is_empty() {
                p.empty { (t(l, "pupils-none")) }
            } @else {
                table #promotion {
                    thead { tr { th { (t(l, "promote-class")) } th { (t(l, "promote-next")) } th.num { (t(l, "promote-count")) } } }
                    tbody { @for (class, next, n) in rows { tr {
                        td { (class) }
                        td { @match next { Some(c) => { (c) }, None => { span.hint { (t(l, "promote-stays")) } } } }
                        td.num { (n) }
                    } } }
                }
                form method="post" action={ (base) "/promote" } {
                    (csrf(ctx))
                    (confirm_box(l, form, "confirm", &t(l, "promote-confirm")))
                    button type="submit" { (t(l, "promote-submit")) }
                }
            }
        },
    )
}

/// What the reader of a pupil's page may do besides reading it.
pub struct PupilActions {
    /// Correct the pupil's data (who may register the school's pupils).
    pub can_correct: bool,
    /// The schools the director may move the pupil to (id, name); empty for others.
    pub transfer_to: Vec<(String, String)>,
    /// The school a transfer is waiting at.
    pub pending_to: Option<String>,
}

pub fn pupil(
    ctx: &PageCtx,
    v: &PupilPage,
    open_semesters: &[(String, String)],
    actions: &PupilActions,
    form: &FormView,
) -> Markup {
    let l = ctx.lang;
    let p = &v.pupil;
    let typed = if form.errors.is_empty() {
        FormView::new()
            .with("name", &p.name)
            .with("class_name", &p.class_name)
            .with("birth_date", p.birth_date.to_string())
    } else {
        form.clone()
    };
    layout(
        ctx,
        &p.name,
        html! {
            p { a href={ "/schools/" (p.school_id) "/pupils" } { "← " (t(l, "pupils-title")) } }
            (error_summary(l, form))
            dl {
                dt { (t(l, "field-class")) } dd { (p.class_name) }
                dt { (t(l, "field-birth-date")) } dd { (date(p.birth_date)) }
                dt { (t(l, "pupil-staff")) }
                dd {
                    @if v.staff.is_empty() { (t(l, "pupil-staff-none")) }
                    @for (i, u) in v.staff.iter().enumerate() { @if i > 0 { ", " } (u.name) }
                }
            }
            @if !v.assignable.is_empty() {
                form.inline method="post" action={ "/pupils/" (p.id) "/staff" } {
                    (csrf(ctx))
                    (select(l, form, "user_id", "pupil-assign-staff", &v.assignable.iter().map(|u| (u.id.to_string(), u.name.clone())).collect::<Vec<_>>()))
                    button.secondary type="submit" { (t(l, "pupil-assign")) }
                }
            }
            h2 { (t(l, "pupil-plans")) }
            @if v.plans.is_empty() {
                p.empty { (t(l, "plan-none")) }
            } @else {
                ul {
                    @for (plan, s) in &v.plans {
                        li {
                            @if plan.school_id == p.school_id {
                                a href={ "/plans/" (plan.id) } { (semester_label(l, s)) }
                            } @else {
                                (semester_label(l, s)) " (" (t(l, "pupil-plan-earlier-school")) ")"
                            }
                            " — " (plan_status(l, plan.status, plan.approval_step))
                        }
                    }
                }
            }
            @if !open_semesters.is_empty() {
                form method="post" action={ "/pupils/" (p.id) "/plans" } {
                    (csrf(ctx))
                    (select(l, form, "semester_id", "field-semester", open_semesters))
                    button type="submit" { (t(l, "plan-start")) }
                }
            }
            @if actions.can_correct {
                details #correct open[!form.errors.is_empty() && form.errors.get("to_school").is_none()] {
                    summary { (t(l, "pupil-correct")) }
                    form method="post" action={ "/pupils/" (p.id) "/correct" } novalidate {
                        (csrf(ctx))
                        (field(l, &typed, "name", "field-pupil-name", Input::TEXT))
                        (field(l, &typed, "class_name", "field-class", Input { hint: Some("field-class-hint"), ..Input::TEXT }))
                        (field(l, &typed, "birth_date", "field-birth-date", Input { kind: "date", ..Input::TEXT }))
                        p.hint { (t(l, "pupil-correct-hint")) }
                        button type="submit" { (t(l, "pupil-correct-save")) }
                    }
                }
            }
            @if let Some(school) = &actions.pending_to {
                p.notice role="status" { (tf(l, "transfer-pending", &[("school", school)])) }
            } @else if !actions.transfer_to.is_empty() {
                details #transfer open[form.errors.get("to_school").is_some()] {
                    summary { (t(l, "transfer-title")) }
                    form method="post" action={ "/pupils/" (p.id) "/transfer" } {
                        (csrf(ctx))
                        (select(l, form, "to_school", "transfer-to", &actions.transfer_to))
                        p.hint { (t(l, "transfer-hint")) }
                        button type="submit" { (t(l, "transfer-ask")) }
                    }
                }
            }
        },
    )
}

/// What the person looking at a plan may do with it.
pub struct PlanControls {
    /// The open semesters the plan can be carried into (id, label); empty for approvers.
    pub carry_to: Vec<(String, String)>,
    pub requests: Vec<Request>,
    /// Risks and measures can be changed (draft, under revision) by school staff.
    pub editable: bool,
    /// Sessions and expenses can be recorded (in progress) by school staff.
    pub carrying_out: bool,
    /// Evaluations can be written (in progress or paused) by school staff.
    pub can_evaluate: bool,
    /// The risks of the plan's catalogue, by group (for adding one).
    pub catalogue: Vec<(risk_group::Model, Vec<risk::Model>)>,
}

pub fn request_name(r: Request) -> &'static str {
    match r {
        Request::SendForApproval => "send",
        Request::Approve => "approve",
        Request::Return => "return",
        Request::Start => "start",
        Request::Pause => "pause",
        Request::Resume => "resume",
        Request::Revise => "revise",
        Request::Deactivate => "deactivate",
    }
}

fn needs_reason(r: Request) -> bool {
    matches!(r, Request::Return | Request::Pause | Request::Deactivate)
}

pub fn plan(ctx: &PageCtx, v: &PlanView, c: &PlanControls, form: &FormView) -> Markup {
    let l = ctx.lang;
    let id = v.plan.id;
    let risk_of = |plan_risk_id: i32| {
        v.risks
            .iter()
            .find(|r| r.id == plan_risk_id)
            .and_then(|r| v.catalogue.iter().find(|c| c.id == r.risk_id))
            .map(|r| risk_name(l, r).to_owned())
            .unwrap_or_default()
    };
    let measure_risks = |m: &plan_measure::Model| {
        v.links
            .iter()
            .filter(|link| link.measure_id == m.id)
            .map(|link| risk_of(link.plan_risk_id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sessions_of = |m: &plan_measure::Model| -> Vec<&consultation_session::Model> {
        v.sessions.iter().filter(|s| s.measure_id == m.id).collect()
    };
    let expenses_of = |m: &plan_measure::Model| -> Vec<&expense::Model> {
        v.expenses.iter().filter(|e| e.measure_id == m.id).collect()
    };
    let measure_risk_ids = |m: &plan_measure::Model| -> Vec<i32> {
        v.links
            .iter()
            .filter(|link| link.measure_id == m.id)
            .map(|link| link.plan_risk_id)
            .collect()
    };
    let evaluation_of = |measure: Option<i32>| v.evaluations.iter().find(|e| e.measure_id == measure);
    let risk_options: Vec<(String, String)> = v.risks.iter().map(|r| (r.id.to_string(), risk_of(r.id))).collect();
    layout(
        ctx,
        &tf(
            l,
            "plan-heading",
            &[("name", &v.pupil.name), ("semester", &semester_label(l, &v.semester))],
        ),
        html! {
            p.org-name { strong { (v.school.name) } " · " (v.pupil.class_name) " · " (t(l, "plan-number")) " " (id) }
            @if v.staff { p { a href={ "/pupils/" (v.pupil.id) } { "← " (v.pupil.name) } } }
            p.lead {
                (t(l, "plan-status")) ": " strong #plan-status { (plan_status(l, v.plan.status, v.plan.approval_step)) }
                @if let Some(level) = waiting_for(v) { " — " span #plan-waiting { (tf(l, "plan-waiting-for", &[("level", &label(l, "level-", level))])) } }
            }
            @if let Some(reason) = &v.plan.status_reason { p.pre { (t(l, "plan-reason")) ": " (reason) } }
            @if let Some(from) = v.plan.carried_from_id {
                p { (t(l, "plan-carried-from")) " " a href={ "/plans/" (from) } { (t(l, "plan-number")) " " (from) } }
            }
            (error_summary(l, form))

            h2 { (t(l, "plan-risks")) }
            @if v.risks.is_empty() { p.empty { (t(l, "plan-risks-none")) } }
            ul #plan-risks {
                @for r in &v.risks { li {
                    strong { (risk_of(r.id)) } br; span.pre { (r.justification) }
                    @if c.editable {
                        @let scope = format!("r{}", r.id);
                        @let rf = form.scoped(&scope);
                        details.correct open[form.touches(&scope)] {
                            summary { (t(l, "plan-correct")) }
                            form method="post" action={ "/plans/" (id) "/risks/" (r.id) } novalidate {
                                (csrf(ctx))
                                @let rf = if form.touches(&scope) { rf } else { rf.fill("justification", r.justification.clone()) };
                                (textarea(l, &rf, "justification", "plan-justification", 3))
                                button.secondary type="submit" { (t(l, "plan-correct-save")) }
                            }
                            (confirmed_action(ctx, &format!("/plans/{id}/risks/{}/remove", r.id), r.id, "plan-risk-remove-confirm", "plan-remove"))
                        }
                    }
                } }
            }
            @if c.editable {
                form method="post" action={ "/plans/" (id) "/risks" } novalidate {
                    (csrf(ctx))
                    div.field.has-error[form.errors.get("risk_id").is_some()] {
                        label for="risk_id" { (t(l, "plan-risk")) }
                        @if let Some(m) = form.errors.get("risk_id") { p.error id="risk_id-error" { (t(l, m)) } }
                        select #risk_id name="risk_id" {
                            @for (g, risks) in &c.catalogue {
                                optgroup label=(group_name(l, g)) {
                                    @for r in risks { option value=(r.id) selected[form.value("risk_id") == r.id.to_string()] { (risk_name(l, r)) } }
                                }
                            }
                        }
                    }
                    (textarea(l, form, "justification", "plan-justification", 3))
                    button.secondary type="submit" { (t(l, "plan-risk-add")) }
                }
            }

            h2 { (t(l, "plan-measures")) }
            @if v.measures.is_empty() { p.empty { (t(l, "plan-measures-none")) } }
            @for m in &v.measures {
                section.criterion {
                    h3 { (measure_label(l, m)) }
                    @let addressed = measure_risks(m);
                    @if !addressed.is_empty() { p.hint { (t(l, "plan-addresses")) ": " (addressed) } }
                    @let sessions = sessions_of(m);
                    @if !sessions.is_empty() {
                        // Labelled cards on a phone rather than a table to scroll sideways.
                        table.stack {
                            thead { tr { th { (t(l, "session-date")) } th { (t(l, "session-minutes")) } th { (t(l, "session-mode")) } th { (t(l, "session-confirmed")) } } }
                            tbody { @for s in sessions { tr {
                                td data-label=(t(l, "session-date")) { (date(s.held_on)) }
                                td data-label=(t(l, "session-minutes")) { (s.minutes) }
                                td data-label=(t(l, "session-mode")) { (t(l, if s.remote { "session-remote" } else { "session-in-person" })) }
                                td data-label=(t(l, "session-confirmed")) { (t(l, if s.pupil_confirmed { "yes" } else { "no" })) }
                            } } }
                        }
                    }
                    @let expenses = expenses_of(m);
                    @if !expenses.is_empty() {
                        table.stack {
                            thead { tr { th { (t(l, "expense-date")) } th { (t(l, "expense-amount")) } th { (t(l, "expense-status")) } th { (t(l, "expense-document")) } } }
                            tbody {
                                @for e in expenses {
                                    tr {
                                        td data-label=(t(l, "expense-date")) { (date(e.spent_on)) }
                                        td data-label=(t(l, "expense-amount")) { (money(l, e.amount_cents)) }
                                        td data-label=(t(l, "expense-status")) { (label(l, "expense-status-", e.status)) }
                                        td data-label=(t(l, "expense-document")) { @if let Some(name) = &e.document_name { a href={ "/expenses/" (e.id) "/document" } { (name) } } }
                                    }
                                }
                            }
                        }
                    }
                    @if c.editable { (measure_correction(ctx, id, m, &risk_options, &measure_risk_ids(m), form)) }
                    @let scope = format!("m{}", m.id);
                    @let mf = form.scoped(&scope);
                    @if c.carrying_out && m.category.is_none() {
                        details open[form.touches(&scope)] {
                            summary { (t(l, "session-log")) }
                            form method="post" action={ "/measures/" (m.id) "/sessions" } novalidate {
                                (csrf(ctx))
                                (field(l, &mf, "held_on", "session-date", Input { kind: "date", ..Input::TEXT }))
                                (field(l, &mf, "minutes", "session-minutes", Input { kind: "number", ..Input::TEXT }))
                                (checkbox(l, &mf, "remote", "session-remote"))
                                (checkbox(l, &mf, "pupil_confirmed", "session-confirmed"))
                                button.secondary type="submit" { (t(l, "session-log")) }
                            }
                        }
                    }
                    @if c.carrying_out && m.category.is_some() {
                        details open[form.touches(&scope)] {
                            summary { (t(l, "expense-record")) }
                            form method="post" action={ "/measures/" (m.id) "/expenses?_csrf=" (ctx.csrf) } enctype="multipart/form-data" {
                                (csrf(ctx))
                                (field(l, &mf, "amount", "expense-amount", Input { hint: Some("field-eur-hint"), ..Input::TEXT }))
                                (field(l, &mf, "spent_on", "expense-date", Input { kind: "date", ..Input::TEXT }))
                                @let file_error = mf.error("file");
                                div.field.has-error[file_error.is_some()] {
                                    label for=(mf.id("file")) { (t(l, "expense-document")) }
                                    p.hint { (t(l, "expense-document-hint")) }
                                    @if let Some(message) = file_error { p.error id={ (mf.id("file")) "-error" } { (t(l, message)) } }
                                    input id=(mf.id("file")) name="file" type="file";
                                }
                                button.secondary type="submit" { (t(l, "expense-record")) }
                            }
                        }
                    }
                    @if let Some(e) = evaluation_of(Some(m.id)) {
                        p { strong { (t(l, &format!("result-{}", e.result))) } ": " span.pre { (e.text) } }
                    }
                    @if c.can_evaluate {
                        (evaluation_form(ctx, id, Some(m.id), form))
                    }
                }
            }
            @if c.editable {
                @if risk_options.is_empty() {
                    p.hint { (t(l, "plan-measure-needs-risk")) }
                } @else {
                    h3 { (t(l, "plan-consultation-add")) }
                    @let cf = form.scoped("c");
                    form method="post" action={ "/plans/" (id) "/consultations" } novalidate {
                        (csrf(ctx))
                        (select(l, &cf, "specialist", "plan-specialist", &entities::plans::SPECIALISTS.iter().map(|s| ((*s).to_owned(), t(l, &format!("specialist-{s}")))).collect::<Vec<_>>()))
                        (field(l, &cf, "hours", "plan-hours", Input { kind: "text", hint: Some("plan-hours-hint"), ..Input::TEXT }))
                        (risk_boxes(l, &risk_options, &cf))
                        button.secondary type="submit" { (t(l, "plan-measure-add")) }
                    }
                    h3 { (t(l, "plan-compensation-add")) }
                    @let pf = form.scoped("p");
                    form method="post" action={ "/plans/" (id) "/compensations" } novalidate {
                        (csrf(ctx))
                        (select(l, &pf, "category", "plan-category", &entities::plans::CATEGORIES.iter().map(|s| ((*s).to_owned(), t(l, &format!("category-{s}")))).collect::<Vec<_>>()))
                        (field(l, &pf, "planned", "plan-planned-amount", Input { hint: Some("field-eur-hint"), ..Input::TEXT }))
                        (risk_boxes(l, &risk_options, &pf))
                        button.secondary type="submit" { (t(l, "plan-measure-add")) }
                    }
                }
                @if !v.measures.iter().any(|m| m.kind == MeasureKind::Supervision) {
                    h3 { (t(l, "plan-supervision")) }
                    form method="post" action={ "/plans/" (id) "/supervision" } novalidate {
                        (csrf(ctx))
                        (field(l, form, "supervision_hours", "plan-hours", Input { hint: Some("plan-supervision-hint"), ..Input::TEXT }))
                        button.secondary type="submit" { (t(l, "plan-measure-add")) }
                    }
                }
                h2 #consent { (t(l, "plan-consent")) }
                (consent_given(ctx, v))
                @if !entities::plans::has_consent(&v.plan) {
                    p.notice role="status" { (t(l, "plan-consent-needed")) }
                }
                p { a href={ "/plans/" (id) "/consent-form" } { (t(l, "plan-consent-form-link")) } }
                form method="post" action={ "/plans/" (id) "/consent?_csrf=" (ctx.csrf) } enctype="multipart/form-data" novalidate {
                    (field(l, form, "consent_by", "plan-consent-by", Input { hint: Some("plan-consent-hint"), ..Input::TEXT }))
                    @let file_error = form.errors.get("file");
                    div.field.has-error[file_error.is_some()] {
                        label for="file" { (t(l, "plan-consent-file")) }
                        p.hint id="file-hint" { (t(l, "plan-consent-file-hint")) }
                        @if let Some(m) = file_error { p.error id="file-error" { (t(l, m)) } }
                        input id="file" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,.edoc,.asice" aria-describedby="file-hint"
                            aria-invalid=[file_error.map(|_| "true")];
                    }
                    button.secondary type="submit" { (t(l, "plan-consent-record")) }
                }
            } @else {
                (consent_given(ctx, v))
            }
            @if v.staff {
                p.actions.no-print {
                    a href={ "/plans/" (id) "/print" } { (t(l, "plan-print-link")) }
                    a href={ "/plans/" (id) "/consent-form" } { (t(l, "plan-consent-form-link")) }
                }
            }
            @if !c.carry_to.is_empty() {
                details #carry open[form.errors.get("carry_semester").is_some()] {
                    summary { (t(l, "plan-carry")) }
                    form method="post" action={ "/plans/" (id) "/carry" } {
                        (csrf(ctx))
                        (select(l, form, "carry_semester", "field-semester", &c.carry_to))
                        p.hint { (t(l, "plan-carry-hint")) }
                        button.secondary type="submit" { (t(l, "plan-carry-submit")) }
                    }
                }
            }

            @if let Some(e) = evaluation_of(None) {
                h2 { (t(l, "evaluation-plan")) }
                p { strong { (t(l, &format!("result-{}", e.result))) } @if let Some(o) = &e.outcome { " · " (t(l, &format!("outcome-{o}"))) } }
                p.pre { (e.text) }
            }
            @if c.can_evaluate {
                h2 { (t(l, "evaluation-plan")) }
                (evaluation_form(ctx, id, None, form))
            }

            h2 { (t(l, "plan-approvals")) }
            @if v.approvals.is_empty() { p.empty { (t(l, "plan-approvals-none")) } }
            ul #approvals {
                @for a in &v.approvals {
                    li {
                        (tf(l, "plan-approval-step", &[
                            ("level", &label(l, "level-", a.level)),
                            ("decision", &label(l, "decision-", a.decision)),
                            ("who", v.deciders.get(&a.user_id).map(String::as_str).unwrap_or("—")),
                            ("at", &riga(a.at)),
                        ]))
                        @if let Some(c) = &a.comment { " — " span.pre { (c) } }
                    }
                }
            }
            @if !c.requests.is_empty() {
                h2 { (t(l, "plan-actions")) }
                @for r in &c.requests {
                    @let af = form.scoped(request_name(*r));
                    form method="post" action={ "/plans/" (id) "/act" } novalidate {
                        (csrf(ctx))
                        input type="hidden" name="request" value=(request_name(*r));
                        @if needs_reason(*r) {
                            (textarea(l, &af, "reason", "plan-reason", 2))
                        } @else if *r == Request::Approve {
                            (textarea(l, &af, "reason", "plan-comment", 2))
                        }
                        @if *r == Request::Deactivate {
                            @let error = af.error("confirm");
                            div.field.checkbox.has-error[error.is_some()] {
                                @if let Some(m) = error { p.error id={ (af.id("confirm")) "-error" } { (t(l, m)) } }
                                input id=(af.id("confirm")) name="confirm" type="checkbox" value="yes";
                                label for=(af.id("confirm")) { (t(l, "plan-deactivate-confirm")) }
                            }
                        }
                        button.danger[matches!(r, Request::Deactivate | Request::Return)] type="submit" { (t(l, &format!("plan-do-{}", request_name(*r)))) }
                    }
                }
            }
        },
    )
}

/// A measure's correction while the plan can change: the fields of its kind, filled with what
/// it plans (or what was last sent), and its removal behind a confirmation box.
fn measure_correction(
    ctx: &PageCtx,
    plan_id: i32,
    m: &plan_measure::Model,
    risk_options: &[(String, String)],
    addressed: &[i32],
    form: &FormView,
) -> Markup {
    let l = ctx.lang;
    let scope = format!("x{}", m.id);
    let hours = |minutes: Option<i32>| {
        let hundredths = i64::from(minutes.unwrap_or(0)) * 100 / 60;
        format!("{},{:02}", hundredths / 100, hundredths % 100)
            .trim_end_matches(",00")
            .to_owned()
    };
    let mf = if form.touches(&scope) {
        form.scoped(&scope)
    } else {
        addressed
            .iter()
            .fold(form.scoped(&scope), |f, r| f.fill(&format!("risk-{r}"), "on"))
            .fill("specialist", m.specialist.clone().unwrap_or_default())
            .fill("category", m.category.clone().unwrap_or_default())
            .fill("hours", hours(m.planned_minutes))
            .fill(
                "planned",
                m.planned_cents
                    .map(|c| crate::view::amount_input(l, c))
                    .unwrap_or_default(),
            )
    };
    let options = |names: &[&str], prefix: &str| -> Vec<(String, String)> {
        names
            .iter()
            .map(|s| ((*s).to_owned(), t(l, &format!("{prefix}{s}"))))
            .collect()
    };
    html! {
        details.correct open[form.touches(&scope)] {
            summary { (t(l, "plan-correct")) }
            form method="post" action={ "/plans/" (plan_id) "/measures/" (m.id) } novalidate {
                (csrf(ctx))
                @match m.kind {
                    MeasureKind::Consultation => {
                        (select(l, &mf, "specialist", "plan-specialist", &options(&entities::plans::SPECIALISTS, "specialist-")))
                        (field(l, &mf, "hours", "plan-hours", Input { hint: Some("plan-hours-hint"), ..Input::TEXT }))
                        (risk_boxes(l, risk_options, &mf))
                    }
                    MeasureKind::Compensation => {
                        (select(l, &mf, "category", "plan-category", &options(&entities::plans::CATEGORIES, "category-")))
                        (field(l, &mf, "planned", "plan-planned-amount", Input { hint: Some("field-eur-hint"), ..Input::TEXT }))
                        (risk_boxes(l, risk_options, &mf))
                    }
                    MeasureKind::Supervision => {
                        (field(l, &mf, "hours", "plan-hours", Input { hint: Some("plan-supervision-hint"), ..Input::TEXT }))
                    }
                }
                button.secondary type="submit" { (t(l, "plan-correct-save")) }
            }
            (confirmed_action(ctx, &format!("/plans/{plan_id}/measures/{}/remove", m.id), 100_000 + m.id, "plan-measure-remove-confirm", "plan-remove"))
        }
    }
}

/// The level a plan in approval waits for (from its school's chain).
fn waiting_for(v: &PlanView) -> Option<entities::plans::rules::Level> {
    if v.plan.status != entities::entity::plan::PlanState::InApproval {
        return None;
    }
    let step = usize::try_from(v.plan.approval_step).ok()?;
    entities::plans::rules::chain(v.school.is_vocational).get(step).copied()
}

/// Who gave the consent and when, with its evidence (for whoever may read the plan).
fn consent_given(ctx: &PageCtx, v: &PlanView) -> Markup {
    let l = ctx.lang;
    html! {
        @if let (Some(at), Some(by)) = (v.plan.consent_at, &v.plan.consent_by) {
            p {
                (tf(l, "plan-consent-given", &[("by", by), ("at", &riga(at))]))
                @if let Some(name) = &v.plan.consent_file_name {
                    " " a href={ "/plans/" (v.plan.id) "/consent/document" } { (name) }
                }
            }
        }
    }
}

/// The plan's risks a measure addresses, as checkboxes (ticked again as they were sent).
fn risk_boxes(l: Lang, options: &[(String, String)], form: &FormView) -> Markup {
    let error = form.error("risks");
    html! {
        fieldset.has-error[error.is_some()] id=(form.id("risks")) {
            legend { (t(l, "plan-addresses")) }
            @if let Some(m) = error { p.error id={ (form.id("risks")) "-error" } { (t(l, m)) } }
            @for (value, label) in options {
                @let name = format!("risk-{value}");
                div.field.checkbox {
                    input id=(form.id(&name)) name="risk" type="checkbox" value=(value) checked[form.typed(&name) == "on"];
                    label for=(form.id(&name)) { (label) }
                }
            }
        }
    }
}

fn evaluation_form(ctx: &PageCtx, plan_id: i32, measure: Option<i32>, form: &FormView) -> Markup {
    let l = ctx.lang;
    let scope = measure.map(|m| format!("e{m}")).unwrap_or_else(|| "plan".to_owned());
    let f = form.scoped(&scope);
    let results: Vec<(String, String)> = entities::plans::RESULTS
        .iter()
        .map(|r| ((*r).to_owned(), t(l, &format!("result-{r}"))))
        .collect();
    let outcomes: Vec<(String, String)> = entities::plans::OUTCOMES
        .iter()
        .map(|o| ((*o).to_owned(), t(l, &format!("outcome-{o}"))))
        .collect();
    html! {
        details open[form.touches(&scope)] {
            summary { (t(l, "evaluation-write")) }
            form method="post" action={ "/plans/" (plan_id) "/evaluations" } novalidate {
                (csrf(ctx))
                @if let Some(m) = measure { input type="hidden" name="measure_id" value=(m); }
                (textarea(l, &f, "text", "evaluation-text", 3))
                (select(l, &f, "result", "evaluation-result", &results))
                @if measure.is_none() {
                    (select(l, &f, "outcome", "evaluation-outcome", &outcomes))
                }
                button.secondary type="submit" { (t(l, "evaluation-save")) }
            }
        }
    }
}

pub fn queue(ctx: &PageCtx, rows: &[QueueRow], list: &ListView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "queue-title"),
        html! {
            p.lead { (t(l, "queue-lead")) }
            @if list.total > 0 || !list.search.is_empty() { (list_tools(l, list, "list-search-queue", html! {})) }
            @if rows.is_empty() {
                p.empty { (t(l, if list.search.is_empty() { "queue-empty" } else { "list-none-found" })) }
            } @else {
                table.stack {
                    thead { tr { th { (t(l, "plan-number")) } th { (t(l, "field-school")) } th { (t(l, "field-semester")) } th { (t(l, "queue-waiting-since")) } } }
                    tbody {
                        @for r in rows {
                            tr {
                                td data-label=(t(l, "plan-number")) { a href={ "/plans/" (r.plan.id) } { (r.plan.id) } }
                                td data-label=(t(l, "field-school")) { (r.school.name) }
                                td data-label=(t(l, "field-semester")) { (semester_label(l, &r.semester)) }
                                td data-label=(t(l, "queue-waiting-since")) { (riga(r.plan.updated_at)) }
                            }
                        }
                    }
                }
                (list_pager(l, list))
            }
        },
    )
}

pub struct FundingView<'a> {
    pub school_id: i32,
    pub school_name: String,
    pub semesters: Vec<(String, String)>,
    pub semester: Option<&'a semester::Model>,
    pub funding: Option<Funding>,
    /// The expenses, for the director and the accountant.
    pub expenses: Option<&'a [ExpenseRow]>,
    pub can_pay: bool,
    pub hours: &'a [indirect_hours::Model],
    pub can_record_hours: bool,
    pub form: FormView,
}

pub fn funding(ctx: &PageCtx, v: &FundingView) -> Markup {
    let l = ctx.lang;
    let base = format!("/schools/{}/funding", v.school_id);
    layout(
        ctx,
        &t(l, "funding-title"),
        html! {
            p.org-name { strong { (v.school_name) } }
            @if v.semesters.is_empty() {
                p.empty { (t(l, "semesters-none")) }
            } @else {
                form.inline method="get" action=(base) {
                    (select(l, &FormView::new().with("semester", v.semester.map(|s| s.id.to_string()).unwrap_or_default()), "semester", "field-semester", &v.semesters))
                    button.secondary type="submit" { (t(l, "filter-apply")) }
                }
            }
            @if let (Some(s), Some(f)) = (v.semester, v.funding) {
                p { (tf(l, "funding-cap", &[("cap", &money(l, s.cap_cents))])) }
                ul.stats #funding {
                    li { span.number { (f.ceiling.display(l)) } " " span { (t(l, "funding-ceiling")) } }
                    li { span.number { (f.committed.display(l)) } " " span { (t(l, "funding-committed")) } }
                    li { span.number { (f.remaining.display(l)) } " " span { (t(l, "funding-remaining")) } }
                    li { span.number { (f.unpaid.display(l)) } " " span { (t(l, "funding-unpaid")) } }
                    li { span.number { (f.requested.display(l)) } " " span { (t(l, "funding-requested")) } }
                    li { span.number { (f.planned.display(l)) } " " span { (t(l, "funding-planned")) } }
                }
                @match f.outlook {
                    entities::plans::rules::Outlook::Enough(room) => p #outlook { (tf(l, "funding-outlook-enough", &[("room", &room.display(l))])) },
                    entities::plans::rules::Outlook::Tight(left) => p.notice #outlook role="status" { (tf(l, "funding-outlook-tight", &[("left", &left.display(l))])) },
                    entities::plans::rules::Outlook::Short(by) => p.notice #outlook role="alert" { (tf(l, "funding-outlook-short", &[("by", &by.display(l))])) },
                }
                @if let Some(expenses) = v.expenses {
                    h2 { (t(l, "expenses-title")) }
                    @if expenses.is_empty() { p.empty { (t(l, "expenses-none")) } }
                    @else {
                        table {
                            thead { tr { th { (t(l, "plan-number")) } th { (t(l, "plan-category")) } th { (t(l, "expense-date")) } th { (t(l, "expense-amount")) } th { (t(l, "expense-status")) } th { (t(l, "expense-document")) } th { span.visually-hidden { (t(l, "table-actions")) } } } }
                            tbody {
                                @for row in expenses {
                                    @let e = &row.expense;
                                    tr {
                                        td { (e.plan_id) }
                                        td { (t(l, &format!("category-{}", row.category))) }
                                        td { (date(e.spent_on)) }
                                        td { (money(l, e.amount_cents)) }
                                        td { (label(l, "expense-status-", e.status)) }
                                        td { @if let Some(name) = &e.document_name { a href={ "/expenses/" (e.id) "/document" } { (name) } } }
                                        td {
                                            @if v.can_pay && e.status == ExpenseState::Requested {
                                                form.inline method="post" action={ "/expenses/" (e.id) "/decide" } {
                                                    (csrf(ctx))
                                                    button.secondary type="submit" { (t(l, "expense-decide")) }
                                                }
                                            }
                                            @if v.can_pay && e.status == ExpenseState::Approved {
                                                form.inline method="post" action={ "/expenses/" (e.id) "/pay" } {
                                                    (csrf(ctx))
                                                    button.secondary type="submit" { (t(l, "expense-pay")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { (t(l, "indirect-title")) }
                @if v.hours.is_empty() { p.empty { (t(l, "indirect-none")) } }
                @else {
                    table {
                        thead { tr { th { (t(l, "indirect-role")) } th { (t(l, "session-minutes")) } } }
                        tbody { @for h in v.hours { tr { td { (t(l, &format!("indirect-role-{}", h.staff_role))) } td { (h.minutes) } } } }
                    }
                }
                @if v.can_record_hours {
                    (error_summary(l, &v.form))
                    form method="post" action={ "/schools/" (v.school_id) "/indirect-hours" } novalidate {
                        (csrf(ctx))
                        input type="hidden" name="semester_id" value=(s.id);
                        (select(l, &v.form, "staff_role", "indirect-role", &entities::plans::INDIRECT_ROLES.iter().map(|r| ((*r).to_owned(), t(l, &format!("indirect-role-{r}")))).collect::<Vec<_>>()))
                        (field(l, &v.form, "minutes", "session-minutes", Input { kind: "number", ..Input::TEXT }))
                        button.secondary type="submit" { (t(l, "indirect-record")) }
                    }
                }
            }
        },
    )
}

pub fn semesters(ctx: &PageCtx, rows: &[semester::Model], form: &FormView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "semesters-title"),
        html! {
            p { a href="/admin/catalogue" { (t(l, "catalogue-title")) } }
            @if rows.is_empty() { p.empty { (t(l, "semesters-none")) } }
            @else {
                table {
                    thead { tr { th { (t(l, "field-semester")) } th { (t(l, "semester-dates")) } th { (t(l, "semester-cap")) } th { (t(l, "semester-state")) } th { span.visually-hidden { (t(l, "table-actions")) } } } }
                    tbody {
                        @for s in rows {
                            tr {
                                td { (semester_label(l, s)) }
                                td { (date(s.starts_on)) "–" (date(s.ends_on)) }
                                td { (money(l, s.cap_cents)) }
                                td { @if let Some(at) = s.closed_at { (t(l, "semester-closed")) " " (riga(at)) } @else { (t(l, "semester-open")) } }
                                td {
                                    @if s.closed_at.is_none() {
                                        (confirmed_action(ctx, &format!("/admin/semesters/{}/close", s.id), s.id, "semester-close-confirm", "semester-close"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (t(l, "semester-new")) }
            (error_summary(l, form))
            form method="post" action="/admin/semesters" novalidate {
                (csrf(ctx))
                (field(l, form, "school_year", "semester-year", Input { kind: "number", hint: Some("semester-year-hint"), ..Input::TEXT }))
                (select(l, form, "half", "semester-half", &[("1".to_owned(), "1".to_owned()), ("2".to_owned(), "2".to_owned())]))
                (field(l, form, "starts_on", "semester-starts", Input { kind: "date", ..Input::TEXT }))
                (field(l, form, "ends_on", "semester-ends", Input { kind: "date", ..Input::TEXT }))
                (field(l, form, "cap", "semester-cap", Input { hint: Some("field-eur-hint"), ..Input::TEXT }))
                button type="submit" { (t(l, "semester-create")) }
            }
        },
    )
}

pub fn catalogue(
    ctx: &PageCtx,
    versions: &[risk_catalogue::Model],
    newest: &[(risk_group::Model, Vec<risk::Model>)],
    form: &FormView,
) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "catalogue-title"),
        html! {
            p { (t(l, "catalogue-lead")) }
            ul { @for c in versions { li { (tf(l, "catalogue-version", &[("version", &c.version.to_string()), ("at", &riga(c.created_at))])) } } }
            @for (g, risks) in newest {
                h2 { (group_name(l, g)) }
                ul { @for r in risks { li { (risk_name(l, r)) " " span.hint { "(" (r.code) ")" } } } }
            }
            h2 { (t(l, "catalogue-add")) }
            (error_summary(l, form))
            form method="post" action="/admin/catalogue" novalidate {
                (csrf(ctx))
                (select(l, form, "group", "catalogue-group", &newest.iter().map(|(g, _)| (g.code.clone(), group_name(l, g).to_owned())).collect::<Vec<_>>()))
                (field(l, form, "code", "catalogue-code", Input { hint: Some("catalogue-code-hint"), ..Input::TEXT }))
                (field(l, form, "name_lv", "catalogue-name-lv", Input::TEXT))
                (field(l, form, "name_en", "catalogue-name-en", Input::TEXT))
                button type="submit" { (t(l, "catalogue-add-submit")) }
            }
        },
    )
}
