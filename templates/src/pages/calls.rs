//! Calls: the coordinator's list and form, the published call's management page, and the
//! public pages (open calls, past calls, one call).

use maud::{Markup, html};

use crate::components::{
    FormView, Input, ListView, checkbox, confirm_box, csrf, error_summary, field, list_pager, list_tools, textarea,
};
use crate::{Lang, NavLink, PageCtx, layout, t, tf};

/// A call in a list.
pub struct CallRow {
    pub href: String,
    pub title: String,
    pub municipality: String,
    pub budget: String,
    pub status: String,
    pub opens: String,
    pub closes: String,
    /// "3 d 4 h" until the deadline, or empty when it has passed.
    pub time_left: String,
    pub applications: Option<u64>,
}

fn call_table(lang: Lang, rows: &[CallRow], empty: &str) -> Markup {
    html! {
        @if rows.is_empty() {
            p.empty { (t(lang, empty)) }
        } @else {
            table.stack {
                thead { tr {
                    th { (t(lang, "call-title")) } th { (t(lang, "call-municipality")) } th.num { (t(lang, "call-budget")) }
                    th { (t(lang, "call-closes")) } th { (t(lang, "call-status")) }
                    @if rows.iter().any(|r| r.applications.is_some()) { th.num { (t(lang, "call-applications")) } }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            td data-label=(t(lang, "call-title")) { a href=(r.href) { (r.title) } }
                            td data-label=(t(lang, "call-municipality")) { (r.municipality) }
                            td.num data-label=(t(lang, "call-budget")) { (r.budget) }
                            td data-label=(t(lang, "call-closes")) { span { (r.closes) @if !r.time_left.is_empty() { br; span.hint { (r.time_left) } } } }
                            td data-label=(t(lang, "call-status")) { (r.status) }
                            @if let Some(n) = r.applications { td.num data-label=(t(lang, "call-applications")) { (n) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn public_list(
    ctx: &PageCtx,
    title: &str,
    rows: &[CallRow],
    list: &ListView,
    empty: &str,
    other: NavLink,
) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, title),
        html! {
            p { (t(l, "calls-times-riga")) }
            (list_tools(l, list, "list-search-calls", html! {}))
            (call_table(l, rows, empty))
            (list_pager(l, list))
            p { a href=(other.href) { (other.label) } }
            p { a href="/api/v1/calls" { (t(l, "calls-json")) } }
        },
    )
}

pub fn manage_list(ctx: &PageCtx, rows: &[CallRow], list: &ListView, new_links: &[NavLink]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "manage-calls-title"),
        html! {
            @for link in new_links { p { a.button href=(link.href) { (link.label) } } }
            (list_tools(l, list, "list-search-calls", html! {}))
            (call_table(l, rows, if list.search.is_empty() { "manage-calls-empty" } else { "list-none-found" }))
            (list_pager(l, list))
        },
    )
}

/// A published call, as its details are shown to everyone.
pub struct CallDetail {
    pub title: String,
    pub municipality: String,
    pub status: String,
    pub description: String,
    pub aims: String,
    pub eligibility: String,
    pub opens: String,
    pub closes: String,
    pub time_left: String,
    pub scoring_deadline: String,
    pub budget: String,
    pub grants: String,
    pub cofinancing: String,
    pub informal_groups: bool,
    /// What the call sets for funded projects; `None` for calls made before it did.
    pub terms: Option<TermsView>,
    pub requirements: Vec<String>,
    /// (name, description, max points, weight, minimum points)
    pub criteria: Vec<(String, String, String, String, String)>,
}

/// A call's terms for funded projects, as read.
pub struct TermsView {
    pub period: String,
    pub advance: String,
    /// Empty when the call asks for no interim report.
    pub interim_report: String,
    pub final_report: String,
    pub accept_days: String,
}

fn detail_body(lang: Lang, d: &CallDetail) -> Markup {
    html! {
        dl {
            dt { (t(lang, "call-municipality")) } dd { (d.municipality) }
            dt { (t(lang, "call-status")) } dd { (d.status) }
            dt { (t(lang, "call-opens")) } dd { (d.opens) }
            dt { (t(lang, "call-closes")) } dd { strong { (d.closes) } @if !d.time_left.is_empty() { " (" (d.time_left) ")" } }
            dt { (t(lang, "call-budget")) } dd { (d.budget) }
            dt { (t(lang, "call-grants")) } dd { (d.grants) }
            dt { (t(lang, "call-cofinancing")) } dd { (d.cofinancing) }
            dt { (t(lang, "call-informal-groups")) } dd { (t(lang, if d.informal_groups { "yes" } else { "no" })) }
            dt { (t(lang, "call-scoring-deadline")) } dd { (d.scoring_deadline) }
        }
        @if let Some(terms) = &d.terms {
            h2 { (t(lang, "call-terms")) }
            dl {
                dt { (t(lang, "call-project-period")) } dd { (terms.period) }
                dt { (t(lang, "call-advance")) } dd { (terms.advance) }
                @if !terms.interim_report.is_empty() { dt { (t(lang, "call-interim-report")) } dd { (terms.interim_report) } }
                dt { (t(lang, "call-final-report")) } dd { (terms.final_report) }
                dt { (t(lang, "call-accept-days")) } dd { (terms.accept_days) }
            }
        }
        h2 { (t(lang, "field-description")) } p.pre { (d.description) }
        h2 { (t(lang, "field-aims")) } p.pre { (d.aims) }
        h2 { (t(lang, "field-eligibility")) } p.pre { (d.eligibility) }
        @if !d.requirements.is_empty() {
            h2 { (t(lang, "call-requirements")) }
            ul { @for r in &d.requirements { li { (r) } } }
        }
        h2 { (t(lang, "call-criteria")) }
        table {
            thead { tr { th { (t(lang, "criterion-name")) } th { (t(lang, "criterion-max")) } th { (t(lang, "criterion-weight")) } th { (t(lang, "criterion-min")) } } }
            tbody { @for (name, description, max, weight, min) in &d.criteria {
                tr { td { (name) @if !description.is_empty() { br; span.hint { (description) } } } td.num { (max) } td.num { (weight) } td.num { (min) } }
            } }
        }
    }
}

/// The public page of a call; `apply` lists the applicants the visitor may apply for, and
/// `no_apply` says why there are none.
#[expect(clippy::too_many_arguments, reason = "the parts of one page, each named at the call")]
pub fn public_page(
    ctx: &PageCtx,
    id: i32,
    d: &CallDetail,
    accepting: bool,
    apply: &[(String, String)],
    no_apply: &str,
    files: &[CallFileRow],
    results_published: bool,
) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &d.title,
        html! {
            @if results_published {
                p.notice #results-link role="status" { (t(l, "call-results-published")) " " a href={ "/calls/" (id) "/results" } { (t(l, "call-results-open")) } }
            }
            (detail_body(l, d))
            (file_list(l, files))
            section {
                h2 { (t(l, "call-apply")) }
                @if !accepting {
                    p { (t(l, "call-not-accepting")) }
                } @else if ctx.user.is_none() {
                    p { (t(l, "call-apply-login")) " " a href={ "/login?next=/calls/" (id) } { (t(l, "nav-login")) } " · " a href="/register" { (t(l, "nav-register")) } }
                } @else if apply.is_empty() {
                    p { (t(l, no_apply)) }
                } @else {
                    form method="post" action={ "/calls/" (id) "/apply" } {
                        (csrf(ctx))
                        @if apply.len() > 1 {
                            div.field {
                                label for="applicant" { (t(l, "field-applicant")) }
                                select id="applicant" name="applicant" { @for (value, name) in apply { option value=(value) { (name) } } }
                            }
                        } @else {
                            input type="hidden" name="applicant" value=(apply[0].0);
                        }
                        button type="submit" { (t(l, "call-apply-start")) }
                    }
                }
            }
            p { a href={ "/api/v1/calls/" (id) } { (t(l, "calls-json")) } }
        },
    )
}

/// The coordinator's page of a published call: its details, the deadline extension form and
/// the way to its applications.
pub fn manage_published(ctx: &PageCtx, id: i32, d: &CallDetail, extend: &FormView, can_extend: bool) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &d.title,
        html! {
            p.actions {
                a.button href={ "/manage/calls/" (id) "/applications" } { (t(l, "call-applications")) }
                a.button.secondary href={ "/manage/calls/" (id) "/panel" } { (t(l, "manage-panel-title")) }
                a.button.secondary href={ "/manage/calls/" (id) "/results" } { (t(l, "results-title")) }
                a href={ "/calls/" (id) } { (t(l, "call-public-page")) }
                " · "
                a href={ "/manage/calls/" (id) "/files" } { (t(l, "call-files-manage")) }
                " · "
                a href={ "/manage/calls/" (id) "/form" } { (t(l, "call-form-manage")) }
            }
            form.inline method="post" action={ "/manage/calls/" (id) "/copy" } {
                (csrf(ctx))
                button.secondary type="submit" { (t(l, "call-copy")) }
            }
            p.hint { (t(l, "call-frozen")) }
            @if can_extend {
                section {
                    h2 { (t(l, "call-extend")) }
                    (error_summary(l, extend))
                    form method="post" action={ "/manage/calls/" (id) "/deadline" } novalidate {
                        (csrf(ctx))
                        (field(l, extend, "closes_at", "call-new-deadline", Input { kind: "datetime-local", hint: Some("hint-riga-time"), ..Input::TEXT }))
                        button type="submit" { (t(l, "call-extend-submit")) }
                    }
                }
            }
            (detail_body(l, d))
        },
    )
}

/// The call form: values as typed, requirement and criterion rows added and removed on the
/// server (no script needed).
pub struct CallFormView {
    pub action: String,
    pub municipality: String,
    pub form: FormView,
    pub requirements: Vec<String>,
    /// (name, description, max points, weight, minimum points) as typed.
    pub criteria: Vec<[String; 5]>,
    /// Shown once the call is saved: the publish button.
    pub publish_action: Option<String>,
}

pub fn edit(ctx: &PageCtx, title: &str, v: &CallFormView) -> Markup {
    let l = ctx.lang;
    let f = &v.form;
    let dt = Input {
        kind: "datetime-local",
        hint: Some("hint-riga-time"),
        ..Input::TEXT
    };
    html! {
        (layout(ctx, title, html! {
            p.org-name { (v.municipality) }
            // A saved draft (the one with a publish button) has its files page at its own address.
            @if v.publish_action.is_some() {
                p.actions {
                    a href={ (v.action) "/files" } { (t(l, "call-files-manage")) }
                    " · " a href={ (v.action) "/form" } { (t(l, "call-form-manage")) }
                }
                form.inline method="post" action={ (v.action) "/copy" } {
                    (csrf(ctx))
                    button.secondary type="submit" { (t(l, "call-copy")) }
                }
            }
            (error_summary(l, f))
            form method="post" action=(v.action) novalidate {
                (csrf(ctx))
                (field(l, f, "title", "field-title", Input::TEXT))
                (textarea(l, f, "description", "field-description", 5))
                (textarea(l, f, "aims", "field-aims", 3))
                (textarea(l, f, "eligibility", "field-eligibility", 3))
                (checkbox(l, f, "allow_informal_groups", "field-allow-informal-groups"))
                (field(l, f, "ref_prefix", "field-ref-prefix", Input { hint: Some("hint-ref-prefix"), ..Input::TEXT }))
                fieldset {
                    legend { (t(l, "call-dates")) }
                    (field(l, f, "opens_at", "call-opens", dt))
                    (field(l, f, "closes_at", "call-closes", dt))
                    (field(l, f, "scoring_deadline", "call-scoring-deadline", dt))
                }
                fieldset {
                    legend { (t(l, "call-money")) }
                    (field(l, f, "budget", "call-budget", Input { hint: Some("hint-eur"), ..Input::TEXT }))
                    (field(l, f, "min_grant", "field-min-grant", Input { hint: Some("hint-eur"), ..Input::TEXT }))
                    (field(l, f, "max_grant", "field-max-grant", Input { hint: Some("hint-eur"), ..Input::TEXT }))
                    (field(l, f, "cofinancing_percent", "field-cofinancing-percent", Input { hint: Some("hint-cofinancing"), ..Input::TEXT }))
                }
                fieldset {
                    legend { (t(l, "call-terms")) }
                    p.hint { (t(l, "hint-call-terms")) }
                    (field(l, f, "project_starts_on", "field-project-starts", Input { kind: "date", ..Input::TEXT }))
                    (field(l, f, "project_ends_on", "field-project-ends", Input { kind: "date", ..Input::TEXT }))
                    (field(l, f, "advance_percent", "field-advance-percent", Input { hint: Some("hint-advance"), ..Input::TEXT }))
                    (field(l, f, "interim_report_on", "field-interim-report", Input { kind: "date", hint: Some("hint-interim-report"), ..Input::TEXT }))
                    (field(l, f, "final_report_days", "field-final-report-days", Input { hint: Some("hint-final-report-days"), ..Input::TEXT }))
                    (field(l, f, "accept_days", "field-accept-days", Input { hint: Some("hint-accept-days"), ..Input::TEXT }))
                }
                fieldset {
                    legend { (t(l, "call-requirements")) }
                    p.hint { (t(l, "hint-requirements")) }
                    @for (i, r) in v.requirements.iter().enumerate() {
                        @let name = format!("requirement-{i}");
                        div.field.row.has-error[f.errors.get(&name).is_some()] {
                            label for=(name) { (t(l, "field-requirement")) " " (i + 1) }
                            @if let Some(m) = f.errors.get(&name) { p.error id={ (name) "-error" } { (t(l, m)) } }
                            input id=(name) name="requirement" type="text" value=(r);
                            button.secondary type="submit" name="action" value={ "remove_requirement-" (i) } formnovalidate { (t(l, "row-remove")) }
                        }
                    }
                    button.secondary type="submit" name="action" value="add_requirement" { (t(l, "row-add-requirement")) }
                }
                fieldset {
                    legend { (t(l, "call-criteria")) }
                    @if let Some(m) = f.errors.get("criteria") { p.error id="criteria" { (t(l, m)) } }
                    @for (i, c) in v.criteria.iter().enumerate() {
                        div.criterion {
                            @for (j, (key, label)) in [("name", "criterion-name"), ("description", "criterion-description"), ("max_points", "criterion-max"), ("weight", "criterion-weight"), ("min_points", "criterion-min")].into_iter().enumerate() {
                                @let id = format!("criterion-{i}-{key}");
                                div.field.has-error[f.errors.get(&id).is_some()] {
                                    label for=(id) { (t(l, label)) }
                                    @if let Some(m) = f.errors.get(&id) { p.error id={ (id) "-error" } { (t(l, m)) } }
                                    input id=(id) name={ "criterion_" (key) } type="text" value=(c[j]);
                                }
                            }
                            button.secondary type="submit" name="action" value={ "remove_criterion-" (i) } { (t(l, "row-remove")) }
                        }
                    }
                    button.secondary type="submit" name="action" value="add_criterion" { (t(l, "row-add-criterion")) }
                }
                p { button type="submit" name="action" value="save" { (t(l, "call-save")) } }
            }
            @if let Some(publish) = &v.publish_action {
                form method="post" action=(publish) {
                    (csrf(ctx))
                    p { (t(l, "call-publish-lead")) }
                    (confirm_box(l, f, "publish_call_confirm", &t(l, "call-publish-confirm")))
                    button type="submit" { (t(l, "call-publish")) }
                }
            }
        }))
    }
}

/// A file of a call as its pages list it.
pub struct CallFileRow {
    pub id: i32,
    pub href: String,
    pub title: String,
    pub name: String,
    pub size: String,
}

/// The list of a call's files (the regulation and its annexes).
pub fn file_list(l: Lang, rows: &[CallFileRow]) -> Markup {
    html! {
        @if !rows.is_empty() {
            h2 { (t(l, "call-files")) }
            ul #call-files { @for f in rows { li { a href=(f.href) { (f.title) } " (" (f.name) ", " (f.size) ")" } } }
        }
    }
}

/// The coordinator's page of a call's files: the list, with removal while a draft, and an
/// upload form.
pub fn files_page(
    ctx: &PageCtx,
    call_title: &str,
    id: i32,
    draft: bool,
    rows: &[CallFileRow],
    form: &FormView,
) -> Markup {
    let l = ctx.lang;
    let base = format!("/manage/calls/{id}/files");
    layout(
        ctx,
        &tf(l, "call-files-title", &[("call", call_title)]),
        html! {
            (error_summary(l, form))
            p.actions { a href={ "/manage/calls/" (id) } { (t(l, "call-files-back")) } }
            @if rows.is_empty() {
                p.empty { (t(l, "call-files-none")) }
            } @else {
                ul #call-files { @for f in rows { li {
                    a href=(f.href) { (f.title) } " (" (f.name) ", " (f.size) ")"
                    @if draft { " " form.inline method="post" action={ (base) "/" (f.id) "/delete" } { (csrf(ctx)) button.link type="submit" { (t(l, "report-expense-remove")) } } }
                } } }
            }
            h2 { (t(l, "call-files-add")) }
            form method="post" action={ (base) "?_csrf=" (ctx.csrf) } enctype="multipart/form-data" novalidate {
                (field(l, form, "title", "call-file-title", Input { hint: Some("call-file-title-hint"), ..Input::TEXT }))
                @let error = form.error("file");
                div.field.has-error[error.is_some()] {
                    label for="file" { (t(l, "call-file")) }
                    p.hint id="file-hint" { (t(l, "call-file-hint")) }
                    @if let Some(m) = error { p.error id="file-error" { (t(l, m)) } }
                    input id="file" name="file" type="file" accept=".pdf,.docx,.xlsx,.odt,.ods" required aria-describedby="file-hint";
                }
                button type="submit" { (t(l, "call-files-add")) }
            }
        },
    )
}
