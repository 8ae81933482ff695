//! The panel of a call: the members the coordinator names (and the chair), their declarations
//! of conflicts of interest, and their scorecards. A member scores an application only after
//! declaring no conflict; a conflicted member neither sees nor scores it (the recusal is
//! recorded). A scorecard is a draft until submitted, then locked.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
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

#[derive(FromQueryResult)]
struct MemberCount {
    user_id: i32,
    done: Option<i64>,
    recused: Option<i64>,
}

/// Each panel member's progress on the call's applications (drafts never count), chair first;
/// four statements whatever the size of the call, the counting done by the database.
pub async fn progress(conn: &impl ConnectionTrait, call_id: i32) -> Result<Vec<Progress>> {
    let seated = members(conn, call_id).await?;
    let count = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft))
        .count(conn)
        .await?;
    let draft = ApplicationStatus::Draft.to_value();
    let sql = format!(
        "SELECT m.user_id AS user_id, \
         (SELECT COUNT(*) FROM scorecards s JOIN applications a ON a.id = s.application_id \
          WHERE s.user_id = m.user_id AND s.submitted_at IS NOT NULL AND a.call_id = {call_id} \
          AND a.status <> '{draft}') AS done, \
         (SELECT COUNT(*) FROM declarations d JOIN applications a ON a.id = d.application_id \
          WHERE d.user_id = m.user_id AND d.conflict AND a.call_id = {call_id} AND a.status <> '{draft}') AS recused \
         FROM panel_members m WHERE m.call_id = {call_id}"
    );
    let counts: HashMap<i32, (usize, usize)> =
        MemberCount::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| {
                let n = |v: Option<i64>| usize::try_from(v.unwrap_or_default()).unwrap_or_default();
                (c.user_id, (n(c.done), n(c.recused)))
            })
            .collect();
    let all = usize::try_from(count).unwrap_or(usize::MAX);
    Ok(seated
        .into_iter()
        .map(|(seat, u)| {
            let (done, recused) = counts.get(&u.id).copied().unwrap_or_default();
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
    crate::grants::decision::results_changed(conn, call.id).await?;
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
    crate::grants::decision::results_changed(conn, call.id).await?;
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
    if submit {
        crate::grants::decision::results_changed(conn, call.id).await?;
    }
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
    let of_call = scorecard::Column::ApplicationId.in_subquery(crate::grants::applications::ids_of_call(call_id));
    let (cards, scores) = submitted_with_scores(conn, of_call).await?;
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

#[derive(FromQueryResult)]
struct SeatCount {
    call_id: i32,
    total: i64,
    done: Option<i64>,
}

/// The calls the user sits on, latest closing first; two statements whatever their size.
pub async fn seats_of(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Seat>> {
    let seated = panel_member::Entity::find()
        .select_only()
        .column(panel_member::Column::CallId)
        .filter(panel_member::Column::UserId.eq(user_id))
        .into_query();
    let calls = call::Entity::find()
        .filter(call::Column::Id.in_subquery(seated))
        .order_by_desc(call::Column::ClosesAt)
        .all(conn)
        .await?;
    let sql = format!(
        "SELECT a.call_id AS call_id, COUNT(*) AS total, \
         SUM(CASE WHEN s.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS done \
         FROM applications a LEFT JOIN scorecards s ON s.application_id = a.id AND s.user_id = {user_id} \
         WHERE a.call_id IN (SELECT call_id FROM panel_members WHERE user_id = {user_id}) AND a.status IN {} \
         GROUP BY a.call_id",
        crate::stats::listed(&SCORED)
    );
    let counts: HashMap<i32, (usize, usize)> =
        SeatCount::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| {
                let n = |v: i64| usize::try_from(v).unwrap_or_default();
                (c.call_id, (n(c.done.unwrap_or_default()), n(c.total)))
            })
            .collect();
    Ok(calls
        .into_iter()
        .map(|call| {
            let (done, total) = counts.get(&call.id).copied().unwrap_or_default();
            Seat { done, total, call }
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

/// The applications of `call_id` a panel scores, with `user_id`'s declaration (`d`) and
/// scorecard (`s`) beside each (`a`): the `FROM` and `WHERE` of the member's list, its counts and
/// the next to score. Only ids and the entities' own values are written into it.
fn seat_rows(call_id: i32, user_id: i32) -> String {
    format!(
        "FROM applications a {} WHERE a.call_id = {call_id} AND a.status IN {}",
        member_joins(user_id),
        crate::stats::listed(&SCORED)
    )
}

/// The member's declaration `d` and scorecard `s` of each application `a`, if any.
fn member_joins(user_id: i32) -> String {
    format!(
        "LEFT JOIN declarations d ON d.application_id = a.id AND d.user_id = {user_id} \
         LEFT JOIN scorecards s ON s.application_id = a.id AND s.user_id = {user_id}"
    )
}

/// Where the member stands with `a`, as a [`Standing`] code (see `standing_of`).
const STANDING_SQL: &str = "CASE WHEN d.application_id IS NULL THEN 0 WHEN d.conflict THEN 1 \
     WHEN s.submitted_at IS NOT NULL THEN 4 WHEN s.id IS NOT NULL THEN 3 ELSE 2 END";

/// Neither submitted nor recused from: what is left to score.
const UNFINISHED_SQL: &str = "(d.application_id IS NULL OR (NOT d.conflict AND s.submitted_at IS NULL))";

fn standing_of(code: i32) -> Standing {
    match code {
        1 => Standing::Conflict,
        2 => Standing::Declared,
        3 => Standing::Draft,
        4 => Standing::Submitted,
        _ => Standing::Undeclared,
    }
}

/// The call when the user sits on its panel, or `NotFound`; two statements.
pub async fn seat(conn: &impl ConnectionTrait, call_id: i32, user_id: i32) -> Result<call::Model> {
    panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call_id))
        .filter(panel_member::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    call::Entity::find_by_id(call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// How far a member is with a call, counted by the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeatProgress {
    /// Applications the panel scores.
    pub total: u64,
    /// Of them, those the member submitted a scorecard for.
    pub submitted: u64,
    /// Of them, those the member submitted or recused from.
    pub finished: u64,
}

#[derive(FromQueryResult)]
struct ProgressRow {
    total: i64,
    submitted: Option<i64>,
    finished: Option<i64>,
}

/// The member's progress on a call; one statement.
pub async fn seat_progress(conn: &impl ConnectionTrait, call_id: i32, user_id: i32) -> Result<SeatProgress> {
    let sql = format!(
        "SELECT COUNT(*) AS total, \
         SUM(CASE WHEN {STANDING_SQL} = 4 THEN 1 ELSE 0 END) AS submitted, \
         SUM(CASE WHEN {UNFINISHED_SQL} THEN 0 ELSE 1 END) AS finished {}",
        seat_rows(call_id, user_id)
    );
    let row = ProgressRow::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
        .one(conn)
        .await?;
    let n = |v: Option<i64>| u64::try_from(v.unwrap_or_default()).unwrap_or_default();
    Ok(row.map_or_else(SeatProgress::default, |r| SeatProgress {
        total: n(Some(r.total)),
        submitted: n(r.submitted),
        finished: n(r.finished),
    }))
}

/// An application of a call as its panel member sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatApplication {
    pub id: i32,
    pub ref_no: Option<String>,
    pub title: String,
    pub applicant: String,
    pub standing: Standing,
}

#[derive(FromQueryResult)]
struct SeatRow {
    id: i32,
    ref_no: Option<String>,
    title: String,
    applicant: Option<String>,
    standing: i32,
}

/// One page ([`crate::listing::PAGE_SIZE`] rows from `offset`) of the applications a member
/// scores, in order of reference, with where the member stands with each; one statement.
pub async fn seat_page(
    conn: &impl ConnectionTrait,
    call_id: i32,
    user_id: i32,
    offset: u64,
) -> Result<Vec<SeatApplication>> {
    // The page of applications first (in the order of the call's reference index), then what
    // the member did with those 50.
    let sql = format!(
        "SELECT a.id AS id, a.ref_no AS ref_no, a.title AS title, o.name AS applicant, {STANDING_SQL} AS standing \
         FROM (SELECT id, ref_no, ref_seq, title, applicant_id FROM applications \
               WHERE call_id = {call_id} AND status IN {} ORDER BY ref_seq, id LIMIT {} OFFSET {offset}) a \
         LEFT JOIN organisations o ON o.id = a.applicant_id {} \
         ORDER BY a.ref_seq, a.id",
        crate::stats::listed(&SCORED),
        crate::listing::PAGE_SIZE,
        member_joins(user_id)
    );
    Ok(
        SeatRow::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| SeatApplication {
                id: r.id,
                ref_no: r.ref_no,
                title: r.title,
                applicant: r.applicant.unwrap_or_default(),
                standing: standing_of(r.standing),
            })
            .collect(),
    )
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i32,
}

/// The next application of the call after `current` in order of reference (then from the
/// start) that the member has neither submitted a scorecard for nor recused from; one statement.
pub async fn next_to_score(
    conn: &impl ConnectionTrait,
    call_id: i32,
    user_id: i32,
    current: i32,
) -> Result<Option<i32>> {
    // Each scan walks the call's reference index in order and stops at the first one left.
    let after = format!("AND a.ref_seq > (SELECT ref_seq FROM applications WHERE id = {current})");
    for from in [after.as_str(), ""] {
        let sql = format!(
            "SELECT a.id AS id {} AND a.id <> {current} AND {UNFINISHED_SQL} {from} ORDER BY a.ref_seq, a.id LIMIT 1",
            seat_rows(call_id, user_id)
        );
        let found = IdRow::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .one(conn)
            .await?;
        if let Some(row) = found {
            return Ok(Some(row.id));
        }
    }
    Ok(None)
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
    which: sea_orm::sea_query::Expr,
) -> Result<(Vec<scorecard::Model>, Vec<score::Model>)> {
    use sea_orm::sea_query::Query;
    let cards = scorecard::Entity::find()
        .filter(which.clone())
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(conn)
        .await?;
    // The scores by a subquery of the same cards, so that no list of ids grows with the call.
    let card_ids = Query::select()
        .column(scorecard::Column::Id)
        .from(scorecard::Entity)
        .and_where(which)
        .and_where(scorecard::Column::SubmittedAt.is_not_null())
        .to_owned();
    let scores = score::Entity::find()
        .filter(score::Column::ScorecardId.in_subquery(card_ids))
        .all(conn)
        .await?;
    Ok((cards, scores))
}

/// Every mark of the submitted scorecards on the given applications; three statements.
pub async fn marks(conn: &impl ConnectionTrait, application_ids: Vec<i32>) -> Result<Vec<GivenMark>> {
    let (cards, scores) = submitted_with_scores(conn, scorecard::Column::ApplicationId.is_in(application_ids)).await?;
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
