//! What each email event tells, and to whom: the worker asks here and only renders. Every
//! recipient is an account that is not disabled (`active`, the one place that says so); an
//! event whose rows no longer exist, or whose moment has passed (a plan that moved on), tells
//! no one.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::Role;
use crate::entity::application::{self, ApplicationStatus};
use crate::entity::plan::PlanState;
use crate::entity::{
    award, call, clarification, declaration, evaluation, invitation, membership, organisation, panel_member, plan,
    project, project_event, project_report, pupil_staff, reminder, scorecard, semester, user, user_token,
};
use crate::error::Result;
use crate::outbox::EmailEvent;
use crate::policy::{Holders, applicant_writers, call_managers, plan_approvers};
use crate::reminders::{
    CALL_CLOSES_7D, CALL_CLOSES_24H, EVALUATION_DUE, PLAN_WAITING, REPORT_DUE_3D, REPORT_DUE_14D, REPORT_OVERDUE,
    SCORING_DUE,
};

/// Whom a call's reminder addresses, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallReminderTo {
    /// A coordinator of the call's municipality, with the number of applications submitted.
    Coordinator { submitted: usize },
    /// A member of an applicant with an unsubmitted draft.
    Drafter,
    /// A panel member with applications neither scored nor recused from.
    Panel { open: usize },
}

/// An email event's content and recipients.
#[derive(Debug, Clone)]
pub enum Notice {
    Confirm {
        user: user::Model,
        token: user_token::Model,
        /// The NGO the user registered.
        org: String,
    },
    AccountExists {
        user: user::Model,
    },
    Reset {
        user: user::Model,
        token: user_token::Model,
    },
    Invitation {
        invitation: invitation::Model,
        org: organisation::Model,
        inviter: Option<user::Model>,
    },
    CallClosed {
        call: call::Model,
        submitted: u64,
        coordinators: Vec<user::Model>,
    },
    Receipt {
        app: application::Model,
        call: call::Model,
        user: user::Model,
    },
    Clarification {
        question: clarification::Model,
        app: application::Model,
        user: user::Model,
    },
    Result {
        app: application::Model,
        call: call::Model,
        award: Option<award::Model>,
        /// The grant offered, for a funded application.
        project: Option<project::Model>,
        user: user::Model,
    },
    CallReminder {
        call: call::Model,
        /// The scoring deadline's reminder (else the call's closing).
        scoring: bool,
        to: Vec<(user::Model, CallReminderTo)>,
    },
    /// A grant offered to an applicant moved up from the reserve: to the applicant's writers.
    GrantOffered {
        project: project::Model,
        app: application::Model,
        call: call::Model,
        to: Vec<user::Model>,
    },
    /// A grant declined or lapsed: to the call's coordinators, with the references of the
    /// applications moved up in its place.
    GrantGivenUp {
        project: project::Model,
        app: application::Model,
        applicant: String,
        call: call::Model,
        moved_up: Vec<String>,
        coordinators: Vec<user::Model>,
    },
    /// A step of a funded project: to the call's coordinators or the applicant's members, as
    /// the step says (`ProjectStep::tells_coordinators`).
    ProjectStep {
        event: project_event::Model,
        project: project::Model,
        app: application::Model,
        applicant: String,
        to: Vec<user::Model>,
    },
    /// A project report due soon or overdue (`kind`, the reminder's): to the recipient's members
    /// and the call's coordinators.
    ReportReminder {
        kind: String,
        report: project_report::Model,
        project: project::Model,
        app: application::Model,
        applicant: String,
        to: Vec<user::Model>,
    },
    PlanReminder {
        school: organisation::Model,
        /// The evaluation is due by `date` (else the plan has waited at its step since `date`).
        evaluation_due: bool,
        date: NaiveDate,
        to: Vec<user::Model>,
    },
}

/// The accounts among `ids` that may be written to (not disabled), in the order of `ids`
/// without repeats.
pub async fn active(conn: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<user::Model>> {
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::DisabledAt.is_null())
        .all(conn)
        .await?;
    let mut out: Vec<user::Model> = Vec::new();
    for id in ids {
        if let Some(u) = users.iter().find(|u| u.id == *id)
            && !out.iter().any(|o| o.id == *id)
        {
            out.push(u.clone());
        }
    }
    Ok(out)
}

async fn one_active(conn: &impl ConnectionTrait, id: i32) -> Result<Option<user::Model>> {
    Ok(active(conn, &[id]).await?.pop())
}

/// The users who are `who` (`policy`'s answer to a question of who).
async fn holders(conn: &impl ConnectionTrait, who: &Holders) -> Result<Vec<i32>> {
    Ok(membership::Entity::find()
        .filter(who.memberships())
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

async fn token_and_user(
    conn: &impl ConnectionTrait,
    token_id: i32,
) -> Result<Option<(user_token::Model, user::Model)>> {
    let Some(token) = user_token::Entity::find_by_id(token_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(one_active(conn, token.user_id).await?.map(|u| (token, u)))
}

/// An application with its call and the member who submitted it (or, for a draft, wrote it).
async fn with_submitter(
    conn: &impl ConnectionTrait,
    application_id: i32,
) -> Result<Option<(application::Model, call::Model, user::Model)>> {
    let Some((app, Some(call))) = application::Entity::find_by_id(application_id)
        .find_also_related(call::Entity)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let user = one_active(conn, app.submitted_by.unwrap_or(app.created_by)).await?;
    Ok(user.map(|u| (app, call, u)))
}

/// A project with its application and call.
async fn project_of(
    conn: &impl ConnectionTrait,
    project_id: i32,
) -> Result<Option<(project::Model, application::Model, call::Model)>> {
    let Some(project) = project::Entity::find_by_id(project_id).one(conn).await? else {
        return Ok(None);
    };
    let Some((app, Some(call))) = application::Entity::find_by_id(project.application_id)
        .find_also_related(call::Entity)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((project, app, call)))
}

async fn grant_offered(conn: &impl ConnectionTrait, project_id: i32) -> Result<Option<Notice>> {
    let Some((project, app, call)) = project_of(conn, project_id).await? else {
        return Ok(None);
    };
    let ids = holders(conn, &applicant_writers(app.applicant_id)).await?;
    let to = active(conn, &ids).await?;
    Ok(Some(Notice::GrantOffered { project, app, call, to }))
}

async fn grant_given_up(conn: &impl ConnectionTrait, project_id: i32) -> Result<Option<Notice>> {
    let Some((project, app, call)) = project_of(conn, project_id).await? else {
        return Ok(None);
    };
    // The offers made when this one was given up.
    let moved: Vec<i32> = project::Entity::find()
        .filter(project::Column::CallId.eq(call.id))
        .filter(project::Column::CreatedAt.eq(project.answered_at))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.application_id)
        .collect();
    let moved_up = application::Entity::find()
        .filter(application::Column::Id.is_in(moved))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|a| a.ref_no)
        .collect();
    let applicant = crate::orgs::name_of(conn, app.applicant_id).await?;
    let ids = holders(conn, &call_managers(call.municipality_id)).await?;
    let coordinators = active(conn, &ids).await?;
    Ok(Some(Notice::GrantGivenUp {
        project,
        app,
        applicant,
        call,
        moved_up,
        coordinators,
    }))
}

async fn report_reminder(conn: &impl ConnectionTrait, r: &reminder::Model) -> Result<Option<Notice>> {
    use crate::entity::project_report::ReportState;
    let Some(report) = project_report::Entity::find_by_id(r.object_id).one(conn).await? else {
        return Ok(None);
    };
    // Submitted since: nothing to remind of.
    if !matches!(report.status, ReportState::Draft | ReportState::Returned) {
        return Ok(None);
    }
    let Some((project, app, call)) = project_of(conn, report.project_id).await? else {
        return Ok(None);
    };
    let mut ids = holders(conn, &applicant_writers(app.applicant_id)).await?;
    ids.extend(holders(conn, &call_managers(call.municipality_id)).await?);
    let to = active(conn, &ids).await?;
    let applicant = crate::orgs::name_of(conn, app.applicant_id).await?;
    Ok(Some(Notice::ReportReminder {
        kind: r.kind.clone(),
        report,
        project,
        app,
        applicant,
        to,
    }))
}

async fn project_step(conn: &impl ConnectionTrait, event_id: i32) -> Result<Option<Notice>> {
    let Some(event) = project_event::Entity::find_by_id(event_id).one(conn).await? else {
        return Ok(None);
    };
    let Some((project, app, call)) = project_of(conn, event.project_id).await? else {
        return Ok(None);
    };
    let who = if event.kind.tells_coordinators() {
        call_managers(call.municipality_id)
    } else {
        applicant_writers(app.applicant_id)
    };
    let ids = holders(conn, &who).await?;
    let to = active(conn, &ids).await?;
    let applicant = crate::orgs::name_of(conn, app.applicant_id).await?;
    Ok(Some(Notice::ProjectStep {
        event,
        project,
        app,
        applicant,
        to,
    }))
}

/// What `event` tells and to whom; `None` when it tells no one now.
pub async fn notice(conn: &impl ConnectionTrait, event: &EmailEvent) -> Result<Option<Notice>> {
    Ok(match event {
        EmailEvent::ConfirmEmail { token_id } => match token_and_user(conn, *token_id).await? {
            Some((token, user)) => {
                let org = membership::Entity::find()
                    .filter(membership::Column::UserId.eq(user.id))
                    .filter(membership::Column::Role.eq(Role::NgoMember))
                    .find_also_related(organisation::Entity)
                    .one(conn)
                    .await?
                    .and_then(|(_, o)| o)
                    .map(|o| o.name)
                    .unwrap_or_default();
                Some(Notice::Confirm { user, token, org })
            }
            None => None,
        },
        EmailEvent::AccountExists { user_id } => one_active(conn, *user_id)
            .await?
            .map(|user| Notice::AccountExists { user }),
        EmailEvent::ResetPassword { token_id } => token_and_user(conn, *token_id)
            .await?
            .map(|(token, user)| Notice::Reset { user, token }),
        EmailEvent::Invitation { invitation_id } => {
            match invitation::Entity::find_by_id(*invitation_id)
                .find_also_related(organisation::Entity)
                .one(conn)
                .await?
            {
                Some((invitation, Some(org))) => Some(Notice::Invitation {
                    inviter: user::Entity::find_by_id(invitation.invited_by).one(conn).await?,
                    invitation,
                    org,
                }),
                _ => None,
            }
        }
        EmailEvent::CallClosed { call_id } => match call::Entity::find_by_id(*call_id).one(conn).await? {
            Some(call) => {
                let submitted = crate::grants::applications::count_submitted(conn, &[call.id])
                    .await?
                    .get(&call.id)
                    .copied()
                    .unwrap_or(0);
                let ids = holders(conn, &call_managers(call.municipality_id)).await?;
                Some(Notice::CallClosed {
                    coordinators: active(conn, &ids).await?,
                    call,
                    submitted,
                })
            }
            None => None,
        },
        EmailEvent::Reminder { reminder_id } => match reminder::Entity::find_by_id(*reminder_id).one(conn).await? {
            Some(r) if r.kind.starts_with(PLAN_WAITING) || r.kind == EVALUATION_DUE => plan_reminder(conn, &r).await?,
            Some(r) if [REPORT_DUE_14D, REPORT_DUE_3D, REPORT_OVERDUE].contains(&r.kind.as_str()) => {
                report_reminder(conn, &r).await?
            }
            Some(r) => call_reminder(conn, &r).await?,
            None => None,
        },
        EmailEvent::GrantOffered { project_id } => grant_offered(conn, *project_id).await?,
        EmailEvent::GrantGivenUp { project_id } => grant_given_up(conn, *project_id).await?,
        EmailEvent::ProjectStep { event_id } => project_step(conn, *event_id).await?,
        EmailEvent::ApplicationReceipt { application_id } => with_submitter(conn, *application_id)
            .await?
            .map(|(app, call, user)| Notice::Receipt { app, call, user }),
        EmailEvent::Clarification { clarification_id } => {
            match clarification::Entity::find_by_id(*clarification_id).one(conn).await? {
                Some(question) => with_submitter(conn, question.application_id)
                    .await?
                    .map(|(app, _, user)| Notice::Clarification { question, app, user }),
                None => None,
            }
        }
        EmailEvent::CallResult { application_id } => match with_submitter(conn, *application_id).await? {
            Some((app, call, user)) => Some(Notice::Result {
                award: award::Entity::find()
                    .filter(award::Column::ApplicationId.eq(app.id))
                    .one(conn)
                    .await?,
                project: crate::grants::projects::of_application(conn, app.id).await?,
                app,
                call,
                user,
            }),
            None => None,
        },
    })
}

/// A call's reminder: before it closes, to its coordinators and the applicants still drafting;
/// before its scoring deadline, to the panel members with applications still open.
async fn call_reminder(conn: &impl ConnectionTrait, r: &reminder::Model) -> Result<Option<Notice>> {
    let Some(c) = call::Entity::find_by_id(r.object_id).one(conn).await? else {
        return Ok(None);
    };
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(c.id))
        .all(conn)
        .await?;
    let mut targets: Vec<(i32, CallReminderTo)> = Vec::new();
    match r.kind.as_str() {
        CALL_CLOSES_7D | CALL_CLOSES_24H => {
            let submitted = apps.iter().filter(|a| a.status != ApplicationStatus::Draft).count();
            for id in holders(conn, &call_managers(c.municipality_id)).await? {
                targets.push((id, CallReminderTo::Coordinator { submitted }));
            }
            let drafting: Vec<i32> = apps
                .iter()
                .filter(|a| a.status == ApplicationStatus::Draft)
                .map(|a| a.applicant_id)
                .collect();
            for m in membership::Entity::find()
                .filter(crate::policy::applicant_writers_among(drafting))
                .all(conn)
                .await?
            {
                targets.push((m.user_id, CallReminderTo::Drafter));
            }
        }
        SCORING_DUE => {
            let scored: Vec<i32> = apps
                .iter()
                .filter(|a| matches!(a.status, ApplicationStatus::Submitted | ApplicationStatus::InReview))
                .map(|a| a.id)
                .collect();
            let cards = scorecard::Entity::find()
                .filter(scorecard::Column::ApplicationId.is_in(scored.clone()))
                .filter(scorecard::Column::SubmittedAt.is_not_null())
                .all(conn)
                .await?;
            let recusals = declaration::Entity::find()
                .filter(declaration::Column::ApplicationId.is_in(scored.clone()))
                .filter(declaration::Column::Conflict.eq(true))
                .all(conn)
                .await?;
            for seat in panel_member::Entity::find()
                .filter(panel_member::Column::CallId.eq(c.id))
                .all(conn)
                .await?
            {
                let done = cards.iter().filter(|k| k.user_id == seat.user_id).count()
                    + recusals.iter().filter(|d| d.user_id == seat.user_id).count();
                let open = scored.len().saturating_sub(done);
                if open > 0 {
                    targets.push((seat.user_id, CallReminderTo::Panel { open }));
                }
            }
        }
        _ => return Ok(None),
    }
    let ids: Vec<i32> = targets.iter().map(|t| t.0).collect();
    // One message per person: the first reason they are reminded for.
    let to = active(conn, &ids)
        .await?
        .into_iter()
        .filter_map(|u| {
            let why = targets.iter().find(|t| t.0 == u.id)?.1;
            Some((u, why))
        })
        .collect();
    Ok(Some(Notice::CallReminder {
        call: c,
        scoring: r.kind == SCORING_DUE,
        to,
    }))
}

/// A reminder about a plan: to the approvers of the step it waits at, or to its author and
/// assigned staff when its evaluation is due. Nothing if the plan has moved on meanwhile.
async fn plan_reminder(conn: &impl ConnectionTrait, r: &reminder::Model) -> Result<Option<Notice>> {
    let Some(p) = plan::Entity::find_by_id(r.object_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(school) = organisation::Entity::find_by_id(p.school_id).one(conn).await? else {
        return Ok(None);
    };
    let (evaluation_due, date, recipients) = if r.kind == EVALUATION_DUE {
        let evaluated = evaluation::Entity::find()
            .filter(evaluation::Column::PlanId.eq(p.id))
            .filter(evaluation::Column::MeasureId.is_null())
            .one(conn)
            .await?
            .is_some();
        let Some(sem) = semester::Entity::find_by_id(p.semester_id).one(conn).await? else {
            return Ok(None);
        };
        if evaluated || !matches!(p.status, PlanState::InProgress | PlanState::Paused) {
            return Ok(None);
        }
        let mut staff: Vec<i32> = pupil_staff::Entity::find()
            .filter(pupil_staff::Column::PupilId.eq(p.pupil_id))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| s.user_id)
            .collect();
        staff.push(p.author_id);
        (true, sem.ends_on, staff)
    } else {
        let step = r.kind.trim_start_matches(PLAN_WAITING);
        if p.status != PlanState::InApproval || step != p.approval_step.to_string() {
            return Ok(None);
        }
        let Some(who) = u8::try_from(p.approval_step)
            .ok()
            .and_then(|step| plan_approvers(&school, step))
        else {
            return Ok(None);
        };
        let approvers = holders(conn, &who).await?;
        (false, crate::time::to_riga(p.updated_at).date_naive(), approvers)
    };
    Ok(Some(Notice::PlanReminder {
        to: active(conn, &recipients).await?,
        school,
        evaluation_due,
        date,
    }))
}
