//! Calls: the coordinator's form (parsed into domain types), the checks before publishing,
//! publishing, extending the deadline (audited), and the lists people see.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::audit::{self, Entry};
use crate::domain::required_text;
use crate::entity::call::{self, CallStatus};
use crate::entity::{call_criterion, call_file, call_requirement, organisation};
use crate::error::{Error, FieldErrors, Result};
use crate::listing::{PAGE_SIZE, Window};
use crate::money::{Eur, parse_hundredths};
use crate::policy::Actor;
use crate::time;

/// One criterion row of the call form, as typed.
#[derive(Debug, Clone, Default)]
pub struct CriterionForm {
    pub name: String,
    pub description: String,
    pub max_points: String,
    pub weight: String,
    pub min_points: String,
}

/// The call form as typed (times in Riga, `YYYY-MM-DDTHH:MM` as a `datetime-local` sends them).
#[derive(Debug, Clone, Default)]
pub struct CallForm {
    pub title: String,
    pub description: String,
    pub aims: String,
    pub eligibility: String,
    pub ref_prefix: String,
    pub opens_at: String,
    pub closes_at: String,
    pub scoring_deadline: String,
    pub budget: String,
    pub min_grant: String,
    pub max_grant: String,
    pub cofinancing_percent: String,
    pub allow_informal_groups: bool,
    pub requirements: Vec<String>,
    pub criteria: Vec<CriterionForm>,
    /// Dates as a `date` input sends them (`YYYY-MM-DD`) or as people write them.
    pub project_starts_on: String,
    pub project_ends_on: String,
    pub advance_percent: String,
    pub interim_report_on: String,
    pub final_report_days: String,
    pub accept_days: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionInput {
    pub name: String,
    pub description: String,
    pub max_points: i32,
    pub weight_x100: i32,
    pub min_points: Option<i32>,
}

/// A call form that parsed: every value has its domain type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput {
    pub title: String,
    pub description: String,
    pub aims: String,
    pub eligibility: String,
    pub ref_prefix: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub scoring_deadline: DateTime<Utc>,
    pub budget: Eur,
    pub min_grant: Eur,
    pub max_grant: Eur,
    pub cofinancing_bp: i32,
    pub allow_informal_groups: bool,
    pub requirements: Vec<String>,
    pub criteria: Vec<CriterionInput>,
    pub terms: ProjectTerms,
}

/// What a call sets for the projects it funds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectTerms {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The advance, in basis points of the grant.
    pub advance_bp: i32,
    pub interim_report_on: Option<NaiveDate>,
    /// Days after the project's end the final report is due.
    pub final_report_days: i32,
    /// Days a funded applicant has to accept.
    pub accept_days: i32,
}

impl ProjectTerms {
    /// The terms of a call, if it sets a project period.
    pub fn of(call: &call::Model) -> Option<Self> {
        Some(Self {
            starts_on: call.project_starts_on?,
            ends_on: call.project_ends_on?,
            advance_bp: call.advance_bp,
            interim_report_on: call.interim_report_on,
            final_report_days: call.final_report_days,
            accept_days: call.accept_days,
        })
    }

    /// When the final report is due.
    pub fn final_report_on(&self) -> NaiveDate {
        self.ends_on + chrono::Days::new(u64::try_from(self.final_report_days).unwrap_or(0))
    }
}

/// Parses a date as a `date` input sends it, or as people write it (`05.12.2026`).
pub(crate) fn date(raw: &str, field: &str, required: bool, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            errors.add(field, "error-required");
        }
        return None;
    }
    let parsed = time::parse_date(raw);
    if parsed.is_none() {
        errors.add(field, "error-date");
    }
    parsed
}

/// Parses a Riga wall-clock time as a `datetime-local` input sends it.
pub fn parse_riga(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.add(field, "error-required");
        return None;
    }
    let local = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%d.%m.%Y %H:%M"));
    match local {
        Ok(local) => {
            let at = time::from_riga(local);
            if at.is_none() {
                errors.add(field, "error-datetime-gap");
            }
            at
        }
        Err(_) => {
            errors.add(field, "error-datetime");
            None
        }
    }
}

fn money(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<Eur> {
    if raw.trim().is_empty() {
        errors.add(field, "error-required");
        return None;
    }
    let eur = Eur::parse(raw);
    if eur.is_none() {
        errors.add(field, "error-money");
    }
    eur
}

fn whole(raw: &str, field: &str, min: i32, max: i32, errors: &mut FieldErrors) -> Option<i32> {
    match raw.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            errors.add(field, "error-whole-number");
            None
        }
    }
}

fn long_text(raw: &str, field: &str, required: bool, errors: &mut FieldErrors) -> String {
    let s = raw.trim();
    if required && s.is_empty() {
        errors.add(field, "error-required");
    } else if s.chars().count() > 10_000 {
        errors.add(field, "error-too-long");
    }
    s.to_owned()
}

impl CallForm {
    /// Parses every field, reporting every problem at once. Empty requirement and criterion
    /// rows are dropped.
    pub fn parse(&self) -> Result<CallInput> {
        let mut e = FieldErrors::new();
        let title = required_text(&self.title, 200, "title", &mut e);
        let description = long_text(&self.description, "description", true, &mut e);
        let aims = long_text(&self.aims, "aims", true, &mut e);
        let eligibility = long_text(&self.eligibility, "eligibility", true, &mut e);
        let prefix = self.ref_prefix.trim().to_uppercase();
        if !(2..=6).contains(&prefix.len()) || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
            e.add("ref_prefix", "error-ref-prefix");
        }
        let opens_at = parse_riga(&self.opens_at, "opens_at", &mut e);
        let closes_at = parse_riga(&self.closes_at, "closes_at", &mut e);
        let scoring_deadline = parse_riga(&self.scoring_deadline, "scoring_deadline", &mut e);
        if let (Some(o), Some(c)) = (opens_at, closes_at)
            && c <= o
        {
            e.add("closes_at", "error-closes-before-opens");
        }
        if let (Some(c), Some(s)) = (closes_at, scoring_deadline)
            && s <= c
        {
            e.add("scoring_deadline", "error-scoring-before-close");
        }
        let budget = money(&self.budget, "budget", &mut e);
        let min_grant = money(&self.min_grant, "min_grant", &mut e);
        let max_grant = money(&self.max_grant, "max_grant", &mut e);
        if let (Some(min), Some(max)) = (min_grant, max_grant)
            && min > max
        {
            e.add("min_grant", "error-min-over-max");
        }
        let cofinancing_bp = match parse_hundredths(&self.cofinancing_percent) {
            Some(bp) if bp <= 10_000 => i32::try_from(bp).ok(),
            _ => {
                e.add("cofinancing_percent", "error-percent");
                None
            }
        };
        let terms = self.terms(scoring_deadline, &mut e);
        let requirements: Vec<String> = self
            .requirements
            .iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        for (i, r) in requirements.iter().enumerate() {
            if r.chars().count() > 500 {
                e.add(format!("requirement-{i}"), "error-too-long");
            }
        }
        let mut criteria = Vec::new();
        for (i, c) in self.criteria.iter().enumerate() {
            if [&c.name, &c.description, &c.max_points, &c.weight, &c.min_points]
                .iter()
                .all(|f| f.trim().is_empty())
            {
                continue;
            }
            let name = required_text(&c.name, 200, &format!("criterion-{i}-name"), &mut e);
            let max_points = whole(&c.max_points, &format!("criterion-{i}-max_points"), 1, 1000, &mut e);
            let weight_x100 = match parse_hundredths(&c.weight) {
                Some(w) if w <= 100_000 => i32::try_from(w).ok(),
                _ => {
                    e.add(format!("criterion-{i}-weight"), "error-weight");
                    None
                }
            };
            let min_points = if c.min_points.trim().is_empty() {
                Some(None)
            } else {
                whole(&c.min_points, &format!("criterion-{i}-min_points"), 0, 1000, &mut e).map(Some)
            };
            if let (Some(max), Some(Some(min))) = (max_points, min_points)
                && min > max
            {
                e.add(format!("criterion-{i}-min_points"), "error-min-over-max-points");
            }
            if let (Some(name), Some(max_points), Some(weight_x100), Some(min_points)) =
                (name, max_points, weight_x100, min_points)
            {
                let description = long_text(&c.description, &format!("criterion-{i}-description"), false, &mut e);
                criteria.push(CriterionInput {
                    name,
                    description,
                    max_points,
                    weight_x100,
                    min_points,
                });
            }
        }
        e.into_result()?;
        match (
            title,
            opens_at,
            closes_at,
            scoring_deadline,
            budget,
            min_grant,
            max_grant,
            cofinancing_bp,
            terms,
        ) {
            (
                Some(title),
                Some(opens_at),
                Some(closes_at),
                Some(scoring_deadline),
                Some(budget),
                Some(min_grant),
                Some(max_grant),
                Some(cofinancing_bp),
                Some(terms),
            ) => Ok(CallInput {
                title,
                description,
                aims,
                eligibility,
                ref_prefix: prefix,
                opens_at,
                closes_at,
                scoring_deadline,
                budget,
                min_grant,
                max_grant,
                cofinancing_bp,
                allow_informal_groups: self.allow_informal_groups,
                requirements,
                criteria,
                terms,
            }),
            _ => Err(Error::Refused("error-required")),
        }
    }
}

impl CallForm {
    /// The project terms: a period that starts no earlier than the day of the scoring deadline
    /// (in Riga) and ends after it starts, an interim report inside it, an advance of at most
    /// the whole grant, and sensible day counts.
    fn terms(&self, scoring_deadline: Option<DateTime<Utc>>, e: &mut FieldErrors) -> Option<ProjectTerms> {
        let starts_on = date(&self.project_starts_on, "project_starts_on", true, e);
        let ends_on = date(&self.project_ends_on, "project_ends_on", true, e);
        if let (Some(start), Some(scoring)) = (starts_on, scoring_deadline)
            && start < time::to_riga(scoring).date_naive()
        {
            e.add("project_starts_on", "error-project-starts-early");
        }
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end <= start
        {
            e.add("project_ends_on", "error-project-ends-early");
        }
        let interim = date(&self.interim_report_on, "interim_report_on", false, e);
        if let (Some(at), Some(start), Some(end)) = (interim, starts_on, ends_on)
            && (at <= start || at >= end)
        {
            e.add("interim_report_on", "error-interim-outside");
        }
        let advance_bp = match parse_hundredths(&self.advance_percent) {
            Some(bp) if bp <= 10_000 => i32::try_from(bp).ok(),
            _ => {
                e.add("advance_percent", "error-percent");
                None
            }
        };
        let final_report_days = whole(&self.final_report_days, "final_report_days", 1, 365, e);
        let accept_days = whole(&self.accept_days, "accept_days", 1, 90, e);
        Some(ProjectTerms {
            starts_on: starts_on?,
            ends_on: ends_on?,
            advance_bp: advance_bp?,
            interim_report_on: interim,
            final_report_days: final_report_days?,
            accept_days: accept_days?,
        })
    }
}

/// What publishing needs beyond a well-formed form; every problem is reported at once.
pub fn publish_problems(call: &call::Model, criteria: &[call_criterion::Model], now: DateTime<Utc>) -> FieldErrors {
    let mut e = FieldErrors::new();
    if call.closes_at <= now {
        e.add("closes_at", "error-deadline-past");
    }
    if criteria.is_empty() {
        e.add("criteria", "error-no-criteria");
    }
    if criteria.iter().any(|c| c.weight_x100 <= 0) {
        e.add("criteria", "error-weight-positive");
    }
    if call.max_grant_cents > call.budget_cents {
        e.add("max_grant", "error-max-over-budget");
    }
    if call.budget_cents <= 0 || call.max_grant_cents <= 0 {
        e.add("budget", "error-money-positive");
    }
    e
}

/// The municipalities where the actor may run calls (`policy::call_managers`).
pub fn managed_municipalities(actor: &Actor) -> Vec<i32> {
    let mut ids: Vec<i32> = actor
        .grants
        .iter()
        .map(|g| g.org.id)
        .filter(|id| crate::policy::call_managers(*id).includes(actor))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A call, or `NotFound` (whoever asks: for a call the asker is known to concern).
pub async fn get(conn: &impl ConnectionTrait, id: i32) -> Result<call::Model> {
    call::Entity::find_by_id(id).one(conn).await?.ok_or(Error::NotFound)
}

/// The calls among `ids` that are open (stored as open: their closing has not run).
pub async fn open_among(conn: &impl ConnectionTrait, ids: Vec<i32>) -> Result<Vec<call::Model>> {
    Ok(call::Entity::find()
        .filter(call::Column::Id.is_in(ids))
        .filter(call::Column::Status.eq(CallStatus::Open))
        .all(conn)
        .await?)
}

/// A call the actor manages (as coordinator of its municipality), or `NotFound`.
pub async fn managed(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<call::Model> {
    call::Entity::find_by_id(id)
        .filter(call::Column::MunicipalityId.is_in(managed_municipalities(actor)))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// Every call the actor manages, newest first.
pub async fn list_managed(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<(call::Model, Option<organisation::Model>)>> {
    Ok(call::Entity::find()
        .filter(call::Column::MunicipalityId.is_in(managed_municipalities(actor)))
        .find_also_related(organisation::Entity)
        .order_by_desc(call::Column::Id)
        .all(conn)
        .await?)
}

pub async fn requirements(conn: &impl ConnectionTrait, call_id: i32) -> Result<Vec<call_requirement::Model>> {
    Ok(call_requirement::Entity::find()
        .filter(call_requirement::Column::CallId.eq(call_id))
        .order_by_asc(call_requirement::Column::Position)
        .all(conn)
        .await?)
}

pub async fn criteria(conn: &impl ConnectionTrait, call_id: i32) -> Result<Vec<call_criterion::Model>> {
    Ok(call_criterion::Entity::find()
        .filter(call_criterion::Column::CallId.eq(call_id))
        .order_by_asc(call_criterion::Column::Position)
        .all(conn)
        .await?)
}

async fn replace_rows(conn: &impl ConnectionTrait, call_id: i32, input: &CallInput) -> Result<()> {
    call_requirement::Entity::delete_many()
        .filter(call_requirement::Column::CallId.eq(call_id))
        .exec(conn)
        .await?;
    call_criterion::Entity::delete_many()
        .filter(call_criterion::Column::CallId.eq(call_id))
        .exec(conn)
        .await?;
    crate::grants::decision::results_changed(conn, call_id).await?;
    if !input.requirements.is_empty() {
        call_requirement::Entity::insert_many(input.requirements.iter().enumerate().map(|(i, text)| {
            call_requirement::ActiveModel {
                call_id: Set(call_id),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                text: Set(text.clone()),
                ..Default::default()
            }
        }))
        .exec(conn)
        .await?;
    }
    if !input.criteria.is_empty() {
        call_criterion::Entity::insert_many(input.criteria.iter().enumerate().map(|(i, c)| {
            call_criterion::ActiveModel {
                call_id: Set(call_id),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                name: Set(c.name.clone()),
                description: Set(c.description.clone()),
                max_points: Set(c.max_points),
                weight_x100: Set(c.weight_x100),
                min_points: Set(c.min_points),
                ..Default::default()
            }
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

fn apply(active: &mut call::ActiveModel, input: &CallInput) {
    active.title = Set(input.title.clone());
    active.description = Set(input.description.clone());
    active.aims = Set(input.aims.clone());
    active.eligibility = Set(input.eligibility.clone());
    active.ref_prefix = Set(input.ref_prefix.clone());
    active.opens_at = Set(input.opens_at);
    active.closes_at = Set(input.closes_at);
    active.scoring_deadline = Set(input.scoring_deadline);
    active.budget_cents = Set(input.budget.cents());
    active.min_grant_cents = Set(input.min_grant.cents());
    active.max_grant_cents = Set(input.max_grant.cents());
    active.cofinancing_bp = Set(input.cofinancing_bp);
    active.allow_informal_groups = Set(input.allow_informal_groups);
    let t = input.terms;
    active.project_starts_on = Set(Some(t.starts_on));
    active.project_ends_on = Set(Some(t.ends_on));
    active.advance_bp = Set(t.advance_bp);
    active.interim_report_on = Set(t.interim_report_on);
    active.final_report_days = Set(t.final_report_days);
    active.accept_days = Set(t.accept_days);
}

/// Creates a draft call in a municipality the actor coordinates.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    municipality_id: i32,
    input: &CallInput,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    if !crate::policy::call_managers(municipality_id).includes(actor) {
        return Err(Error::NotFound);
    }
    let mut active = call::ActiveModel {
        municipality_id: Set(municipality_id),
        status: Set(CallStatus::Draft),
        last_ref_seq: Set(0),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        published_at: Set(None),
        ..Default::default()
    };
    apply(&mut active, input);
    let call = active.insert(conn).await?;
    replace_rows(conn, call.id, input).await?;
    audit_call(conn, actor, &call, "call_create", None, now).await?;
    Ok(call)
}

/// Saves a draft call; a published call's form is frozen (only its deadline may move).
pub async fn update_draft(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: call::Model,
    input: &CallInput,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    if call.status != CallStatus::Draft {
        return Err(Error::Refused("error-call-frozen"));
    }
    let mut active: call::ActiveModel = call.into();
    apply(&mut active, input);
    let call = active.update(conn).await?;
    replace_rows(conn, call.id, input).await?;
    audit_call(conn, actor, &call, "call_update", None, now).await?;
    Ok(call)
}

/// Publishes a draft call when `publish_problems` finds nothing.
pub async fn publish(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: call::Model,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    if call.status != CallStatus::Draft {
        return Err(Error::Refused("error-call-frozen"));
    }
    let crit = criteria(conn, call.id).await?;
    publish_problems(&call, &crit, now).into_result()?;
    let mut active: call::ActiveModel = call.into();
    active.status = Set(CallStatus::Open);
    active.published_at = Set(Some(now));
    let call = active.update(conn).await?;
    schedule_close(conn, &call, now).await?;
    audit_call(conn, actor, &call, "call_publish", None, now).await?;
    Ok(call)
}

/// Moves the deadline of an open call later (never earlier, never into the past).
pub async fn extend_deadline(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: call::Model,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<call::Model> {
    if call.status != CallStatus::Open {
        return Err(Error::Refused("error-call-not-open"));
    }
    let mut e = FieldErrors::new();
    let new = parse_riga(raw, "closes_at", &mut e);
    e.into_result()?;
    let new = new.ok_or(Error::Refused("error-datetime"))?;
    if new <= call.closes_at || new <= now {
        return Err(FieldErrors::single("closes_at", "error-deadline-only-later"));
    }
    let (old, scoring) = (call.closes_at, call.scoring_deadline);
    let mut active: call::ActiveModel = call.into();
    active.closes_at = Set(new);
    // Scoring cannot end before applications close: keep two weeks for it.
    if new >= scoring {
        active.scoring_deadline = Set(new + chrono::Duration::days(14));
    }
    let call = active.update(conn).await?;
    schedule_close(conn, &call, now).await?;
    let details = format!("{} -> {}", old.to_rfc3339(), new.to_rfc3339());
    audit_call(conn, actor, &call, "call_extend_deadline", Some(details), now).await?;
    Ok(call)
}

/// Asks the worker to close the call at its (new) deadline.
async fn schedule_close(conn: &impl ConnectionTrait, call: &call::Model, now: DateTime<Utc>) -> Result<()> {
    crate::outbox::enqueue_for_call(conn, crate::outbox::OutboxKind::ScheduleClose, call.id, now).await?;
    Ok(())
}

/// Records an action of `actor` on a call in the audit log.
pub(crate) async fn audit_call(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: &call::Model,
    action: &'static str,
    details: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::record(
        conn,
        Entry::by(actor, Some(call.municipality_id), action, ("call", call.id.into())).details(details),
        now,
    )
    .await
}

/// Published calls whose deadline has not passed, soonest deadline first.
pub async fn open_calls(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(call::Model, Option<organisation::Model>)>> {
    Ok(call::Entity::find()
        .filter(call::Column::Status.eq(CallStatus::Open))
        .filter(call::Column::ClosesAt.gt(now))
        .find_also_related(organisation::Entity)
        .order_by_asc(call::Column::ClosesAt)
        .all(conn)
        .await?)
}

/// Published calls whose deadline has passed, latest first.
pub async fn past_calls(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(call::Model, Option<organisation::Model>)>> {
    Ok(call::Entity::find()
        .filter(call::Column::Status.ne(CallStatus::Draft))
        .filter(
            Condition::any()
                .add(call::Column::Status.ne(CallStatus::Open))
                .add(call::Column::ClosesAt.lte(now)),
        )
        .find_also_related(organisation::Entity)
        .order_by_desc(call::Column::ClosesAt)
        .all(conn)
        .await?)
}

/// Which list of calls a page shows.
#[derive(Clone, Copy)]
pub enum CallList<'a> {
    /// Every call the actor manages (newest first unless sorted otherwise).
    Managed(&'a Actor),
    /// Calls open for applications at the time (nearest deadline first).
    Open(DateTime<Utc>),
    /// Published calls whose deadline has passed at the time (latest deadline first).
    Past(DateTime<Utc>),
}

impl CallList<'_> {
    fn query(self) -> sea_orm::SelectTwo<call::Entity, organisation::Entity> {
        let q = call::Entity::find();
        let q = match self {
            CallList::Managed(actor) => q.filter(call::Column::MunicipalityId.is_in(managed_municipalities(actor))),
            CallList::Open(now) => q
                .filter(call::Column::Status.eq(CallStatus::Open))
                .filter(call::Column::ClosesAt.gt(now)),
            CallList::Past(now) => q.filter(call::Column::Status.ne(CallStatus::Draft)).filter(
                Condition::any()
                    .add(call::Column::Status.ne(CallStatus::Open))
                    .add(call::Column::ClosesAt.lte(now)),
            ),
        };
        q.find_also_related(organisation::Entity)
    }

    /// The order when none is asked for.
    pub fn default_sort(self) -> &'static str {
        match self {
            CallList::Managed(_) => "-newest",
            CallList::Open(_) => "deadline",
            CallList::Past(_) => "-deadline",
        }
    }
}

/// One page of a list of calls with their municipalities, searched by title or municipality and
/// sorted by deadline, title, municipality or creation (`newest`); and how many match. Two
/// statements however many calls there are.
pub async fn list_page(
    conn: &impl ConnectionTrait,
    which: CallList<'_>,
    window: &Window,
) -> Result<(Vec<(call::Model, Option<organisation::Model>)>, u64)> {
    let q = which.query().filter(window.matching([
        Expr::col((call::Entity, call::Column::Title)),
        Expr::col((organisation::Entity, organisation::Column::Name)),
    ]));
    let total = q.clone().count(conn).await?;
    let sorts: [(&str, &[Expr]); 4] = [
        ("deadline", &[Expr::col((call::Entity, call::Column::ClosesAt))]),
        ("title", &[Expr::col((call::Entity, call::Column::Title))]),
        (
            "municipality",
            &[Expr::col((organisation::Entity, organisation::Column::Name))],
        ),
        ("newest", &[]),
    ];
    let rows = window
        .order(
            q,
            &sorts,
            which.default_sort(),
            Expr::col((call::Entity, call::Column::Id)),
        )
        .offset(window.offset())
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// A published call (any status but draft), or `NotFound`.
pub async fn published(conn: &impl ConnectionTrait, id: i32) -> Result<(call::Model, organisation::Model)> {
    match call::Entity::find_by_id(id)
        .filter(call::Column::Status.ne(CallStatus::Draft))
        .find_also_related(organisation::Entity)
        .one(conn)
        .await?
    {
        Some((call, Some(org))) => Ok((call, org)),
        _ => Err(Error::NotFound),
    }
}

/// The status a person should see: a published call before its opening time is announced, and
/// one past its deadline closed even before the worker has marked it so.
pub fn effective_status(call: &call::Model, now: DateTime<Utc>) -> CallStatus {
    match call.status {
        CallStatus::Open if call.closes_at <= now => CallStatus::Closed,
        CallStatus::Open if now < call.opens_at => CallStatus::Announced,
        status => status,
    }
}

/// Whether applications are accepted at `now`.
pub fn accepts_applications(call: &call::Model, now: DateTime<Utc>) -> bool {
    call.status == CallStatus::Open && call.opens_at <= now && now < call.closes_at
}

/// Takes the next reference number of an open call whose deadline has not passed, in the
/// caller's transaction. This is the transaction's first write, so concurrent submits queue
/// on the call's row (PostgreSQL) or the database's write lock (SQLite) and each gets the next
/// number; a rolled-back submit gives its number back. `None` when the call no longer accepts.
pub async fn take_ref_seq(conn: &impl ConnectionTrait, call_id: i32, now: DateTime<Utc>) -> Result<Option<i32>> {
    let updated = call::Entity::update_many()
        .col_expr(call::Column::LastRefSeq, Expr::col(call::Column::LastRefSeq).add(1))
        .filter(call::Column::Id.eq(call_id))
        .filter(call::Column::Status.eq(CallStatus::Open))
        .filter(call::Column::OpensAt.lte(now))
        .filter(call::Column::ClosesAt.gt(now))
        .exec_with_returning(conn)
        .await?;
    Ok(updated.first().map(|c| c.last_ref_seq))
}

/// `REZ-2026-007`: prefix, the year the call opened (Riga), the number.
pub fn reference(call: &call::Model, seq: i32) -> String {
    use chrono::Datelike;
    format!("{}-{}-{seq:03}", call.ref_prefix, time::to_riga(call.opens_at).year())
}

/// Closes every open call whose deadline has passed, in the caller's transaction, and queues
/// the coordinators' "call closed" email for each. Safe to run any number of times: a call is
/// closed (and its email queued) once.
pub async fn close_due(conn: &impl ConnectionTrait, now: DateTime<Utc>, only: Option<i32>) -> Result<Vec<call::Model>> {
    let mut update = call::Entity::update_many()
        .col_expr(call::Column::Status, Expr::value(CallStatus::Closed))
        .filter(call::Column::Status.eq(CallStatus::Open))
        .filter(call::Column::ClosesAt.lte(now));
    if let Some(id) = only {
        update = update.filter(call::Column::Id.eq(id));
    }
    let closed = update.exec_with_returning(conn).await?;
    for c in &closed {
        crate::outbox::enqueue_email(conn, &crate::outbox::EmailEvent::CallClosed { call_id: c.id }, now).await?;
        audit::record(
            conn,
            Entry {
                org_id: Some(c.municipality_id),
                action: "call_close",
                object_type: "call",
                object_id: Some(c.id.into()),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    Ok(closed)
}

/// A call's files (its regulation and annexes), in upload order.
pub async fn files(conn: &impl ConnectionTrait, call_id: i32) -> Result<Vec<call_file::Model>> {
    Ok(call_file::Entity::find()
        .filter(call_file::Column::CallId.eq(call_id))
        .order_by_asc(call_file::Column::Id)
        .all(conn)
        .await?)
}

/// A file of a call, or `NotFound`.
pub async fn file_of(conn: &impl ConnectionTrait, call_id: i32, id: i32) -> Result<call_file::Model> {
    call_file::Entity::find_by_id(id)
        .filter(call_file::Column::CallId.eq(call_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// The coordinator attaches a file to a call it manages (before or after publishing: an annex
/// may follow); the title is required.
pub async fn add_file(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call_id: i32,
    title: &str,
    file: crate::attachments::StoredFile,
    now: DateTime<Utc>,
) -> Result<call_file::Model> {
    let c = managed(conn, actor, call_id).await?;
    let title = title.trim();
    if title.is_empty() {
        return Err(FieldErrors::single("title", "error-required"));
    }
    if title.chars().count() > 200 {
        return Err(FieldErrors::single("title", "error-too-long"));
    }
    let row = call_file::ActiveModel {
        call_id: Set(c.id),
        title: Set(title.to_owned()),
        name: Set(file.name),
        content_type: Set(file.content_type),
        size: Set(file.size),
        sha256: Set(file.sha256),
        storage_key: Set(file.key),
        uploaded_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    crate::audit::record(
        conn,
        crate::audit::Entry::by(actor, Some(c.municipality_id), "call_file_add", ("call", c.id.into())),
        now,
    )
    .await?;
    Ok(row)
}

/// The coordinator removes a file from a draft call (a published call's files stay, as
/// applicants may have read them); returns its key, for the caller to delete from the store.
pub async fn remove_file(conn: &impl ConnectionTrait, actor: &Actor, call_id: i32, id: i32) -> Result<String> {
    let c = managed(conn, actor, call_id).await?;
    if c.status != CallStatus::Draft {
        return Err(Error::Refused("error-call-frozen"));
    }
    let file = file_of(conn, c.id, id).await?;
    call_file::Entity::delete_by_id(file.id).exec(conn).await?;
    Ok(file.storage_key)
}

/// A new draft copied from a call the actor manages: its texts, rules, formal requirements,
/// criteria, terms and form (questions, required documents, budget categories), every date
/// moved so that it opens a week from `now` (the coordinator sets the real ones before
/// publishing). The files stay with the call they belong to.
pub async fn copy(conn: &impl ConnectionTrait, actor: &Actor, call_id: i32, now: DateTime<Utc>) -> Result<call::Model> {
    let c = managed(conn, actor, call_id).await?;
    let later = now + chrono::Duration::days(7);
    let opens_at = chrono::DurationRound::duration_trunc(later, chrono::Duration::hours(1)).unwrap_or(later);
    let shift = opens_at - c.opens_at;
    let day = |d: NaiveDate| d + chrono::Duration::days(shift.num_days());
    let closes_at = c.closes_at + shift;
    let terms = match ProjectTerms::of(&c) {
        Some(t) => ProjectTerms {
            starts_on: day(t.starts_on),
            ends_on: day(t.ends_on),
            interim_report_on: t.interim_report_on.map(day),
            ..t
        },
        None => {
            let starts_on = crate::time::to_riga(closes_at).date_naive() + chrono::Days::new(45);
            ProjectTerms {
                starts_on,
                ends_on: starts_on + chrono::Days::new(150),
                advance_bp: c.advance_bp,
                interim_report_on: None,
                final_report_days: c.final_report_days,
                accept_days: c.accept_days,
            }
        }
    };
    let input = CallInput {
        title: c.title.clone(),
        description: c.description.clone(),
        aims: c.aims.clone(),
        eligibility: c.eligibility.clone(),
        ref_prefix: c.ref_prefix.clone(),
        opens_at,
        closes_at,
        scoring_deadline: c.scoring_deadline + shift,
        budget: Eur::from_cents(c.budget_cents),
        min_grant: Eur::from_cents(c.min_grant_cents),
        max_grant: Eur::from_cents(c.max_grant_cents),
        cofinancing_bp: c.cofinancing_bp,
        allow_informal_groups: c.allow_informal_groups,
        requirements: requirements(conn, c.id).await?.into_iter().map(|r| r.text).collect(),
        criteria: criteria(conn, c.id)
            .await?
            .into_iter()
            .map(|k| CriterionInput {
                name: k.name,
                description: k.description,
                max_points: k.max_points,
                weight_x100: k.weight_x100,
                min_points: k.min_points,
            })
            .collect(),
        terms,
    };
    let copied = create(conn, actor, c.municipality_id, &input, now).await?;
    crate::grants::forms::copy_into(conn, c.id, copied.id).await?;
    Ok(copied)
}
