//! A funded project's pages, for the applicant's members and the call's coordinators: the
//! project with its agreement's state and history, the agreement as a printable page and a
//! PDF, and the agreement's steps (send, upload the signed copy, confirm, cancel); the payments
//! (recorded by the municipality, seen by both) and the municipality's payments register.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use entities::attachments::StoredFile;
use entities::attachments::{self, DocType, Limits};
use entities::entity::agreement::AgreementState;
use entities::grants::agreements::{self, ProjectFile};
use entities::grants::payments::{self, PaymentForm};
use entities::grants::settlement;
use entities::money::Eur;
use entities::{FieldErrors, orgs, policy};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::projects::{
    self as pages, HistoryRow, PaymentRow, PaymentsView, ProjectListRow, ProjectView, SettlementView,
};
use templates::{t, tf, view};

use crate::csv::Table;
use crate::ctx::{Signed, redirect_with_flash, unprocessable, write_or_show_again};
use crate::documents::serve_stored;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/manage/projects", get(list))
        .route("/projects/{id}", get(show))
        .route("/projects/{id}/agreement", get(agreement_page))
        .route("/projects/{id}/agreement.pdf", get(agreement_pdf))
        .route("/projects/{id}/agreement/send", post(send))
        .route(
            "/projects/{id}/agreement/signed",
            get(download_signed)
                .post(upload_signed)
                .layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/projects/{id}/agreement/confirm", post(confirm))
        .route("/projects/{id}/agreement/cancel", post(cancel))
        .route("/projects/{id}/payments", post(record_payment))
        .route("/projects/{id}/refund", post(demand_refund))
        .route("/projects/{id}/refund/returned", post(refund_returned))
        .route("/projects/{id}/close", post(close))
        .route("/municipalities/{id}/payments.csv", get(register_csv))
        .route("/municipalities/{id}/payments.xlsx", get(register_xlsx))
}

/// What a signed copy may be: a scanned or signed PDF, or an e-signature container.
const SIGNED_TYPES: &[DocType] = &[DocType::Pdf, DocType::Asice];

async fn view_of(state: &AppState, signed: &Signed, file: &ProjectFile) -> AppResult<ProjectView> {
    let lang = signed.ctx.lang;
    let events = agreements::history(&state.db, file.project.id).await?;
    let names = entities::accounts::names(&state.db, events.iter().filter_map(|e| e.user_id)).await?;
    let recipient = orgs::get(&state.db, file.project.applicant_id).await?;
    let a = &file.agreement;
    let schedule = payments::schedule(&state.db, file).await?;
    let now = state.now();
    let settled = settlement::of(&state.db, file, now).await?;
    let pays = !file.applicant_side && policy::grant_payers(file.call.municipality_id).includes(&signed.actor);
    Ok(ProjectView {
        id: file.project.id,
        reference: file.app.ref_no.clone().unwrap_or_default(),
        title: file.app.title.clone(),
        call_title: file.call.title.clone(),
        applicant: recipient.name.clone(),
        granted: Eur::from_cents(file.project.granted_cents).display(lang),
        application_link: if file.applicant_side {
            format!("/applications/{}", file.app.id)
        } else {
            format!("/manage/applications/{}", file.app.id)
        },
        applicant_side: file.applicant_side,
        manages: !file.applicant_side && policy::call_managers(file.call.municipality_id).includes(&signed.actor),
        status: a.status,
        status_label: view::label(lang, "agreement-status-", a.status),
        signed: a
            .signed_name
            .clone()
            .map(|name| (name, crate::grants::size_label(a.signed_size.unwrap_or(0)))),
        cancel_reason: a.cancel_reason.clone(),
        needs_iban: recipient.iban.is_none(),
        history: events
            .iter()
            .map(|e| HistoryRow {
                at: view::riga(e.at),
                text: match &e.detail {
                    Some(d) => format!("{}: {d}", view::label(lang, "project-step-", e.kind)),
                    None => view::label(lang, "project-step-", e.kind),
                },
                by: e.user_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
            })
            .collect(),
        payments: PaymentsView {
            advance: schedule.advance.display(lang),
            advance_due: match schedule.advance_due {
                Some(at) => tf(lang, "payments-due-since", &[("date", &view::riga_day(at))]),
                None => t(lang, "payments-due-in-force"),
            },
            rest: schedule.rest.display(lang),
            paid: schedule.paid.display(lang),
            // Once settled, what is still to pay is the settlement's final payment.
            outstanding: if settled.final_accepted || settled.closed_at.is_some() {
                settled.to_pay.display(lang)
            } else {
                schedule.outstanding.display(lang)
            },
            rows: schedule
                .payments
                .iter()
                .map(|p| PaymentRow {
                    paid_on: view::date(p.paid_on),
                    kind: view::label(lang, "payment-kind-", p.kind),
                    amount: Eur::from_cents(p.amount_cents).display(lang),
                    reference: p.reference.clone(),
                })
                .collect(),
            can_record: pays
                && a.status == AgreementState::InForce
                && settled.closed_at.is_none()
                && schedule.outstanding.cents() > 0
                && (!settled.final_accepted || settled.to_pay.cents() > 0),
            register_of: pays.then_some(file.call.municipality_id),
        },
        settlement: (settled.final_accepted || settled.closed_at.is_some()).then(|| SettlementView {
            eligible: settled.eligible.display(lang),
            paid: settled.paid.display(lang),
            to_pay: settled.to_pay.display(lang),
            to_refund: settled.to_refund.display(lang),
            refund: settled.refund.as_ref().map(|r| {
                let status = match (&r.returned_on, settled.refund_overdue) {
                    (Some(on), _) => tf(lang, "settlement-refund-returned", &[("date", &view::date(*on))]),
                    (None, true) => t(lang, "settlement-refund-overdue"),
                    (None, false) => t(lang, "settlement-refund-waiting"),
                };
                (
                    Eur::from_cents(r.amount_cents).display(lang),
                    view::date(r.due_on),
                    status,
                )
            }),
            refund_overdue: settled.refund_overdue,
            can_demand: pays && settled.refund.is_none() && settled.to_refund.cents() > 0,
            can_record_return: pays && settled.refund.as_ref().is_some_and(|r| r.returned_on.is_none()),
            can_close: pays && settled.closable,
            closed: settled
                .closed_at
                .map(|at| (view::riga(at), file.project.archived_at.is_some())),
            default_due: (entities::time::to_riga(now).date_naive() + chrono::Days::new(30)).to_string(),
        }),
        reports: super::reports::links(
            lang,
            file.project.id,
            &entities::grants::reports::of_project(&state.db, file.project.id).await?,
        ),
    })
}

async fn render(state: &AppState, signed: &Signed, file: &ProjectFile, form: &FormView) -> AppResult<maud::Markup> {
    let v = view_of(state, signed, file).await?;
    Ok(pages::project_page(&signed.ctx.page(), &v, form))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: Option<u64>,
}

/// The funded projects of the calls the coordinator manages, overdue first.
async fn list(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> AppResult<maud::Markup> {
    if settlement::overseen_municipalities(&signed.actor).is_empty() {
        return Err(AppError::NotFound);
    }
    let lang = signed.ctx.lang;
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = settlement::managed_projects(&state.db, &signed.actor, page - 1, state.now()).await?;
    let rows: Vec<ProjectListRow> = rows
        .into_iter()
        .map(|r| ProjectListRow {
            href: format!("/projects/{}", r.project.id),
            reference: r.reference,
            applicant: r.applicant,
            title: r.title,
            status: if r.project.closed_at.is_some() {
                t(lang, "project-public-closed")
            } else {
                r.agreement
                    .map(|s| view::label(lang, "agreement-status-", s))
                    .unwrap_or_default()
            },
            next_due: r
                .next_due
                .map(|(kind, on)| format!("{} — {}", super::reports::kind_label(lang, kind), view::date(on)))
                .unwrap_or_default(),
            paid: r.paid.display(lang),
            outstanding: r.outstanding.display(lang),
            overdue: r.overdue,
        })
        .collect();
    Ok(pages::project_list(
        &signed.ctx.page(),
        &rows,
        page,
        total,
        settlement::PAGE,
    ))
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<maud::Markup> {
    let file = agreements::readable(&state.db, &signed.actor, id).await?;
    render(&state, &signed, &file, &FormView::new()).await
}

/// The project's page once more with `form`'s problems (status 422).
async fn again(state: &AppState, signed: &Signed, id: i32, form: FormView) -> AppResult<Response> {
    let file = agreements::readable(&state.db, &signed.actor, id).await?;
    Ok(unprocessable(render(state, signed, &file, &form).await?))
}

async fn agreement_page(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<maud::Markup> {
    let file = agreements::readable(&state.db, &signed.actor, id).await?;
    let text = agreements::text(&state.db, &file).await?;
    Ok(pages::agreement_page(&signed.ctx.page(), id, &text))
}

async fn agreement_pdf(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let file = agreements::readable(&state.db, &signed.actor, id).await?;
    let text = agreements::text(&state.db, &file).await?;
    Ok(crate::documents::pdf_download(
        &t(text.lang, "agreement-file-name"),
        &text.number,
        pages::agreement_pdf(&text),
    ))
}

/// Runs a step of the project's page in one write transaction: done, back to the page with
/// `flash`; field errors, the page again with what was `typed` and what is wrong with it.
async fn step<T>(
    state: &AppState,
    signed: &Signed,
    id: i32,
    flash: &str,
    typed: &[(&str, &str)],
    change: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
) -> AppResult<Response> {
    write_or_show_again(state, &format!("/projects/{id}"), flash, change, async |errors| {
        again(state, signed, id, FormView::with_typed(typed.iter().copied(), errors)).await
    })
    .await
}

/// The fields of the project page's small forms (each sends some of them).
#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    /// The box of a step that cannot be undone (`yes`).
    confirm: String,
    reason: String,
    due_on: String,
    returned_on: String,
    refund_reference: String,
}

impl StepForm {
    /// `Some(errors)` when the box named `field` was left unticked.
    fn unticked(&self, field: &'static str) -> Option<FieldErrors> {
        (self.confirm != "yes").then(|| FieldErrors::one(field, "error-confirm"))
    }
}

async fn send(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let now = state.now();
    step(&state, &signed, id, "agreement-sent", &[], async |txn| {
        agreements::send(txn, &signed.actor, id, now).await
    })
    .await
}

async fn confirm(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    if let Some(errors) = f.unticked("confirm") {
        return again(&state, &signed, id, FormView::with_typed([], errors)).await;
    }
    let now = state.now();
    step(&state, &signed, id, "agreement-confirmed", &[], async |txn| {
        agreements::confirm(txn, &signed.actor, id, now).await
    })
    .await
}

async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let typed = [("reason", f.reason.as_str())];
    if let Some(mut errors) = f.unticked("cancel_confirm") {
        if f.reason.trim().is_empty() {
            errors.add("reason", "error-required");
        }
        return again(&state, &signed, id, FormView::with_typed(typed, errors)).await;
    }
    let now = state.now();
    step(&state, &signed, id, "agreement-cancelled", &typed, async |txn| {
        agreements::cancel(txn, &signed.actor, id, &f.reason, now).await
    })
    .await
}

async fn record_payment(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<PaymentForm>,
) -> AppResult<Response> {
    let typed = [
        ("kind", f.kind.as_str()),
        ("amount", f.amount.as_str()),
        ("paid_on", f.paid_on.as_str()),
        ("reference", f.reference.as_str()),
    ];
    let now = state.now();
    let input = match f.parse(entities::time::to_riga(now).date_naive()) {
        Ok(input) => input,
        Err(errors) => return again(&state, &signed, id, FormView::with_typed(typed, errors)).await,
    };
    step(&state, &signed, id, "payment-recorded", &typed, async |txn| {
        payments::record(txn, &signed.actor, id, &input, now).await
    })
    .await
}

async fn demand_refund(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let now = state.now();
    step(
        &state,
        &signed,
        id,
        "refund-demanded",
        &[("due_on", f.due_on.as_str())],
        async |txn| settlement::demand_refund(txn, &signed.actor, id, &f.due_on, now).await,
    )
    .await
}

async fn refund_returned(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let now = state.now();
    let typed = [
        ("returned_on", f.returned_on.as_str()),
        ("refund_reference", f.refund_reference.as_str()),
    ];
    step(&state, &signed, id, "refund-recorded", &typed, async |txn| {
        settlement::refund_returned(txn, &signed.actor, id, &f.returned_on, &f.refund_reference, now).await
    })
    .await
}

async fn close(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    if let Some(errors) = f.unticked("close_confirm") {
        return again(&state, &signed, id, FormView::with_typed([], errors)).await;
    }
    let now = state.now();
    step(&state, &signed, id, "project-closed", &[], async |txn| {
        settlement::close(txn, &signed.actor, id, now).await
    })
    .await
}

/// The municipality's payments register: one line per payment, for the accounting system.
async fn register_table(state: &AppState, signed: &Signed, municipality_id: i32) -> AppResult<Table> {
    let lang = signed.ctx.lang;
    let rows = payments::register(&state.db, &signed.actor, municipality_id).await?;
    let header = [
        "payments-paid-on",
        "payments-kind",
        "payments-amount",
        "payments-reference",
        "application-reference",
        "call-title",
        "agreement-recipient",
        "field-reg-no",
        "profile-iban",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let recipient = r.parties.recipient;
            vec![
                view::date(r.payment.paid_on),
                view::label(lang, "payment-kind-", r.payment.kind),
                crate::csv::cents(r.payment.amount_cents),
                r.payment.reference,
                r.reference,
                r.call,
                recipient.name,
                recipient.reg_no.unwrap_or_default(),
                recipient.iban.unwrap_or_default(),
            ]
        })
        .collect();
    Ok((header, rows))
}

async fn register_csv(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let (header, rows) = register_table(&state, &signed, id).await?;
    Ok(crate::csv::response(&format!("maksajumi-{id}.csv"), &header, &rows))
}

async fn register_xlsx(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let table = register_table(&state, &signed, id).await?;
    let sheets = vec![(t(signed.ctx.lang, "payments-register"), table)];
    crate::csv::xlsx_response(&format!("maksajumi-{id}.xlsx"), sheets).await
}

/// The applicant's signed copy: checked and streamed to storage first, then recorded; a copy
/// it replaces is deleted from storage after.
async fn upload_signed(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let file = agreements::readable(&state.db, &signed.actor, id).await?;
    if !file.applicant_side {
        return Err(AppError::NotFound);
    }
    if !matches!(file.agreement.status, AgreementState::Sent | AgreementState::Signed) {
        return Err(AppError::BadRequest("error-agreement-not-sent"));
    }
    let refuse = async |message: &'static str| {
        again(
            &state,
            &signed,
            id,
            FormView::with_typed([], FieldErrors::one("file", message)),
        )
        .await
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
    let stored = match store_file(&state, &format!("projects/{id}/agreement"), field, SIGNED_TYPES).await? {
        Ok(stored) => stored,
        Err(message) => return refuse(message.unwrap_or("error-agreement-file-type")).await,
    };
    let key = stored.key.clone();
    let now = state.now();
    let replaced = match record_stored(&state, &key, async |txn| {
        agreements::signed(txn, &signed.actor, id, stored, now).await
    })
    .await?
    {
        Ok(replaced) => replaced,
        Err(errors) => return again(&state, &signed, id, FormView::with_typed([], errors)).await,
    };
    if let Some(key) = replaced {
        delete_stored(&state, &key).await;
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/projects/{id}"),
        "agreement-uploaded",
    ))
}

/// Streams an uploaded file to storage under `folder` if it is one of `allowed` and within the
/// size limit. Refused: `Err(Some(message))` for the upload's own problem, `Err(None)` for a
/// type not among `allowed` (nothing is left in the store either way).
pub(crate) async fn store_file(
    state: &AppState,
    folder: &str,
    field: axum::extract::multipart::Field<'_>,
    allowed: &[DocType],
) -> AppResult<Result<StoredFile, Option<&'static str>>> {
    let file_name = field.file_name().unwrap_or("").to_owned();
    let limits = Limits {
        max_file: state.cfg.max_file_bytes,
        max_application: state.cfg.max_file_bytes,
    };
    match attachments::store_upload(state.documents.clone(), folder, &file_name, field, limits, 0).await {
        Ok(stored) if allowed.contains(&stored.doc_type) => Ok(Ok(StoredFile::of(&file_name, stored))),
        Ok(stored) => {
            delete_stored(state, &stored.key).await;
            Ok(Err(None))
        }
        Err(e) => match e.message() {
            Some(message) => Ok(Err(Some(message))),
            None => Err(AppError::Internal(e.into())),
        },
    }
}

/// Records a file just stored with `record`, in one write transaction; if that is refused the
/// file is deleted from storage again. Field errors come back for the form to show.
pub(crate) async fn record_stored<T>(
    state: &AppState,
    key: &str,
    record: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
) -> AppResult<Result<T, FieldErrors>> {
    let txn = entities::db::write(&state.db).await?;
    match record(&txn).await {
        Ok(done) => {
            txn.commit().await?;
            Ok(Ok(done))
        }
        Err(e) => {
            drop(txn);
            delete_stored(state, key).await;
            match e {
                entities::Error::Invalid(errors) => Ok(Err(errors)),
                e => Err(e.into()),
            }
        }
    }
}

pub(crate) async fn delete_stored(state: &AppState, key: &str) {
    if let Err(e) = state.documents.delete(&StorePath::from(key)).await {
        tracing::warn!(error = %e, "stored object not deleted");
    }
}

async fn download_signed(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let file = agreements::readable(&state.db, &signed.actor, id).await?;
    let a = &file.agreement;
    let (Some(key), Some(name), Some(kind), Some(size)) =
        (&a.signed_key, &a.signed_name, &a.signed_type, a.signed_size)
    else {
        return Err(AppError::NotFound);
    };
    serve_stored(&state, key, name, kind, size).await
}
