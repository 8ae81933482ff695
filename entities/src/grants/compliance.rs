//! The compliance tier: after a call closes, the coordinator checks each application against
//! the call's formal requirements (yes/no with a comment), may ask the applicant to clarify by a
//! deadline (answered in the portal), and may find an application ineligible, with a reason the
//! applicant sees.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::audit::{self, Entry};
use crate::entity::application::{self, ApplicationStatus};
use crate::entity::call::{self, CallStatus};
use crate::entity::{call_requirement, clarification, compliance_check};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::applications;
use crate::grants::calls;
use crate::outbox::{self, EmailEvent};
use crate::policy::Actor;

/// A submitted application of a closed call the actor manages, or `NotFound`/`Refused`.
async fn reviewable(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    now: DateTime<Utc>,
) -> Result<(application::Model, call::Model)> {
    let (app, call) = applications::readable(conn, actor, application_id).await?;
    calls::managed(conn, actor, call.id).await?;
    if !matches!(
        calls::effective_status(&call, now),
        CallStatus::Closed | CallStatus::InReview
    ) {
        return Err(Error::Refused("error-compliance-not-open"));
    }
    if !matches!(app.status, ApplicationStatus::Submitted | ApplicationStatus::InReview) {
        return Err(Error::Refused("error-application-not-reviewable"));
    }
    Ok((app, call))
}

async fn audit_app(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: &call::Model,
    app: &application::Model,
    action: &'static str,
    details: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(call.municipality_id),
            action,
            ("application", app.id.into()),
        )
        .details(details),
        now,
    )
    .await
}

/// Records whether the application meets one requirement of its call.
pub async fn check(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    requirement_id: i32,
    met: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (app, call) = reviewable(conn, actor, application_id, now).await?;
    let requirement = call_requirement::Entity::find_by_id(requirement_id)
        .filter(call_requirement::Column::CallId.eq(call.id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let comment: String = comment.trim().chars().take(2000).collect();
    if !met && comment.is_empty() {
        return Err(FieldErrors::single(
            format!("comment-{requirement_id}"),
            "error-compliance-comment",
        ));
    }
    compliance_check::Entity::delete_many()
        .filter(compliance_check::Column::ApplicationId.eq(app.id))
        .filter(compliance_check::Column::RequirementId.eq(requirement.id))
        .exec(conn)
        .await?;
    compliance_check::ActiveModel {
        application_id: Set(app.id),
        requirement_id: Set(requirement.id),
        met: Set(met),
        comment: Set(comment),
        checked_by: Set(actor.user.id),
        checked_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit_app(
        conn,
        actor,
        &call,
        &app,
        "compliance_check",
        Some(format!("requirement={requirement_id} met={met}")),
        now,
    )
    .await
}

pub async fn checks(conn: &impl ConnectionTrait, application_id: i32) -> Result<Vec<compliance_check::Model>> {
    Ok(compliance_check::Entity::find()
        .filter(compliance_check::Column::ApplicationId.eq(application_id))
        .all(conn)
        .await?)
}

pub async fn clarifications(conn: &impl ConnectionTrait, application_id: i32) -> Result<Vec<clarification::Model>> {
    Ok(clarification::Entity::find()
        .filter(clarification::Column::ApplicationId.eq(application_id))
        .order_by_asc(clarification::Column::Id)
        .all(conn)
        .await?)
}

/// Asks the applicant a question to answer by `deadline`; they are told by email.
pub async fn ask(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    question: &str,
    deadline: &str,
    now: DateTime<Utc>,
) -> Result<clarification::Model> {
    let (app, call) = reviewable(conn, actor, application_id, now).await?;
    let mut e = FieldErrors::new();
    let question = question.trim();
    if question.is_empty() {
        e.add("question", "error-required");
    }
    let deadline = calls::parse_riga(deadline, "deadline", &mut e);
    if deadline.is_some_and(|d| d <= now) {
        e.add("deadline", "error-deadline-past");
    }
    e.into_result()?;
    let row = clarification::ActiveModel {
        application_id: Set(app.id),
        question: Set(question.chars().take(5000).collect()),
        deadline: Set(deadline.ok_or(Error::Refused("error-datetime"))?),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        asked_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    outbox::enqueue_email(
        conn,
        &EmailEvent::Clarification {
            clarification_id: row.id,
        },
        now,
    )
    .await?;
    audit_app(conn, actor, &call, &app, "clarification_ask", None, now).await?;
    Ok(row)
}

/// The applicant answers a question on their application before its deadline (once).
pub async fn answer(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    clarification_id: i32,
    text: &str,
    now: DateTime<Utc>,
) -> Result<clarification::Model> {
    let row = clarification::Entity::find_by_id(clarification_id)
        .filter(clarification::Column::ApplicationId.eq(application_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    applications::own(conn, actor, row.application_id).await?;
    if row.answer.is_some() {
        return Err(Error::Refused("error-clarification-answered"));
    }
    if now >= row.deadline {
        return Err(Error::Refused("error-clarification-late"));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldErrors::single("answer", "error-required"));
    }
    let mut active: clarification::ActiveModel = row.into();
    active.answer = Set(Some(text.chars().take(10_000).collect()));
    active.answered_by = Set(Some(actor.user.id));
    active.answered_at = Set(Some(now));
    Ok(active.update(conn).await?)
}

/// Finds an application ineligible; the reason is shown to the applicant.
pub async fn mark_ineligible(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<application::Model> {
    let (app, call) = reviewable(conn, actor, application_id, now).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(FieldErrors::single("reason", "error-ineligible-reason"));
    }
    let mut active: application::ActiveModel = app.into();
    active.status = Set(ApplicationStatus::Ineligible);
    active.ineligible_reason = Set(Some(reason.chars().take(5000).collect()));
    active.updated_at = Set(now);
    let app = active.update(conn).await?;
    crate::grants::decision::results_changed(conn, call.id).await?;
    audit_app(conn, actor, &call, &app, "application_ineligible", None, now).await?;
    Ok(app)
}
