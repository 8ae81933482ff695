//! Applications: drafts saved as the applicant goes, budget lines with totals computed here,
//! the checks before submitting, submitting (deadline, reference number, receipt email) and
//! withdrawing. Who may see an application is decided here, in SQL.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::audit::{self, Entry};
use crate::domain::OrgKind;
use crate::entity::application::{self, ApplicationStatus};
use crate::entity::call;
use crate::entity::{attachment, budget_line, organisation};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::calls;
use crate::grants::forms::{self, CallForm};
use crate::listing::{PAGE_SIZE, Window};
use crate::money::Eur;
use crate::outbox::{self, EmailEvent};
use crate::policy::Actor;
use sea_orm::sea_query::ExprTrait as _;

/// Budget categories, as i18n suffixes (`budget-category-…`).
pub const BUDGET_CATEGORIES: [&str; 6] = ["staff", "travel", "materials", "services", "equipment", "other"];

/// One budget line as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineForm {
    pub category: String,
    pub description: String,
    pub quantity: String,
    pub unit_cost: String,
}

/// The application form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftForm {
    pub title: String,
    pub summary: String,
    pub target_group: String,
    pub activities: String,
    pub timeline: String,
    pub requested: String,
    pub cofinancing: String,
    pub lines: Vec<LineForm>,
    /// The answers to the call's questions, by field (`q-{id}`).
    pub answers: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    pub category: String,
    pub description: String,
    pub quantity: i32,
    pub unit: Eur,
}

/// What a draft holds once parsed. Amounts that did not parse are kept as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInput {
    pub title: String,
    pub summary: String,
    pub target_group: String,
    pub activities: String,
    pub timeline: String,
    pub requested: Option<Eur>,
    pub cofinancing: Option<Eur>,
    pub lines: Vec<LineInput>,
    /// The answers to the call's questions, normalised (`forms::parse_answers`).
    pub answers: Vec<(i32, String)>,
}

fn text(raw: &str, max: usize, field: &str, e: &mut FieldErrors) -> String {
    let s = raw.trim();
    if s.chars().count() > max {
        e.add(field, "error-too-long");
        return s.chars().take(max).collect();
    }
    s.to_owned()
}

fn optional_money(raw: &str, field: &str, e: &mut FieldErrors) -> Option<Eur> {
    if raw.trim().is_empty() {
        return None;
    }
    let eur = Eur::parse(raw);
    if eur.is_none() {
        e.add(field, "error-money");
    }
    eur
}

impl DraftForm {
    /// Parses what can be parsed against the call's form (its questions and budget
    /// categories); problems are returned beside it, named by their fields. Empty budget lines
    /// are dropped.
    pub fn parse(&self, form: &CallForm) -> (DraftInput, FieldErrors) {
        let mut e = FieldErrors::new();
        let categories = form.category_keys();
        let mut lines = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            if [&l.description, &l.quantity, &l.unit_cost]
                .iter()
                .all(|f| f.trim().is_empty())
            {
                continue;
            }
            let category = if categories.contains(&l.category) {
                l.category.clone()
            } else {
                e.add(format!("line-{i}-category"), "error-choose");
                categories.last().cloned().unwrap_or_default()
            };
            let description = text(&l.description, 300, &format!("line-{i}-description"), &mut e);
            if description.is_empty() {
                e.add(format!("line-{i}-description"), "error-required");
            }
            let quantity = match l.quantity.trim().parse::<i32>() {
                Ok(q) if (1..=100_000).contains(&q) => Some(q),
                _ => {
                    e.add(format!("line-{i}-quantity"), "error-whole-number");
                    None
                }
            };
            let unit = Eur::parse(&l.unit_cost);
            if unit.is_none() {
                e.add(format!("line-{i}-unit_cost"), "error-money");
            }
            if let (Some(quantity), Some(unit)) = (quantity, unit) {
                lines.push(LineInput {
                    category,
                    description,
                    quantity,
                    unit,
                });
            }
        }
        let (answers, answer_problems) = forms::parse_answers(&form.questions, &self.answers);
        e.extend(answer_problems);
        let input = DraftInput {
            title: text(&self.title, 200, "title", &mut e),
            summary: text(&self.summary, 5_000, "summary", &mut e),
            target_group: text(&self.target_group, 5_000, "target_group", &mut e),
            activities: text(&self.activities, 10_000, "activities", &mut e),
            timeline: text(&self.timeline, 5_000, "timeline", &mut e),
            requested: optional_money(&self.requested, "requested", &mut e),
            cofinancing: optional_money(&self.cofinancing, "cofinancing", &mut e),
            lines,
            answers,
        };
        (input, e)
    }
}

/// Everything that stands between a draft and submitting it, all at once.
pub fn submission_problems(call: &call::Model, app: &application::Model, lines: &[budget_line::Model]) -> FieldErrors {
    let mut e = FieldErrors::new();
    for (field, value) in [
        ("title", &app.title),
        ("summary", &app.summary),
        ("target_group", &app.target_group),
        ("activities", &app.activities),
        ("timeline", &app.timeline),
    ] {
        if value.trim().is_empty() {
            e.add(field, "error-required");
        }
    }
    let requested = app.requested_cents;
    if requested < call.min_grant_cents || requested > call.max_grant_cents {
        e.add("requested", "error-requested-range");
    }
    if lines.is_empty() {
        e.add("lines", "error-no-budget-lines");
    } else if budget_total(lines).cents() != requested {
        e.add("lines", "error-budget-total");
    }
    // co-financing ≥ share × (requested + co-financing), in whole numbers.
    let total = i128::from(requested) + i128::from(app.cofinancing_cents);
    if i128::from(app.cofinancing_cents) * 10_000 < i128::from(call.cofinancing_bp) * total {
        e.add("cofinancing", "error-cofinancing-share");
    }
    e
}

pub fn budget_total(lines: &[budget_line::Model]) -> Eur {
    Eur::from_cents(
        lines
            .iter()
            .map(|l| l.unit_cents.saturating_mul(i64::from(l.quantity)))
            .sum(),
    )
}

/// The NGOs (and informal groups) the actor writes applications for.
pub fn applicant_orgs(actor: &Actor) -> Vec<i32> {
    actor.applicants().map(|o| o.id).collect()
}

/// The applications the actor may read, as an SQL condition over `applications` joined with
/// `calls`: their own applicant's (drafts included), and the submitted ones of calls in
/// municipalities they coordinate.
pub fn read_scope(actor: &Actor) -> Condition {
    Condition::any()
        .add(application::Column::ApplicantId.is_in(applicant_orgs(actor)))
        .add(
            Condition::all()
                .add(call::Column::MunicipalityId.is_in(calls::managed_municipalities(actor)))
                .add(application::Column::Status.ne(ApplicationStatus::Draft)),
        )
}

/// An application the actor may read, with its call, or `NotFound`.
pub async fn readable(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
) -> Result<(application::Model, call::Model)> {
    match application::Entity::find_by_id(id)
        .find_also_related(call::Entity)
        .filter(read_scope(actor))
        .one(conn)
        .await?
    {
        Some((app, Some(call))) => Ok((app, call)),
        _ => Err(Error::NotFound),
    }
}

/// An application of the actor's own applicant, or `NotFound`.
pub async fn own(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<application::Model> {
    application::Entity::find_by_id(id)
        .filter(application::Column::ApplicantId.is_in(applicant_orgs(actor)))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// As `own`, with its call, holding the application's row (PostgreSQL; SQLite's write
/// transaction holds the whole database) until the caller's transaction ends: two clicks of
/// one form are handled one after the other, the second seeing what the first did.
pub async fn own_locked(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
) -> Result<(application::Model, call::Model)> {
    let app = application::Entity::find_by_id(id)
        .filter(application::Column::ApplicantId.is_in(applicant_orgs(actor)))
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let call = call::Entity::find_by_id(app.call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((app, call))
}

/// Whether a second click of "submit" with `key` finds its application already submitted.
pub fn submitted_with(app: &application::Model, key: &str) -> bool {
    app.status != ApplicationStatus::Draft && !key.is_empty() && app.submit_key.as_deref() == Some(key)
}

pub async fn lines(conn: &impl ConnectionTrait, application_id: i32) -> Result<Vec<budget_line::Model>> {
    Ok(budget_line::Entity::find()
        .filter(budget_line::Column::ApplicationId.eq(application_id))
        .order_by_asc(budget_line::Column::Position)
        .all(conn)
        .await?)
}

pub async fn attachments(conn: &impl ConnectionTrait, application_id: i32) -> Result<Vec<attachment::Model>> {
    Ok(attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .order_by_asc(attachment::Column::Id)
        .all(conn)
        .await?)
}

/// Starts a draft for `applicant` on an open call. An informal group may apply only where the
/// call allows it.
pub async fn start(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call: &call::Model,
    applicant: &organisation::Model,
    now: DateTime<Utc>,
) -> Result<application::Model> {
    if applicant.kind != OrgKind::Ngo || !actor.writes_for(applicant.id) {
        return Err(Error::NotFound);
    }
    if !calls::accepts_applications(call, now) {
        return Err(Error::Refused("error-call-not-accepting"));
    }
    if applicant.is_informal_group && !call.allow_informal_groups {
        return Err(Error::Refused("error-call-no-informal-groups"));
    }
    if let Some(empty) = empty_draft(conn, call.id, applicant.id).await? {
        return Ok(empty);
    }
    let app = application::ActiveModel {
        call_id: Set(call.id),
        applicant_id: Set(applicant.id),
        status: Set(ApplicationStatus::Draft),
        title: Set(String::new()),
        summary: Set(String::new()),
        target_group: Set(String::new()),
        activities: Set(String::new()),
        timeline: Set(String::new()),
        requested_cents: Set(0),
        cofinancing_cents: Set(0),
        ref_seq: Set(None),
        ref_no: Set(None),
        submit_key: Set(None),
        submitted_at: Set(None),
        submitted_by: Set(None),
        withdrawn_at: Set(None),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ineligible_reason: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(app)
}

/// The organisation's draft for the call that nothing was written into yet (no text, no amount,
/// no budget line, answer or document): starting again continues it rather than making another.
async fn empty_draft(
    conn: &impl ConnectionTrait,
    call_id: i32,
    applicant_id: i32,
) -> Result<Option<application::Model>> {
    use crate::entity::application_answer;
    use sea_orm::sea_query::Query;
    let lines = Query::select()
        .column(budget_line::Column::ApplicationId)
        .from(budget_line::Entity)
        .to_owned();
    let files = Query::select()
        .column(attachment::Column::ApplicationId)
        .from(attachment::Entity)
        .to_owned();
    let answers = Query::select()
        .column(application_answer::Column::ApplicationId)
        .from(application_answer::Entity)
        .to_owned();
    Ok(application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::ApplicantId.eq(applicant_id))
        .filter(application::Column::Status.eq(ApplicationStatus::Draft))
        .filter(application::Column::Title.eq(""))
        .filter(application::Column::Summary.eq(""))
        .filter(application::Column::TargetGroup.eq(""))
        .filter(application::Column::Activities.eq(""))
        .filter(application::Column::Timeline.eq(""))
        .filter(application::Column::RequestedCents.eq(0))
        .filter(application::Column::Id.not_in_subquery(lines))
        .filter(application::Column::Id.not_in_subquery(files))
        .filter(application::Column::Id.not_in_subquery(answers))
        .order_by_asc(application::Column::Id)
        .one(conn)
        .await?)
}

/// Deletes a draft of the actor's organisation with what it holds (budget lines, answers, its
/// documents' records); returns the storage keys of its documents, for the caller to delete
/// once the change is committed. Audited.
pub async fn delete_draft(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let app = application::Entity::find_by_id(application_id)
        .filter(application::Column::ApplicantId.is_in(applicant_orgs(actor)))
        .one(conn)
        .await?
        .filter(|a| actor.writes_for(a.applicant_id))
        .ok_or(Error::NotFound)?;
    if app.status != ApplicationStatus::Draft {
        return Err(Error::Refused("error-delete-not-draft"));
    }
    let keys: Vec<String> = attachment::Entity::find()
        .select_only()
        .column(attachment::Column::StorageKey)
        .filter(attachment::Column::ApplicationId.eq(app.id))
        .into_tuple()
        .all(conn)
        .await?;
    attachment::Entity::delete_many()
        .filter(attachment::Column::ApplicationId.eq(app.id))
        .exec(conn)
        .await?;
    budget_line::Entity::delete_many()
        .filter(budget_line::Column::ApplicationId.eq(app.id))
        .exec(conn)
        .await?;
    crate::entity::application_answer::Entity::delete_many()
        .filter(crate::entity::application_answer::Column::ApplicationId.eq(app.id))
        .exec(conn)
        .await?;
    application::Entity::delete_by_id(app.id).exec(conn).await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(app.applicant_id),
            "application_delete",
            ("application", app.id.into()),
        ),
        now,
    )
    .await?;
    Ok(keys)
}

/// Saves a draft: its fields and its budget lines (replaced as a whole). Only while its call
/// accepts applications: after the deadline a draft is kept as it was, read-only.
pub async fn save_draft(
    conn: &impl ConnectionTrait,
    app: application::Model,
    input: &DraftInput,
    now: DateTime<Utc>,
) -> Result<application::Model> {
    if app.status != ApplicationStatus::Draft {
        return Err(Error::Refused("error-application-read-only"));
    }
    let call = call::Entity::find_by_id(app.call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !calls::accepts_applications(&call, now) {
        return Err(Error::Refused("error-deadline-passed"));
    }
    let id = app.id;
    let mut active: application::ActiveModel = app.into();
    active.title = Set(input.title.clone());
    active.summary = Set(input.summary.clone());
    active.target_group = Set(input.target_group.clone());
    active.activities = Set(input.activities.clone());
    active.timeline = Set(input.timeline.clone());
    if let Some(r) = input.requested {
        active.requested_cents = Set(r.cents());
    }
    if let Some(c) = input.cofinancing {
        active.cofinancing_cents = Set(c.cents());
    }
    active.updated_at = Set(now);
    let app = active.update(conn).await?;
    budget_line::Entity::delete_many()
        .filter(budget_line::Column::ApplicationId.eq(id))
        .exec(conn)
        .await?;
    if !input.lines.is_empty() {
        budget_line::Entity::insert_many(input.lines.iter().enumerate().map(|(i, l)| budget_line::ActiveModel {
            application_id: Set(id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            category: Set(l.category.clone()),
            description: Set(l.description.clone()),
            quantity: Set(l.quantity),
            unit_cents: Set(l.unit.cents()),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    forms::save_answers(conn, id, &input.answers).await?;
    Ok(app)
}

/// What submitting did.
#[derive(Debug)]
pub enum Submitted {
    /// Submitted now, with this reference number.
    Now(application::Model),
    /// Already submitted with the same key (a double click): nothing changed.
    Already(application::Model),
}

/// Submits a draft in one transaction (the caller's): the deadline against `now`, the next
/// reference number of the call, the status, and the receipt email in the outbox.
pub async fn submit(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Submitted> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Refused("error-form-expired"));
    }
    // The first statement writes, so the transaction holds the write lock (SQLite) or the
    // application's row (PostgreSQL) before anything is read.
    application::Entity::update_many()
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Status.eq(ApplicationStatus::Draft))
        .exec(conn)
        .await?;
    let app = own(conn, actor, id).await?;
    match app.status {
        ApplicationStatus::Draft => {}
        _ if submitted_with(&app, key) => return Ok(Submitted::Already(app)),
        _ => return Err(Error::Refused("error-application-read-only")),
    }
    let call = call::Entity::find_by_id(app.call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !calls::accepts_applications(&call, now) {
        return Err(Error::Refused("error-deadline-passed"));
    }
    let applicant = organisation::Entity::find_by_id(app.applicant_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !crate::grants::profiles::complete(conn, &applicant).await? {
        return Err(Error::Refused("error-profile-incomplete"));
    }
    let budget = lines(conn, id).await?;
    let mut problems = submission_problems(&call, &app, &budget);
    let form = forms::of_call(conn, call.id).await?;
    if !form.is_empty() {
        let answers = forms::answers(conn, id).await?;
        let docs = attachments(conn, id).await?;
        problems.extend(forms::submission_problems(&form, &answers, &docs, &budget));
    }
    problems.into_result()?;
    let seq = calls::take_ref_seq(conn, call.id, now)
        .await?
        .ok_or(Error::Refused("error-deadline-passed"))?;
    let mut active: application::ActiveModel = app.into();
    active.status = Set(ApplicationStatus::Submitted);
    active.ref_seq = Set(Some(seq));
    active.ref_no = Set(Some(calls::reference(&call, seq)));
    active.submit_key = Set(Some(key.to_owned()));
    active.submitted_at = Set(Some(now));
    active.submitted_by = Set(Some(actor.user.id));
    let app = active.update(conn).await?;
    crate::grants::decision::results_changed(conn, call.id).await?;
    outbox::enqueue_email(conn, &EmailEvent::ApplicationReceipt { application_id: app.id }, now).await?;
    audit_application(conn, actor, &app, "application_submit", now).await?;
    Ok(Submitted::Now(app))
}

/// Withdraws a submitted application before the call's deadline.
pub async fn withdraw(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    now: DateTime<Utc>,
) -> Result<application::Model> {
    let app = own(conn, actor, id).await?;
    if app.status != ApplicationStatus::Submitted {
        return Err(Error::Refused("error-application-not-submitted"));
    }
    let call = call::Entity::find_by_id(app.call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if now >= call.closes_at {
        return Err(Error::Refused("error-deadline-passed"));
    }
    let mut active: application::ActiveModel = app.into();
    active.status = Set(ApplicationStatus::Withdrawn);
    active.withdrawn_at = Set(Some(now));
    active.updated_at = Set(now);
    let app = active.update(conn).await?;
    crate::grants::decision::results_changed(conn, call.id).await?;
    audit_application(conn, actor, &app, "application_withdraw", now).await?;
    Ok(app)
}

async fn audit_application(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    app: &application::Model,
    action: &'static str,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::record(
        conn,
        Entry::by(actor, Some(app.applicant_id), action, ("application", app.id.into())).details(app.ref_no.clone()),
        now,
    )
    .await
}

/// A row of an application list, with its applicant.
#[derive(Debug, Clone)]
pub struct Row {
    pub app: application::Model,
    pub applicant: Option<organisation::Model>,
}

/// `SELECT id FROM applications WHERE call_id = …`: the applications of a call as a subquery,
/// where a list of their ids would grow with the call.
pub fn ids_of_call(call_id: i32) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(application::Column::Id)
        .from(application::Entity)
        .and_where(application::Column::CallId.eq(call_id))
        .to_owned()
}

/// The applications of a call, optionally of one status (drafts never), with their applicants.
fn of_call_query(
    call_id: i32,
    status: Option<ApplicationStatus>,
) -> sea_orm::SelectTwo<application::Entity, organisation::Entity> {
    let mut q = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft));
    if let Some(status) = status {
        q = q.filter(application::Column::Status.eq(status));
    }
    q.find_also_related(organisation::Entity)
}

/// The requested total of a call's applications not withdrawn.
async fn requested_of_call(conn: &impl ConnectionTrait, call_id: i32) -> Result<Eur> {
    let requested: Option<i64> = application::Entity::find()
        .select_only()
        .column_as(crate::money::sum_cents(application::Column::RequestedCents), "total")
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::Status.is_not_in([ApplicationStatus::Draft, ApplicationStatus::Withdrawn]))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok(Eur::from_cents(requested.unwrap_or(0)))
}

/// Every application of a call, optionally of one status (drafts never), with the applicant,
/// in reference order (for exports); and the requested total of those not withdrawn.
pub async fn of_call(
    conn: &impl ConnectionTrait,
    call_id: i32,
    status: Option<ApplicationStatus>,
) -> Result<(Vec<Row>, Eur)> {
    let rows = in_reference_order(call_id, status)
        .all(conn)
        .await?
        .into_iter()
        .map(|(app, applicant)| Row { app, applicant })
        .collect();
    Ok((rows, requested_of_call(conn, call_id).await?))
}

/// `limit` applications of a call from `offset`, as [`of_call`] orders them: an export a part
/// at a time.
pub async fn part_of_call(
    conn: &impl ConnectionTrait,
    call_id: i32,
    status: Option<ApplicationStatus>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Row>> {
    Ok(in_reference_order(call_id, status)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(|(app, applicant)| Row { app, applicant })
        .collect())
}

fn in_reference_order(
    call_id: i32,
    status: Option<ApplicationStatus>,
) -> sea_orm::SelectTwo<application::Entity, organisation::Entity> {
    of_call_query(call_id, status)
        .order_by_asc(application::Column::RefSeq)
        .order_by_asc(application::Column::Id)
}

/// One page of a call's applications (see [`of_call`]) searched by title, applicant or
/// reference and sorted by reference (the default), title, applicant or amount requested: the rows, how
/// many match and the call's requested total. Three statements however long the list.
pub async fn page_of_call(
    conn: &impl ConnectionTrait,
    call_id: i32,
    status: Option<ApplicationStatus>,
    window: &Window,
) -> Result<(Vec<Row>, u64, Eur)> {
    let q = of_call_query(call_id, status).filter(window.matching([
        Expr::col((application::Entity, application::Column::Title)),
        Expr::col((application::Entity, application::Column::RefNo)),
        Expr::col((organisation::Entity, organisation::Column::Name)),
    ]));
    let total = q.clone().count(conn).await?;
    let sorts: [(&str, &[Expr]); 4] = [
        ("ref", &[Expr::col((application::Entity, application::Column::RefSeq))]),
        ("title", &[Expr::col((application::Entity, application::Column::Title))]),
        (
            "applicant",
            &[Expr::col((organisation::Entity, organisation::Column::Name))],
        ),
        (
            "requested",
            &[Expr::col((application::Entity, application::Column::RequestedCents))],
        ),
    ];
    let rows = window
        .order(
            q,
            &sorts,
            "ref",
            Expr::col((application::Entity, application::Column::Id)),
        )
        .offset(window.offset())
        .limit(PAGE_SIZE)
        .all(conn)
        .await?
        .into_iter()
        .map(|(app, applicant)| Row { app, applicant })
        .collect();
    Ok((rows, total, requested_of_call(conn, call_id).await?))
}

/// One page of the applications of the actor's applicants with their calls, searched by title,
/// reference or call and sorted by creation (`newest`, the default), title or reference; and how
/// many match. Two statements.
pub async fn of_actor(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    window: &Window,
) -> Result<(Vec<(application::Model, Option<call::Model>)>, u64)> {
    let q = application::Entity::find()
        .filter(application::Column::ApplicantId.is_in(applicant_orgs(actor)))
        .find_also_related(call::Entity)
        .filter(window.matching([
            Expr::col((application::Entity, application::Column::Title)),
            Expr::col((application::Entity, application::Column::RefNo)),
            Expr::col((call::Entity, call::Column::Title)),
        ]));
    let total = q.clone().count(conn).await?;
    let sorts: [(&str, &[Expr]); 3] = [
        ("newest", &[]),
        ("title", &[Expr::col((application::Entity, application::Column::Title))]),
        ("ref", &[Expr::col((application::Entity, application::Column::RefNo))]),
    ];
    let rows = window
        .order(
            q,
            &sorts,
            "-newest",
            Expr::col((application::Entity, application::Column::Id)),
        )
        .offset(window.offset())
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// How many applications each of `call_ids` has, drafts not counted (one query).
pub async fn count_submitted(
    conn: &impl ConnectionTrait,
    call_ids: &[i32],
) -> Result<std::collections::HashMap<i32, u64>> {
    let rows: Vec<(i32, i64)> = application::Entity::find()
        .select_only()
        .column(application::Column::CallId)
        .column_as(sea_orm::sea_query::Expr::col(application::Column::Id).count(), "n")
        .filter(application::Column::CallId.is_in(call_ids.iter().copied()))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft))
        .group_by(application::Column::CallId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}
