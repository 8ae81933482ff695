//! The decision on a call: the standings (results, ranking and allocation computed from the
//! stored scorecards), reduced amounts, locking the decision into awards, reopening it (with a
//! reason, audited), a funded applicant declining (the reserve moves up), and publishing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::audit::{self, Entry};
use crate::entity::application::{self, ApplicationStatus};
use crate::entity::award::AwardOutcome;
use crate::entity::call::{self, CallStatus};
use crate::entity::project::ProjectState;
use crate::entity::{award, organisation, reduced_amount};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::allocation::{self, Candidate, Outcome};
use crate::grants::applications;
use crate::grants::calls::{self, audit_call};
use crate::grants::panel;
use crate::grants::projects;
use crate::grants::scoring::{self, Entry as RankEntry};
use crate::money::Eur;
use crate::outbox::{self, EmailEvent};
use crate::policy::Actor;

/// One application in the standings.
#[derive(Debug, Clone)]
pub struct Standing {
    pub rank: i32,
    pub app: application::Model,
    pub applicant: Option<organisation::Model>,
    pub result: scoring::Result,
    /// The submitted scorecards the result was computed from (for calibration and exports).
    pub cards: Vec<scoring::Card>,
    pub reduced_cents: Option<i64>,
    pub outcome: Outcome,
}

fn stored(o: Outcome) -> AwardOutcome {
    match o {
        Outcome::Funded { .. } => AwardOutcome::Funded,
        Outcome::Reserve { .. } => AwardOutcome::Reserve,
        Outcome::NotFunded => AwardOutcome::NotFunded,
        Outcome::Withdrawn => AwardOutcome::Withdrawn,
    }
}

fn outcome_of(a: &award::Model) -> Outcome {
    match a.outcome {
        AwardOutcome::Funded => Outcome::Funded { cents: a.amount_cents },
        AwardOutcome::Reserve => Outcome::Reserve {
            position: u32::try_from(a.reserve_position.unwrap_or(0)).unwrap_or(0),
        },
        AwardOutcome::Withdrawn => Outcome::Withdrawn,
        AwardOutcome::NotFunded => Outcome::NotFunded,
    }
}

fn status_of(o: Outcome) -> ApplicationStatus {
    match o {
        Outcome::Funded { .. } => ApplicationStatus::Funded,
        Outcome::Reserve { .. } => ApplicationStatus::Reserve,
        Outcome::NotFunded => ApplicationStatus::NotFunded,
        Outcome::Withdrawn => ApplicationStatus::Withdrawn,
    }
}

/// How many ids one statement names at most where a call's applications are changed in parts.
const IDS_PER_STATEMENT: usize = 500;

/// Records, in the writer's transaction, that something a call's ranking is worked out from
/// changed: its scorecards, reduced amounts, applications taking part, criteria, panel and its
/// declarations, or decision.
/// [`Rankings`] works the ranking out again on the next read.
pub async fn results_changed(conn: &impl ConnectionTrait, call_id: i32) -> Result<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    call::Entity::update_many()
        .col_expr(
            call::Column::ResultsVersion,
            Expr::col(call::Column::ResultsVersion).add(1),
        )
        .filter(call::Column::Id.eq(call_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A call's ranking as the results page shows it: the standings (without their scorecards),
/// each member's calibration and the total funded.
#[derive(Debug)]
pub struct Ranking {
    pub standings: Vec<Standing>,
    /// Member → (applications scored, mean deviation from the panel).
    pub calibration: std::collections::BTreeMap<i32, (usize, rust_decimal::Decimal)>,
    pub funded_cents: i64,
    /// Each panel member's progress, chair first.
    pub progress: Vec<panel::Progress>,
}

/// How many calls' rankings a process keeps; a call beyond that is worked out again.
const RANKINGS_KEPT: usize = 16;

/// The rankings a process has worked out, each kept with the results version (and budget) of
/// its call: reading a page of the results of a 2,000-application call then takes the call's
/// row, not its 40,000 scores. A writer adds one to the version in its own transaction
/// ([`results_changed`]); a reader that sees another version works the ranking out again. A
/// ranking read after the version is never older than it (the version is read first), so none
/// is ever shown stale; several processes each keep their own.
#[derive(Debug, Default)]
pub struct Rankings {
    kept: std::sync::Mutex<Kept>,
}

/// Call → ((results version, budget), its ranking).
type Kept = HashMap<i32, ((i64, i64), std::sync::Arc<Ranking>)>;

impl Rankings {
    pub async fn of(&self, conn: &impl ConnectionTrait, call: &call::Model) -> Result<std::sync::Arc<Ranking>> {
        let key = (call.results_version, call.budget_cents);
        if let Some((k, hit)) = self.lock().get(&call.id)
            && *k == key
        {
            return Ok(hit.clone());
        }
        let mut standings = standings(conn, call).await?;
        let criteria = calls::criteria(conn, call.id).await?;
        let per_app: Vec<Vec<scoring::Card>> = standings.iter_mut().map(|s| std::mem::take(&mut s.cards)).collect();
        let calibration = scoring::calibration(&panel::rules(&criteria), &per_app);
        let funded_cents = standings
            .iter()
            .map(|s| match s.outcome {
                Outcome::Funded { cents } => cents,
                _ => 0,
            })
            .sum();
        let progress = panel::progress(conn, call.id).await?;
        let ranking = std::sync::Arc::new(Ranking {
            standings,
            calibration,
            funded_cents,
            progress,
        });
        let mut kept = self.lock();
        if kept.len() >= RANKINGS_KEPT && !kept.contains_key(&call.id) {
            kept.clear();
        }
        kept.insert(call.id, (key, ranking.clone()));
        Ok(ranking)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The standings of a call in a fixed number of queries whatever its size. Before the decision
/// they are computed; once locked they are the stored awards.
pub async fn standings(conn: &impl ConnectionTrait, call: &call::Model) -> Result<Vec<Standing>> {
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(call.id))
        .filter(application::Column::Status.is_in([
            ApplicationStatus::Submitted,
            ApplicationStatus::InReview,
            ApplicationStatus::Funded,
            ApplicationStatus::Reserve,
            ApplicationStatus::NotFunded,
            ApplicationStatus::Withdrawn,
        ]))
        .find_also_related(organisation::Entity)
        .all(conn)
        .await?;
    let (rules, mut cards) = panel::submitted_cards(conn, call.id).await?;
    let reduced: HashMap<i32, i64> = reduced_amount::Entity::find()
        .filter(reduced_amount::Column::ApplicationId.in_subquery(applications::ids_of_call(call.id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.application_id, r.amount_cents))
        .collect();
    let awards: HashMap<i32, award::Model> = award::Entity::find()
        .filter(award::Column::CallId.eq(call.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.application_id, a))
        .collect();
    let mut by_id: HashMap<i32, (application::Model, Option<organisation::Model>, Vec<scoring::Card>)> = HashMap::new();
    let mut entries = Vec::new();
    for (app, org) in apps {
        // Before a decision, an application withdrawn during the call takes no part.
        if awards.is_empty() && app.status == ApplicationStatus::Withdrawn {
            continue;
        }
        let app_cards = cards.remove(&app.id).unwrap_or_default();
        let result = scoring::aggregate(&rules, &app_cards);
        entries.push(RankEntry {
            application_id: app.id,
            ref_seq: app.ref_seq.unwrap_or(i32::MAX),
            requested_cents: app.requested_cents,
            result,
        });
        by_id.insert(app.id, (app, org, app_cards));
    }
    let ranked = if awards.is_empty() {
        scoring::rank(entries)
    } else {
        let mut e = entries;
        e.sort_by_key(|x| awards.get(&x.application_id).map_or(i32::MAX, |a| a.rank));
        e
    };
    let outcomes: Vec<(i32, Outcome)> = if awards.is_empty() {
        let candidates: Vec<Candidate> = ranked
            .iter()
            .map(|e| Candidate {
                application_id: e.application_id,
                requested_cents: e.requested_cents,
                reduced_cents: reduced.get(&e.application_id).copied(),
                passes: e.result.passes(),
                withdrawn: false,
            })
            .collect();
        allocation::allocate(call.budget_cents, &candidates)
    } else {
        ranked
            .iter()
            .map(|e| {
                (
                    e.application_id,
                    awards.get(&e.application_id).map_or(Outcome::NotFunded, outcome_of),
                )
            })
            .collect()
    };
    Ok(ranked
        .into_iter()
        .zip(outcomes)
        .enumerate()
        .filter_map(|(i, (entry, (_, outcome)))| {
            let (app, applicant, cards) = by_id.remove(&entry.application_id)?;
            Some(Standing {
                rank: i32::try_from(i + 1).unwrap_or(i32::MAX),
                reduced_cents: reduced.get(&app.id).copied(),
                app,
                applicant,
                result: entry.result,
                cards,
                outcome,
            })
        })
        .collect())
}

fn undecided(call: &call::Model, now: DateTime<Utc>) -> Result<()> {
    match calls::effective_status(call, now) {
        CallStatus::Closed | CallStatus::InReview => Ok(()),
        CallStatus::Decided | CallStatus::ResultsPublished | CallStatus::Archived => {
            Err(Error::Refused("error-call-decided"))
        }
        _ => Err(Error::Refused("error-scoring-not-open")),
    }
}

/// Sets (or, with an empty amount, clears) a reduced amount for an application.
pub async fn set_reduced(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (app, call) = applications::readable(conn, actor, application_id).await?;
    calls::managed(conn, actor, call.id).await?;
    undecided(&call, now)?;
    reduced_amount::Entity::delete_many()
        .filter(reduced_amount::Column::ApplicationId.eq(app.id))
        .exec(conn)
        .await?;
    results_changed(conn, call.id).await?;
    if raw.trim().is_empty() {
        return Ok(());
    }
    let amount = Eur::parse(raw).ok_or(FieldErrors::single(format!("reduced-{}", app.id), "error-money"))?;
    if amount.cents() <= 0 || amount.cents() >= app.requested_cents {
        return Err(FieldErrors::single(
            format!("reduced-{}", app.id),
            "error-reduced-range",
        ));
    }
    reduced_amount::ActiveModel {
        application_id: Set(app.id),
        amount_cents: Set(amount.cents()),
        set_by: Set(actor.user.id),
        set_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit_call(
        conn,
        actor,
        &call,
        "reduced_amount",
        Some(format!("application={} amount={}", app.id, amount)),
        now,
    )
    .await
}

async fn write_outcomes(
    conn: &impl ConnectionTrait,
    call: &call::Model,
    rows: &[(i32, i32, Outcome)],
    now: DateTime<Utc>,
) -> Result<()> {
    results_changed(conn, call.id).await?;
    award::Entity::delete_many()
        .filter(award::Column::CallId.eq(call.id))
        .exec(conn)
        .await?;
    if !rows.is_empty() {
        award::Entity::insert_many(rows.iter().map(|(rank, app_id, o)| award::ActiveModel {
            call_id: Set(call.id),
            application_id: Set(*app_id),
            rank: Set(*rank),
            outcome: Set(stored(*o)),
            amount_cents: Set(match o {
                Outcome::Funded { cents } => *cents,
                _ => 0,
            }),
            reserve_position: Set(match o {
                Outcome::Reserve { position } => i32::try_from(*position).ok(),
                _ => None,
            }),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    for status in [
        ApplicationStatus::Funded,
        ApplicationStatus::Reserve,
        ApplicationStatus::NotFunded,
        ApplicationStatus::Withdrawn,
    ] {
        let ids: Vec<i32> = rows
            .iter()
            .filter(|(_, _, o)| status_of(*o) == status)
            .map(|(_, id, _)| *id)
            .collect();
        // In parts, so that no statement's list of ids grows with the call.
        for part in ids.chunks(IDS_PER_STATEMENT) {
            application::Entity::update_many()
                .col_expr(application::Column::Status, sea_orm::sea_query::Expr::value(status))
                .col_expr(application::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
                .filter(application::Column::Id.is_in(part.iter().copied()))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}

/// Locks the decision: the standings become awards and the applications' statuses.
pub async fn lock(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: call::Model,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    calls::managed(conn, actor, call.id).await?;
    undecided(&call, now)?;
    let standings = standings(conn, &call).await?;
    let rows: Vec<(i32, i32, Outcome)> = standings.iter().map(|s| (s.rank, s.app.id, s.outcome)).collect();
    write_outcomes(conn, &call, &rows, now).await?;
    let funded = allocation::funded_total(&rows.iter().map(|(_, id, o)| (*id, *o)).collect::<Vec<_>>());
    let mut active: call::ActiveModel = call.into();
    active.status = Set(CallStatus::Decided);
    let call = active.update(conn).await?;
    outbox::enqueue_for_call(conn, outbox::OutboxKind::ArchiveCall, call.id, now).await?;
    audit_call(
        conn,
        actor,
        &call,
        "decision_lock",
        Some(format!("funded={}", Eur::from_cents(funded))),
        now,
    )
    .await?;
    Ok(call)
}

/// Reopens a locked decision that is not yet published; the reason is recorded.
pub async fn reopen(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: call::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    calls::managed(conn, actor, call.id).await?;
    if call.status != CallStatus::Decided {
        return Err(Error::Refused("error-not-decided"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(FieldErrors::single("reason", "error-reopen-reason"));
    }
    let decided = sea_orm::sea_query::Query::select()
        .column(award::Column::ApplicationId)
        .from(award::Entity)
        .and_where(award::Column::CallId.eq(call.id))
        .and_where(award::Column::Outcome.ne(AwardOutcome::Withdrawn))
        .to_owned();
    application::Entity::update_many()
        .col_expr(
            application::Column::Status,
            sea_orm::sea_query::Expr::value(ApplicationStatus::InReview),
        )
        .filter(application::Column::Id.in_subquery(decided))
        .exec(conn)
        .await?;
    award::Entity::delete_many()
        .filter(award::Column::CallId.eq(call.id))
        .exec(conn)
        .await?;
    results_changed(conn, call.id).await?;
    let mut active: call::ActiveModel = call.into();
    active.status = Set(CallStatus::InReview);
    let call = active.update(conn).await?;
    audit_call(
        conn,
        actor,
        &call,
        "decision_reopen",
        Some(reason.chars().take(2000).collect()),
        now,
    )
    .await?;
    Ok(call)
}

/// A funded applicant declines the grant after the decision: the reserve moves up.
pub async fn decline(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<i32>> {
    let app = applications::own(conn, actor, application_id).await?;
    if app.status != ApplicationStatus::Funded {
        return Err(Error::Refused("error-not-funded"));
    }
    let (call, newly_funded) = move_reserve_up(conn, &app, now).await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(app.applicant_id),
            "grant_decline",
            ("application", app.id.into()),
        )
        .details(Some(format!("moved_up={newly_funded:?}"))),
        now,
    )
    .await?;
    projects::given_up(conn, &call, app.id, ProjectState::Declined, Some(actor.user.id), now).await?;
    Ok(newly_funded)
}

/// An offer not accepted by its day (the worker's sweep): the grant is given up as by a
/// decline, by no one.
pub(crate) async fn lapse(conn: &impl ConnectionTrait, application_id: i32, now: DateTime<Utc>) -> Result<()> {
    let app = application::Entity::find_by_id(application_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if app.status != ApplicationStatus::Funded {
        return Ok(());
    }
    let (call, newly_funded) = move_reserve_up(conn, &app, now).await?;
    let entry = Entry {
        org_id: Some(app.applicant_id),
        action: "grant_lapse",
        object_type: "application",
        object_id: Some(app.id.into()),
        details: Some(format!("moved_up={newly_funded:?}")),
        ..Default::default()
    };
    audit::record(conn, entry, now).await?;
    projects::given_up(conn, &call, app.id, ProjectState::Lapsed, None, now).await
}

/// Gives up the grant of `app` and moves the reserve up: the call and the applications newly funded.
async fn move_reserve_up(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    now: DateTime<Utc>,
) -> Result<(call::Model, Vec<i32>)> {
    let call = call::Entity::find_by_id(app.call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let awards = award::Entity::find()
        .filter(award::Column::CallId.eq(call.id))
        .order_by_asc(award::Column::Rank)
        .all(conn)
        .await?;
    let apps: HashMap<i32, application::Model> = application::Entity::find()
        .filter(application::Column::CallId.eq(call.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let reduced: HashMap<i32, i64> = reduced_amount::Entity::find()
        .filter(reduced_amount::Column::ApplicationId.in_subquery(applications::ids_of_call(call.id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.application_id, r.amount_cents))
        .collect();
    let decided: Vec<(i32, Outcome)> = awards.iter().map(|a| (a.application_id, outcome_of(a))).collect();
    let candidates: Vec<Candidate> = awards
        .iter()
        .map(|a| Candidate {
            application_id: a.application_id,
            requested_cents: apps.get(&a.application_id).map_or(0, |x| x.requested_cents),
            reduced_cents: reduced.get(&a.application_id).copied(),
            passes: outcome_of(a) != Outcome::NotFunded,
            withdrawn: a.application_id == app.id || outcome_of(a) == Outcome::Withdrawn,
        })
        .collect();
    let moved = allocation::move_up(call.budget_cents, &candidates, &decided);
    let newly_funded: Vec<i32> = decided
        .iter()
        .zip(&moved)
        .filter(|((_, before), (_, after))| {
            matches!(before, Outcome::Reserve { .. }) && matches!(after, Outcome::Funded { .. })
        })
        .map(|((id, _), _)| *id)
        .collect();
    let rows: Vec<(i32, i32, Outcome)> = awards
        .iter()
        .zip(&moved)
        .map(|(a, (_, o))| (a.rank, a.application_id, *o))
        .collect();
    write_outcomes(conn, &call, &rows, now).await?;
    Ok((call, newly_funded))
}

/// How many applicants publishing the results of a call will tell by email: one per
/// application that was ever submitted (as `publish` does).
pub async fn applicants_to_tell(conn: &impl ConnectionTrait, call_id: i32) -> Result<u64> {
    Ok(application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft))
        .count(conn)
        .await?)
}

/// Publishes the results of a decided call: the public page and API show them and every
/// applicant is told by email (through the outbox).
pub async fn publish(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: call::Model,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    calls::managed(conn, actor, call.id).await?;
    if call.status != CallStatus::Decided {
        return Err(Error::Refused("error-not-decided"));
    }
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(call.id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft))
        .all(conn)
        .await?;
    for app in &apps {
        outbox::enqueue_email(conn, &EmailEvent::CallResult { application_id: app.id }, now).await?;
    }
    let mut active: call::ActiveModel = call.into();
    active.status = Set(CallStatus::ResultsPublished);
    let call = active.update(conn).await?;
    projects::offer_funded(conn, &call, now).await?;
    audit_call(
        conn,
        actor,
        &call,
        "results_publish",
        Some(format!("applicants={}", apps.len())),
        now,
    )
    .await?;
    Ok(call)
}

/// A line of the public results: no personal data, only the organisation and its project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicResult {
    pub rank: i32,
    pub reference: String,
    pub applicant: String,
    pub title: String,
    pub outcome: AwardOutcome,
    pub amount_cents: i64,
    pub score: Option<rust_decimal::Decimal>,
}

/// The published results of a call, or `NotFound` while they are not published.
pub async fn public_results(conn: &impl ConnectionTrait, call_id: i32) -> Result<(call::Model, Vec<PublicResult>)> {
    let call = call::Entity::find_by_id(call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !matches!(call.status, CallStatus::ResultsPublished | CallStatus::Archived) {
        return Err(Error::NotFound);
    }
    let rows = standings(conn, &call).await?;
    let results = rows
        .into_iter()
        .map(|s| PublicResult {
            rank: s.rank,
            reference: s.app.ref_no.clone().unwrap_or_default(),
            applicant: s.applicant.map(|a| a.name).unwrap_or_default(),
            title: s.app.title.clone(),
            outcome: stored(s.outcome),
            amount_cents: match s.outcome {
                Outcome::Funded { cents } => cents,
                _ => 0,
            },
            score: s.result.mean.map(|m| m.round_dp(2)),
        })
        .collect();
    Ok((call, results))
}
