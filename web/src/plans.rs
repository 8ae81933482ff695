//! Pupil support plan pages: a school's pupils (registering them, the director's grants to
//! staff), a pupil, a plan with everything done to it, the approver's queue, a school's funding
//! with expenses and indirect hours, and the administrator's semesters and risk catalogue.
//! Every permission is the model's (`entities::plans`, `plans::queries`, `policy`); what the
//! actor may not see is "not found".

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use chrono::NaiveDate;
use entities::attachments::{self, Limits};
use entities::domain::Role;
use entities::entity::expense::ExpenseState;
use entities::entity::{organisation, semester};
use entities::money::Eur;
use entities::plans::{self, Document, Request, Session, queries};
use entities::policy::Actor;
use entities::{Error as DomainError, FieldErrors};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::plans::{self as pages, FundingView, PlanControls, PupilsView, request_name, semester_label};

use crate::ctx::{ConfirmForm, Signed, redirect_with_flash, unprocessable};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/schools/{id}/pupils", get(pupils).post(register))
        .route("/schools/{id}/staff/{membership}", post(staff_grants))
        .route("/schools/{id}/funding", get(funding))
        .route("/schools/{id}/indirect-hours", post(indirect_hours))
        .route("/pupils/{id}", get(pupil))
        .route("/pupils/{id}/staff", post(assign))
        .route("/pupils/{id}/plans", post(start))
        .route("/plans/approvals", get(queue))
        .route("/plans/{id}", get(plan))
        .route("/plans/{id}/risks", get(back_to_plan).post(add_risk))
        .route("/plans/{id}/consultations", get(back_to_plan).post(add_consultation))
        .route("/plans/{id}/compensations", get(back_to_plan).post(add_compensation))
        .route("/plans/{id}/consent", get(back_to_plan).post(consent))
        .route("/plans/{id}/act", get(back_to_plan).post(act))
        .route("/plans/{id}/evaluations", get(back_to_plan).post(evaluate))
        .route("/measures/{id}/sessions", get(back_to_measure_plan).post(log_session))
        .route(
            "/measures/{id}/expenses",
            get(back_to_measure_plan)
                .post(record_expense)
                .layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/expenses/{id}/decide", post(decide))
        .route("/expenses/{id}/pay", post(pay))
        .route("/plans/{id}/supervision", get(back_to_plan).post(add_supervision))
        .route("/expenses/{id}/document", get(document))
        .route("/admin/semesters", get(semesters).post(create_semester))
        .route("/admin/semesters/{id}/close", post(close_semester))
        .route("/admin/catalogue", get(catalogue).post(add_to_catalogue))
}

/// A form field's value as typed, `None` when empty.
fn date_field(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

fn semester_options(lang: templates::Lang, rows: &[semester::Model]) -> Vec<(String, String)> {
    rows.iter()
        .map(|s| (s.id.to_string(), semester_label(lang, s)))
        .collect()
}

/// The semester asked for, else the newest open one, else the newest.
fn chosen(rows: &[semester::Model], asked: Option<i32>) -> Option<&semester::Model> {
    asked
        .and_then(|id| rows.iter().find(|s| s.id == id))
        .or_else(|| rows.iter().find(|s| s.closed_at.is_none()))
        .or_else(|| rows.first())
}

async fn school(state: &AppState, id: i32) -> AppResult<organisation::Model> {
    Ok(entities::orgs::get(&state.db, id).await?)
}

/// Re-shows a refused form (422) or passes any other error on.
fn refused(e: DomainError) -> Result<FieldErrors, AppError> {
    match e {
        DomainError::Invalid(errors) => Ok(errors),
        DomainError::Refused(message) => Ok({
            let mut errors = FieldErrors::new();
            errors.add("plan-status", message);
            errors
        }),
        other => Err(other.into()),
    }
}

// ---- pupils ----

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    semester: Option<i32>,
    page: Option<u64>,
}

async fn pupils_page(
    state: &AppState,
    signed: &Signed,
    id: i32,
    q: &ListQuery,
    form: FormView,
) -> AppResult<maud::Markup> {
    let actor = &signed.actor;
    let org = school(state, id).await?;
    let all = queries::semesters(&state.db).await?;
    let semester = chosen(&all, q.semester);
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = queries::pupils(&state.db, actor, org.id, semester.map(|s| s.id), page, state.now()).await?;
    let staff = if actor.holds(Role::Director, org.id) {
        Some(queries::school_staff(&state.db, org.id).await?)
    } else {
        None
    };
    Ok(pages::pupils(
        &signed.ctx.page(),
        &PupilsView {
            school_id: org.id,
            school_name: org.name,
            semesters: semester_options(signed.ctx.lang, &all),
            semester,
            rows: &rows,
            page,
            total,
            can_register: actor.may_register_pupils(id),
            can_start: semester.is_some_and(|s| s.closed_at.is_none()),
            form,
            staff: staff.as_deref(),
        },
    ))
}

async fn pupils(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    pupils_page(&state, &signed, id, &q, FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PupilForm {
    name: String,
    class_name: String,
    birth_date: String,
}

async fn register(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<PupilForm>,
) -> AppResult<Response> {
    let form = |errors| {
        FormView::with_typed(
            [
                ("name", f.name.as_str()),
                ("class_name", f.class_name.as_str()),
                ("birth_date", f.birth_date.as_str()),
            ],
            errors,
        )
    };
    let Some(birth_date) = date_field(&f.birth_date) else {
        let errors = refused(FieldErrors::single("birth_date", "error-date"))?;
        let page = pupils_page(&state, &signed, id, &ListQuery::default(), form(errors)).await?;
        return Ok(unprocessable(page));
    };
    let txn = entities::db::write(&state.db).await?;
    match plans::register_pupil(
        &txn,
        &signed.actor,
        id,
        (&f.name, &f.class_name, birth_date),
        state.now(),
    )
    .await
    {
        Ok(pupil) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/pupils/{}", pupil.id),
                "pupil-registered",
            ))
        }
        Err(e) => {
            drop(txn);
            let page = pupils_page(&state, &signed, id, &ListQuery::default(), form(refused(e)?)).await?;
            Ok(unprocessable(page))
        }
    }
}

async fn staff_grants(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, membership)): Path<(i32, i32)>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let on = |name: String| f.get(&name).is_some_and(|v| v == "on");
    let grants = (on(format!("register-{membership}")), on(format!("all-{membership}")));
    let txn = entities::db::write(&state.db).await?;
    plans::set_staff_grants(&txn, &signed.actor, id, membership, grants, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/schools/{id}/pupils"),
        "staff-grants-saved",
    ))
}

async fn pupil_page(state: &AppState, signed: &Signed, id: i32, form: &FormView) -> AppResult<maud::Markup> {
    let page = queries::pupil(&state.db, &signed.actor, id, state.now()).await?;
    let open: Vec<semester::Model> = queries::semesters(&state.db)
        .await?
        .into_iter()
        .filter(|s| s.closed_at.is_none() && !page.plans.iter().any(|(_, taken)| taken.id == s.id))
        .collect();
    Ok(pages::pupil(
        &signed.ctx.page(),
        &page,
        &semester_options(signed.ctx.lang, &open),
        form,
    ))
}

async fn pupil(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<maud::Markup> {
    pupil_page(&state, &signed, id, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    user_id: i32,
}

async fn assign(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    let staff = entities::accounts::user_by_id(&state.db, f.user_id)
        .await?
        .ok_or(AppError::BadRequest("plan-refused-not-school-staff"))?;
    let staff = Actor::load(&state.db, staff).await?;
    let txn = entities::db::write(&state.db).await?;
    plans::assign(&txn, &signed.actor, id, &staff, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(&state, &format!("/pupils/{id}"), "pupil-assigned"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    semester_id: i32,
}

async fn start(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StartForm>,
) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    match plans::start_plan(&txn, &signed.actor, id, f.semester_id, state.now()).await {
        Ok(plan) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/plans/{}", plan.id),
                "plan-started",
            ))
        }
        Err(e) => {
            drop(txn);
            let form = FormView::with_typed([], refused(e)?);
            Ok(unprocessable(pupil_page(&state, &signed, id, &form).await?))
        }
    }
}

// ---- one plan ----

/// A form's address opened as a page (a reload after the form was refused, a bookmark): the
/// plan the form belongs to.
async fn back_to_plan(Path(id): Path<i32>) -> Redirect {
    Redirect::to(&format!("/plans/{id}"))
}

/// As `back_to_plan`, for the forms posted under one of the plan's measures.
async fn back_to_measure_plan(
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
    let controls = PlanControls {
        requests: plans::allowed_requests(&signed.actor, &view),
        editable,
        carrying_out: view.staff && status == PlanStatus::InProgress,
        can_evaluate: view.staff && matches!(status, PlanStatus::InProgress | PlanStatus::Paused),
        catalogue,
    };
    Ok(pages::plan(&signed.ctx.page(), &view, &controls, form))
}

async fn plan(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<maud::Markup> {
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
    let txn = entities::db::write(&state.db).await?;
    match result(&txn).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(state, &format!("/plans/{id}"), flash))
        }
        Err(e) => {
            drop(txn);
            // A refusal of the step itself is said at the plan's status, not in the form.
            let (errors, refusal) = match e {
                DomainError::Refused(message) => (FieldErrors::new(), Some(message)),
                other => (refused(other)?, None),
            };
            let form = FormView { errors, ..typed.form };
            let mut form = match &typed.scope {
                Some(scope) => form.in_scope(scope),
                None => form,
            };
            if let Some(message) = refusal {
                form.errors.add("plan-status", message);
            }
            Ok(unprocessable(plan_page(state, signed, id, &form).await?))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RiskForm {
    risk_id: i32,
    justification: String,
}

async fn add_risk(
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
struct MeasureForm {
    specialist: String,
    hours: String,
    category: String,
    planned: String,
    risk: Vec<i32>,
}

async fn add_consultation(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<MeasureForm>,
) -> AppResult<Response> {
    let typed = risks_typed(&f.risk)
        .with("specialist", f.specialist.clone())
        .with("hours", f.hours.clone());
    let minutes = minutes_of(&f.hours);
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, "c"),
        "plan-measure-added",
        async |txn| plans::add_consultation(txn, &signed.actor, id, &f.specialist, minutes, &f.risk).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SupervisionForm {
    supervision_hours: String,
}

async fn add_supervision(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<SupervisionForm>,
) -> AppResult<Response> {
    let typed = FormView::new().with("supervision_hours", f.supervision_hours.clone());
    let minutes = minutes_of(&f.supervision_hours);
    change(
        &state,
        &signed,
        id,
        Typed::new(typed),
        "plan-measure-added",
        async |txn| plans::add_supervision(txn, &signed.actor, id, minutes).await,
    )
    .await
}

/// The plan risks ticked in a measure form, to tick again when it is shown back.
fn risks_typed(risks: &[i32]) -> FormView {
    risks
        .iter()
        .fold(FormView::new(), |f, r| f.with(&format!("risk-{r}"), "on"))
}

/// Hours as people write them ("1,5"), as minutes; 0 when it is not a number.
fn minutes_of(hours: &str) -> i32 {
    entities::money::parse_hundredths(hours).map_or(0, |h| i32::try_from(h * 60 / 100).unwrap_or(0))
}

async fn add_compensation(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<MeasureForm>,
) -> AppResult<Response> {
    let typed = risks_typed(&f.risk)
        .with("category", f.category.clone())
        .with("planned", f.planned.clone());
    let planned = Eur::parse(&f.planned).unwrap_or(Eur::from_cents(0));
    change(
        &state,
        &signed,
        id,
        Typed::scoped(typed, "p"),
        "plan-measure-added",
        async |txn| plans::add_compensation(txn, &signed.actor, id, &f.category, planned, &f.risk).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConsentForm {
    consent_by: String,
}

async fn consent(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let typed = FormView::new().with("consent_by", f.consent_by.clone());
    change(
        &state,
        &signed,
        id,
        Typed::new(typed),
        "plan-consent-recorded",
        async |txn| plans::record_consent(txn, &signed.actor, id, &f.consent_by, state.now()).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActForm {
    request: String,
    reason: String,
    confirm: String,
}

async fn act(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ActForm>,
) -> AppResult<Response> {
    let request = Request::ALL
        .into_iter()
        .find(|r| request_name(*r) == f.request)
        .ok_or(AppError::BadRequest("error-choose"))?;
    let flash = format!("plan-done-{}", request_name(request));
    let typed = FormView::new().with("reason", f.reason.clone());
    let scope = request_name(request);
    change(&state, &signed, id, Typed::scoped(typed, scope), &flash, async |txn| {
        if request == Request::Deactivate && f.confirm != "yes" {
            return Err(FieldErrors::single("confirm", "error-confirm"));
        }
        plans::act(txn, &signed.actor, id, request, Some(&f.reason), state.now()).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EvaluationForm {
    measure_id: Option<i32>,
    text: String,
    result: String,
    outcome: Option<String>,
}

async fn evaluate(
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
struct SessionForm {
    held_on: String,
    minutes: String,
    remote: Option<String>,
    pupil_confirmed: Option<String>,
}

async fn log_session(
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
                minutes: f.minutes.trim().parse().unwrap_or(0),
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
async fn record_expense(
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

// ---- approvals, funding, expenses ----

async fn queue(State(state): State<AppState>, signed: Signed) -> AppResult<maud::Markup> {
    let rows = queries::approval_queue(&state.db, &signed.actor).await?;
    Ok(pages::queue(&signed.ctx.page(), &rows))
}

async fn funding_page(
    state: &AppState,
    signed: &Signed,
    id: i32,
    asked: Option<i32>,
    form: FormView,
) -> AppResult<maud::Markup> {
    let actor = &signed.actor;
    if !actor.works_at(id) {
        return Err(AppError::NotFound);
    }
    let org = school(state, id).await?;
    let all = queries::semesters(&state.db).await?;
    let semester = chosen(&all, asked);
    let (money, expenses, hours) = match semester {
        Some(s) => {
            let expenses = if actor.handles_money(id) {
                Some(queries::school_expenses(&state.db, actor, id, s.id).await?)
            } else {
                None
            };
            (
                Some(plans::funding(&state.db, id, s.id).await?),
                expenses,
                queries::indirect_hours(&state.db, id, s.id).await?,
            )
        }
        None => (None, None, Vec::new()),
    };
    Ok(pages::funding(
        &signed.ctx.page(),
        &FundingView {
            school_id: id,
            school_name: org.name,
            semesters: semester_options(signed.ctx.lang, &all),
            semester,
            funding: money,
            expenses: expenses.as_deref(),
            can_pay: actor.handles_money(id),
            hours: &hours,
            can_record_hours: actor.holds(Role::Director, id),
            form,
        },
    ))
}

async fn funding(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    funding_page(&state, &signed, id, q.semester, FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HoursForm {
    semester_id: i32,
    staff_role: String,
    minutes: String,
}

async fn indirect_hours(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<HoursForm>,
) -> AppResult<Response> {
    let minutes = f.minutes.trim().parse().unwrap_or(0);
    let txn = entities::db::write(&state.db).await?;
    match plans::record_indirect_hours(
        &txn,
        &signed.actor,
        id,
        f.semester_id,
        (&f.staff_role, minutes),
        state.now(),
    )
    .await
    {
        Ok(_) => {
            txn.commit().await?;
            let to = format!("/schools/{id}/funding?semester={}", f.semester_id);
            Ok(redirect_with_flash(&state, &to, "indirect-recorded"))
        }
        Err(e) => {
            drop(txn);
            let form = FormView::with_typed(
                [("staff_role", f.staff_role.as_str()), ("minutes", f.minutes.as_str())],
                refused(e)?,
            );
            Ok(unprocessable(
                funding_page(&state, &signed, id, Some(f.semester_id), form).await?,
            ))
        }
    }
}

async fn decide(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let (decided, school_id) = plans::decide_expense(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    let flash = if decided.status == ExpenseState::Approved {
        "expense-approved"
    } else {
        "expense-unpaid"
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/schools/{school_id}/funding"),
        flash,
    ))
}

async fn pay(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let (_, school_id) = plans::pay_expense(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/schools/{school_id}/funding"),
        "expense-paid",
    ))
}

async fn document(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let (row, _) = plans::school_expense(&state.db, &signed.actor, id).await?;
    let (Some(key), Some(name), Some(kind), Some(size)) = (
        row.document_key,
        row.document_name,
        row.document_type,
        row.document_size,
    ) else {
        return Err(AppError::NotFound);
    };
    crate::applications::serve_stored(&state, &key, &name, &kind, size).await
}

// ---- the administrator's semesters and catalogue ----

fn admin(signed: &Signed) -> AppResult<()> {
    if signed.actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn semesters_page(state: &AppState, signed: &Signed, form: &FormView) -> AppResult<maud::Markup> {
    admin(signed)?;
    let rows = queries::semesters(&state.db).await?;
    Ok(pages::semesters(&signed.ctx.page(), &rows, form))
}

async fn semesters(State(state): State<AppState>, signed: Signed) -> AppResult<maud::Markup> {
    semesters_page(&state, &signed, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SemesterForm {
    school_year: String,
    half: String,
    starts_on: String,
    ends_on: String,
    cap: String,
}

async fn create_semester(
    State(state): State<AppState>,
    signed: Signed,
    Form(f): Form<SemesterForm>,
) -> AppResult<Response> {
    admin(&signed)?;
    let year = f
        .school_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let (starts, ends, cap) = (date_field(&f.starts_on), date_field(&f.ends_on), Eur::parse(&f.cap));
    let result = match (year, starts, ends, cap) {
        (Some(year), Some(starts), Some(ends), Some(cap)) => {
            let half = f.half.trim().parse().unwrap_or(0);
            let txn = entities::db::write(&state.db).await?;
            let made = plans::create_semester(&txn, year, half, (starts, ends), cap, state.now()).await;
            if let Ok(s) = &made {
                entities::audit::record(
                    &txn,
                    entities::audit::Entry::by(&signed.actor, None, "semester_create", ("semester", s.id.into())),
                    state.now(),
                )
                .await?;
                txn.commit().await?;
            }
            made.map(|_| ())
        }
        _ => {
            let mut e = FieldErrors::new();
            for (name, missing, message) in [
                ("school_year", year.is_none(), "error-semester-year"),
                ("starts_on", starts.is_none(), "error-date"),
                ("ends_on", ends.is_none(), "error-date"),
                ("cap", cap.is_none(), "error-money"),
            ] {
                if missing {
                    e.add(name, message);
                }
            }
            Err(DomainError::Invalid(e))
        }
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&state, "/admin/semesters", "semester-created")),
        Err(e) => {
            let form = FormView::with_typed(
                [
                    ("school_year", f.school_year.as_str()),
                    ("half", f.half.as_str()),
                    ("starts_on", f.starts_on.as_str()),
                    ("ends_on", f.ends_on.as_str()),
                    ("cap", f.cap.as_str()),
                ],
                refused(e)?,
            );
            Ok(unprocessable(semesters_page(&state, &signed, &form).await?))
        }
    }
}

async fn close_semester(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    admin(&signed)?;
    f.required()?;
    let txn = entities::db::write(&state.db).await?;
    plans::close_semester(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(&state, "/admin/semesters", "semester-closed-flash"))
}

async fn catalogue_page(state: &AppState, signed: &Signed, form: &FormView) -> AppResult<maud::Markup> {
    admin(signed)?;
    let newest = plans::newest_catalogue(&state.db, state.now()).await?;
    let versions = queries::catalogues(&state.db).await?;
    let groups = queries::catalogue(&state.db, newest.id).await?;
    Ok(pages::catalogue(&signed.ctx.page(), &versions, &groups, form))
}

async fn catalogue(State(state): State<AppState>, signed: Signed) -> AppResult<maud::Markup> {
    catalogue_page(&state, &signed, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CatalogueForm {
    group: String,
    code: String,
    name_lv: String,
    name_en: String,
}

async fn add_to_catalogue(
    State(state): State<AppState>,
    signed: Signed,
    Form(f): Form<CatalogueForm>,
) -> AppResult<Response> {
    admin(&signed)?;
    let code = f.code.trim().to_ascii_lowercase();
    let txn = entities::db::write(&state.db).await?;
    let result = if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Err(FieldErrors::single("code", "error-risk-code"))
    } else {
        let addition = [(f.group.as_str(), code.as_str(), f.name_lv.as_str(), f.name_en.as_str())];
        plans::new_catalogue_version(&txn, &signed.actor, &addition, state.now()).await
    };
    match result {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(&state, "/admin/catalogue", "catalogue-added"))
        }
        Err(e) => {
            drop(txn);
            let form = FormView::with_typed(
                [
                    ("group", f.group.as_str()),
                    ("code", f.code.as_str()),
                    ("name_lv", f.name_lv.as_str()),
                    ("name_en", f.name_en.as_str()),
                ],
                refused(e)?,
            );
            Ok(unprocessable(catalogue_page(&state, &signed, &form).await?))
        }
    }
}
