//! Funded projects after the decision. Publishing the results offers each funded application
//! its grant (the awarded amount, reduced or not); the applicant accepts within the call's days
//! to accept, or declines. A decline — or an offer left unanswered past its day — moves the
//! reserve up (`decision`), and each applicant moved up is offered its grant with a window of
//! its own and told by email; the call's coordinators are told of each decline or lapse and of
//! who moved up.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::audit::{self, Entry};
use crate::entity::award::{self, AwardOutcome};
use crate::entity::project::{self, ProjectState};
use crate::entity::{application, call};
use crate::error::{Error, Result};
use crate::grants::applications;
use crate::outbox::{self, EmailEvent};
use crate::policy::Actor;

/// Offers its grant to each funded application of `call` that has no project yet; returns the
/// projects made.
pub(crate) async fn offer_funded(
    conn: &impl ConnectionTrait,
    call: &call::Model,
    now: DateTime<Utc>,
) -> Result<Vec<project::Model>> {
    let funded = award::Entity::find()
        .filter(award::Column::CallId.eq(call.id))
        .filter(award::Column::Outcome.eq(AwardOutcome::Funded))
        .order_by_asc(award::Column::Rank)
        .all(conn)
        .await?;
    let offered: Vec<i32> = project::Entity::find()
        .filter(project::Column::CallId.eq(call.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.application_id)
        .collect();
    let new: Vec<&award::Model> = funded.iter().filter(|a| !offered.contains(&a.application_id)).collect();
    let applicants: HashMap<i32, i32> = application::Entity::find()
        .filter(application::Column::Id.is_in(new.iter().map(|a| a.application_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.applicant_id))
        .collect();
    let answer_by = now + chrono::Duration::days(call.accept_days.into());
    let mut made = Vec::new();
    for a in new {
        let Some(applicant_id) = applicants.get(&a.application_id) else {
            continue;
        };
        let row = project::ActiveModel {
            call_id: Set(call.id),
            application_id: Set(a.application_id),
            applicant_id: Set(*applicant_id),
            granted_cents: Set(a.amount_cents),
            status: Set(ProjectState::Offered),
            answer_by: Set(answer_by),
            answered_at: Set(None),
            answered_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        made.push(row);
    }
    Ok(made)
}

/// The projects of a call, by application.
pub async fn of_call(conn: &impl ConnectionTrait, call_id: i32) -> Result<HashMap<i32, project::Model>> {
    Ok(project::Entity::find()
        .filter(project::Column::CallId.eq(call_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.application_id, p))
        .collect())
}

/// The projects of the given applications (one page of a ranking, at most
/// [`crate::listing::PAGE_SIZE`]) by application.
pub async fn of_applications(
    conn: &impl ConnectionTrait,
    application_ids: Vec<i32>,
) -> Result<HashMap<i32, project::Model>> {
    Ok(project::Entity::find()
        .filter(project::Column::ApplicationId.is_in(application_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.application_id, p))
        .collect())
}

/// The project of an application, if its grant was offered.
pub async fn of_application(conn: &impl ConnectionTrait, application_id: i32) -> Result<Option<project::Model>> {
    Ok(project::Entity::find()
        .filter(project::Column::ApplicationId.eq(application_id))
        .one(conn)
        .await?)
}

/// The applicant accepts the grant offered to its application, before the offer's day ends;
/// its agreement is drafted in the accepting member's language.
pub async fn accept(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    now: DateTime<Utc>,
) -> Result<project::Model> {
    let app = applications::own(conn, actor, application_id).await?;
    let found = of_application(conn, app.id).await?.ok_or(Error::NotFound)?;
    if found.status != ProjectState::Offered {
        return Err(Error::Refused("error-offer-answered"));
    }
    if now > found.answer_by {
        return Err(Error::Refused("error-offer-lapsed"));
    }
    let mut active: project::ActiveModel = found.into();
    active.status = Set(ProjectState::Accepted);
    active.answered_at = Set(Some(now));
    active.answered_by = Set(Some(actor.user.id));
    let accepted = active.update(conn).await?;
    crate::grants::agreements::draft(conn, &accepted, actor.user.lang(), now).await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(app.applicant_id),
            "grant_accept",
            ("application", app.id.into()),
        ),
        now,
    )
    .await?;
    Ok(accepted)
}

/// After the grant of `application_id` was given up (`how`: declined or lapsed) and the reserve
/// moved up: the project records it, each application moved up is offered its grant and told,
/// and the call's coordinators are told. Nothing to do before the results are published (no
/// grant was offered yet: publishing offers the funded ones as they then stand).
pub(crate) async fn given_up(
    conn: &impl ConnectionTrait,
    call: &call::Model,
    application_id: i32,
    how: ProjectState,
    by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(found) = of_application(conn, application_id).await? else {
        return Ok(());
    };
    let mut active: project::ActiveModel = found.into();
    active.status = Set(how);
    active.answered_at = Set(Some(now));
    active.answered_by = Set(by);
    let project = active.update(conn).await?;
    for moved_up in offer_funded(conn, call, now).await? {
        outbox::enqueue_email(
            conn,
            &EmailEvent::GrantOffered {
                project_id: moved_up.id,
            },
            now,
        )
        .await?;
    }
    outbox::enqueue_email(conn, &EmailEvent::GrantGivenUp { project_id: project.id }, now).await?;
    Ok(())
}

/// Offers whose day to accept has passed: each lapses and the reserve moves up, each in a
/// transaction of its own (the worker's minute sweep); returns how many lapsed.
pub async fn lapse_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize> {
    let due = project::Entity::find()
        .filter(project::Column::Status.eq(ProjectState::Offered))
        .filter(project::Column::AnswerBy.lt(now))
        .all(db)
        .await?;
    for p in &due {
        let txn = crate::db::write(db).await?;
        crate::grants::decision::lapse(&txn, p.application_id, now).await?;
        txn.commit().await?;
    }
    Ok(due.len())
}
