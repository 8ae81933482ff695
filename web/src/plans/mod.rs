//! Pupil support plan pages: a school's pupils (registering them, the director's grants to
//! staff), a pupil, a plan with everything done to it, the approver's queue, a school's funding
//! with expenses and indirect hours, and the administrator's semesters and risk catalogue.
//! Every permission is the model's (`entities::plans`, `plans::queries`, `policy`); what the
//! actor may not see is "not found".

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use chrono::NaiveDate;
use entities::attachments::{self, DocType, Limits};
use entities::domain::Role;
use entities::entity::expense::ExpenseState;
use entities::entity::{organisation, semester};
use entities::money::Eur;
use entities::plans::queries::{self, PlanFilter};
use entities::plans::{self, Document, Request, Session};
use entities::policy::Actor;
use entities::{Error as DomainError, FieldErrors};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::plan_documents;
use templates::pages::plans::{self as pages, FundingView, PlanControls, PupilsView, request_name, semester_label};

use crate::ctx::{ConfirmForm, Signed, redirect_with_flash, unprocessable, write_or_show_again};
use crate::error::{AppError, AppResult};
use crate::lists::{self, ListQuery};
use crate::state::AppState;

mod admin;
mod funding;
mod import;
mod plan;
mod pupils;

use admin::*;
use funding::*;
use import::*;
use plan::*;
use pupils::*;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/schools/{id}/pupils", get(pupils).post(register))
        .route(
            "/schools/{id}/pupils/import",
            get(import_page)
                .post(import_preview)
                .layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/schools/{id}/pupils/import/confirm", post(import_confirm))
        .route("/schools/{id}/staff/{membership}", post(staff_grants))
        .route("/schools/{id}/funding", get(funding))
        .route("/schools/{id}/indirect-hours", post(indirect_hours))
        .route("/pupils/{id}", get(pupil))
        .route("/pupils/{id}/staff", post(assign))
        .route("/pupils/{id}/correct", get(back_to_pupil).post(correct))
        .route("/pupils/{id}/transfer", get(back_to_pupil).post(transfer))
        .route("/transfers/{id}/accept", post(accept_transfer))
        .route("/transfers/{id}/decline", post(decline_transfer))
        .route("/schools/{id}/pupils/promote", get(promotion).post(promote))
        .route("/pupils/{id}/plans", post(start))
        .route("/plans/approvals", get(queue))
        .route("/plans/{id}", get(plan))
        .route("/plans/{id}/risks", get(back_to_plan).post(add_risk))
        .route("/plans/{id}/risks/{rid}", post(edit_risk))
        .route("/plans/{id}/{part}/{pid}/remove", post(remove_part))
        .route("/plans/{id}/measures/{mid}", post(edit_measure))
        .route("/plans/{id}/consultations", get(back_to_plan).post(add_consultation))
        .route("/plans/{id}/compensations", get(back_to_plan).post(add_compensation))
        .route(
            "/plans/{id}/consent",
            get(back_to_plan).post(consent).layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/plans/{id}/consent/document", get(consent_document))
        .route("/plans/{id}/print", get(plan_print))
        .route("/plans/{id}/carry", get(back_to_plan).post(carry))
        .route("/plans/{id}/plan.pdf", get(plan_pdf))
        .route("/plans/{id}/consent-form", get(consent_form))
        .route("/plans/{id}/consent-form.pdf", get(consent_form_pdf))
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
    entities::time::parse_date(raw)
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

/// Where a plan page shows why a step was refused: at the plan's status.
const PLAN_STATUS: &str = "plan-status";

/// Re-shows a refused form (422) or passes any other error on.
fn refused(e: DomainError) -> Result<FieldErrors, AppError> {
    match e {
        DomainError::Invalid(errors) => Ok(errors),
        DomainError::Refused(message) => Ok(FieldErrors::one(PLAN_STATUS, message)),
        other => Err(other.into()),
    }
}

/// The semester a school's page is asked for, and which pupils by their plan in it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SchoolQuery {
    semester: Option<i32>,
    plan: String,
}

/// Whole minutes as typed; a problem of `field` when they are not a whole number.
fn whole_minutes(field: &'static str, raw: &str) -> entities::Result<i32> {
    raw.trim()
        .parse()
        .map_err(|_| FieldErrors::single(field, "error-minutes"))
}
