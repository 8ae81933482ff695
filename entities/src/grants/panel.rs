//! The panel of a call: the members the coordinator names (and the chair), their declarations
//! of conflicts of interest, and their scorecards. A member scores an application only after
//! declaring no conflict; a conflicted member neither sees nor scores it (the recusal is
//! recorded). A scorecard is a draft until submitted, then locked.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use crate::audit::{self, Entry};
use crate::entity::application::{self, ApplicationStatus};
use crate::entity::call::{self, CallStatus};
use crate::entity::{call_criterion, declaration, membership, panel_member, score, scorecard, user};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::calls;
use crate::grants::scoring::{Card, Mark, Rule};
use crate::policy::Actor;

/// How far one member of a call's panel is with its applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub user_id: i32,
    pub name: String,
    pub chair: bool,
    /// Scorecards submitted.
    pub done: usize,
    /// Applications neither scored (submitted) nor recused from.
    pub to_do: usize,
    pub recused: usize,
}

/// Each panel member's progress on the call's applications (drafts never count), chair first;
/// four statements whatever the size of the call.
pub async fn progress(conn: &impl ConnectionTrait, call_id: i32) -> Result<Vec<Progress>> {
    let seated = members(conn, call_id).await?;
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft));
    let count = apps.clone().count(conn).await?;
    let ids = apps.select_only().column(application::Column::Id).into_query();
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.in_subquery(ids.clone()))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(conn)
        .await?;
    let recusals = declaration::Entity::find()
        .filter(declaration::Column::ApplicationId.in_subquery(ids))
        .filter(declaration::Column::Conflict.eq(true))
        .all(conn)
        .await?;
    let all = usize::try_from(count).unwrap_or(usize::MAX);
    Ok(seated
        .into_iter()
        .map(|(seat, u)| {
            let done = cards.iter().filter(|c| c.user_id == u.id).count();
            let recused = recusals.iter().filter(|d| d.user_id == u.id).count();
            Progress {
                user_id: u.id,
                name: u.name,
                chair: seat.is_chair,
                done,
                to_do: all.saturating_sub(done + recused),
                recused,
            }
        })
        .collect())
}

/// The members of a call's panel with their accounts, chair first.
pub async fn members(conn: &impl ConnectionTrait, call_id: i32) -> Result<Vec<(panel_member::Model, user::Model)>> {
    let rows = panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call_id))
        .order_by_desc(panel_member::Column::IsChair)
        .order_by_asc(panel_member::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|m| m.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| users.iter().find(|u| u.id == m.user_id).cloned().map(|u| (m, u)))
        .collect())
}

/// The people a coordinator may name: panel members of the call's municipality.
pub async fn candidates(conn: &impl ConnectionTrait, municipality_id: i32) -> Result<Vec<user::Model>> {
    let ids: Vec<i32> = membership::Entity::find()
        .filter(crate::policy::panel_candidates(municipality_id).memberships())
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .order_by_asc(user::Column::Name)
        .all(conn)
        .await?)
}

/// Names the panel of a call the actor manages; `chair` must be one of `user_ids`.
pub async fn set_panel(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: &call::Model,
    user_ids: &[i32],
    chair: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    calls::managed(conn, actor, call.id).await?;
    if matches!(
        call.status,
        CallStatus::Decided | CallStatus::ResultsPublished | CallStatus::Archived
    ) {
        return Err(Error::Refused("error-call-decided"));
    }
    let allowed: Vec<i32> = candidates(conn, call.municipality_id)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let mut e = FieldErrors::new();
    if user_ids.is_empty() || user_ids.iter().any(|id| !allowed.contains(id)) {
        e.add("members", "error-panel-members");
    }
    if chair.is_none_or(|c| !user_ids.contains(&c)) {
        e.add("chair", "error-panel-chair");
    }
    e.into_result()?;
    panel_member::Entity::delete_many()
        .filter(panel_member::Column::CallId.eq(call.id))
        .exec(conn)
        .await?;
    panel_member::Entity::insert_many(user_ids.iter().map(|id| panel_member::ActiveModel {
        call_id: Set(call.id),
        user_id: Set(*id),
        is_chair: Set(Some(*id) == chair),
        created_at: Set(now),
        ..Default::default()
    }))
    .exec(conn)
    .await?;
    let details = format!("members={user_ids:?} chair={}", chair.unwrap_or_default());
    audit::record(
        conn,
        Entry::by(actor, Some(call.municipality_id), "panel_set", ("call", call.id.into())).details(Some(details)),
        now,
    )
    .await
}

/// Whether the call's applications can be scored at `now`: applications have closed and no
/// decision is locked.
pub fn scoring_open(call: &call::Model, now: DateTime<Utc>) -> bool {
    matches!(
        calls::effective_status(call, now),
        CallStatus::Closed | CallStatus::InReview
    )
}

/// An application on a panel the actor sits on, with its call, or `NotFound`. Only applications
/// that reached scoring (submitted or in review) exist for a panel member.
pub async fn panel_application(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
) -> Result<(application::Model, call::Model)> {
    let (app, call) = match application::Entity::find_by_id(application_id)
        .find_also_related(call::Entity)
        .one(conn)
        .await?
    {
        Some((app, Some(call))) => (app, call),
        _ => return Err(Error::NotFound),
    };
    let seated = panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call.id))
        .filter(panel_member::Column::UserId.eq(actor.user.id))
        .one(conn)
        .await?
        .is_some();
    if !seated || !matches!(app.status, ApplicationStatus::Submitted | ApplicationStatus::InReview) {
        return Err(Error::NotFound);
    }
    Ok((app, call))
}

pub async fn declaration_of(
    conn: &impl ConnectionTrait,
    user_id: i32,
    application_id: i32,
) -> Result<Option<declaration::Model>> {
    Ok(declaration::Entity::find()
        .filter(declaration::Column::UserId.eq(user_id))
        .filter(declaration::Column::ApplicationId.eq(application_id))
        .one(conn)
        .await?)
}

/// Records the actor's declaration for an application (once; it cannot be changed).
pub async fn declare(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    conflict: bool,
    note: &str,
    now: DateTime<Utc>,
) -> Result<declaration::Model> {
    let (app, call) = panel_application(conn, actor, application_id).await?;
    if !scoring_open(&call, now) {
        return Err(Error::Refused("error-scoring-not-open"));
    }
    if declaration_of(conn, actor.user.id, app.id).await?.is_some() {
        return Err(Error::Refused("error-already-declared"));
    }
    let note: String = note.trim().chars().take(2000).collect();
    if conflict && note.is_empty() {
        return Err(FieldErrors::single("note", "error-conflict-note"));
    }
    let row = declaration::ActiveModel {
        application_id: Set(app.id),
        user_id: Set(actor.user.id),
        conflict: Set(conflict),
        note: Set(note),
        declared_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(call.municipality_id),
            if conflict { "recusal" } else { "declare_no_conflict" },
            ("application", app.id.into()),
        ),
        now,
    )
    .await?;
    Ok(row)
}

/// One criterion's mark as typed: points, or "not applicable", and a comment.
#[derive(Debug, Clone, Default)]
pub struct MarkForm {
    pub criterion_id: i32,
    pub points: String,
    pub not_applicable: bool,
    pub comment: String,
}

/// Parses the marks against the criteria: points within 0 and the maximum; when `complete`,
/// every criterion must have points or "not applicable". Field names are `score-{criterion}`.
pub fn parse_marks(
    criteria: &[call_criterion::Model],
    forms: &[MarkForm],
    complete: bool,
) -> Result<Vec<(i32, Option<Mark>, String)>> {
    let mut e = FieldErrors::new();
    let mut out = Vec::new();
    for c in criteria {
        let field = format!("score-{}", c.id);
        let form = forms
            .iter()
            .find(|f| f.criterion_id == c.id)
            .cloned()
            .unwrap_or_default();
        let comment: String = form.comment.trim().chars().take(2000).collect();
        let mark = if form.not_applicable && !form.points.trim().is_empty() {
            // Both would silently drop the points typed: the member says which they meant.
            e.add(field.clone(), "error-score-points-and-na");
            None
        } else if form.not_applicable {
            Some(Mark::NotApplicable)
        } else if form.points.trim().is_empty() {
            if complete {
                e.add(field.clone(), "error-score-missing");
            }
            None
        } else {
            match form.points.trim().parse::<i32>() {
                Ok(p) if (0..=c.max_points).contains(&p) => Some(Mark::Points(p)),
                _ => {
                    e.add(field.clone(), "error-score-range");
                    None
                }
            }
        };
        out.push((c.id, mark, comment));
    }
    e.into_result()?;
    Ok(out)
}

/// The actor's scorecard for an application, if any.
pub async fn card_of(
    conn: &impl ConnectionTrait,
    user_id: i32,
    application_id: i32,
) -> Result<Option<(scorecard::Model, Vec<score::Model>)>> {
    let Some(card) = scorecard::Entity::find()
        .filter(scorecard::Column::UserId.eq(user_id))
        .filter(scorecard::Column::ApplicationId.eq(application_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let scores = score::Entity::find()
        .filter(score::Column::ScorecardId.eq(card.id))
        .all(conn)
        .await?;
    Ok(Some((card, scores)))
}

/// Saves the actor's marks as a draft, or submits (and locks) the scorecard.
pub async fn save_card(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    forms: &[MarkForm],
    submit: bool,
    now: DateTime<Utc>,
) -> Result<scorecard::Model> {
    let (app, call) = panel_application(conn, actor, application_id).await?;
    match declaration_of(conn, actor.user.id, app.id).await? {
        Some(d) if !d.conflict => {}
        // Undeclared or conflicted: the application's scoring does not exist for this member.
        _ => return Err(Error::NotFound),
    }
    if !scoring_open(&call, now) {
        return Err(Error::Refused("error-scoring-not-open"));
    }
    let criteria = calls::criteria(conn, call.id).await?;
    let marks = parse_marks(&criteria, forms, submit)?;
    let card = match card_of(conn, actor.user.id, app.id).await? {
        Some((card, _)) if card.submitted_at.is_some() => return Err(Error::Refused("error-scorecard-locked")),
        Some((card, _)) => {
            let mut active: scorecard::ActiveModel = card.into();
            active.updated_at = Set(now);
            active.submitted_at = Set(submit.then_some(now));
            active.update(conn).await?
        }
        None => {
            scorecard::ActiveModel {
                application_id: Set(app.id),
                user_id: Set(actor.user.id),
                submitted_at: Set(submit.then_some(now)),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
    };
    score::Entity::delete_many()
        .filter(score::Column::ScorecardId.eq(card.id))
        .exec(conn)
        .await?;
    score::Entity::insert_many(
        marks
            .into_iter()
            .map(|(criterion_id, mark, comment)| score::ActiveModel {
                scorecard_id: Set(card.id),
                criterion_id: Set(criterion_id),
                points: Set(match mark {
                    Some(Mark::Points(p)) => Some(p),
                    _ => None,
                }),
                not_applicable: Set(mark == Some(Mark::NotApplicable)),
                comment: Set(comment),
                ..Default::default()
            }),
    )
    .exec(conn)
    .await?;
    if submit {
        audit::record(
            conn,
            Entry::by(
                actor,
                Some(call.municipality_id),
                "scorecard_submit",
                ("application", app.id.into()),
            ),
            now,
        )
        .await?;
    }
    Ok(card)
}

/// The scoring rules of a call's criteria.
pub fn rules(criteria: &[call_criterion::Model]) -> Vec<Rule> {
    criteria
        .iter()
        .map(|c| Rule {
            criterion_id: c.id,
            max_points: c.max_points,
            weight_x100: c.weight_x100,
            min_points: c.min_points,
        })
        .collect()
}

/// Everything results need for a call, in four queries whatever its size: the rules, and the
/// submitted cards of each application by application id.
pub async fn submitted_cards(
    conn: &impl ConnectionTrait,
    call_id: i32,
) -> Result<(Vec<Rule>, HashMap<i32, Vec<Card>>)> {
    let rules = rules(&calls::criteria(conn, call_id).await?);
    let app_ids: Vec<i32> = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let (cards, scores) = submitted_with_scores(conn, app_ids).await?;
    let mut by_card: HashMap<i32, BTreeMap<i32, Mark>> = HashMap::new();
    for s in scores {
        let mark = match (s.points, s.not_applicable) {
            (_, true) => Mark::NotApplicable,
            (Some(p), false) => Mark::Points(p),
            (None, false) => continue,
        };
        by_card.entry(s.scorecard_id).or_default().insert(s.criterion_id, mark);
    }
    let mut out: HashMap<i32, Vec<Card>> = HashMap::new();
    for card in cards {
        let marks = by_card.remove(&card.id).unwrap_or_default();
        out.entry(card.application_id).or_default().push(Card {
            member_id: card.user_id,
            marks,
        });
    }
    Ok((rules, out))
}

/// The applications a panel scores: submitted ones, not withdrawn or found ineligible.
const SCORED: [ApplicationStatus; 5] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::InReview,
    ApplicationStatus::Funded,
    ApplicationStatus::Reserve,
    ApplicationStatus::NotFunded,
];

/// A call a member sits on, with how far they are with it.
#[derive(Debug, Clone)]
pub struct Seat {
    pub call: call::Model,
    /// Applications the member has submitted a scorecard for.
    pub done: usize,
    /// Applications the panel scores.
    pub total: usize,
}

/// The calls the user sits on, latest closing first; four statements.
pub async fn seats_of(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Seat>> {
    let call_ids: Vec<i32> = panel_member::Entity::find()
        .filter(panel_member::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.call_id)
        .collect();
    let calls = call::Entity::find()
        .filter(call::Column::Id.is_in(call_ids.clone()))
        .order_by_desc(call::Column::ClosesAt)
        .all(conn)
        .await?;
    let apps = application::Entity::find()
        .filter(application::Column::CallId.is_in(call_ids))
        .filter(application::Column::Status.is_in(SCORED))
        .all(conn)
        .await?;
    let done: Vec<i32> = scorecard::Entity::find()
        .filter(scorecard::Column::UserId.eq(user_id))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.application_id)
        .collect();
    Ok(calls
        .into_iter()
        .map(|call| {
            let of_call = || apps.iter().filter(|a| a.call_id == call.id);
            Seat {
                done: of_call().filter(|a| done.contains(&a.id)).count(),
                total: of_call().count(),
                call,
            }
        })
        .collect())
}

/// Where a member stands with one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No declaration yet.
    Undeclared,
    /// Declared a conflict: recused.
    Conflict,
    /// Declared no conflict, no scorecard yet.
    Declared,
    /// A scorecard draft.
    Draft,
    /// The scorecard is submitted.
    Submitted,
}

/// An application of a call as its panel member sees it in the list.
#[derive(Debug, Clone)]
pub struct SeatApplication {
    pub app: application::Model,
    pub applicant: String,
    pub standing: Standing,
}

/// A call the user sits on with the applications its panel scores (in order of reference) and
/// where the user stands with each, or `NotFound` without a seat. Five statements whatever the
/// number of applications.
pub async fn seat_call(
    conn: &impl ConnectionTrait,
    call_id: i32,
    user_id: i32,
) -> Result<(call::Model, Vec<SeatApplication>)> {
    panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call_id))
        .filter(panel_member::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let call = call::Entity::find_by_id(call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::Status.is_in(SCORED))
        .find_also_related(crate::entity::organisation::Entity)
        .order_by_asc(application::Column::RefSeq)
        .all(conn)
        .await?;
    let ids: Vec<i32> = apps.iter().map(|(a, _)| a.id).collect();
    let declarations: HashMap<i32, bool> = declaration::Entity::find()
        .filter(declaration::Column::UserId.eq(user_id))
        .filter(declaration::Column::ApplicationId.is_in(ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.application_id, d.conflict))
        .collect();
    let cards: HashMap<i32, bool> = scorecard::Entity::find()
        .filter(scorecard::Column::UserId.eq(user_id))
        .filter(scorecard::Column::ApplicationId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.application_id, s.submitted_at.is_some()))
        .collect();
    let rows = apps
        .into_iter()
        .map(|(app, org)| SeatApplication {
            standing: match (declarations.get(&app.id), cards.get(&app.id)) {
                (None, _) => Standing::Undeclared,
                (Some(true), _) => Standing::Conflict,
                (Some(false), Some(true)) => Standing::Submitted,
                (Some(false), Some(false)) => Standing::Draft,
                (Some(false), None) => Standing::Declared,
            },
            applicant: org.map(|o| o.name).unwrap_or_default(),
            app,
        })
        .collect();
    Ok((call, rows))
}

/// A member who declared a conflict on an application.
#[derive(Debug, Clone)]
pub struct Recusal {
    pub application_id: i32,
    pub member: String,
}

/// The recusals on the given applications; two statements.
pub async fn recusals(conn: &impl ConnectionTrait, application_ids: Vec<i32>) -> Result<Vec<Recusal>> {
    let declared = declaration::Entity::find()
        .filter(declaration::Column::ApplicationId.is_in(application_ids))
        .filter(declaration::Column::Conflict.eq(true))
        .all(conn)
        .await?;
    let names = crate::accounts::names(conn, declared.iter().map(|d| d.user_id)).await?;
    Ok(declared
        .into_iter()
        .map(|d| Recusal {
            application_id: d.application_id,
            member: names.get(&d.user_id).cloned().unwrap_or_default(),
        })
        .collect())
}

/// One submitted mark, with who gave it.
#[derive(Debug, Clone)]
pub struct GivenMark {
    pub application_id: i32,
    pub member: String,
    pub criterion_id: i32,
    pub points: Option<i32>,
    pub not_applicable: bool,
    pub comment: String,
}

/// The submitted scorecards on the given applications, with their scores; two statements.
async fn submitted_with_scores(
    conn: &impl ConnectionTrait,
    application_ids: Vec<i32>,
) -> Result<(Vec<scorecard::Model>, Vec<score::Model>)> {
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.is_in(application_ids))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(conn)
        .await?;
    let scores = score::Entity::find()
        .filter(score::Column::ScorecardId.is_in(cards.iter().map(|c| c.id).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    Ok((cards, scores))
}

/// Every mark of the submitted scorecards on the given applications; three statements.
pub async fn marks(conn: &impl ConnectionTrait, application_ids: Vec<i32>) -> Result<Vec<GivenMark>> {
    let (cards, scores) = submitted_with_scores(conn, application_ids).await?;
    let names = crate::accounts::names(conn, cards.iter().map(|c| c.user_id)).await?;
    let cards: HashMap<i32, &scorecard::Model> = cards.iter().map(|c| (c.id, c)).collect();
    Ok(scores
        .into_iter()
        .filter_map(|s| {
            let card = cards.get(&s.scorecard_id)?;
            Some(GivenMark {
                application_id: card.application_id,
                member: names.get(&card.user_id).cloned().unwrap_or_default(),
                criterion_id: s.criterion_id,
                points: s.points,
                not_applicable: s.not_applicable,
                comment: s.comment,
            })
        })
        .collect())
}
