//! The panel member's pages: the calls they sit on, a call's applications with their progress,
//! the declaration of conflicts, the scorecard.

use maud::{Markup, html};

use crate::components::{FormView, confirm_box, csrf, error_summary};
use crate::{PageCtx, layout, t, tf};

pub struct PanelCallRow {
    pub href: String,
    pub title: String,
    pub status: String,
    pub done: usize,
    pub total: usize,
}

pub fn panel_calls(ctx: &PageCtx, rows: &[PanelCallRow]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "panel-title"),
        html! {
            @if rows.is_empty() {
                p.empty { (t(l, "panel-none")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "call-title")) } th { (t(l, "call-status")) } th { (t(l, "panel-progress")) } } }
                    tbody { @for r in rows { tr {
                        td { a href=(r.href) { (r.title) } } td { (r.status) }
                        td { (tf(l, "panel-progress-text", &[("done", &r.done.to_string()), ("total", &r.total.to_string())])) }
                    } } }
                }
            }
        },
    )
}

pub struct PanelAppRow {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub applicant: String,
    /// An i18n id: `panel-state-undeclared`, `panel-state-conflict`, `panel-state-draft`, `panel-state-submitted`.
    pub state: &'static str,
}

pub struct PanelCallView {
    pub title: String,
    pub scoring_deadline: String,
    pub open: bool,
    /// One page of the applications.
    pub rows: Vec<PanelAppRow>,
    /// Scorecards the member submitted, of `total` applications.
    pub done: u64,
    pub total: u64,
    pub list: crate::components::ListView,
}

pub fn panel_call(ctx: &PageCtx, v: &PanelCallView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &v.title,
        html! {
            p { (tf(l, "panel-progress-text", &[("done", &v.done.to_string()), ("total", &v.total.to_string())])) " · " (t(l, "call-scoring-deadline")) ": " (v.scoring_deadline) }
            @if !v.open { p.flash { (t(l, "error-scoring-not-open")) } }
            @if v.rows.is_empty() {
                p.empty { (t(l, "applications-none-submitted")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "application-reference")) } th { (t(l, "application-title")) } th { (t(l, "field-applicant")) } th { (t(l, "panel-your-state")) } } }
                    tbody { @for r in &v.rows { tr {
                        td { (r.reference) } td { a href=(r.href) { (r.title) } } td { (r.applicant) } td { (t(l, r.state)) }
                    } } }
                }
                (crate::components::list_pager(l, &v.list))
            }
        },
    )
}

/// What a member sees of an application before declaring: only who applied and the title.
pub fn declare(ctx: &PageCtx, app_id: i32, reference: &str, title: &str, applicant: &str, form: &FormView) -> Markup {
    let l = ctx.lang;
    let action = format!("/panel/applications/{app_id}/declaration");
    layout(
        ctx,
        &t(l, "panel-declare-title"),
        html! {
            p { strong { (reference) } " — " (title) " (" (applicant) ")" }
            p { (t(l, "panel-declare-lead")) }
            (error_summary(l, form))
            form method="post" action=(action) {
                (csrf(ctx))
                input type="hidden" name="conflict" value="no";
                button type="submit" { (t(l, "panel-declare-none")) }
            }
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                input type="hidden" name="conflict" value="yes";
                @let error = form.errors.get("note");
                div.field.has-error[error.is_some()] {
                    label for="note" { (t(l, "panel-conflict-note")) }
                    @if let Some(m) = error { p.error id="note-error" { (t(l, m)) } }
                    textarea id="note" name="note" rows="2" { (form.value("note")) }
                }
                button.secondary type="submit" { (t(l, "panel-declare-conflict")) }
            }
        },
    )
}

pub struct CriterionRow {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub max_points: i32,
    pub weight: String,
    pub min_points: Option<i32>,
    pub points: String,
    pub not_applicable: bool,
    pub comment: String,
}

pub struct ScorecardView {
    pub app_id: i32,
    pub reference: String,
    pub title: String,
    pub applicant: String,
    /// (label id, text) of the application's content.
    pub sections: Vec<(&'static str, String)>,
    pub requested: String,
    pub cofinancing: String,
    /// The budget lines as shown: category, description, quantity, unit cost, total.
    pub budget: Vec<Vec<String>>,
    pub budget_total: String,
    /// The saved marks' weighted total, once there are marks.
    pub total: Option<String>,
    /// Scorecards submitted (or recused) of all the call's applications.
    pub progress: (u64, u64),
    /// The next application to score.
    pub next: Option<i32>,
    pub call_id: i32,
    pub documents: Vec<(String, String)>,
    /// The answers to the call's questions: (question, answer).
    pub answers: Vec<(String, String)>,
    pub criteria: Vec<CriterionRow>,
    pub locked: bool,
    pub errors: FormView,
}

pub fn scorecard(ctx: &PageCtx, v: &ScorecardView) -> Markup {
    let l = ctx.lang;
    let action = format!("/panel/applications/{}", v.app_id);
    layout(
        ctx,
        &format!("{} — {}", v.reference, v.title),
        html! {
            p.actions #panel-progress {
                a href={ "/panel/calls/" (v.call_id) } { (tf(l, "panel-card-progress", &[("done", &v.progress.0.to_string()), ("total", &v.progress.1.to_string())])) }
                @if let Some(next) = v.next { a href={ "/panel/applications/" (next) } { (t(l, "panel-next")) } }
            }
            p { (v.applicant) " · " (t(l, "application-requested")) ": " strong { (v.requested) } " · " (t(l, "application-cofinancing")) ": " strong { (v.cofinancing) } }
            @for (label, text) in &v.sections { h2 { (t(l, label)) } p.pre { (text) } }
            (crate::pages::call_form::answers(l, &v.answers))
            h2 { (t(l, "budget-title")) }
            table.budget #panel-budget {
                thead { tr { th { (t(l, "budget-category")) } th { (t(l, "budget-description")) } th.num { (t(l, "budget-quantity")) } th.num { (t(l, "budget-unit-cost")) } th.num { (t(l, "budget-line-total")) } } }
                tbody { @for row in &v.budget { tr {
                    @for (i, cell) in row.iter().enumerate() { td.num[i >= 2] { (cell) } }
                } } }
                tfoot { tr { th colspan="4" { (t(l, "budget-total")) } td.num { strong { (v.budget_total) } } } }
            }
            @if !v.documents.is_empty() {
                h2 { (t(l, "attachments-title")) }
                ul { @for (name, href) in &v.documents { li { a href=(href) download { (name) } } } }
            }
            h2 { (t(l, "panel-scorecard")) }
            @if v.locked { p.flash { (t(l, "error-scorecard-locked")) } }
            @if let Some(total) = &v.total { p #panel-total { (t(l, "panel-weighted-total")) ": " strong { (total) } } }
            (error_summary(l, &v.errors))
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                @for c in &v.criteria {
                    @let field = format!("score-{}", c.id);
                    @let error = v.errors.errors.get(&field);
                    fieldset.has-error[error.is_some()] {
                        legend { (c.name) " (0–" (c.max_points) ", " (t(l, "criterion-weight")) " " (c.weight)
                            @if let Some(min) = c.min_points { ", " (t(l, "criterion-min")) " " (min) } ")" }
                        @if !c.description.is_empty() { p.hint { (c.description) } }
                        @if let Some(m) = error { p.error id={ (field) "-error" } { (t(l, m)) } }
                        input type="hidden" name="criterion" value=(c.id);
                        div.field {
                            label for=(field) { (t(l, "panel-points")) span.visually-hidden { " — " (c.name) } }
                            input id=(field) name="points" type="number" min="0" max=(c.max_points) value=(c.points) disabled[v.locked];
                        }
                        div.field.checkbox {
                            input id={ (field) "-na" } name="not_applicable" type="checkbox" value=(c.id) checked[c.not_applicable] disabled[v.locked];
                            label for={ (field) "-na" } { (t(l, "panel-not-applicable")) }
                        }
                        div.field {
                            label for={ (field) "-comment" } { (t(l, "panel-comment")) }
                            textarea id={ (field) "-comment" } name="comment" rows="2" disabled[v.locked] { (c.comment) }
                        }
                    }
                }
                @if !v.locked {
                    (confirm_box(l, &v.errors, "submit_confirm", &t(l, "panel-submit-confirm")))
                    p.actions {
                        button type="submit" name="action" value="save" { (t(l, "panel-save")) }
                        @if v.next.is_some() { button.secondary type="submit" name="action" value="save_next" { (t(l, "panel-save-next")) } }
                        button type="submit" name="action" value="submit" { (t(l, "panel-submit")) }
                    }
                    p.hint { (t(l, "panel-submit-lead")) }
                }
            }
        },
    )
}
