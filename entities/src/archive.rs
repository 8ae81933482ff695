//! What the worker copies to the archive store: a decided call's documents and a closed
//! semester's expense documents, each marked once copied and checked.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::application::{self, ApplicationStatus};
use crate::entity::{attachment, call, expense, plan, semester};
use crate::error::Result;

/// The documents of a call's submitted applications (in upload order), each with its
/// application's reference; `None` for an id that names no call. Three statements.
pub async fn call_documents(
    conn: &impl ConnectionTrait,
    call_id: i32,
) -> Result<Option<(call::Model, Vec<(String, attachment::Model)>)>> {
    let Some(c) = call::Entity::find_by_id(call_id).one(conn).await? else {
        return Ok(None);
    };
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(c.id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft))
        .all(conn)
        .await?;
    let docs = attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.is_in(apps.iter().map(|a| a.id).collect::<Vec<_>>()))
        .order_by_asc(attachment::Column::Id)
        .all(conn)
        .await?;
    let docs = docs
        .into_iter()
        .map(|doc| {
            let reference = apps
                .iter()
                .find(|a| a.id == doc.application_id)
                .and_then(|a| a.ref_no.clone())
                .unwrap_or_default();
            (reference, doc)
        })
        .collect();
    Ok(Some((c, docs)))
}

/// Marks an application's document archived.
pub async fn attachment_archived(conn: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<()> {
    attachment::Entity::update_many()
        .col_expr(attachment::Column::ArchivedAt, Expr::value(now))
        .filter(attachment::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The expenses with a document of a semester's plans (in upload order), each with its plan's
/// school; `None` for an id that names no semester. Three statements; no pupil data.
pub async fn semester_documents(
    conn: &impl ConnectionTrait,
    semester_id: i32,
) -> Result<Option<(semester::Model, Vec<(i32, expense::Model)>)>> {
    let Some(s) = semester::Entity::find_by_id(semester_id).one(conn).await? else {
        return Ok(None);
    };
    let plans: Vec<(i32, i32)> = plan::Entity::find()
        .select_only()
        .column(plan::Column::Id)
        .column(plan::Column::SchoolId)
        .filter(plan::Column::SemesterId.eq(s.id))
        .into_tuple()
        .all(conn)
        .await?;
    let docs = expense::Entity::find()
        .filter(expense::Column::PlanId.is_in(plans.iter().map(|p| p.0)))
        .filter(expense::Column::DocumentKey.is_not_null())
        .order_by_asc(expense::Column::Id)
        .all(conn)
        .await?;
    let docs = docs
        .into_iter()
        .map(|doc| {
            let school = plans
                .iter()
                .find(|p| p.0 == doc.plan_id)
                .map(|p| p.1)
                .unwrap_or_default();
            (school, doc)
        })
        .collect();
    Ok(Some((s, docs)))
}

/// Marks an expense's document archived.
pub async fn expense_archived(conn: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<()> {
    expense::Entity::update_many()
        .col_expr(expense::Column::ArchivedAt, Expr::value(now))
        .filter(expense::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
