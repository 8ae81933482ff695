//! Pupil support plans: the risk catalogue, semesters, pupils and their staff, plans moving
//! through `rules`' status machine with every approval step recorded, expenses within the
//! school's funding ceiling. Every function takes the actor and finds only what the policy lets
//! them see (anything else is "not found"); every read of a plan writes one audit record; the
//! audit never holds a pupil's name.

pub mod queries;
pub mod rules;

mod carrying_out;
mod catalogue;
mod corrections;
mod import;
mod lifecycle;
mod money;
mod pupils;
mod semesters;

pub use carrying_out::*;
pub use catalogue::*;
pub use corrections::*;
pub use import::*;
pub use lifecycle::*;
pub use money::*;
pub use pupils::*;
pub use semesters::*;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use self::rules::{Action, Facts, Level, PlanStatus};
use crate::audit::{self, Entry};
use crate::domain::Role;
use crate::entity::expense::ExpenseState;
use crate::entity::plan::PlanState;
use crate::entity::plan_approval::Decision;
use crate::entity::plan_measure::MeasureKind;
use crate::entity::{
    consultation_session, evaluation, expense, indirect_hours, measure_risk, membership, organisation, plan,
    plan_approval, plan_measure, plan_risk, pupil, pupil_staff, pupil_transfer, risk, risk_catalogue, risk_group,
    semester,
};
use crate::error::{Error, FieldErrors, Result};
use crate::money::Eur;
use crate::policy::Actor;

/// `SELECT id FROM plans` of a school in a semester, as a subquery.
pub(crate) fn plans_of(school_id: i32, semester_id: i32) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(plan::Column::SchoolId.eq(school_id))
        .and_where(plan::Column::SemesterId.eq(semester_id))
        .to_owned()
}

/// The status the rules work with, from the stored columns.
pub fn status(plan: &plan::Model) -> PlanStatus {
    match plan.status {
        PlanState::Draft => PlanStatus::Draft,
        PlanState::InApproval => PlanStatus::InApproval {
            step: u8::try_from(plan.approval_step).unwrap_or(u8::MAX),
        },
        PlanState::Approved => PlanStatus::Approved,
        PlanState::InProgress => PlanStatus::InProgress,
        PlanState::Paused => PlanStatus::Paused,
        PlanState::UnderRevision => PlanStatus::UnderRevision,
        PlanState::Inactive => PlanStatus::Inactive,
    }
}

pub(crate) fn stored(status: PlanStatus) -> (PlanState, i16) {
    match status {
        PlanStatus::Draft => (PlanState::Draft, 0),
        PlanStatus::InApproval { step } => (PlanState::InApproval, i16::from(step)),
        PlanStatus::Approved => (PlanState::Approved, 0),
        PlanStatus::InProgress => (PlanState::InProgress, 0),
        PlanStatus::Paused => (PlanState::Paused, 0),
        PlanStatus::UnderRevision => (PlanState::UnderRevision, 0),
        PlanStatus::Inactive => (PlanState::Inactive, 0),
    }
}

/// One audit record about a pupil's data: ids only, never a name.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    action: &'static str,
    (object_type, object_id): (&'static str, i32),
    details: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::record(
        conn,
        Entry::by(actor, Some(school_id), action, (object_type, object_id.into())).details(details),
        now,
    )
    .await
}
