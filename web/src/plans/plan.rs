//! One plan: its page, the forms that write it (risks, measures, consent), the moves through
//! its statuses, what was done (sessions, expenses with their documents), the evaluation, and
//! the approver's queue.

use super::*;

/// A form's address opened as a page (a reload after the form was refused, a bookmark): the
/// plan the form belongs to.
pub(super) async fn back_to_plan(Path(id): Path<i32>) -> Redirect {
    Redirect::to(&format!("/plans/{id}"))
}

/// As `back_to_plan`, for the forms posted under one of the plan's measures.
pub(super) async fn back_to_measure_plan(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Redirect> {
    let plan_id = plans::plan_of_measure(&state.db, &signed.actor, id).await?;
    Ok(Redirect::to(&format!("/plans/{plan_id}")))
}

/// The plan page (one audit record of the read), with `form` as the user last sent it.
async fn plan_page(state: &AppState, signed: &Signed, id: i32, form: &FormView) -> AppResult<maud::Markup> {
    let view = plans::view(&state.db, &signed.actor, id, state.now()).await?;
    let status = plans::status(&view.plan);
    use entities::plans::rules::PlanStatus;
    let editable = view.staff && matches!(status, PlanStatus::Draft | PlanStatus::UnderRevision);
    let catalogue = if editable {
        queries::catalogue(&state.db, view.semester.catalogue_id).await?
    } else {
        Vec::new()
    };
    let carry_to = if view.staff {
        let taken = queries::semesters_with_plans(&state.db, view.pupil.id).await?;
        queries::semesters(&state.db)
            .await?
            .into_iter()
            .filter(|s| s.closed_at.is_none() && !taken.contains(&s.id))
            .map(|s| {
                (
                    s.id.to_string(),
                    templates::pages::plans::semester_label(signed.ctx.lang, &s),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let controls = PlanControls {
        carry_to,
        requests: plans::allowed_requests(&signed.actor, &view),
        editable,
        carrying_out: view.staff && status == PlanStatus::InProgress,
        can_evaluate: view.staff && matches!(status, PlanStatus::InProgress | PlanStatus::Paused),
        catalogue,
    };
    Ok(pages::plan(&signed.ctx.page(), &view, &controls, form))
}

pub(super) async fn plan(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<maud::Markup> {
    plan_page(&state, &signed, id, &FormView::new()).await
}

/// What was typed into one of the plan page's forms, and which copy of it (`scope`: the forms
/// drawn once per measure, or twice with the same fields, are scoped so that their ids stay
/// unique and a refusal re-opens and refills the copy that was sent).
struct Typed {
    form: FormView,
    scope: Option<String>,
}

impl Typed {
    fn new(form: FormView) -> Self {
        Self { form, scope: None }
    }
    fn scoped(form: FormView, scope: impl Into<String>) -> Self {
        Self {
            form,
            scope: Some(scope.into()),
        }
    }
}

/// Runs a change of plan `id` in a transaction: done → back to the plan with `flash`; refused
/// or invalid → the plan page again (422) with what was typed and why.
async fn change<T>(
    state: &AppState,
    signed: &Signed,
    id: i32,
    typed: Typed,
    flash: &str,
    result: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
) -> AppResult<Response> {
    change_saying(state, signed, id, typed, |_: &T| flash.to_owned(), result).await
}

/// As [`change`], the message chosen from what the change did.
async fn change_saying<T>(
    state: &AppState,
    signed: &Signed,
    id: i32,
    typed: Typed,
    flash: impl FnOnce(&T) -> String,
    result: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
) -> AppResult<Response> {
    // A refusal of the step itself is said at the plan's status, not in the form.
    let change = async |txn: &sea_orm::DatabaseTransaction| match result(txn).await {
        Err(DomainError::Refused(message)) => Err(FieldErrors::single(PLAN_STATUS, message)),
        other => other,
    };
    let again = async |mut errors: FieldErrors| {
        let refusal = errors.0.remove(PLAN_STATUS);
        let form = FormView { errors, ..typed.form };
        let mut form = match &typed.scope {
            Some(scope) => form.in_scope(scope),
            None => form,
        };
        if let Some(message) = refusal {
            form.errors.add(PLAN_STATUS, message);
        }
        Ok(unprocessable(plan_page(state, signed, id, &form).await?))
    };
    crate::ctx::write_or_show_again_saying(state, &format!("/plans/{id}"), flash, change, again).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RiskForm {
    risk_id: i32,
    justification: String,
}

pub(super) async fn add_risk(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<RiskForm>,
) -> AppResult<Response> {
    let typed = FormView::new()
        .with("risk_id", f.risk_id.to_string())
        .with("justification", f.justification.clone());
    change(&state, &signed, id, Typed::new(typed), "plan-risk-added", async |txn| {
        plans::add_risk(txn, &signed.actor, id, f.risk_id, &f.justification).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MeasureForm {
    specialist: String,
    hours: String,
    category: String,
    planned: String,
    risk: Vec<i32>,
}

pub(super) async fn add_consultation(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<MeasureForm>,
) -> AppResult<Response> {
    let typed = risks_typed(&f.risk)
        .with("specialist", f.specialist.clone())
        .with("hours", f.hours.clone());
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, "c"),
        "plan-measure-added",
        async |txn| {
            let minutes = minutes_of("hours", &f.hours)?;
            plans::add_consultation(txn, &signed.actor, id, &f.specialist, minutes, &f.risk).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SupervisionForm {
    supervision_hours: String,
}

pub(super) async fn add_supervision(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<SupervisionForm>,
) -> AppResult<Response> {
    let typed = FormView::new().with("supervision_hours", f.supervision_hours.clone());
    change(
        &state,
        &signed,
        id,
        Typed::new(typed),
        "plan-measure-added",
        async |txn| {
            let minutes = minutes_of("supervision_hours", &f.supervision_hours)?;
            plans::add_supervision(txn, &signed.actor, id, minutes).await
        },
    )
    .await
}

/// The plan risks ticked in a measure form, to tick again when it is shown back.
fn risks_typed(risks: &[i32]) -> FormView {
    risks
        .iter()
        .fold(FormView::new(), |f, r| f.with(&format!("risk-{r}"), "on"))
}

/// Hours as people write them ("1,5"), as minutes; a problem of `field` when they are not a
/// number.
fn minutes_of(field: &'static str, hours: &str) -> entities::Result<i32> {
    entities::money::parse_hundredths(hours)
        .and_then(|h| i32::try_from(h * 60 / 100).ok())
        .ok_or_else(|| FieldErrors::single(field, "error-hours"))
}

pub(super) async fn add_compensation(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<MeasureForm>,
) -> AppResult<Response> {
    let typed = risks_typed(&f.risk)
        .with("category", f.category.clone())
        .with("planned", f.planned.clone());
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, "p"),
        "plan-measure-added",
        async |txn| {
            let planned = Eur::parse(&f.planned).ok_or_else(|| FieldErrors::single("planned", "error-money"))?;
            plans::add_compensation(txn, &signed.actor, id, &f.category, planned, &f.risk).await
        },
    )
    .await
}

pub(super) async fn edit_risk(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, rid)): Path<(i32, i32)>,
    Form(f): Form<RiskForm>,
) -> AppResult<Response> {
    let typed = FormView::new().with("justification", f.justification.clone());
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, format!("r{rid}")),
        "plan-risk-changed",
        async |txn| plans::edit_risk(txn, &signed.actor, id, rid, &f.justification, state.now()).await,
    )
    .await
}

/// A measure corrected: the fields of its kind (a consultation's specialist and hours, a
/// compensation's category and amount, the supervision's hours) and the risks it addresses.
pub(super) async fn edit_measure(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, mid)): Path<(i32, i32)>,
    MultiForm(f): MultiForm<MeasureForm>,
) -> AppResult<Response> {
    let typed = risks_typed(&f.risk)
        .with("specialist", f.specialist.clone())
        .with("hours", f.hours.clone())
        .with("category", f.category.clone())
        .with("planned", f.planned.clone());
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, format!("x{mid}")),
        "plan-measure-changed",
        async |txn| {
            let change = if !f.category.is_empty() {
                let planned = Eur::parse(&f.planned).ok_or_else(|| FieldErrors::single("planned", "error-money"))?;
                plans::MeasureChange::Compensation(&f.category, planned, &f.risk)
            } else if !f.specialist.is_empty() {
                plans::MeasureChange::Consultation(&f.specialist, minutes_of("hours", &f.hours)?, &f.risk)
            } else {
                plans::MeasureChange::Supervision(minutes_of("hours", &f.hours)?)
            };
            plans::edit_measure(txn, &signed.actor, id, mid, change, state.now()).await
        },
    )
    .await
}

/// A risk (`risks`) or a measure (`measures`) of the plan removed, its box ticked.
pub(super) async fn remove_part(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, part, pid)): Path<(i32, String, i32)>,
    Form(confirm): Form<ConfirmForm>,
) -> AppResult<Response> {
    confirm.required()?;
    let risk = match part.as_str() {
        "risks" => true,
        "measures" => false,
        _ => return Err(AppError::NotFound),
    };
    let flash = if risk {
        "plan-risk-removed"
    } else {
        "plan-measure-removed"
    };
    change(&state, &signed, id, Typed::new(FormView::new()), flash, async |txn| {
        if risk {
            plans::remove_risk(txn, &signed.actor, id, pid, state.now()).await
        } else {
            plans::remove_measure(txn, &signed.actor, id, pid, state.now()).await
        }
    })
    .await
}

/// The kinds of file a consent's evidence may be: a scan or an e-signature container.
const CONSENT_TYPES: [DocType; 4] = [DocType::Pdf, DocType::Png, DocType::Jpeg, DocType::Asice];

/// The consent: who gave it, and the signed application uploaded as its evidence (multipart).
pub(super) async fn consent(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (mut given_by, mut stored, mut file_name, mut upload_error) = (String::new(), None, String::new(), None);
    let limits = Limits {
        max_file: state.cfg.max_file_bytes,
        max_application: state.cfg.max_file_bytes,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                upload_error = Some("error-file-read");
                break;
            }
        };
        match field.name() {
            Some("consent_by") => given_by = field.text().await.unwrap_or_default(),
            Some("file") if field.file_name().is_some_and(|n| !n.is_empty()) && stored.is_none() => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                let folder = format!("consents/{id}");
                match attachments::store_upload(state.documents.clone(), &folder, &file_name, field, limits, 0).await {
                    Ok(s) if CONSENT_TYPES.contains(&s.doc_type) => stored = Some(s),
                    Ok(s) => {
                        delete_document(&state, &s.key).await;
                        upload_error = Some("error-consent-type");
                    }
                    Err(e) => match e.message() {
                        Some(message) => upload_error = Some(message),
                        None => return Err(AppError::Internal(e.into())),
                    },
                }
            }
            _ => {}
        }
    }
    let typed = FormView::new().with("consent_by", given_by.clone());
    let key = stored.as_ref().map(|s| s.key.clone());
    let mut replaced = None;
    let response = change(
        &state,
        &signed,
        id,
        Typed::new(typed),
        "plan-consent-recorded",
        async |txn| {
            let evidence = match (upload_error, stored) {
                (Some(message), _) => return Err(FieldErrors::single("file", message)),
                (None, None) => return Err(FieldErrors::single("file", "error-consent-file")),
                (None, Some(s)) => attachments::StoredFile::of(&file_name, s),
            };
            let (plan, old) = plans::record_consent(txn, &signed.actor, id, &given_by, evidence, state.now()).await?;
            replaced = old;
            Ok(plan)
        },
    )
    .await;
    let recorded = response.as_ref().is_ok_and(|r| r.status().is_redirection());
    // Refused: the new file is nobody's; recorded: the one it replaced is nobody's.
    let orphan = if recorded { replaced } else { key };
    if let Some(orphan) = orphan {
        delete_document(&state, &orphan).await;
    }
    response
}

/// Deletes a stored document no record names (a failure is logged: it only costs space).
async fn delete_document(state: &AppState, key: &str) {
    if let Err(e) = state.documents.delete(&StorePath::from(key)).await {
        tracing::warn!(error = %e, "unneeded document not deleted");
    }
}

/// The two papers of a plan: the plan to sign, and the parent's application and consent form.
#[derive(Clone, Copy)]
enum Paper {
    Plan,
    ConsentForm,
}

/// A paper of plan `id`, as a printable page (`pdf` false) or a PDF download, for the school's
/// staff (the read is audited as any read of the plan). Who signs is looked up for the plan
/// only.
async fn paper(state: &AppState, signed: &Signed, id: i32, which: Paper, pdf: bool) -> AppResult<Response> {
    let lang = signed.ctx.lang;
    let view = plans::view(&state.db, &signed.actor, id, state.now()).await?;
    if !view.staff {
        // The papers to sign are the school's; approvers read the plan page.
        return Err(AppError::NotFound);
    }
    let download =
        |stem: &str, bytes: Vec<u8>| crate::documents::pdf_download(&templates::t(lang, stem), &id.to_string(), bytes);
    Ok(match which {
        Paper::Plan => {
            let (author, director) = queries::signers(&state.db, &view.plan).await?;
            let today = templates::view::date(entities::time::to_riga(state.now()).date_naive());
            let signers = plan_documents::Signers {
                author,
                director,
                today,
            };
            if pdf {
                download("plan-print-file", plan_documents::plan_pdf(lang, &view, &signers))
            } else {
                plan_documents::plan_page(&signed.ctx.page(), &view, &signers).into_response()
            }
        }
        Paper::ConsentForm if pdf => download("consent-form-file", plan_documents::consent_pdf(lang, &view)),
        Paper::ConsentForm => plan_documents::consent_page(&signed.ctx.page(), &view).into_response(),
    })
}

pub(super) async fn plan_print(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    paper(&state, &signed, id, Paper::Plan, false).await
}

pub(super) async fn plan_pdf(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    paper(&state, &signed, id, Paper::Plan, true).await
}

pub(super) async fn consent_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    paper(&state, &signed, id, Paper::ConsentForm, false).await
}

pub(super) async fn consent_form_pdf(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    paper(&state, &signed, id, Paper::ConsentForm, true).await
}

/// The consent's evidence, to whoever may read the plan (the read is audited).
pub(super) async fn consent_document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let view = plans::view(&state.db, &signed.actor, id, state.now()).await?;
    let p = view.plan;
    let (Some(key), Some(name), Some(kind), Some(size)) = (
        p.consent_key,
        p.consent_file_name,
        p.consent_content_type,
        p.consent_size,
    ) else {
        return Err(AppError::NotFound);
    };
    crate::documents::serve_stored(&state, &key, &name, &kind, size).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CarryForm {
    carry_semester: i32,
}

/// The plan carried into another semester as a new draft; on to it.
pub(super) async fn carry(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<CarryForm>,
) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    match plans::carry_over(&txn, &signed.actor, id, f.carry_semester, state.now()).await {
        Ok((new, left_out)) => {
            txn.commit().await?;
            let flash = if left_out == 0 {
                "plan-carried"
            } else {
                "plan-carried-some"
            };
            Ok(redirect_with_flash(&state, &format!("/plans/{}", new.id), flash))
        }
        Err(e) => {
            drop(txn);
            // Said at the plan's status: the semester may no longer be among the choices.
            let mut errors = refused(e)?;
            if let Some(m) = errors.0.remove("semester_id") {
                errors.add(PLAN_STATUS, m);
            }
            let form = FormView::with_typed([("carry_semester", f.carry_semester.to_string().as_str())], errors);
            Ok(unprocessable(plan_page(&state, &signed, id, &form).await?))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ActForm {
    request: String,
    reason: String,
    confirm: String,
}

pub(super) async fn act(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ActForm>,
) -> AppResult<Response> {
    let request = Request::ALL
        .into_iter()
        .find(|r| request_name(*r) == f.request)
        .ok_or(AppError::BadRequest("error-choose"))?;
    let typed = FormView::new().with("reason", f.reason.clone());
    let scope = request_name(request);
    let said = |(plan, vocational): &(entities::entity::plan::Model, bool)| done_message(request, plan, *vocational);
    change_saying(&state, &signed, id, Typed::scoped(typed, scope), said, async |txn| {
        if request == Request::Deactivate && f.confirm != "yes" {
            return Err(FieldErrors::single("confirm", "error-confirm"));
        }
        let plan = plans::act(txn, &signed.actor, id, request, Some(&f.reason), state.now()).await?;
        let vocational = entities::orgs::get(txn, plan.school_id).await?.is_vocational;
        Ok((plan, vocational))
    })
    .await
}

/// What the message after a step says: what happened at which level, and where the plan waits
/// now ("approved by the school; waiting for the municipality").
fn done_message(request: Request, plan: &entities::entity::plan::Model, vocational: bool) -> String {
    use entities::plans::rules::chain;
    let level = |step: i16| {
        usize::try_from(step)
            .ok()
            .and_then(|i| chain(vocational).get(i))
            .map(sea_orm::ActiveEnum::to_value)
            .unwrap_or_default()
    };
    match (request, plan.status) {
        (Request::SendForApproval, entities::entity::plan::PlanState::InApproval) => {
            format!("plan-sent-waiting-{}", level(plan.approval_step))
        }
        (Request::Approve, entities::entity::plan::PlanState::InApproval) => format!(
            "plan-approved-{}-waiting-{}",
            level(plan.approval_step - 1),
            level(plan.approval_step)
        ),
        (Request::Approve, _) => "plan-approved-final".to_owned(),
        (request, _) => format!("plan-done-{}", request_name(request)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EvaluationForm {
    measure_id: Option<i32>,
    text: String,
    result: String,
    outcome: Option<String>,
}

pub(super) async fn evaluate(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<EvaluationForm>,
) -> AppResult<Response> {
    let typed = FormView::new()
        .with("text", f.text.clone())
        .with("result", f.result.clone())
        .with("outcome", f.outcome.clone().unwrap_or_default());
    let scope = f.measure_id.map_or_else(|| "plan".to_owned(), |m| format!("e{m}"));
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, scope),
        "evaluation-saved",
        async |txn| {
            let written = (f.text.as_str(), f.result.as_str(), f.outcome.as_deref());
            plans::evaluate(txn, &signed.actor, id, f.measure_id, written, state.now()).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SessionForm {
    held_on: String,
    minutes: String,
    remote: Option<String>,
    pupil_confirmed: Option<String>,
}

pub(super) async fn log_session(
    State(state): State<AppState>,
    signed: Signed,
    Path(measure_id): Path<i32>,
    Form(f): Form<SessionForm>,
) -> AppResult<Response> {
    let plan_id = plans::plan_of_measure(&state.db, &signed.actor, measure_id).await?;
    let typed = FormView::new()
        .with("held_on", f.held_on.clone())
        .with("minutes", f.minutes.clone())
        .with("remote", f.remote.clone().unwrap_or_default())
        .with("pupil_confirmed", f.pupil_confirmed.clone().unwrap_or_default());
    let scope = format!("m{measure_id}");
    change(
        &state,
        &signed,
        plan_id,
        Typed::scoped(typed, scope),
        "session-logged",
        async |txn| {
            let held_on = date_field(&f.held_on).ok_or_else(|| FieldErrors::single("held_on", "error-date"))?;
            let session = Session {
                held_on,
                minutes: whole_minutes("minutes", &f.minutes)?,
                remote: f.remote.is_some(),
                pupil_confirmed: f.pupil_confirmed.is_some(),
            };
            plans::log_session(txn, &signed.actor, measure_id, session, state.now()).await
        },
    )
    .await
}

/// An expense: amount and date, then (optionally) its document, streamed to storage before the
/// row is written; a refused expense leaves no object behind.
pub(super) async fn record_expense(
    State(state): State<AppState>,
    signed: Signed,
    Path(measure_id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let plan_id = plans::plan_of_measure(&state.db, &signed.actor, measure_id).await?;
    let (mut amount, mut spent_on, mut stored, mut file_name) = (String::new(), String::new(), None, String::new());
    let limits = Limits {
        max_file: state.cfg.max_file_bytes,
        max_application: state.cfg.max_file_bytes,
    };
    let mut upload_error = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                upload_error = Some("error-file-read");
                break;
            }
        };
        match field.name() {
            Some("amount") => amount = field.text().await.unwrap_or_default(),
            Some("spent_on") => spent_on = field.text().await.unwrap_or_default(),
            Some("file") if field.file_name().is_some_and(|n| !n.is_empty()) && stored.is_none() => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                let folder = format!("expenses/{measure_id}");
                match attachments::store_upload(state.documents.clone(), &folder, &file_name, field, limits, 0).await {
                    Ok(s) => stored = Some(s),
                    Err(e) => match e.message() {
                        Some(message) => upload_error = Some(message),
                        None => return Err(AppError::Internal(e.into())),
                    },
                }
            }
            _ => {}
        }
    }
    let typed = FormView::new()
        .with("amount", amount.clone())
        .with("spent_on", spent_on.clone());
    let scope = format!("m{measure_id}");
    let response = change(
        &state,
        &signed,
        plan_id,
        Typed::scoped(typed, scope),
        "expense-recorded",
        async |txn| {
            if let Some(message) = upload_error {
                return Err(FieldErrors::single("file", message));
            }
            let (money, day) = match (Eur::parse(&amount), date_field(&spent_on)) {
                (Some(money), Some(day)) => (money, day),
                (money, day) => {
                    let mut e = FieldErrors::new();
                    if money.is_none() {
                        e.add("amount", "error-money");
                    }
                    if day.is_none() {
                        e.add("spent_on", "error-date");
                    }
                    return Err(DomainError::Invalid(e));
                }
            };
            let document = stored.as_ref().map(|stored| Document {
                file_name: &file_name,
                stored,
            });
            plans::record_expense(txn, &signed.actor, measure_id, money, day, document, state.now()).await
        },
    )
    .await;
    // Refused or failed: the stored document is nobody's.
    if let Some(s) = &stored
        && !response.as_ref().is_ok_and(|r| r.status().is_redirection())
        && let Err(e) = state.documents.delete(&StorePath::from(s.key.as_str())).await
    {
        tracing::warn!(error = %e, "refused expense document not deleted");
    }
    response
}

/// The plans waiting for the actor's approval.
pub(super) async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(list): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    let window = list.window();
    let (rows, total) = queries::approval_queue(&state.db, &signed.actor, &window).await?;
    let sorts = [("waiting", "list-sort-waiting"), ("school", "list-sort-school")];
    let list = lists::view(
        signed.ctx.lang,
        "/plans/approvals".to_owned(),
        Vec::new(),
        &window,
        &sorts,
        total,
    );
    Ok(pages::queue(&signed.ctx.page(), &rows, &list))
}
