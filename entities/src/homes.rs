//! What waits for a person on their home page, by role: the model's questions, each a fixed
//! number of statements however much there is.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

use crate::entity::application::{self, ApplicationStatus};
use crate::entity::{budget_line, call, clarification};
use crate::error::Result;

/// A draft on an NGO's home: its application, call, and how many of its parts are filled.
pub struct DraftRow {
    pub application: application::Model,
    pub call: call::Model,
    pub filled: u8,
}

/// The parts of a draft counted as filled on the home page: title, summary, target group,
/// activities, timeline, amount requested, budget lines.
pub const DRAFT_PARTS: u8 = 7;

/// What waits for an organisation that applies: drafts whose call still takes applications,
/// submitted applications (newest first), and questions asked of it that are not answered yet
/// and not past their deadline. Four statements.
pub struct ApplicantHome {
    pub drafts: Vec<DraftRow>,
    pub submitted: Vec<(application::Model, call::Model)>,
    pub questions: Vec<(clarification::Model, application::Model)>,
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
            let texts = [&a.title, &a.summary, &a.target_group, &a.activities, &a.timeline];
            let filled = texts.iter().filter(|t| !t.trim().is_empty()).count()
                + usize::from(a.requested_cents > 0)
                + usize::from(with_lines.get(&a.id).copied().unwrap_or(0) > 0);
            DraftRow {
                filled: u8::try_from(filled).unwrap_or(DRAFT_PARTS),
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
    Ok(ApplicantHome {
        drafts,
        submitted,
        questions,
    })
}
