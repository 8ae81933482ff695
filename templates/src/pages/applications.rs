//! Applications: the applicant's list, the draft form (budget lines added and removed on the
//! server), the read-only view of a submitted application, the application as a document (a
//! printable page and a PDF), the withdrawal confirmation.

use maud::{Markup, html};

use crate::components::{FormView, Input, ListView, csrf, error_summary, field, list_pager, list_tools, textarea};
use crate::pages::call_form::{self, FormSpec};
use crate::pdf::{Block, Column};
use crate::{Lang, PageCtx, layout, t, tf};
use entities::entity::call_question::QuestionKind;

pub struct LineView {
    pub category: String,
    pub description: String,
    pub quantity: String,
    pub unit_cost: String,
    pub total: String,
}

pub struct AttachmentView {
    pub name: String,
    pub href: String,
    pub size: String,
    pub kind: String,
    /// What it is: the required document or question it answers (empty: neither).
    pub purpose: String,
    /// The delete form's action, while the application is a draft.
    pub delete: Option<String>,
}

pub struct ApplicationView {
    pub id: i32,
    pub title: String,
    pub call_title: String,
    pub call_href: String,
    pub applicant: String,
    pub status: String,
    pub reference: Option<String>,
    pub deadline: String,
    pub time_left: String,
    pub limits: String,
    pub submitted_at: Option<String>,
    pub form: FormView,
    pub lines: Vec<LineView>,
    /// (value, label)
    pub categories: Vec<(String, String)>,
    pub budget_total: String,
    pub requested: String,
    pub cofinancing: String,
    pub attachments: Vec<AttachmentView>,
    pub upload_hint: String,
    pub submit_key: String,
    pub can_withdraw: bool,
    /// A draft its applicant may still change (its call accepts applications).
    pub editable: bool,
    /// A draft whose call no longer accepts applications: shown read-only, with that said.
    pub past_deadline: bool,
    /// Compliance sections (the coordinator's tools, or the applicant's questions).
    pub extra: Markup,
    /// The call's own questions, required documents and budget categories.
    pub spec: FormSpec,
    /// The answers to the call's questions, as read: (question, answer).
    pub answers: Vec<(String, String)>,
    /// The call's coordinator previews the form (this is the way back to the form's builder):
    /// it is drawn as an applicant sees it, its buttons disabled (nothing is sent).
    pub preview: Option<String>,
    /// The budget line to open the page at (one was just added or removed), or the button that
    /// adds one (the last was removed).
    pub focus_line: Option<usize>,
    pub focus_add: bool,
}

impl ApplicationView {
    /// Where the form's files go (nowhere in a preview: the upload buttons are disabled).
    fn upload_action(&self, ctx: &PageCtx) -> String {
        if self.preview.is_some() {
            return String::new();
        }
        format!("/applications/{}/attachments?_csrf={}", self.id, ctx.csrf)
    }
}

fn header(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    html! {
        dl {
            dt { (t(l, "call-title")) } dd { a href=(v.call_href) { (v.call_title) } }
            dt { (t(l, "field-applicant")) } dd { (v.applicant) }
            dt { (t(l, "call-status")) } dd { strong { (v.status) } }
            @if let Some(r) = &v.reference { dt { (t(l, "application-reference")) } dd { strong { (r) } } }
            @if let Some(at) = &v.submitted_at { dt { (t(l, "application-submitted-at")) } dd { (at) } }
            dt { (t(l, "call-closes")) } dd { (v.deadline) @if !v.time_left.is_empty() { " (" (v.time_left) ")" } }
            dt { (t(l, "application-limits")) } dd { (v.limits) }
        }
    }
}

fn attachments(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    html! {
        section {
            h2 { (t(l, "attachments-title")) }
            @if v.attachments.is_empty() {
                p.empty { (t(l, "attachments-empty")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "attachment-name")) } th { (t(l, "attachment-purpose")) } th { (t(l, "attachment-kind")) } th { (t(l, "attachment-size")) } @if v.editable { th { span.visually-hidden { (t(l, "table-actions")) } } } } }
                    tbody { @for a in &v.attachments { tr {
                        td { a href=(a.href) download { (a.name) } }
                        td { (a.purpose) }
                        td { (a.kind) }
                        td.num { (a.size) }
                        @if let Some(action) = &a.delete {
                            td { form.inline method="post" action=(action) { (csrf(ctx)) button.secondary type="submit" { (t(l, "attachment-delete")) } } }
                        }
                    } } }
                }
            }
        }
    }
}

/// The file field of the draft form. Its button sends the whole form, as multipart, to the
/// upload address, so that what was typed above it is saved with the document.
fn upload_field(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    let error = v.form.errors.get("file");
    let action = v.upload_action(ctx);
    html! {
        @let file_questions: Vec<_> = v.spec.questions.iter().filter(|q| q.kind == QuestionKind::File).collect();
        @if !v.spec.documents.is_empty() || !file_questions.is_empty() {
            fieldset #required-documents {
                legend { (t(l, "call-form-documents")) }
                @for d in &v.spec.documents { (call_form::document_field(l, d, &v.form, &action)) }
                @for q in file_questions { (call_form::question_field(l, q, &v.form, &action)) }
            }
        }
        div.field.has-error[error.is_some()] {
            label for="file" { (t(l, if v.spec.documents.is_empty() { "attachment-upload-label" } else { "attachment-upload-other" })) }
            p.hint id="file-hint" { (v.upload_hint) }
            @if let Some(m) = error { p.error id="file-error" { (t(l, m)) } }
            input id="file" name="file" type="file" aria-describedby="file-hint"
                aria-invalid=[error.map(|_| "true")]
                accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.ods";
            " "
            button.secondary type="submit" formenctype="multipart/form-data" formaction=(action) disabled[v.preview.is_some()] { (t(l, "attachment-upload")) }
        }
    }
}

pub fn edit(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    let f = &v.form;
    let money = Input {
        hint: Some("hint-eur"),
        required: false,
        ..Input::TEXT
    };
    layout(
        ctx,
        &v.title,
        html! {
            @if let Some(back) = &v.preview {
                p.notice role="status" { (t(l, "call-preview-notice")) }
                p.actions { a href=(back) { (t(l, "call-preview-back")) } }
            }
            (header(ctx, v))
            p.hint { (t(l, "application-draft-lead")) }
            (error_summary(l, f))
            form method="post" action={ "/applications/" (v.id) } novalidate {
                (csrf(ctx))
                input type="hidden" name="submit_key" value=(v.submit_key);
                (field(l, f, "title", "application-title", Input { required: false, ..Input::TEXT }))
                (textarea(l, f, "summary", "application-summary", 4))
                (textarea(l, f, "target_group", "application-target-group", 3))
                (textarea(l, f, "activities", "application-activities", 6))
                (textarea(l, f, "timeline", "application-timeline", 4))
                (field(l, f, "requested", "application-requested", money))
                (field(l, f, "cofinancing", "application-cofinancing", money))
                @if v.spec.questions.iter().any(|q| q.kind != QuestionKind::File) {
                    fieldset #call-questions {
                        legend { (t(l, "call-form-questions")) }
                        @for q in v.spec.questions.iter().filter(|q| q.kind != QuestionKind::File) { (call_form::question_field(l, q, f, "")) }
                    }
                }
                fieldset {
                    legend { (t(l, "budget-title")) }
                    @if let Some(m) = f.errors.get("lines") { p.error id="lines" { (t(l, m)) } }
                    @if v.spec.categories.iter().any(|k| !k.cap.is_empty()) {
                        ul.hint #caps { @for k in v.spec.categories.iter().filter(|k| !k.cap.is_empty()) {
                            @let id = format!("cap-{}", k.id);
                            li id=(id) { (k.name) ": " (k.cap)
                                @if let Some(m) = f.errors.get(&id) { " " strong.error id={ (id) "-error" } { (t(l, m)) } } }
                        } }
                    }
                    table.budget {
                        thead { tr {
                            th { (t(l, "budget-category")) } th { (t(l, "budget-description")) } th { (t(l, "budget-quantity")) }
                            th { (t(l, "budget-unit-cost")) } th { (t(l, "budget-line-total")) } th { span.visually-hidden { (t(l, "table-actions")) } }
                        } }
                        tbody {
                            @for (i, line) in v.lines.iter().enumerate() {
                                tr {
                                    @for (key, value) in [("category", &line.category), ("description", &line.description), ("quantity", &line.quantity), ("unit_cost", &line.unit_cost)] {
                                        @let id = format!("line-{i}-{key}");
                                        @let error = f.errors.get(&id);
                                        td.has-error[error.is_some()] {
                                            label.cell-label for=(id) { (t(l, &format!("budget-{}", key.replace('_', "-")))) span.visually-hidden { " " (i + 1) } }
                                            @if key == "category" {
                                                select id=(id) name="line_category" autofocus[v.focus_line == Some(i)] {
                                                    @for (cv, cl) in &v.categories { option value=(cv) selected[cv == value] { (cl) } }
                                                }
                                            } @else {
                                                input id=(id) name={ "line_" (key) } type="text" value=(value) aria-invalid=[error.map(|_| "true")];
                                            }
                                            @if let Some(m) = error { p.error id={ (id) "-error" } { (t(l, m)) } }
                                        }
                                    }
                                    td.num data-label=(t(l, "budget-line-total")) { (line.total) }
                                    td { button.secondary type="submit" name="action" value={ "remove_line-" (i) } disabled[v.preview.is_some()] { (t(l, "row-remove")) } }
                                }
                            }
                        }
                        tfoot { tr { th colspan="4" { (t(l, "budget-total")) } td.num { strong { (v.budget_total) } } td {} } }
                    }
                    button.secondary type="submit" name="action" value="add_line" disabled[v.preview.is_some()] autofocus[v.focus_add] { (t(l, "budget-add-line")) }
                }
                (upload_field(ctx, v))
                p.actions {
                    button type="submit" name="action" value="save" disabled[v.preview.is_some()] { (t(l, "application-save")) }
                    " "
                    button type="submit" name="action" value="submit" disabled[v.preview.is_some()] { (t(l, "application-submit")) }
                }
                p.hint { (t(l, "application-submit-lead")) }
            }
            (attachments(ctx, v))
            (v.extra)
            @if v.preview.is_none() {
                section #delete-draft {
                    h2 { (t(l, "application-delete")) }
                    p.hint { (t(l, "application-delete-lead")) }
                    (crate::components::confirmed_action(ctx, &format!("/applications/{}/delete", v.id), v.id, "application-delete-confirm", "application-delete"))
                }
            }
        },
    )
}

pub fn view(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    let value = |k: &str| v.form.value(k).to_owned();
    layout(
        ctx,
        &v.title,
        html! {
            @if v.past_deadline {
                p.notice role="status" { (t(l, "application-draft-past-deadline")) }
            }
            (header(ctx, v))
            @for (key, label) in [("summary", "application-summary"), ("target_group", "application-target-group"), ("activities", "application-activities"), ("timeline", "application-timeline")] {
                h2 { (t(l, label)) } p.pre { (value(key)) }
            }
            (call_form::answers(l, &v.answers))
            dl {
                dt { (t(l, "application-requested")) } dd { (v.requested) }
                dt { (t(l, "application-cofinancing")) } dd { (v.cofinancing) }
            }
            h2 { (t(l, "budget-title")) }
            table.stack {
                thead { tr { th { (t(l, "budget-category")) } th { (t(l, "budget-description")) } th.num { (t(l, "budget-quantity")) } th.num { (t(l, "budget-unit-cost")) } th.num { (t(l, "budget-line-total")) } } }
                tbody { @for line in &v.lines { tr {
                    td data-label=(t(l, "budget-category")) { (line.category) }
                    td data-label=(t(l, "budget-description")) { (line.description) }
                    td.num data-label=(t(l, "budget-quantity")) { (line.quantity) }
                    td.num data-label=(t(l, "budget-unit-cost")) { (line.unit_cost) }
                    td.num data-label=(t(l, "budget-line-total")) { (line.total) }
                } } }
                tfoot { tr { th colspan="4" { (t(l, "budget-total")) } td.num data-label=(t(l, "budget-total")) { strong { (v.budget_total) } } } }
            }
            @if v.submitted_at.is_some() {
                p { a href={ "/applications/" (v.id) "/document" } { (t(l, "application-document")) } }
            }
            (attachments(ctx, v))
            (v.extra)
            @if v.can_withdraw {
                p { a.button.secondary href={ "/applications/" (v.id) "/withdraw" } { (t(l, "application-withdraw")) } }
            }
        },
    )
}

/// The submitted application as a document: what the applicant sent (texts, answers to the
/// call's questions, money, budget, the documents attached), in the reader's language.
pub fn document_blocks(l: Lang, v: &ApplicationView) -> Vec<Block> {
    let value = |k: &str| v.form.value(k).to_owned();
    let mut blocks = vec![
        Block::Title(tf(
            l,
            "application-document-heading",
            &[
                ("reference", v.reference.as_deref().unwrap_or("—")),
                ("title", &v.title),
            ],
        )),
        Block::Field(t(l, "call-title"), v.call_title.clone()),
        Block::Field(t(l, "field-applicant"), v.applicant.clone()),
        Block::Field(t(l, "application-reference"), v.reference.clone().unwrap_or_default()),
        Block::Field(
            t(l, "application-submitted-at"),
            v.submitted_at.clone().unwrap_or_default(),
        ),
        Block::Field(t(l, "call-status"), v.status.clone()),
    ];
    for (key, label) in [
        ("summary", "application-summary"),
        ("target_group", "application-target-group"),
        ("activities", "application-activities"),
        ("timeline", "application-timeline"),
    ] {
        blocks.push(Block::Heading(t(l, label)));
        blocks.push(Block::Paragraph(value(key)));
    }
    if !v.answers.is_empty() {
        blocks.push(Block::Heading(t(l, "call-form-answers")));
        blocks.extend(v.answers.iter().map(|(q, a)| Block::Field(q.clone(), a.clone())));
    }
    blocks.extend([
        Block::Heading(t(l, "budget-title")),
        Block::Field(t(l, "application-requested"), v.requested.clone()),
        Block::Field(t(l, "application-cofinancing"), v.cofinancing.clone()),
        Block::Table(
            vec![
                Column::new(t(l, "budget-category"), 3, false),
                Column::new(t(l, "budget-description"), 5, false),
                Column::new(t(l, "budget-quantity"), 2, true),
                Column::new(t(l, "budget-unit-cost"), 3, true),
                Column::new(t(l, "budget-line-total"), 3, true),
            ],
            v.lines
                .iter()
                .map(|x| {
                    vec![
                        x.category.clone(),
                        x.description.clone(),
                        x.quantity.clone(),
                        x.unit_cost.clone(),
                        x.total.clone(),
                    ]
                })
                .collect(),
        ),
        Block::Field(t(l, "budget-total"), v.budget_total.clone()),
        Block::Heading(t(l, "attachments-title")),
    ]);
    if v.attachments.is_empty() {
        blocks.push(Block::Paragraph(t(l, "attachments-empty")));
    } else {
        blocks.push(Block::Table(
            vec![
                Column::new(t(l, "attachment-name"), 5, false),
                Column::new(t(l, "attachment-purpose"), 5, false),
                Column::new(t(l, "attachment-size"), 2, true),
            ],
            v.attachments
                .iter()
                .map(|a| vec![a.name.clone(), a.purpose.clone(), a.size.clone()])
                .collect(),
        ));
    }
    blocks
}

/// The line on every page of the document: its number and when it was submitted.
fn document_running(l: Lang, v: &ApplicationView) -> String {
    tf(
        l,
        "application-document-running",
        &[
            ("reference", v.reference.as_deref().unwrap_or("—")),
            ("at", v.submitted_at.as_deref().unwrap_or("—")),
        ],
    )
}

/// The application as a PDF, its number and submission time at the foot of every page.
pub fn document_pdf(l: Lang, v: &ApplicationView) -> Vec<u8> {
    crate::pdf::render(&document_blocks(l, v), &document_running(l, v))
}

/// The application as a printable page. Printed, the site's header, footer and links drop
/// away and the frame's heading row - the number and submission time - repeats on every page.
pub fn document_page(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    let back = format!("/applications/{}", v.id);
    crate::pdf::printable(
        ctx,
        &document_blocks(l, v),
        (&back, "application-document-back"),
        &format!("{back}/document.pdf"),
        &document_running(l, v),
    )
}

pub fn confirm_withdraw(ctx: &PageCtx, v: &ApplicationView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "application-withdraw"),
        html! {
            p { (t(l, "application-withdraw-confirm")) }
            p { strong { (v.reference.as_deref().unwrap_or("")) " — " (v.title) } }
            form method="post" action={ "/applications/" (v.id) "/withdraw" } {
                (csrf(ctx))
                button.danger type="submit" { (t(l, "application-withdraw-yes")) }
                " "
                a href={ "/applications/" (v.id) } { (t(l, "application-withdraw-no")) }
            }
        },
    )
}

pub struct ApplicationRow {
    pub href: String,
    pub title: String,
    pub call: String,
    pub reference: String,
    pub status: String,
    pub requested: String,
    pub applicant: String,
}

fn list_table(ctx: &PageCtx, rows: &[ApplicationRow], empty: &str) -> Markup {
    let l = ctx.lang;
    html! {
        @if rows.is_empty() {
            p.empty { (t(l, empty)) }
        } @else {
            table.stack {
                thead { tr { th { (t(l, "application-reference")) } th { (t(l, "application-title")) } th { (t(l, "field-applicant")) } th { (t(l, "call-title")) } th.num { (t(l, "application-requested")) } th { (t(l, "call-status")) } } }
                tbody { @for r in rows { tr {
                    td data-label=(t(l, "application-reference")) { (r.reference) }
                    td data-label=(t(l, "application-title")) { a href=(r.href) { (r.title) } }
                    td data-label=(t(l, "field-applicant")) { (r.applicant) }
                    td data-label=(t(l, "call-title")) { (r.call) }
                    td.num data-label=(t(l, "application-requested")) { (r.requested) }
                    td data-label=(t(l, "call-status")) { (r.status) }
                } } }
            }
        }
    }
}

pub fn list(ctx: &PageCtx, title: &str, rows: &[ApplicationRow], list: &ListView, empty: &str) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        title,
        html! {
            @if list.total > 0 || !list.search.is_empty() { (list_tools(l, list, "list-search-applications", html! {})) }
            (list_table(ctx, rows, if list.search.is_empty() { empty } else { "list-none-found" }))
            (list_pager(l, list))
            p { a href="/calls" { (t(l, "calls-open-title")) } }
        },
    )
}

/// The coordinator's list of a call's applications.
pub struct CallApplicationsView {
    pub call_id: i32,
    pub call_title: String,
    pub rows: Vec<ApplicationRow>,
    /// The page, search and sort shown.
    pub list: ListView,
    /// The status filter in force, or empty for all; (value, label) of each.
    pub filter: String,
    pub statuses: Vec<(String, String)>,
    pub requested_total: String,
    pub budget: String,
    pub over_budget: bool,
}

pub fn call_applications(ctx: &PageCtx, v: &CallApplicationsView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &format!("{} — {}", t(l, "call-applications"), v.call_title),
        html! {
            ul.stats {
                li { span.number { (crate::view::count(l, v.list.total)) } " " span { (t(l, "call-applications")) } }
                li { span.number { (v.requested_total) } " " span { (t(l, "applications-requested-total")) } }
                li { span.number { (v.budget) } " " span { (t(l, "call-budget")) } }
            }
            @if v.over_budget { p.flash { (t(l, "applications-over-budget")) } }
            (list_tools(l, &v.list, "list-search-applications", html! {
                div.field {
                    label for="status" { (t(l, "call-status")) }
                    select id="status" name="status" {
                        option value="" { (t(l, "filter-any-status")) }
                        @for (value, label) in &v.statuses { option value=(value) selected[*value == v.filter] { (label) } }
                    }
                }
            }))
            (list_table(ctx, &v.rows, if v.list.search.is_empty() { "applications-none-submitted" } else { "list-none-found" }))
            (list_pager(l, &v.list))
            p {
                a.button href={ "/manage/calls/" (v.call_id) "/applications.csv" @if !v.filter.is_empty() { "?status=" (v.filter) } } { (t(l, "applications-csv")) }
                " " a href={ "/manage/calls/" (v.call_id) } { (t(l, "manage-calls-back")) }
            }
        },
    )
}
