//! A funded project's reports: the recipient writes one (saved as a draft as it goes), adds
//! expenses with their receipts against the approved budget lines, and submits it; the call's
//! coordinator accepts it or returns it with remarks.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use entities::FieldErrors;
use entities::attachments::DocType;
use entities::entity::project_report::{self, ReportKind, ReportState};
use entities::grants::agreements::ProjectFile;
use entities::grants::reports::{self, ExpenseForm, ReportForm};
use entities::money::Eur;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::projects::{self as pages, ExpenseRow, LineRow, ReportView};
use templates::{Lang, view};

use crate::ctx::{Signed, redirect_with_flash, unprocessable, write_or_show_again};
use crate::documents::serve_stored;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/reports/{kind}", get(show).post(save))
        .route(
            "/projects/{id}/reports/{kind}/expenses",
            post(add_expense).layer(DefaultBodyLimit::max(max_upload)),
        )
        .route(
            "/projects/{id}/reports/{kind}/expenses/{eid}/delete",
            post(remove_expense),
        )
        .route("/projects/{id}/reports/{kind}/expenses/{eid}/receipt", get(receipt))
        .route(
            "/projects/{id}/reports/{kind}/documents",
            post(add_document).layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/projects/{id}/reports/{kind}/documents/{did}", get(document))
        .route(
            "/projects/{id}/reports/{kind}/documents/{did}/delete",
            post(remove_document),
        )
        .route("/projects/{id}/reports/{kind}/submit", post(submit))
        .route("/projects/{id}/reports/{kind}/decide", post(decide))
}

/// What a receipt may be: a PDF or a photo of it.
const RECEIPT_TYPES: &[DocType] = &[DocType::Pdf, DocType::Png, DocType::Jpeg];

/// What a report's document may be: a photo, a scanned or typed list, a spreadsheet.
const DOCUMENT_TYPES: &[DocType] = &[
    DocType::Pdf,
    DocType::Png,
    DocType::Jpeg,
    DocType::Docx,
    DocType::Xlsx,
    DocType::Odt,
    DocType::Ods,
];

fn kind_of(slug: &str) -> AppResult<ReportKind> {
    match slug {
        "interim" => Ok(ReportKind::Interim),
        "final" => Ok(ReportKind::Final),
        _ => Err(AppError::NotFound),
    }
}

/// The project page's link to a report.
pub(crate) fn href(project_id: i32, kind: ReportKind) -> String {
    let slug = if kind == ReportKind::Interim {
        "interim"
    } else {
        "final"
    };
    format!("/projects/{project_id}/reports/{slug}")
}

pub(crate) fn kind_label(lang: Lang, kind: ReportKind) -> String {
    view::label(lang, "report-kind-", kind)
}

/// An amount that may be below zero: `−40,00 €`.
fn signed_amount(lang: Lang, amount: Eur) -> String {
    if amount.cents() < 0 {
        format!("−{}", Eur::from_cents(-amount.cents()).display(lang))
    } else {
        amount.display(lang)
    }
}

/// The report's form as saved (to draw it when nothing was typed).
fn saved(r: &project_report::Model) -> FormView {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    FormView::new()
        .with("activities", r.activities.clone())
        .with("started_on", date(r.started_on))
        .with("ended_on", date(r.ended_on))
        .with("participants", r.participants.to_string())
        .with("pupils_at_risk", r.pupils_at_risk.to_string())
        .with("publicity", r.publicity.clone())
}

async fn view_of(
    state: &AppState,
    signed: &Signed,
    file: &ProjectFile,
    report: &project_report::Model,
) -> AppResult<ReportView> {
    let lang = signed.ctx.lang;
    let manages = entities::policy::call_managers(file.call.municipality_id).includes(&signed.actor);
    let uses = reports::line_use(&state.db, file).await?;
    let expenses = reports::expenses(&state.db, report.id).await?;
    let documents = reports::documents(&state.db, vec![report.id]).await?;
    let line_label = |id: i32| {
        uses.iter()
            .find(|u| u.line.id == id)
            .map(|u| u.line.description.clone())
            .unwrap_or_default()
    };
    let slug = if report.kind == ReportKind::Interim {
        "interim"
    } else {
        "final"
    };
    let period = match (report.started_on, report.ended_on) {
        (Some(s), Some(e)) => format!("{} – {}", view::date(s), view::date(e)),
        _ => "—".to_owned(),
    };
    Ok(ReportView {
        project_id: file.project.id,
        reference: file.app.ref_no.clone().unwrap_or_default(),
        title: file.app.title.clone(),
        kind: kind_label(lang, report.kind),
        slug: slug.to_owned(),
        status_label: view::label(lang, "report-status-", report.status),
        due: view::date(report.due_on),
        editable: file.applicant_side && report.status.editable(),
        decidable: manages && report.status == ReportState::Submitted,
        returned: report.status == ReportState::Returned,
        remarks: report.remarks.clone(),
        response: report.response.clone(),
        activities: report.activities.clone(),
        period,
        participants: report.participants.to_string(),
        pupils_at_risk: report.pupils_at_risk.to_string(),
        publicity: report.publicity.clone(),
        line_options: uses
            .iter()
            .map(|u| (u.line.id.to_string(), u.line.description.clone()))
            .collect(),
        lines: uses
            .iter()
            .map(|u| LineRow {
                label: u.line.description.clone(),
                approved: u.approved.display(lang),
                spent: u.spent.display(lang),
                variance: signed_amount(lang, u.variance),
                over: u.variance.cents() < 0,
            })
            .collect(),
        expenses: expenses
            .iter()
            .map(|e| ExpenseRow {
                id: e.id,
                line: line_label(e.budget_line_id),
                description: e.description.clone(),
                amount: Eur::from_cents(e.amount_cents).display(lang),
                paid_on: view::date(e.paid_on),
                receipt: e.receipt_name.clone(),
            })
            .collect(),
        documents: documents
            .iter()
            .map(|d| (d.id, d.name.clone(), super::size_label(d.size)))
            .collect(),
    })
}

/// The report's page with `form` (as saved when `None`); status 422 when it carries problems.
async fn render(
    state: &AppState,
    signed: &Signed,
    id: i32,
    kind: ReportKind,
    form: Option<FormView>,
) -> AppResult<Response> {
    let (file, report) = reports::find(&state.db, &signed.actor, id, kind, false).await?;
    let v = view_of(state, signed, &file, &report).await?;
    // What was typed over what is saved: an expense refused leaves the report's fields as saved.
    let mut shown = saved(&report);
    if let Some(typed) = form {
        shown.values.extend(typed.values);
        shown.errors = typed.errors;
    }
    let form = shown;
    let page = pages::report_page(&signed.ctx.page(), &v, &form);
    Ok(if form.errors.is_empty() {
        axum::response::IntoResponse::into_response(page)
    } else {
        unprocessable(page)
    })
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug)): Path<(i32, String)>,
) -> AppResult<Response> {
    render(&state, &signed, id, kind_of(&slug)?, None).await
}

async fn save(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug)): Path<(i32, String)>,
    Form(f): Form<ReportForm>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    let typed = [
        ("activities", f.activities.as_str()),
        ("started_on", f.started_on.as_str()),
        ("ended_on", f.ended_on.as_str()),
        ("participants", f.participants.as_str()),
        ("pupils_at_risk", f.pupils_at_risk.as_str()),
        ("publicity", f.publicity.as_str()),
    ];
    let now = state.now();
    write_or_show_again(
        &state,
        &href(id, kind),
        "report-saved",
        async |txn| reports::save(txn, &signed.actor, id, kind, &f, now).await,
        async |errors| render(&state, &signed, id, kind, Some(FormView::with_typed(typed, errors))).await,
    )
    .await
}

/// Refuses, before a file is read, an upload to a report the actor does not write (404) or that
/// is no longer a draft (400); the model checks again when recording.
async fn writable(state: &AppState, signed: &Signed, id: i32, kind: ReportKind) -> AppResult<()> {
    let (file, report) = reports::find(&state.db, &signed.actor, id, kind, false).await?;
    if !file.applicant_side {
        return Err(AppError::NotFound);
    }
    if !report.status.editable() {
        return Err(AppError::BadRequest("error-report-not-editable"));
    }
    Ok(())
}

/// An expense with its receipt: the typed fields first, then the file, streamed to storage
/// and recorded; a refused one leaves nothing behind.
async fn add_expense(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug)): Path<(i32, String)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    writable(&state, &signed, id, kind).await?;
    let mut form = ExpenseForm::default();
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break Some(field),
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let value = field.text().await.unwrap_or_default();
                match name.as_str() {
                    "line" => form.line = value,
                    "description" => form.description = value,
                    "amount" => form.amount = value,
                    "paid_on" => form.paid_on = value,
                    _ => {}
                }
            }
            Ok(None) | Err(_) => break None,
        }
    };
    let typed = [
        ("line", form.line.clone()),
        ("description", form.description.clone()),
        ("amount", form.amount.clone()),
        ("paid_on", form.paid_on.clone()),
    ];
    let again = async |errors: FieldErrors| {
        let form = FormView::with_typed(typed.iter().map(|(k, v)| (*k, v.as_str())), errors);
        render(&state, &signed, id, kind, Some(form)).await
    };
    let (input, mut errors) = match form.parse() {
        Ok(input) => (Some(input), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let Some(field) = field else {
        errors.add("file", "error-file-empty");
        return again(errors).await;
    };
    let Some(input) = input else {
        return again(errors).await;
    };
    let stored =
        match super::projects::store_file(&state, &format!("projects/{id}/reports"), field, RECEIPT_TYPES).await? {
            Ok(stored) => stored,
            Err(message) => return again(FieldErrors::one("file", message.unwrap_or("error-receipt-type"))).await,
        };
    let key = stored.key.clone();
    let now = state.now();
    let recorded = super::projects::record_stored(&state, &key, async |txn| {
        reports::add_expense(txn, &signed.actor, id, kind, &input, stored, now).await
    })
    .await?;
    if let Err(errors) = recorded {
        return again(errors).await;
    }
    Ok(redirect_with_flash(&state, &href(id, kind), "report-expense-added"))
}

/// A document of the report (a photo, a participant list), streamed to storage and recorded.
async fn add_document(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug)): Path<(i32, String)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    writable(&state, &signed, id, kind).await?;
    let refuse = async |message: &'static str| {
        let form = FormView::with_typed([], FieldErrors::one("document", message));
        render(&state, &signed, id, kind, Some(form)).await
    };
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break Some(field),
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => break None,
        }
    };
    let Some(field) = field else {
        return refuse("error-file-empty").await;
    };
    let stored =
        match super::projects::store_file(&state, &format!("projects/{id}/reports"), field, DOCUMENT_TYPES).await? {
            Ok(stored) => stored,
            Err(message) => return refuse(message.unwrap_or("error-file-type")).await,
        };
    let key = stored.key.clone();
    let now = state.now();
    let recorded = super::projects::record_stored(&state, &key, async |txn| {
        reports::add_document(txn, &signed.actor, id, kind, stored, now).await
    })
    .await?;
    if let Err(errors) = recorded {
        return render(&state, &signed, id, kind, Some(FormView::with_typed([], errors))).await;
    }
    Ok(redirect_with_flash(&state, &href(id, kind), "report-document-added"))
}

async fn document(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug, did)): Path<(i32, String, i32)>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    let (_, report) = reports::find(&state.db, &signed.actor, id, kind, false).await?;
    let d = reports::document_of(&state.db, report.id, did).await?;
    serve_stored(&state, &d.storage_key, &d.name, &d.content_type, d.size).await
}

async fn remove_document(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug, did)): Path<(i32, String, i32)>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    remove(&state, id, kind, "report-document-removed", async |txn| {
        reports::remove_document(txn, &signed.actor, id, kind, did).await
    })
    .await
}

async fn remove_expense(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug, eid)): Path<(i32, String, i32)>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    remove(&state, id, kind, "report-expense-removed", async |txn| {
        reports::remove_expense(txn, &signed.actor, id, kind, eid).await
    })
    .await
}

/// Removes a row of the report (`change` returns its stored file's key), then its file.
async fn remove(
    state: &AppState,
    id: i32,
    kind: ReportKind,
    flash: &str,
    change: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<String>,
) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let key = change(&txn).await?;
    txn.commit().await?;
    super::projects::delete_stored(state, &key).await;
    Ok(redirect_with_flash(state, &href(id, kind), flash))
}

async fn receipt(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug, eid)): Path<(i32, String, i32)>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    let (_, report) = reports::find(&state.db, &signed.actor, id, kind, false).await?;
    let e = reports::expense_of(&state.db, report.id, eid).await?;
    serve_stored(&state, &e.receipt_key, &e.receipt_name, &e.receipt_type, e.receipt_size).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SubmitForm {
    response: String,
}

async fn submit(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug)): Path<(i32, String)>,
    Form(f): Form<SubmitForm>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    let now = state.now();
    write_or_show_again(
        &state,
        &format!("/projects/{id}"),
        "report-submitted",
        async |txn| reports::submit(txn, &signed.actor, id, kind, &f.response, now).await,
        async |errors| {
            let form = FormView::with_typed([("response", f.response.as_str())], errors);
            render(&state, &signed, id, kind, Some(form)).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecideForm {
    decision: String,
    remarks: String,
}

async fn decide(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, slug)): Path<(i32, String)>,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    let kind = kind_of(&slug)?;
    let accept = match f.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => return Err(AppError::BadRequest("error-report-decision")),
    };
    let now = state.now();
    let flash = if accept { "report-accepted" } else { "report-returned" };
    write_or_show_again(
        &state,
        &format!("/projects/{id}"),
        flash,
        async |txn| reports::decide(txn, &signed.actor, id, kind, accept, &f.remarks, now).await,
        async |errors| {
            let form = FormView::with_typed([("remarks", f.remarks.as_str())], errors);
            render(&state, &signed, id, kind, Some(form)).await
        },
    )
    .await
}

/// The project page's list of reports.
pub(crate) fn links(lang: Lang, project_id: i32, rows: &[project_report::Model]) -> Vec<pages::ReportLink> {
    rows.iter()
        .map(|r| pages::ReportLink {
            href: href(project_id, r.kind),
            kind: kind_label(lang, r.kind),
            due: view::date(r.due_on),
            status: view::label(lang, "report-status-", r.status),
        })
        .collect()
}
