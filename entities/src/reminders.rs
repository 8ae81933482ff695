//! Deadline reminders: 7 days and 24 hours before a call closes (to its coordinators and to the
//! applicants with unsubmitted drafts), and 3 days before its scoring deadline (to panel members
//! with scorecards still open). Each is queued once, whatever how often the schedule fires: the
//! `reminders` table has a unique key on (kind, object), and an email reaches each recipient once
//! (the worker's `deliveries`). Support plans: a plan waiting three days at an approval step
//! (its approvers), and a plan without its evaluation in the semester's last week (its staff).
//! Project reports: 14 and 3 days before they are due, and once overdue (the recipient and the
//! call's coordinators).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::call::{self, CallStatus};
use crate::entity::plan::PlanState;
use crate::entity::reminder;
use crate::error::Result;
use crate::outbox::{self, EmailEvent};

pub const CALL_CLOSES_7D: &str = "call_closes_7d";
pub const CALL_CLOSES_24H: &str = "call_closes_24h";
pub const SCORING_DUE: &str = "scoring_due";
/// A plan waiting at one approval step (the kind ends with the step: `plan_waiting_1`).
pub const PLAN_WAITING: &str = "plan_waiting_";
/// A plan being carried out whose semester ends within a week, still without its evaluation.
pub const EVALUATION_DUE: &str = "evaluation_due";

/// A project report due within 14 days, within 3 days, or overdue (each once per report; the
/// kind is the email's step, `report_due_14d`, …).
pub const REPORT_DUE_14D: &str = "report_due_14d";
pub const REPORT_DUE_3D: &str = "report_due_3d";
pub const REPORT_OVERDUE: &str = "report_overdue";

/// How long a plan waits at an approval step before its approvers are reminded.
const PLAN_WAIT: i64 = 3;

/// Queues a reminder unless one of this kind was queued for the call; `true` when queued now.
async fn queue_once(conn: &impl ConnectionTrait, kind: &str, call_id: i32, now: DateTime<Utc>) -> Result<bool> {
    let inserted = reminder::Entity::insert(reminder::ActiveModel {
        kind: Set(kind.to_owned()),
        object_id: Set(call_id),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([reminder::Column::Kind, reminder::Column::ObjectId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    let row = reminder::Entity::find()
        .filter(reminder::Column::Kind.eq(kind))
        .filter(reminder::Column::ObjectId.eq(call_id))
        .one(conn)
        .await?;
    if let Some(row) = row {
        outbox::enqueue_email(conn, &EmailEvent::Reminder { reminder_id: row.id }, now).await?;
    }
    Ok(true)
}

/// Queues every reminder that is due at `now`; returns how many were queued.
pub async fn queue_due(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<usize> {
    let mut queued = 0;
    let closing = call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Open))
        .filter(call::Column::ClosesAt.gt(now))
        .filter(call::Column::ClosesAt.lte(now + Duration::days(7)))
        .all(conn)
        .await?;
    for c in closing {
        // A call that closes within a day gets only the 24-hour reminder.
        let kind = if c.closes_at <= now + Duration::hours(24) {
            CALL_CLOSES_24H
        } else {
            CALL_CLOSES_7D
        };
        queued += usize::from(queue_once(conn, kind, c.id, now).await?);
    }
    let scoring = call::Entity::find()
        .filter(call::Column::Status.is_in([CallStatus::Open, CallStatus::Closed, CallStatus::InReview]))
        .filter(call::Column::ClosesAt.lte(now))
        .filter(call::Column::ScoringDeadline.gt(now))
        .filter(call::Column::ScoringDeadline.lte(now + Duration::days(3)))
        .all(conn)
        .await?;
    for c in scoring {
        queued += usize::from(queue_once(conn, SCORING_DUE, c.id, now).await?);
    }
    Ok(queued + queue_plan_reminders(conn, now).await? + queue_report_reminders(conn, now).await?)
}

/// Reports still to be submitted (a draft, or returned) that are due within 14 days, within 3
/// days, or overdue: once each per report.
async fn queue_report_reminders(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<usize> {
    use crate::entity::project_report::{self, ReportState};
    let today = crate::time::to_riga(now).date_naive();
    let open = project_report::Entity::find()
        .filter(project_report::Column::Status.is_in([ReportState::Draft, ReportState::Returned]))
        .filter(project_report::Column::DueOn.lte(today + Duration::days(14)))
        .all(conn)
        .await?;
    let mut queued = 0;
    for r in open {
        let kind = if r.due_on < today {
            REPORT_OVERDUE
        } else if r.due_on <= today + Duration::days(3) {
            REPORT_DUE_3D
        } else {
            REPORT_DUE_14D
        };
        queued += usize::from(queue_once(conn, kind, r.id, now).await?);
    }
    Ok(queued)
}

/// Plans waiting at an approval step for three days (once per plan and step), and plans
/// without an evaluation in the last week of their semester (once per plan).
async fn queue_plan_reminders(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<usize> {
    use crate::entity::{evaluation, plan, semester};
    use sea_orm::QuerySelect;
    let mut queued = 0;
    let waiting = plan::Entity::find()
        .filter(plan::Column::Status.eq(PlanState::InApproval))
        .filter(plan::Column::UpdatedAt.lte(now - Duration::days(PLAN_WAIT)))
        .all(conn)
        .await?;
    for p in waiting {
        let kind = format!("{PLAN_WAITING}{}", p.approval_step);
        queued += usize::from(queue_once(conn, &kind, p.id, now).await?);
    }
    let today = now.date_naive();
    let ending: Vec<i32> = semester::Entity::find()
        .select_only()
        .column(semester::Column::Id)
        .filter(semester::Column::ClosedAt.is_null())
        .filter(semester::Column::EndsOn.gte(today))
        .filter(semester::Column::EndsOn.lte(today + Duration::days(7)))
        .into_tuple()
        .all(conn)
        .await?;
    if ending.is_empty() {
        return Ok(queued);
    }
    // Evaluated plans are left out in SQL (not by loading every evaluation ever written).
    let evaluated = sea_orm::sea_query::Query::select()
        .column(evaluation::Column::PlanId)
        .from(evaluation::Entity)
        .and_where(evaluation::Column::MeasureId.is_null())
        .to_owned();
    let due = plan::Entity::find()
        .filter(plan::Column::SemesterId.is_in(ending))
        .filter(plan::Column::Status.is_in([PlanState::InProgress, PlanState::Paused]))
        .filter(plan::Column::Id.not_in_subquery(evaluated))
        .all(conn)
        .await?;
    for p in due {
        queued += usize::from(queue_once(conn, EVALUATION_DUE, p.id, now).await?);
    }
    Ok(queued)
}
