//! What waits for a person on their home page, by role: the model's questions, each a fixed
//! number of statements however much there is.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

use crate::entity::application::{self, ApplicationStatus};
use crate::entity::project::{self, ProjectState};
use crate::entity::project_report::{self, ReportState};
use crate::entity::{budget_line, call, clarification};
use crate::error::Result;

/// A draft on an NGO's home: its application, call, how many of its parts are filled and the
/// catalogue keys of the parts still empty, in the form's order.
pub struct DraftRow {
    pub application: application::Model,
    pub call: call::Model,
    pub filled: u8,
    pub missing: Vec<&'static str>,
}

/// The parts of a draft counted as filled on the home page: title, summary, target group,
/// activities, timeline, amount requested, budget lines.
pub const DRAFT_PARTS: u8 = 7;

/// What waits for an organisation that applies: drafts whose call still takes applications,
/// submitted applications (newest first), questions asked of it that are not answered yet and
/// not past their deadline, grants offered to accept, and reports to write (drafts, or returned
/// with remarks). Six statements.
pub struct ApplicantHome {
    pub drafts: Vec<DraftRow>,
    pub submitted: Vec<(application::Model, call::Model)>,
    pub questions: Vec<(clarification::Model, application::Model)>,
    pub offers: Vec<project::Model>,
    /// Reports due, earliest first, with their project.
    pub reports: Vec<(project_report::Model, project::Model)>,
}

pub async fn applicant_home(conn: &impl ConnectionTrait, org_id: i32, now: DateTime<Utc>) -> Result<ApplicantHome> {
    let rows = application::Entity::find()
        .filter(application::Column::ApplicantId.eq(org_id))
        .find_also_related(call::Entity)
        .order_by_desc(application::Column::UpdatedAt)
        .all(conn)
        .await?;
    let (drafts, submitted): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter_map(|(a, c)| Some((a, c?)))
        .partition(|(a, _)| a.status == ApplicationStatus::Draft);
    let drafts: Vec<_> = drafts
        .into_iter()
        .filter(|(_, c)| crate::grants::calls::accepts_applications(c, now))
        .collect();
    let with_lines: HashMap<i32, i64> = budget_line::Entity::find()
        .select_only()
        .column(budget_line::Column::ApplicationId)
        .column_as(Expr::col(budget_line::Column::Id).count(), "n")
        .filter(budget_line::Column::ApplicationId.is_in(drafts.iter().map(|(a, _)| a.id)))
        .group_by(budget_line::Column::ApplicationId)
        .into_tuple::<(i32, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let drafts = drafts
        .into_iter()
        .map(|(a, c)| {
            let text = |t: &str| !t.trim().is_empty();
            let parts = [
                ("application-title", text(&a.title)),
                ("application-summary", text(&a.summary)),
                ("application-target-group", text(&a.target_group)),
                ("application-activities", text(&a.activities)),
                ("application-timeline", text(&a.timeline)),
                ("application-requested", a.requested_cents > 0),
                ("budget-title", with_lines.get(&a.id).copied().unwrap_or(0) > 0),
            ];
            let missing: Vec<&'static str> = parts.iter().filter(|(_, done)| !done).map(|(key, _)| *key).collect();
            DraftRow {
                filled: DRAFT_PARTS.saturating_sub(u8::try_from(missing.len()).unwrap_or(DRAFT_PARTS)),
                missing,
                application: a,
                call: c,
            }
        })
        .collect();
    let open_ids: Vec<i32> = submitted.iter().map(|(a, _)| a.id).collect();
    let questions = clarification::Entity::find()
        .filter(clarification::Column::ApplicationId.is_in(open_ids))
        .filter(clarification::Column::Answer.is_null())
        .filter(clarification::Column::Deadline.gt(now))
        .order_by_asc(clarification::Column::Deadline)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|q| {
            let app = submitted.iter().find(|(a, _)| a.id == q.application_id)?.0.clone();
            Some((q, app))
        })
        .collect();
    let projects = project::Entity::find()
        .filter(project::Column::ApplicantId.eq(org_id))
        .filter(project::Column::ClosedAt.is_null())
        .all(conn)
        .await?;
    let offers = projects
        .iter()
        .filter(|p| p.status == ProjectState::Offered && p.answer_by > now)
        .cloned()
        .collect();
    let reports = project_report::Entity::find()
        .filter(project_report::Column::ProjectId.is_in(projects.iter().map(|p| p.id)))
        .filter(project_report::Column::Status.is_in([ReportState::Draft, ReportState::Returned]))
        .order_by_asc(project_report::Column::DueOn)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|r| {
            let p = projects.iter().find(|p| p.id == r.project_id)?.clone();
            Some((r, p))
        })
        .collect();
    Ok(ApplicantHome {
        drafts,
        submitted,
        questions,
        offers,
        reports,
    })
}

/// A call its panel member still has scorecards to submit for, while scoring is open.
pub fn open_seats(seats: Vec<crate::grants::panel::Seat>, now: DateTime<Utc>) -> Vec<crate::grants::panel::Seat> {
    seats
        .into_iter()
        .filter(|s| crate::grants::panel::scoring_open(&s.call, now) && s.done < s.total)
        .collect()
}

/// What a coordinator is to do with a call of theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAction {
    /// A draft: finish and publish it.
    Publish,
    /// Closed or in review: check the applications, then decide.
    CheckAndDecide,
    /// Decided: publish the results.
    PublishResults,
}

/// The coordinator's calls that need them, oldest deadline first (one statement).
pub async fn calls_to_act_on(
    conn: &impl ConnectionTrait,
    actor: &crate::policy::Actor,
    now: DateTime<Utc>,
) -> Result<Vec<(call::Model, CallAction)>> {
    use crate::entity::call::CallStatus;
    let mut rows: Vec<(call::Model, CallAction)> = crate::grants::calls::list_managed(conn, actor)
        .await?
        .into_iter()
        .filter_map(|(c, _)| {
            let action = match crate::grants::calls::effective_status(&c, now) {
                CallStatus::Draft => CallAction::Publish,
                CallStatus::Closed | CallStatus::InReview => CallAction::CheckAndDecide,
                CallStatus::Decided => CallAction::PublishResults,
                _ => return None,
            };
            Some((c, action))
        })
        .collect();
    rows.sort_by_key(|(c, _)| c.closes_at);
    Ok(rows)
}

/// A plan on a school staff member's home: to finish (a draft, or under revision) or to log
/// sessions for (in progress), with its pupil's name.
pub struct StaffPlan {
    pub plan: crate::entity::plan::Model,
    pub pupil: String,
}

/// The plans of the school's open semesters that wait for this member of its staff: those of
/// pupils they may see, drafts and revisions to finish, plans in progress to log sessions for
/// (three statements, and the audit record of the names read).
pub async fn staff_plans(
    conn: &impl ConnectionTrait,
    actor: &crate::policy::Actor,
    school_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<StaffPlan>, Vec<StaffPlan>)> {
    use crate::entity::plan::{self, PlanState};
    use crate::entity::{pupil, pupil_staff, semester};
    use sea_orm::sea_query::Query;
    if !actor.can_see_pupil(school_id, true) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut find = plan::Entity::find()
        .filter(plan::Column::SchoolId.eq(school_id))
        .filter(plan::Column::Status.is_in([PlanState::Draft, PlanState::UnderRevision, PlanState::InProgress]))
        .filter(
            plan::Column::SemesterId.in_subquery(
                Query::select()
                    .column(semester::Column::Id)
                    .from(semester::Entity)
                    .and_where(semester::Column::ClosedAt.is_null())
                    .to_owned(),
            ),
        );
    if !actor.sees_all_pupils(school_id) {
        find = find.filter(
            plan::Column::PupilId.in_subquery(
                Query::select()
                    .column(pupil_staff::Column::PupilId)
                    .from(pupil_staff::Entity)
                    .and_where(pupil_staff::Column::UserId.eq(actor.user.id))
                    .to_owned(),
            ),
        );
    }
    let plans = find.order_by_asc(plan::Column::Id).all(conn).await?;
    let names: HashMap<i32, String> = pupil::Entity::find()
        .filter(pupil::Column::Id.is_in(plans.iter().map(|p| p.pupil_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    if !plans.is_empty() {
        let entry = crate::audit::Entry::by(actor, Some(school_id), "home_plans", ("organisation", school_id.into()))
            .details(Some(format!("{} plans", plans.len())));
        crate::audit::record(conn, entry, now).await?;
    }
    let (to_finish, in_progress): (Vec<_>, Vec<_>) = plans
        .into_iter()
        .map(|plan| StaffPlan {
            pupil: names.get(&plan.pupil_id).cloned().unwrap_or_default(),
            plan,
        })
        .partition(|p| p.plan.status != PlanState::InProgress);
    Ok((to_finish, in_progress))
}
