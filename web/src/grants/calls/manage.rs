//! The coordinator's call pages: list, the form (create, edit a draft), publishing, extending
//! the deadline of a published call.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use entities::entity::application::ApplicationStatus;
use entities::entity::call::{self, CallStatus};
use entities::grants::applications;
use entities::grants::calls::{self, CallForm, CriterionForm};
use entities::money::Eur;
use entities::{Error as DomainError, FieldErrors};
use serde::Deserialize;
use templates::NavLink;
use templates::components::FormView;
use templates::pages::applications::{self as application_pages, ApplicationRow, CallApplicationsView};
use templates::pages::calls::{self as pages, CallFormView};
use templates::{Lang, t};

use crate::ctx::{ConfirmForm, Signed, redirect_with_flash, unprocessable};
use crate::error::{AppError, AppResult};
use crate::lists::{self, ListQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/calls", get(list))
        .route("/manage/calls/new", get(new_page).post(create))
        .route("/manage/calls/{id}", get(show).post(update))
        .route("/manage/calls/{id}/publish", post(publish))
        .route("/manage/calls/{id}/copy", post(copy))
        .route("/manage/calls/{id}/deadline", post(extend))
        .route("/manage/calls/{id}/applications", get(call_applications))
        .route("/manage/calls/{id}/applications.csv", get(call_applications_csv))
}

/// The call form as posted: single fields, repeated row fields, and the button pressed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CallData {
    title: String,
    description: String,
    aims: String,
    eligibility: String,
    ref_prefix: String,
    opens_at: String,
    closes_at: String,
    scoring_deadline: String,
    budget: String,
    min_grant: String,
    max_grant: String,
    cofinancing_percent: String,
    allow_informal_groups: Option<String>,
    project_starts_on: String,
    project_ends_on: String,
    advance_percent: String,
    interim_report_on: String,
    final_report_days: String,
    accept_days: String,
    requirement: Vec<String>,
    criterion_name: Vec<String>,
    criterion_description: Vec<String>,
    criterion_max_points: Vec<String>,
    criterion_weight: Vec<String>,
    criterion_min_points: Vec<String>,
    action: String,
}

impl CallData {
    fn criteria(&self) -> Vec<[String; 5]> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        (0..self.criterion_name.len())
            .map(|i| {
                [
                    at(&self.criterion_name, i),
                    at(&self.criterion_description, i),
                    at(&self.criterion_max_points, i),
                    at(&self.criterion_weight, i),
                    at(&self.criterion_min_points, i),
                ]
            })
            .collect()
    }

    fn to_form(&self) -> CallForm {
        CallForm {
            title: self.title.clone(),
            description: self.description.clone(),
            aims: self.aims.clone(),
            eligibility: self.eligibility.clone(),
            ref_prefix: self.ref_prefix.clone(),
            opens_at: self.opens_at.clone(),
            closes_at: self.closes_at.clone(),
            scoring_deadline: self.scoring_deadline.clone(),
            budget: self.budget.clone(),
            min_grant: self.min_grant.clone(),
            max_grant: self.max_grant.clone(),
            cofinancing_percent: self.cofinancing_percent.clone(),
            allow_informal_groups: self.allow_informal_groups.is_some(),
            requirements: self.requirement.clone(),
            criteria: self
                .criteria()
                .into_iter()
                .map(|[name, description, max_points, weight, min_points]| CriterionForm {
                    name,
                    description,
                    max_points,
                    weight,
                    min_points,
                })
                .collect(),
            project_starts_on: self.project_starts_on.clone(),
            project_ends_on: self.project_ends_on.clone(),
            advance_percent: self.advance_percent.clone(),
            interim_report_on: self.interim_report_on.clone(),
            final_report_days: self.final_report_days.clone(),
            accept_days: self.accept_days.clone(),
        }
    }

    /// The same data from a saved call, its amounts and percentages written the language's way
    /// (`1500,50` in Latvian) to be edited.
    fn from_call(lang: Lang, c: &call::Model, requirements: Vec<String>, criteria: Vec<[String; 5]>) -> Self {
        let plain = |cents: i64| templates::view::amount_input(lang, cents);
        let percent = |bp: i64| templates::view::hundredths_in(lang, bp);
        let mut data = Self {
            title: c.title.clone(),
            description: c.description.clone(),
            aims: c.aims.clone(),
            eligibility: c.eligibility.clone(),
            ref_prefix: c.ref_prefix.clone(),
            opens_at: templates::view::riga_input(c.opens_at),
            closes_at: templates::view::riga_input(c.closes_at),
            scoring_deadline: templates::view::riga_input(c.scoring_deadline),
            budget: plain(c.budget_cents),
            min_grant: plain(c.min_grant_cents),
            max_grant: plain(c.max_grant_cents),
            cofinancing_percent: percent(c.cofinancing_bp.into()),
            allow_informal_groups: c.allow_informal_groups.then(|| "on".to_owned()),
            project_starts_on: c.project_starts_on.map(|d| d.to_string()).unwrap_or_default(),
            project_ends_on: c.project_ends_on.map(|d| d.to_string()).unwrap_or_default(),
            advance_percent: percent(c.advance_bp.into()),
            interim_report_on: c.interim_report_on.map(|d| d.to_string()).unwrap_or_default(),
            final_report_days: c.final_report_days.to_string(),
            accept_days: c.accept_days.to_string(),
            requirement: requirements,
            ..Default::default()
        };
        data.set_criteria(criteria);
        data
    }

    fn set_criteria(&mut self, rows: Vec<[String; 5]>) {
        self.criterion_name = rows.iter().map(|r| r[0].clone()).collect();
        self.criterion_description = rows.iter().map(|r| r[1].clone()).collect();
        self.criterion_max_points = rows.iter().map(|r| r[2].clone()).collect();
        self.criterion_weight = rows.iter().map(|r| r[3].clone()).collect();
        self.criterion_min_points = rows.iter().map(|r| r[4].clone()).collect();
    }

    /// Adds or removes a row when that button was pressed; `true` when it was.
    fn apply_row_action(&mut self) -> bool {
        let action = self.action.clone();
        if action == "add_requirement" {
            self.requirement.push(String::new());
        } else if action == "add_criterion" {
            let mut rows = self.criteria();
            rows.push(Default::default());
            self.set_criteria(rows);
        } else if let Some(i) = action
            .strip_prefix("remove_requirement-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            if i < self.requirement.len() {
                self.requirement.remove(i);
            }
        } else if let Some(i) = action
            .strip_prefix("remove_criterion-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            let mut rows = self.criteria();
            if i < rows.len() {
                rows.remove(i);
            }
            self.set_criteria(rows);
        } else {
            return false;
        }
        true
    }

    fn view(
        &self,
        action: String,
        municipality: String,
        errors: FieldErrors,
        publish_action: Option<String>,
    ) -> CallFormView {
        let form = FormView::with_typed(
            [
                ("title", self.title.as_str()),
                ("description", self.description.as_str()),
                ("aims", self.aims.as_str()),
                ("eligibility", self.eligibility.as_str()),
                ("ref_prefix", self.ref_prefix.as_str()),
                ("opens_at", self.opens_at.as_str()),
                ("closes_at", self.closes_at.as_str()),
                ("scoring_deadline", self.scoring_deadline.as_str()),
                ("budget", self.budget.as_str()),
                ("min_grant", self.min_grant.as_str()),
                ("max_grant", self.max_grant.as_str()),
                ("cofinancing_percent", self.cofinancing_percent.as_str()),
                ("project_starts_on", self.project_starts_on.as_str()),
                ("project_ends_on", self.project_ends_on.as_str()),
                ("advance_percent", self.advance_percent.as_str()),
                ("interim_report_on", self.interim_report_on.as_str()),
                ("final_report_days", self.final_report_days.as_str()),
                ("accept_days", self.accept_days.as_str()),
            ],
            errors,
        )
        .with(
            "allow_informal_groups",
            self.allow_informal_groups.clone().unwrap_or_default(),
        );
        CallFormView {
            action,
            municipality,
            form,
            requirements: self.requirement.clone(),
            criteria: self.criteria(),
            publish_action,
        }
    }
}

async fn list(State(state): State<AppState>, signed: Signed, Query(list): Query<ListQuery>) -> AppResult<Response> {
    let municipalities = calls::managed_municipalities(&signed.actor);
    if municipalities.is_empty() {
        return Err(AppError::NotFound);
    }
    let lang = signed.ctx.lang;
    let now = state.now();
    let window = list.window();
    let which = calls::CallList::Managed(&signed.actor);
    let (managed, total) = calls::list_page(&state.db, which, &window).await?;
    let ids: Vec<i32> = managed.iter().map(|(c, _)| c.id).collect();
    let counts = applications::count_submitted(&state.db, &ids).await?;
    let rows: Vec<_> = managed
        .into_iter()
        .map(|(c, m)| {
            let n = counts.get(&c.id).copied().unwrap_or(0);
            let href = format!("/manage/calls/{}", c.id);
            super::row(lang, &c, &m.map(|m| m.name).unwrap_or_default(), href, now, Some(n))
        })
        .collect();
    let new_links: Vec<NavLink> = municipalities
        .iter()
        .filter_map(|id| municipality_name(&signed, *id).ok().map(|name| (id, name)))
        .map(|(id, name)| NavLink {
            label: format!("{} — {}", t(lang, "manage-calls-new"), name),
            href: format!("/manage/calls/new?municipality={id}"),
        })
        .collect();
    let view = super::list_view(lang, "/manage/calls".to_owned(), &window, which.default_sort(), total);
    Ok(pages::manage_list(&signed.ctx.page(), &rows, &view, &new_links).into_response())
}

#[derive(Deserialize)]
struct NewQuery {
    municipality: i32,
}

fn municipality_name(signed: &Signed, id: i32) -> AppResult<String> {
    signed
        .actor
        .grants
        .iter()
        .find(|g| g.org.id == id && entities::policy::call_managers(id).includes(&signed.actor))
        .map(|g| g.org.name.clone())
        .ok_or(AppError::NotFound)
}

async fn new_page(signed: Signed, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let name = municipality_name(&signed, q.municipality)?;
    let mut data = CallData {
        ref_prefix: "REZ".into(),
        cofinancing_percent: "0".into(),
        advance_percent: "80".into(),
        final_report_days: "30".into(),
        accept_days: "14".into(),
        requirement: vec![String::new()],
        ..Default::default()
    };
    data.set_criteria(vec![Default::default()]);
    let view = data.view(
        format!("/manage/calls/new?municipality={}", q.municipality),
        name,
        FieldErrors::new(),
        None,
    );
    Ok(pages::edit(&signed.ctx.page(), &t(signed.ctx.lang, "manage-calls-new"), &view).into_response())
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<NewQuery>,
    MultiForm(mut data): MultiForm<CallData>,
) -> AppResult<Response> {
    let name = municipality_name(&signed, q.municipality)?;
    let action = format!("/manage/calls/new?municipality={}", q.municipality);
    let title = t(signed.ctx.lang, "manage-calls-new");
    if data.apply_row_action() {
        return Ok(pages::edit(
            &signed.ctx.page(),
            &title,
            &data.view(action, name, FieldErrors::new(), None),
        )
        .into_response());
    }
    let input = match data.to_form().parse() {
        Ok(input) => input,
        Err(DomainError::Invalid(errors)) => {
            return Ok(unprocessable(pages::edit(
                &signed.ctx.page(),
                &title,
                &data.view(action, name, errors, None),
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let txn = entities::db::write(&state.db).await?;
    let call = calls::create(&txn, &signed.actor, q.municipality, &input, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/manage/calls/{}", call.id),
        "call-saved",
    ))
}

async fn saved_data(state: &AppState, lang: Lang, c: &call::Model) -> AppResult<CallData> {
    let requirements = calls::requirements(&state.db, c.id)
        .await?
        .into_iter()
        .map(|r| r.text)
        .collect();
    let criteria = calls::criteria(&state.db, c.id)
        .await?
        .into_iter()
        .map(|k| {
            [
                k.name,
                k.description,
                k.max_points.to_string(),
                templates::view::hundredths_in(lang, k.weight_x100.into()),
                k.min_points.map(|m| m.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(CallData::from_call(lang, c, requirements, criteria))
}

async fn render_call(
    state: &AppState,
    signed: &Signed,
    c: &call::Model,
    data: Option<CallData>,
    errors: FieldErrors,
    extend: FormView,
) -> AppResult<Response> {
    let municipality = municipality_name(signed, c.municipality_id)?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    if c.status == CallStatus::Draft {
        let data = match data {
            Some(d) => d,
            None => saved_data(state, signed.ctx.lang, c).await?,
        };
        let view = data.view(
            format!("/manage/calls/{}", c.id),
            municipality,
            errors,
            Some(format!("/manage/calls/{}/publish", c.id)),
        );
        let title = format!(
            "{} ({})",
            c.title,
            templates::view::call_status(signed.ctx.lang, c.status)
        );
        return Ok((status, pages::edit(&signed.ctx.page(), &title, &view)).into_response());
    }
    let requirements = calls::requirements(&state.db, c.id).await?;
    let criteria = calls::criteria(&state.db, c.id).await?;
    let now = state.now();
    let detail = super::detail(signed.ctx.lang, c, &municipality, &requirements, &criteria, now);
    let can_extend = c.status == CallStatus::Open;
    let extend = if extend.values.is_empty() {
        extend.with("closes_at", templates::view::riga_input(c.closes_at))
    } else {
        extend
    };
    Ok((
        status,
        pages::manage_published(&signed.ctx.page(), c.id, &detail, &extend, can_extend),
    )
        .into_response())
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    render_call(&state, &signed, &c, None, FieldErrors::new(), FormView::new()).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(mut data): MultiForm<CallData>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    if c.status != CallStatus::Draft {
        return Err(AppError::BadRequest("error-call-frozen"));
    }
    if data.apply_row_action() {
        return render_call(&state, &signed, &c, Some(data), FieldErrors::new(), FormView::new()).await;
    }
    let input = match data.to_form().parse() {
        Ok(input) => input,
        Err(DomainError::Invalid(errors)) => {
            return render_call(&state, &signed, &c, Some(data), errors, FormView::new()).await;
        }
        Err(e) => return Err(e.into()),
    };
    let txn = entities::db::write(&state.db).await?;
    calls::update_draft(&txn, &signed.actor, c, &input, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/manage/calls/{id}"),
        "call-saved",
    ))
}

/// A new draft from this call (last year's, say), to be edited and published.
async fn copy(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let copied = calls::copy(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/manage/calls/{}", copied.id),
        "call-copied",
    ))
}

async fn publish(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(confirm): Form<ConfirmForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    if confirm.required().is_err() {
        let errors = FieldErrors::one("publish_call_confirm", "error-confirm");
        return render_call(&state, &signed, &c, None, errors, FormView::new()).await;
    }
    let txn = entities::db::write(&state.db).await?;
    match calls::publish(&txn, &signed.actor, c.clone(), state.now()).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/manage/calls/{id}"),
                "call-published",
            ))
        }
        Err(DomainError::Invalid(errors)) => {
            drop(txn);
            render_call(&state, &signed, &c, None, errors, FormView::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExtendForm {
    closes_at: String,
}

async fn extend(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ExtendForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let txn = entities::db::write(&state.db).await?;
    match calls::extend_deadline(&txn, &signed.actor, c.clone(), &f.closes_at, state.now()).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/manage/calls/{id}"),
                "call-extended",
            ))
        }
        Err(DomainError::Invalid(errors)) => {
            drop(txn);
            let form = FormView {
                errors,
                ..FormView::new()
            }
            .with("closes_at", f.closes_at);
            render_call(&state, &signed, &c, None, FieldErrors::new(), form)
                .await
                .map(|r| {
                    let (mut parts, body) = r.into_parts();
                    parts.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                    Response::from_parts(parts, body)
                })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusQuery {
    status: String,
}

impl StatusQuery {
    fn status(&self) -> Option<ApplicationStatus> {
        ApplicationStatus::parse(&self.status).filter(|s| *s != ApplicationStatus::Draft)
    }
}

async fn call_applications(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<StatusQuery>,
    Query(list): Query<ListQuery>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let lang = signed.ctx.lang;
    let window = list.window();
    let (rows, total, requested) = applications::page_of_call(&state.db, id, q.status(), &window).await?;
    let rows = rows
        .into_iter()
        .map(|r| ApplicationRow {
            href: format!("/applications/{}", r.app.id),
            title: r.app.title.clone(),
            call: c.title.clone(),
            reference: r.app.ref_no.clone().unwrap_or_default(),
            status: templates::view::application_status(lang, r.app.status),
            requested: Eur::from_cents(r.app.requested_cents).display(lang),
            applicant: r.applicant.map(|a| a.name).unwrap_or_default(),
        })
        .collect();
    let filter = q.status().map(|s| s.as_str().to_owned()).unwrap_or_default();
    let view = CallApplicationsView {
        call_id: id,
        call_title: c.title.clone(),
        rows,
        list: lists::view(
            lang,
            format!("/manage/calls/{id}/applications"),
            vec![("status", filter.clone())],
            &window,
            &[
                ("ref", "list-sort-ref"),
                ("title", "list-sort-title"),
                ("applicant", "list-sort-applicant"),
                ("-requested", "list-sort-requested"),
            ],
            total,
        ),
        filter,
        statuses: ApplicationStatus::ALL
            .into_iter()
            .filter(|s| *s != ApplicationStatus::Draft)
            .map(|s| (s.as_str().to_owned(), templates::view::application_status(lang, s)))
            .collect(),
        requested_total: requested.display(lang),
        budget: Eur::from_cents(c.budget_cents).display(lang),
        over_budget: requested.cents() > c.budget_cents,
    };
    Ok(application_pages::call_applications(&signed.ctx.page(), &view).into_response())
}

async fn call_applications_csv(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<StatusQuery>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let lang = signed.ctx.lang;
    let status = q.status();
    let name = format!("pieteikumi-{}.csv", c.id);
    crate::csv::stream(&name, move |sink| async move {
        let columns = crate::grants::call_form::AnswerColumns::of(&state, lang, c.id).await?;
        let header: Vec<String> = [
            "application-reference",
            "field-applicant",
            "field-reg-no",
            "application-title",
            "call-status",
            "application-requested",
            "application-cofinancing",
            "application-submitted-at",
        ]
        .iter()
        .map(|k| t(lang, k))
        .chain(columns.header())
        .collect();
        sink.sheet(String::new(), header).await?;
        let size = crate::csv::ROWS_PER_PART;
        for offset in (0_u64..).step_by(size) {
            let rows = applications::part_of_call(&state.db, c.id, status, offset, size as u64).await?;
            let ids: Vec<i32> = rows.iter().map(|r| r.app.id).collect();
            let mut answers = columns.cells(&state, &ids).await?;
            let last = rows.len() < size;
            let rows = rows
                .into_iter()
                .map(|r| {
                    let answers = answers.remove(&r.app.id).unwrap_or_default();
                    let (name, reg_no) = r
                        .applicant
                        .map(|a| (a.name, a.reg_no.unwrap_or_default()))
                        .unwrap_or_default();
                    vec![
                        r.app.ref_no.clone().unwrap_or_default(),
                        name,
                        reg_no,
                        r.app.title.clone(),
                        templates::view::application_status(lang, r.app.status),
                        crate::csv::cents(r.app.requested_cents),
                        crate::csv::cents(r.app.cofinancing_cents),
                        r.app.submitted_at.map(templates::view::riga).unwrap_or_default(),
                    ]
                    .into_iter()
                    .chain(answers)
                    .collect()
                })
                .collect();
            sink.rows(rows).await?;
            if last {
                break;
            }
        }
        Ok(())
    })
    .await
}
