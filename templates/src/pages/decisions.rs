//! The coordinator's panel page and results page, and the public results page.

use maud::{Markup, html};

use crate::components::{FormView, confirm_box, csrf, error_summary};
use crate::{PageCtx, layout, t, tf};

pub struct PanelMemberRow {
    pub name: String,
    pub chair: bool,
    pub done: usize,
    pub to_do: usize,
    pub recused: usize,
}

pub struct PanelView {
    pub call_id: i32,
    pub call_title: String,
    /// (user id, name, seated, chair)
    pub candidates: Vec<(i32, String, bool, bool)>,
    pub progress: Vec<PanelMemberRow>,
    pub form: FormView,
}

pub fn panel(ctx: &PageCtx, v: &PanelView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &format!("{} — {}", t(l, "manage-panel-title"), v.call_title),
        html! {
            @if !v.progress.is_empty() {
                h2 { (t(l, "manage-panel-progress")) }
                table {
                    thead { tr { th { (t(l, "field-name")) } th { (t(l, "panel-state-submitted")) } th { (t(l, "manage-panel-to-do")) } th { (t(l, "manage-panel-recused")) } } }
                    tbody { @for m in &v.progress { tr.has-error[m.to_do > 0] {
                        td { (m.name) @if m.chair { " (" (t(l, "manage-panel-chair")) ")" } }
                        td.num { (m.done) } td.num { @if m.to_do > 0 { strong { (m.to_do) } } @else { (m.to_do) } } td.num { (m.recused) }
                    } } }
                }
            }
            h2 { (t(l, "manage-panel-members")) }
            @if v.candidates.is_empty() {
                p.empty { (t(l, "manage-panel-no-candidates")) }
            }
            (error_summary(l, &v.form))
            form method="post" action={ "/manage/calls/" (v.call_id) "/panel" } {
                (csrf(ctx))
                fieldset #members {
                    legend { (t(l, "manage-panel-members")) }
                    @for (id, name, seated, _) in &v.candidates {
                        div.field.checkbox {
                            input id={ "member-" (id) } name="member" type="checkbox" value=(id) checked[*seated];
                            label for={ "member-" (id) } { (name) }
                        }
                    }
                }
                div.field {
                    label for="chair" { (t(l, "manage-panel-chair")) }
                    select id="chair" name="chair" {
                        @for (id, name, _, chair) in &v.candidates { option value=(id) selected[*chair] { (name) } }
                    }
                }
                button type="submit" { (t(l, "manage-panel-save")) }
            }
        },
    )
}

pub struct StandingRow {
    pub rank: i32,
    pub app_href: String,
    pub reference: String,
    pub applicant: String,
    pub title: String,
    pub requested: String,
    pub reduced: String,
    pub app_id: i32,
    pub cards: usize,
    pub mean: String,
    pub median: String,
    pub spread: String,
    pub failed: Vec<String>,
    pub outcome: String,
    /// The project of an accepted grant.
    pub project_href: Option<String>,
}

pub struct ResultsView {
    pub call_id: i32,
    pub call_title: String,
    pub status: String,
    pub budget: String,
    pub funded_total: String,
    /// One page of the ranking (all of it in the minutes).
    pub rows: Vec<StandingRow>,
    pub list: crate::components::ListView,
    /// (member, applications scored, mean deviation)
    pub calibration: Vec<(String, usize, String)>,
    pub can_change: bool,
    pub can_lock: bool,
    pub can_reopen: bool,
    pub can_publish: bool,
    /// Members who have applications left to score, with how many ("Name (3)").
    pub unfinished: Vec<String>,
    /// The scoring deadline has not passed yet.
    pub scoring_open: bool,
    pub scoring_deadline: String,
    /// Applicants that publishing will email.
    pub to_tell: u64,
    pub form: FormView,
}

pub fn results(ctx: &PageCtx, v: &ResultsView) -> Markup {
    let l = ctx.lang;
    let base = format!("/manage/calls/{}", v.call_id);
    layout(
        ctx,
        &format!("{} — {}", t(l, "results-title"), v.call_title),
        html! {
            ul.stats {
                li { span.number { (v.status) } span { (t(l, "call-status")) } }
                li { span.number { (v.funded_total) } span { (t(l, "results-funded-total")) } }
                li { span.number { (v.budget) } span { (t(l, "call-budget")) } }
            }
            p.hint { (t(l, "results-rules")) }
            (error_summary(l, &v.form))
            table {
                thead { tr {
                    th { "#" } th { (t(l, "application-reference")) } th { (t(l, "field-applicant")) } th { (t(l, "application-title")) }
                    th { (t(l, "application-requested")) } th { (t(l, "results-reduced")) } th { (t(l, "results-cards")) }
                    th { (t(l, "results-mean")) } th { (t(l, "results-median")) } th { (t(l, "results-spread")) } th { (t(l, "results-outcome")) }
                } }
                tbody { @for r in &v.rows { tr {
                    td.num { (r.rank) } td { (r.reference) } td { (r.applicant) }
                    td { a href=(r.app_href) { (r.title) } @if !r.failed.is_empty() { br; span.error { (t(l, "results-failed")) ": " (r.failed.join(", ")) } } }
                    td.num { (r.requested) }
                    td {
                        @if v.can_change {
                            form.inline method="post" action={ (base) "/reduced" } {
                                (csrf(ctx))
                                input type="hidden" name="application" value=(r.app_id);
                                label.visually-hidden for={ "reduced-" (r.app_id) } { (t(l, "results-reduced")) }
                                input.short id={ "reduced-" (r.app_id) } name="amount" type="text" value=(r.reduced) size="8";
                                button.secondary type="submit" { (t(l, "results-reduced-save")) }
                            }
                        } @else { (r.reduced) }
                    }
                    td.num { (r.cards) } td.num { (r.mean) } td.num { (r.median) } td.num { (r.spread) } td { (r.outcome) @if let Some(href) = &r.project_href { " " a href=(href) { (t(l, "project-open")) } } }
                } } }
            }
            (crate::components::list_pager(l, &v.list))
            @if !v.calibration.is_empty() {
                h2 { (t(l, "results-calibration")) }
                p.hint { (t(l, "results-calibration-lead")) }
                table {
                    thead { tr { th { (t(l, "field-name")) } th { (t(l, "results-cards")) } th { (t(l, "results-deviation")) } } }
                    tbody { @for (name, n, dev) in &v.calibration { tr { td { (name) } td.num { (n) } td.num { (dev) } } } }
                }
            }
            p.actions {
                a.button.secondary href={ (base) "/minutes" } { (t(l, "minutes-title")) }
                a.button.secondary href={ (base) "/export.csv" } { (t(l, "results-export-csv")) }
                a.button.secondary href={ (base) "/export.xlsx" } { (t(l, "results-export-xlsx")) }
                a.button.secondary href={ (base) "/scores.csv" } { (t(l, "scores-export-csv")) }
            }
            @if v.can_lock {
                form method="post" action={ (base) "/lock" } {
                    (csrf(ctx))
                    p { (t(l, "results-lock-lead")) }
                    @if v.scoring_open || !v.unfinished.is_empty() {
                        div.notice role="note" {
                            @if v.scoring_open { p { (tf(l, "results-lock-early", &[("deadline", &v.scoring_deadline)])) } }
                            @if !v.unfinished.is_empty() { p { (t(l, "results-lock-unfinished")) " " (v.unfinished.join(", ")) } }
                        }
                    }
                    (confirm_box(l, &v.form, "lock_confirm", &t(l, "results-lock-confirm")))
                    button type="submit" { (t(l, "results-lock")) }
                }
            }
            @if v.can_reopen {
                form method="post" action={ (base) "/reopen" } novalidate {
                    (csrf(ctx))
                    @let error = v.form.errors.get("reason");
                    div.field.has-error[error.is_some()] {
                        label for="reason" { (t(l, "results-reopen-reason")) }
                        @if let Some(m) = error { p.error id="reason-error" { (t(l, m)) } }
                        textarea id="reason" name="reason" rows="2" { (v.form.value("reason")) }
                    }
                    button.secondary type="submit" { (t(l, "results-reopen")) }
                }
            }
            @if v.can_publish {
                form method="post" action={ (base) "/publish-results" } {
                    (csrf(ctx))
                    p { (t(l, "results-publish-lead")) }
                    (confirm_box(l, &v.form, "publish_confirm", &tf(l, "results-publish-confirm", &[("count", &v.to_tell.to_string())])))
                    button type="submit" { (t(l, "results-publish")) }
                }
            }
        },
    )
}

/// (rank, reference, applicant, project, outcome, amount, score)
pub type PublicRow = (i32, String, String, String, String, String, String);

pub fn public_results(ctx: &PageCtx, call_id: i32, call_title: &str, rows: &[PublicRow]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &tf(l, "public-results-title", &[("call", call_title)]),
        html! {
            p.hint { (t(l, "results-rules")) }
            table {
                thead { tr { th { "#" } th { (t(l, "application-reference")) } th { (t(l, "field-applicant")) } th { (t(l, "application-title")) } th { (t(l, "results-mean")) } th { (t(l, "results-outcome")) } th { (t(l, "results-amount")) } } }
                tbody { @for (rank, reference, applicant, title, outcome, amount, score) in rows { tr {
                    td.num { (rank) } td { (reference) } td { (applicant) } td { (title) } td.num { (score) } td { (outcome) } td.num { (amount) }
                } } }
            }
            p { a href={ "/api/v1/calls/" (call_id) "/results" } { (t(l, "calls-json")) } }
        },
    )
}
