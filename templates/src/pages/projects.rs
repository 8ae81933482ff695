//! A funded project: its page (the agreement's state and the steps each side can take, its
//! history) and the agreement itself, drawn once as blocks and shown as a printable page or a PDF.

use entities::entity::agreement::AgreementState;
use entities::grants::agreements::{AgreementText, Party};
use maud::{Markup, html};

use crate::components::{FormView, Input, confirm_box, csrf, error_summary, field, select, textarea};
use crate::pdf::Block;
use crate::{PageCtx, layout, t, tf, view};

/// A party as one line: name, registration number, address (and, for the recipient, the
/// bank account).
fn party_line(l: crate::Lang, p: &Party, with_iban: bool) -> String {
    let mut parts = vec![p.name.clone()];
    if let Some(reg) = &p.reg_no {
        parts.push(tf(l, "agreement-reg-no", &[("reg", reg)]));
    }
    if let Some(address) = &p.address {
        parts.push(address.clone());
    }
    if with_iban {
        let iban = p
            .iban
            .as_deref()
            .map(entities::domain::Iban::grouped)
            .unwrap_or_else(|| t(l, "agreement-no-iban"));
        parts.push(tf(l, "agreement-account", &[("iban", &iban)]));
    }
    parts.join(", ")
}

/// The agreement as blocks, in its own language.
pub fn agreement_blocks(a: &AgreementText) -> Vec<Block> {
    let l = a.lang;
    let date = |d: Option<chrono::NaiveDate>| d.map(view::date).unwrap_or_else(|| "—".to_owned());
    let granted = a.granted.display(l);
    let mut blocks = vec![Block::Title(tf(
        l,
        "agreement-heading",
        &[("number", &a.number), ("title", &a.project_title)],
    ))];
    match a.status {
        AgreementState::Draft => blocks.push(Block::Paragraph(t(l, "agreement-draft-note"))),
        AgreementState::Cancelled => blocks.push(Block::Paragraph(t(l, "agreement-cancelled-note"))),
        _ => {}
    }
    blocks.extend([
        Block::Field(t(l, "agreement-date"), view::riga_day(a.dated)),
        Block::Heading(t(l, "agreement-parties")),
        Block::Field(t(l, "agreement-grantor"), party_line(l, &a.parties.grantor, false)),
        Block::Field(t(l, "agreement-recipient"), party_line(l, &a.parties.recipient, true)),
        Block::Heading(t(l, "agreement-subject")),
        Block::Paragraph(tf(
            l,
            "agreement-subject-text",
            &[
                ("title", &a.project_title),
                ("number", &a.number),
                ("call", &a.call_title),
                ("amount", &granted),
            ],
        )),
        Block::Heading(t(l, "agreement-money")),
        Block::Field(t(l, "agreement-granted"), granted.clone()),
        Block::Field(
            tf(l, "agreement-advance", &[("share", &view::percent(a.advance_bp))]),
            a.advance.display(l),
        ),
        Block::Field(t(l, "agreement-rest"), a.rest.display(l)),
        Block::Paragraph(t(l, "agreement-money-text")),
        Block::Heading(t(l, "agreement-dates")),
        Block::Field(
            t(l, "agreement-period"),
            format!("{} – {}", date(a.starts_on), date(a.ends_on)),
        ),
        Block::Field(
            t(l, "agreement-interim"),
            a.interim_report_on
                .map(view::date)
                .unwrap_or_else(|| t(l, "agreement-interim-none")),
        ),
        Block::Field(t(l, "agreement-final"), date(a.final_report_on)),
        Block::Heading(t(l, "agreement-duties")),
    ]);
    for n in 1..=5 {
        blocks.push(Block::Paragraph(t(l, &format!("agreement-duty-{n}"))));
    }
    blocks.extend([
        Block::Heading(t(l, "agreement-closing")),
        Block::Paragraph(t(l, "agreement-closing-text")),
        Block::Signatures(vec![
            tf(l, "agreement-sign-for", &[("party", &a.parties.grantor.name)]),
            tf(l, "agreement-sign-for", &[("party", &a.parties.recipient.name)]),
        ]),
    ]);
    blocks
}

/// The agreement as a PDF.
pub fn agreement_pdf(a: &AgreementText) -> Vec<u8> {
    let footer = tf(a.lang, "agreement-footer", &[("number", &a.number)]);
    crate::pdf::render(&agreement_blocks(a), &footer)
}

/// The agreement as a printable page (the site's header, footer and buttons are not printed;
/// its number heads every printed page).
pub fn agreement_page(ctx: &PageCtx, project_id: i32, a: &AgreementText) -> Markup {
    let back = format!("/projects/{project_id}");
    crate::pdf::printable(
        ctx,
        &agreement_blocks(a),
        (&back, "project-back"),
        &format!("{back}/agreement.pdf"),
        &tf(a.lang, "agreement-footer", &[("number", &a.number)]),
    )
}

/// One step of the project's history as shown.
pub struct HistoryRow {
    pub at: String,
    pub text: String,
    pub by: String,
}

/// A funded project as its page shows it.
pub struct ProjectView {
    pub id: i32,
    pub reference: String,
    pub title: String,
    pub call_title: String,
    pub applicant: String,
    pub granted: String,
    pub application_link: String,
    /// The reader is the applicant (else a coordinator or accountant of the municipality).
    pub applicant_side: bool,
    /// The reader runs the call (sends, confirms and cancels the agreement).
    pub manages: bool,
    pub status: AgreementState,
    pub status_label: String,
    /// The signed copy: its name and size.
    pub signed: Option<(String, String)>,
    pub cancel_reason: Option<String>,
    /// The recipient has no bank account yet (the agreement cannot be sent).
    pub needs_iban: bool,
    pub history: Vec<HistoryRow>,
    pub payments: PaymentsView,
    pub reports: Vec<ReportLink>,
    /// Once the final report is accepted.
    pub settlement: Option<SettlementView>,
}

/// The project's settlement.
pub struct SettlementView {
    pub eligible: String,
    pub paid: String,
    pub to_pay: String,
    pub to_refund: String,
    /// The refund demanded: amount, due date, and how it stands.
    pub refund: Option<(String, String, String)>,
    pub refund_overdue: bool,
    /// The reader (who pays) may demand a refund, record it returned, close the project.
    pub can_demand: bool,
    pub can_record_return: bool,
    pub can_close: bool,
    /// When the project was closed (and whether its documents are archived).
    pub closed: Option<(String, bool)>,
    /// The due date offered for a refund.
    pub default_due: String,
}

/// A payment as listed.
pub struct PaymentRow {
    pub paid_on: String,
    pub kind: String,
    pub amount: String,
    pub reference: String,
}

/// The project's payment schedule and what was paid.
pub struct PaymentsView {
    pub advance: String,
    /// When the advance is due: since a day, or once the agreement is in force.
    pub advance_due: String,
    pub rest: String,
    pub paid: String,
    pub outstanding: String,
    pub rows: Vec<PaymentRow>,
    /// The reader records payments (the agreement is in force and something is outstanding).
    pub can_record: bool,
    /// The municipality whose payments register the reader may download.
    pub register_of: Option<i32>,
}

/// The project's page.
pub fn project(ctx: &PageCtx, v: &ProjectView, form: &FormView) -> Markup {
    let l = ctx.lang;
    let base = format!("/projects/{}", v.id);
    let coordinator = !v.applicant_side;
    html! {
        (error_summary(l, form))
        dl {
            dt { (t(l, "application-reference")) } dd { a href=(v.application_link) { (v.reference) } }
            dt { (t(l, "application-title")) } dd { (v.title) }
            dt { (t(l, "field-applicant")) } dd { (v.applicant) }
            dt { (t(l, "call-title")) } dd { (v.call_title) }
            dt { (t(l, "offer-granted")) } dd #granted { (v.granted) }
        }
        section #agreement {
            h2 { (t(l, "agreement-title")) }
            dl {
                dt { (t(l, "agreement-status")) } dd #agreement-status { strong { (v.status_label) } }
                @if let Some(reason) = &v.cancel_reason { dt { (t(l, "agreement-cancel-reason")) } dd.pre { (reason) } }
                @if let Some((name, size)) = &v.signed {
                    dt { (t(l, "agreement-signed-copy")) }
                    dd { a href={ (base) "/agreement/signed" } { (name) } " (" (size) ")" }
                }
            }
            p.actions {
                a href={ (base) "/agreement" } { (t(l, "agreement-view")) }
                " · "
                a href={ (base) "/agreement.pdf" } { (t(l, "agreement-download-pdf")) }
            }
            p.hint { (t(l, &format!("agreement-next-{}{}", if coordinator { "coordinator-" } else { "applicant-" }, status_key(v.status)))) }
            @if v.needs_iban && v.status == AgreementState::Draft {
                p.warning #needs-iban {
                    (t(l, if coordinator { "agreement-needs-iban-coordinator" } else { "agreement-needs-iban-applicant" }))
                    @if !coordinator { " " a href="/profile" { (t(l, "agreement-add-iban")) } }
                }
            }
            @if v.manages && v.status == AgreementState::Draft && !v.needs_iban {
                form method="post" action={ (base) "/agreement/send" } {
                    (csrf(ctx))
                    button type="submit" { (t(l, "agreement-send")) }
                }
            }
            @if v.manages && v.status == AgreementState::Signed {
                form method="post" action={ (base) "/agreement/confirm" } {
                    (csrf(ctx))
                    (confirm_box(l, form, "confirm", &t(l, "agreement-confirm-box")))
                    button type="submit" { (t(l, "agreement-confirm")) }
                }
            }
            @if !coordinator && matches!(v.status, AgreementState::Sent | AgreementState::Signed) {
                form method="post" action={ (base) "/agreement/signed?_csrf=" (ctx.csrf) } enctype="multipart/form-data" {
                    @let error = form.error("file");
                    div.field.has-error[error.is_some()] {
                        label for="file" { (t(l, "agreement-upload")) }
                        p.hint id="file-hint" { (t(l, "agreement-upload-hint")) }
                        @if let Some(m) = error { p.error id="file-error" { (t(l, m)) } }
                        input id="file" name="file" type="file" accept=".pdf,.edoc,.asice" required
                            aria-describedby={ "file-hint" @if error.is_some() { " file-error" } };
                    }
                    button type="submit" { (t(l, "agreement-upload-submit")) }
                }
            }
            @if v.manages && matches!(v.status, AgreementState::Draft | AgreementState::Sent | AgreementState::Signed) {
                details open[form.error("reason").is_some() || form.error("cancel_confirm").is_some()] {
                    summary { (t(l, "agreement-cancel")) }
                    form method="post" action={ (base) "/agreement/cancel" } {
                        (csrf(ctx))
                        (textarea(l, form, "reason", "agreement-cancel-reason", 3))
                        (confirm_box(l, form, "cancel_confirm", &t(l, "agreement-cancel-box")))
                        button.danger type="submit" { (t(l, "agreement-cancel-submit")) }
                    }
                }
            }
        }
        (payments(ctx, v.id, &v.payments, form))
        section #reports {
            h2 { (t(l, "reports-title")) }
            @if v.reports.is_empty() {
                p.empty { (t(l, "reports-none")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "report-kind")) } th { (t(l, "report-due")) } th { (t(l, "report-status")) } } }
                    tbody { @for r in &v.reports { tr { td { a href=(r.href) { (r.kind) } } td { (r.due) } td { (r.status) } } } }
                }
            }
        }
        @if let Some(s) = &v.settlement { (settlement(ctx, v.id, s, form)) }
        section #history {
            h2 { (t(l, "project-history")) }
            @if v.history.is_empty() {
                p.empty { (t(l, "project-history-empty")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "project-history-at")) } th { (t(l, "project-history-step")) } th { (t(l, "project-history-by")) } } }
                    tbody { @for h in &v.history { tr { td { (h.at) } td { (h.text) } td { (h.by) } } } }
                }
            }
        }
    }
}

fn payments(ctx: &PageCtx, id: i32, p: &PaymentsView, form: &FormView) -> Markup {
    let l = ctx.lang;
    html! {
        section #payments {
            h2 { (t(l, "payments-title")) }
            table.schedule {
                thead { tr { th { (t(l, "payments-part")) } th.num { (t(l, "payments-amount")) } th { (t(l, "payments-when")) } } }
                tbody {
                    tr { td { (t(l, "payments-advance")) } td.num { (p.advance) } td { (p.advance_due) } }
                    tr { td { (t(l, "payments-rest")) } td.num { (p.rest) } td { (t(l, "payments-rest-when")) } }
                }
            }
            dl {
                dt { (t(l, "payments-paid")) } dd #paid { (p.paid) }
                dt { (t(l, "payments-outstanding")) } dd #outstanding { (p.outstanding) }
            }
            @if p.rows.is_empty() {
                p.empty { (t(l, "payments-none")) }
            } @else {
                table #payment-list {
                    thead { tr { th { (t(l, "payments-paid-on")) } th { (t(l, "payments-kind")) } th.num { (t(l, "payments-amount")) } th { (t(l, "payments-reference")) } } }
                    tbody { @for r in &p.rows { tr { td { (r.paid_on) } td { (r.kind) } td.num { (r.amount) } td { (r.reference) } } } }
                }
            }
            @if p.can_record {
                h3 { (t(l, "payments-record")) }
                form method="post" action={ "/projects/" (id) "/payments" } novalidate {
                    (csrf(ctx))
                    (select(l, form, "kind", "payments-kind", &[
                        ("advance".to_owned(), t(l, "payment-kind-advance")),
                        ("final".to_owned(), t(l, "payment-kind-final")),
                    ]))
                    (field(l, form, "amount", "payments-amount", Input { hint: Some("payments-amount-hint"), ..Input::TEXT }))
                    (field(l, form, "paid_on", "payments-paid-on", Input { kind: "date", ..Input::TEXT }))
                    (field(l, form, "reference", "payments-reference", Input { hint: Some("payments-reference-hint"), ..Input::TEXT }))
                    button type="submit" { (t(l, "payments-record-submit")) }
                }
            }
            @if let Some(m) = p.register_of {
                p.actions {
                    (t(l, "payments-register")) ": "
                    a href={ "/municipalities/" (m) "/payments.csv" } { "CSV" }
                    " · "
                    a href={ "/municipalities/" (m) "/payments.xlsx" } { "XLSX" }
                }
            }
        }
    }
}

fn settlement(ctx: &PageCtx, id: i32, s: &SettlementView, form: &FormView) -> Markup {
    let l = ctx.lang;
    let base = format!("/projects/{id}");
    html! {
        section #settlement {
            h2 { (t(l, "settlement-title")) }
            dl {
                dt { (t(l, "settlement-eligible")) } dd #eligible { (s.eligible) }
                dt { (t(l, "payments-paid")) } dd { (s.paid) }
                dt { (t(l, "settlement-to-pay")) } dd #to-pay { (s.to_pay) }
                dt { (t(l, "settlement-to-refund")) } dd #to-refund { (s.to_refund) }
                @if let Some((amount, due, status)) = &s.refund {
                    dt { (t(l, "settlement-refund")) }
                    dd #refund { (amount) ", " (tf(l, "settlement-refund-due", &[("date", due)])) " — " strong.warning[s.refund_overdue] { (status) } }
                }
                @if let Some((closed, archived)) = &s.closed {
                    dt { (t(l, "settlement-closed")) }
                    dd #closed { (closed) @if *archived { " — " (t(l, "settlement-archived")) } }
                }
            }
            @if s.can_demand {
                form method="post" action={ (base) "/refund" } novalidate {
                    (csrf(ctx))
                    (field(l, &FormView { values: [("due_on".to_owned(), if form.value("due_on").is_empty() { s.default_due.clone() } else { form.value("due_on").to_owned() })].into(), ..form.clone() }, "due_on", "settlement-refund-due-on", Input { kind: "date", ..Input::TEXT }))
                    button type="submit" { (t(l, "settlement-demand")) }
                }
            }
            @if s.can_record_return {
                form method="post" action={ (base) "/refund/returned" } novalidate {
                    (csrf(ctx))
                    (field(l, form, "returned_on", "settlement-returned-on", Input { kind: "date", ..Input::TEXT }))
                    (field(l, form, "refund_reference", "payments-reference", Input::TEXT))
                    button type="submit" { (t(l, "settlement-returned")) }
                }
            }
            @if s.can_close {
                form method="post" action={ (base) "/close" } {
                    (csrf(ctx))
                    (confirm_box(l, form, "close_confirm", &t(l, "settlement-close-box")))
                    button type="submit" { (t(l, "settlement-close")) }
                }
            }
        }
    }
}

fn status_key(s: AgreementState) -> &'static str {
    match s {
        AgreementState::Draft => "draft",
        AgreementState::Sent => "sent",
        AgreementState::Signed => "signed",
        AgreementState::InForce => "in-force",
        AgreementState::Cancelled => "cancelled",
    }
}

/// The page around the project's view.
pub fn project_page(ctx: &PageCtx, v: &ProjectView, form: &FormView) -> Markup {
    layout(
        ctx,
        &tf(ctx.lang, "project-page-title", &[("reference", &v.reference)]),
        project(ctx, v, form),
    )
}

/// A report as the project page lists it.
pub struct ReportLink {
    pub href: String,
    pub kind: String,
    pub due: String,
    pub status: String,
}

/// An approved budget line with what was spent on it.
pub struct LineRow {
    pub label: String,
    pub approved: String,
    pub spent: String,
    pub variance: String,
    pub over: bool,
}

/// An expense of a report.
pub struct ExpenseRow {
    pub id: i32,
    pub line: String,
    pub description: String,
    pub amount: String,
    pub paid_on: String,
    pub receipt: String,
}

/// A report as its page shows it.
pub struct ReportView {
    pub project_id: i32,
    pub reference: String,
    pub title: String,
    pub kind: String,
    /// `interim` or `final`, as in its address.
    pub slug: String,
    pub status_label: String,
    pub due: String,
    /// The recipient may change it (a draft, or returned).
    pub editable: bool,
    /// The coordinator may accept or return it (submitted).
    pub decidable: bool,
    pub returned: bool,
    pub remarks: Option<String>,
    pub response: Option<String>,
    pub activities: String,
    pub period: String,
    pub participants: String,
    pub pupils_at_risk: String,
    pub publicity: String,
    /// The approved budget lines to choose from: (id, label).
    pub line_options: Vec<(String, String)>,
    pub lines: Vec<LineRow>,
    pub expenses: Vec<ExpenseRow>,
    /// Photos, participant lists: (id, name, size).
    pub documents: Vec<(i32, String, String)>,
}

/// A report of a project: read, written (the recipient) or decided (the coordinator).
pub fn report_page(ctx: &PageCtx, v: &ReportView, form: &FormView) -> Markup {
    let l = ctx.lang;
    let base = format!("/projects/{}/reports/{}", v.project_id, v.slug);
    let title = tf(
        l,
        "report-page-title",
        &[("kind", &v.kind), ("reference", &v.reference)],
    );
    layout(
        ctx,
        &title,
        html! {
            (error_summary(l, form))
            p.actions { a href={ "/projects/" (v.project_id) } { (t(l, "project-back")) } }
            dl {
                dt { (t(l, "application-title")) } dd { (v.title) }
                dt { (t(l, "report-status")) } dd #report-status { strong { (v.status_label) } }
                dt { (t(l, "report-due")) } dd { (v.due) }
                @if let Some(r) = &v.remarks { dt { (t(l, "report-remarks")) } dd.pre #remarks { (r) } }
                @if let Some(r) = &v.response { dt { (t(l, "report-response")) } dd.pre { (r) } }
            }
            @if v.editable {
                form method="post" action=(base) novalidate {
                    (csrf(ctx))
                    (textarea(l, form, "activities", "report-activities", 6))
                    (field(l, form, "started_on", "report-started-on", Input { kind: "date", required: false, ..Input::TEXT }))
                    (field(l, form, "ended_on", "report-ended-on", Input { kind: "date", required: false, ..Input::TEXT }))
                    (field(l, form, "participants", "report-participants", Input { kind: "number", required: false, ..Input::TEXT }))
                    (field(l, form, "pupils_at_risk", "report-pupils", Input { kind: "number", required: false, hint: Some("report-pupils-hint"), ..Input::TEXT }))
                    (textarea(l, form, "publicity", "report-publicity", 3))
                    button type="submit" { (t(l, "report-save")) }
                }
            } @else {
                h2 { (t(l, "report-activities")) }
                p.pre { (v.activities) }
                dl {
                    dt { (t(l, "report-period")) } dd { (v.period) }
                    dt { (t(l, "report-participants")) } dd #participants { (v.participants) }
                    dt { (t(l, "report-pupils")) } dd #pupils { (v.pupils_at_risk) }
                    dt { (t(l, "report-publicity")) } dd.pre { (v.publicity) }
                }
            }
            section #expenses {
                h2 { (t(l, "report-expenses")) }
                @if let Some(m) = form.error("expenses") { p.error #expenses-error { (t(l, m)) } }
                @if v.expenses.is_empty() {
                    p.empty { (t(l, "report-expenses-none")) }
                } @else {
                    table #expense-list {
                        thead { tr { th { (t(l, "report-line")) } th { (t(l, "report-expense")) } th { (t(l, "payments-paid-on")) } th.num { (t(l, "payments-amount")) } th { (t(l, "report-receipt")) } @if v.editable { th { span.visually-hidden { (t(l, "table-actions")) } } } } }
                        tbody { @for e in &v.expenses { tr {
                            td { (e.line) } td { (e.description) } td { (e.paid_on) } td.num { (e.amount) }
                            td { a href={ (base) "/expenses/" (e.id) "/receipt" } { (e.receipt) } }
                            @if v.editable { td { form.inline method="post" action={ (base) "/expenses/" (e.id) "/delete" } { (csrf(ctx)) button.link type="submit" { (t(l, "report-expense-remove")) } } } }
                        } } }
                    }
                }
                @if v.editable {
                    h3 { (t(l, "report-expense-add")) }
                    form method="post" action={ (base) "/expenses?_csrf=" (ctx.csrf) } enctype="multipart/form-data" novalidate {
                        (select(l, form, "line", "report-line", &v.line_options))
                        (field(l, form, "description", "report-expense", Input::TEXT))
                        (field(l, form, "amount", "payments-amount", Input { hint: Some("payments-amount-hint"), ..Input::TEXT }))
                        (field(l, form, "paid_on", "payments-paid-on", Input { kind: "date", ..Input::TEXT }))
                        @let error = form.error("file");
                        div.field.has-error[error.is_some()] {
                            label for="file" { (t(l, "report-receipt")) }
                            p.hint id="file-hint" { (t(l, "report-receipt-hint")) }
                            @if let Some(m) = error { p.error id="file-error" { (t(l, m)) } }
                            input id="file" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg" required aria-describedby="file-hint";
                        }
                        button type="submit" { (t(l, "report-expense-add")) }
                    }
                }
                h3 { (t(l, "report-lines")) }
                table #line-use {
                    thead { tr { th { (t(l, "report-line")) } th.num { (t(l, "report-approved")) } th.num { (t(l, "report-spent")) } th.num { (t(l, "report-variance")) } } }
                    tbody { @for r in &v.lines { tr.over[r.over] { td { (r.label) } td.num { (r.approved) } td.num { (r.spent) } td.num { (r.variance) } } } }
                }
            }
            section #documents {
                h2 { (t(l, "report-documents")) }
                @if v.documents.is_empty() {
                    p.empty { (t(l, "report-documents-none")) }
                } @else {
                    ul #document-list { @for (id, name, size) in &v.documents { li {
                        a href={ (base) "/documents/" (id) } { (name) } " (" (size) ")"
                        @if v.editable { " " form.inline method="post" action={ (base) "/documents/" (id) "/delete" } { (csrf(ctx)) button.link type="submit" { (t(l, "report-expense-remove")) } } }
                    } } }
                }
                @if v.editable {
                    form method="post" action={ (base) "/documents?_csrf=" (ctx.csrf) } enctype="multipart/form-data" {
                        @let error = form.error("document");
                        div.field.has-error[error.is_some()] {
                            label for="document" { (t(l, "report-document")) }
                            p.hint id="document-hint" { (t(l, "report-document-hint")) }
                            @if let Some(m) = error { p.error id="document-error" { (t(l, m)) } }
                            input id="document" name="file" type="file" accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.ods" required aria-describedby="document-hint";
                        }
                        button type="submit" { (t(l, "report-document-add")) }
                    }
                }
            }
            @if v.editable {
                form method="post" action={ (base) "/submit" } novalidate {
                    (csrf(ctx))
                    @if v.returned { (textarea(l, form, "response", "report-response", 4)) }
                    button type="submit" { (t(l, "report-submit")) }
                }
            }
            @if v.decidable {
                h2 { (t(l, "report-decide")) }
                form method="post" action={ (base) "/decide" } novalidate {
                    (csrf(ctx))
                    (textarea(l, form, "remarks", "report-remarks", 4))
                    button type="submit" name="decision" value="accept" { (t(l, "report-accept")) }
                    " "
                    button.secondary type="submit" name="decision" value="return" { (t(l, "report-return")) }
                }
            }
        },
    )
}

/// A project in the coordinator's list.
pub struct ProjectListRow {
    pub href: String,
    pub reference: String,
    pub applicant: String,
    pub title: String,
    pub status: String,
    pub next_due: String,
    pub paid: String,
    pub outstanding: String,
    pub overdue: bool,
}

/// The coordinator's funded projects, overdue first; `page` from 1.
pub fn project_list(ctx: &PageCtx, rows: &[ProjectListRow], page: u64, total: u64, page_size: u64) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "projects-title"),
        html! {
            @if rows.is_empty() {
                p.empty { (t(l, "projects-empty")) }
            } @else {
                table #projects {
                    thead { tr {
                        th { (t(l, "application-reference")) } th { (t(l, "field-applicant")) } th { (t(l, "application-title")) }
                        th { (t(l, "agreement-status")) } th { (t(l, "projects-next-due")) } th.num { (t(l, "payments-paid")) } th.num { (t(l, "payments-outstanding")) }
                    } }
                    tbody { @for r in rows { tr.overdue[r.overdue] {
                        td { a href=(r.href) { (r.reference) } } td { (r.applicant) } td { (r.title) } td { (r.status) }
                        td { @if r.overdue { strong.warning { (t(l, "projects-overdue")) " " } } (r.next_due) }
                        td.num { (r.paid) } td.num { (r.outstanding) }
                    } } }
                }
            }
            (crate::components::pager(l, page, total, page_size, |p| format!("/manage/projects?page={p}")))
        },
    )
}
