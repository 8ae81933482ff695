//! Pupil support plans: the risk catalogue, semesters, pupils and their staff, plans moving
//! through `plan_rules`' status machine with every approval step recorded, expenses within the
//! school's funding ceiling. Every function takes the actor and finds only what the policy lets
//! them see (anything else is "not found"); every read of a plan writes one audit record; the
//! audit never holds a pupil's name.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::audit::{self, Entry};
use crate::domain::Role;
use crate::entity::expense::ExpenseState;
use crate::entity::plan::PlanState;
use crate::entity::plan_approval::Decision;
use crate::entity::plan_measure::MeasureKind;
use crate::entity::{
    consultation_session, evaluation, expense, indirect_hours, measure_risk, membership, organisation, plan,
    plan_approval, plan_measure, plan_risk, pupil, pupil_staff, risk, risk_catalogue, risk_group, semester,
};
use crate::error::{Error, FieldErrors, Result};
use crate::money::Eur;
use crate::plan_rules::{self, Action, Facts, Level, PlanStatus};
use crate::policy::Actor;

/// The first catalogue: the four groups of risks PuMPuRS used, and risks within them.
/// (code, Latvian name, English name)
type Entry3<'a> = (&'a str, &'a str, &'a str);

/// Groups: (code, Latvian, English, risks).
const CATALOGUE: &[(&str, &str, &str, &[Entry3<'static>])] = &[
    (
        "learning",
        "Mācības un skola",
        "Learning and school",
        &[
            ("low_results", "Zemi mācību sasniegumi", "Low achievement"),
            ("absences", "Neattaisnoti kavējumi", "Unexcused absences"),
            ("learning_difficulties", "Mācīšanās grūtības", "Learning difficulties"),
            ("low_motivation", "Zema mācību motivācija", "Low motivation to learn"),
            (
                "school_conflicts",
                "Konflikti ar vienaudžiem vai skolotājiem",
                "Conflicts with peers or teachers",
            ),
        ],
    ),
    (
        "family",
        "Ģimene un sociālā vide",
        "Family and social environment",
        &[
            ("family_crisis", "Krīze ģimenē", "A crisis in the family"),
            ("parents_abroad", "Vecāki strādā ārzemēs", "Parents working abroad"),
            (
                "little_support",
                "Maz atbalsta mācībām mājās",
                "Little support for learning at home",
            ),
            (
                "risky_environment",
                "Riskanta sociālā vide",
                "A risky social environment",
            ),
        ],
    ),
    (
        "economic",
        "Ekonomiskie",
        "Economic",
        &[
            ("low_income", "Trūcīga vai maznodrošināta ģimene", "A low-income family"),
            (
                "travel_costs",
                "Lieli ceļa izdevumi līdz skolai",
                "High costs of getting to school",
            ),
            (
                "must_work",
                "Jāstrādā, lai nopelnītu iztiku",
                "Has to work for a living",
            ),
        ],
    ),
    (
        "individual",
        "Individuālie: veselība, psihoemocionālie, uzvedība",
        "Individual: health, psycho-emotional, behaviour",
        &[
            ("health", "Veselības problēmas", "Health problems"),
            (
                "emotional",
                "Psihoemocionālas grūtības",
                "Psycho-emotional difficulties",
            ),
            ("behaviour", "Uzvedības problēmas", "Behaviour problems"),
            ("addiction", "Atkarību riski", "Risk of addiction"),
        ],
    ),
];

/// The newest catalogue version; the first (the groups and risks above) is made if there is none.
pub async fn newest_catalogue(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<risk_catalogue::Model> {
    if let Some(newest) = risk_catalogue::Entity::find()
        .order_by_desc(risk_catalogue::Column::Version)
        .one(conn)
        .await?
    {
        return Ok(newest);
    }
    let groups: Vec<(Entry3, Vec<Entry3>)> = CATALOGUE
        .iter()
        .map(|(code, lv, en, risks)| ((*code, *lv, *en), risks.to_vec()))
        .collect();
    write_catalogue(conn, 1, &groups, now).await
}

/// Writes catalogue `version`: its groups in order, each with its risks in order.
async fn write_catalogue(
    conn: &impl ConnectionTrait,
    version: i32,
    groups: &[(Entry3<'_>, Vec<Entry3<'_>>)],
    now: DateTime<Utc>,
) -> Result<risk_catalogue::Model> {
    let catalogue = risk_catalogue::ActiveModel {
        version: Set(version),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (g, ((code, lv, en), risks)) in groups.iter().enumerate() {
        let group = risk_group::ActiveModel {
            catalogue_id: Set(catalogue.id),
            code: Set(code.trim().to_owned()),
            name_lv: Set(lv.trim().to_owned()),
            name_en: Set(en.trim().to_owned()),
            position: Set(i32::try_from(g).unwrap_or_default()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        if risks.is_empty() {
            continue;
        }
        risk::Entity::insert_many(risks.iter().enumerate().map(|(i, (code, lv, en))| risk::ActiveModel {
            group_id: Set(group.id),
            code: Set(code.trim().to_owned()),
            name_lv: Set(lv.trim().to_owned()),
            name_en: Set(en.trim().to_owned()),
            position: Set(i32::try_from(i).unwrap_or_default()),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    Ok(catalogue)
}

/// `SELECT id FROM plans` of a school in a semester, as a subquery.
pub(crate) fn plans_of(school_id: i32, semester_id: i32) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(plan::Column::SchoolId.eq(school_id))
        .and_where(plan::Column::SemesterId.eq(semester_id))
        .to_owned()
}

/// A semester on the newest catalogue version, with its per-pupil cap.
pub async fn create_semester(
    conn: &impl ConnectionTrait,
    school_year: i32,
    half: i16,
    dates: (NaiveDate, NaiveDate),
    cap: Eur,
    now: DateTime<Utc>,
) -> Result<semester::Model> {
    let mut e = FieldErrors::new();
    if !(1..=2).contains(&half) {
        e.add("half", "error-semester-half");
    }
    if dates.1 <= dates.0 {
        e.add("ends_on", "error-semester-dates");
    }
    if cap.cents() <= 0 {
        e.add("cap", "error-semester-cap");
    }
    e.into_result()?;
    let catalogue_id = newest_catalogue(conn, now).await?.id;
    Ok(semester::ActiveModel {
        school_year: Set(school_year),
        half: Set(half),
        starts_on: Set(dates.0),
        ends_on: Set(dates.1),
        cap_cents: Set(cap.cents()),
        catalogue_id: Set(catalogue_id),
        closed_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Registers a pupil of `school_id` (its director only), with minimal data.
pub async fn register_pupil(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    (name, class_name, birth_date): (&str, &str, NaiveDate),
    now: DateTime<Utc>,
) -> Result<pupil::Model> {
    if !actor.may_register_pupils(school_id) {
        return Err(Error::NotFound);
    }
    let mut e = FieldErrors::new();
    if name.trim().is_empty() || name.chars().count() > 200 {
        e.add("name", "error-required");
    }
    if class_name.trim().is_empty() || class_name.chars().count() > 40 {
        e.add("class_name", "error-required");
    }
    if birth_date >= now.date_naive() {
        e.add("birth_date", "error-birth-date");
    }
    e.into_result()?;
    let pupil = pupil::ActiveModel {
        school_id: Set(school_id),
        name: Set(name.trim().to_owned()),
        class_name: Set(class_name.trim().to_owned()),
        birth_date: Set(birth_date),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    // Support staff who register a pupil they could not otherwise see write their plan.
    if actor.holds(Role::SupportStaff, school_id) && !actor.sees_all_pupils(school_id) {
        link_staff(conn, pupil.id, actor.user.id).await?;
    }
    record(conn, actor, school_id, "pupil_register", ("pupil", pupil.id), None, now).await?;
    Ok(pupil)
}

async fn link_staff(conn: &impl ConnectionTrait, pupil_id: i32, user_id: i32) -> Result<()> {
    pupil_staff::Entity::insert(pupil_staff::ActiveModel {
        pupil_id: Set(pupil_id),
        user_id: Set(user_id),
        ..Default::default()
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([pupil_staff::Column::PupilId, pupil_staff::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// What the director allows a member of the school's staff (membership `membership_id`):
/// registering pupils, and (support staff) seeing every pupil of the school.
pub async fn set_staff_grants(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    membership_id: i32,
    (may_register, sees_all): (bool, bool),
    now: DateTime<Utc>,
) -> Result<()> {
    if !actor.holds(Role::Director, school_id) {
        return Err(Error::NotFound);
    }
    let m = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::OrgId.eq(school_id))
        .filter(membership::Column::Role.is_in([Role::SupportStaff, Role::Accountant]))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let sees_all = sees_all && m.role == Role::SupportStaff;
    let mut active: membership::ActiveModel = m.into();
    active.may_register_pupils = Set(may_register);
    active.sees_all_pupils = Set(sees_all);
    let m = active.update(conn).await?;
    audit::record(
        conn,
        Entry::by(actor, Some(school_id), "staff_grants", ("membership", m.id.into()))
            .details(Some(format!("register {may_register}, all pupils {sees_all}"))),
        now,
    )
    .await
}

/// Assigns a member of the school's support staff to a pupil (the director does).
pub async fn assign(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pupil_id: i32,
    staff: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let pupil = pupil::Entity::find_by_id(pupil_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !actor.holds(Role::Director, pupil.school_id) {
        return Err(Error::NotFound);
    }
    if !staff.holds(Role::SupportStaff, pupil.school_id) {
        return Err(Error::Refused("plan-refused-not-school-staff"));
    }
    link_staff(conn, pupil.id, staff.user.id).await?;
    let details = format!("user {}", staff.user.id);
    record(
        conn,
        actor,
        pupil.school_id,
        "pupil_assign",
        ("pupil", pupil.id),
        Some(details),
        now,
    )
    .await
}

pub(crate) async fn is_assigned(conn: &impl ConnectionTrait, actor: &Actor, pupil_id: i32) -> Result<bool> {
    Ok(pupil_staff::Entity::find()
        .filter(pupil_staff::Column::PupilId.eq(pupil_id))
        .filter(pupil_staff::Column::UserId.eq(actor.user.id))
        .count(conn)
        .await?
        > 0)
}

/// Starts the plan of a pupil the actor may see, for a semester that is not closed.
pub async fn start_plan(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pupil_id: i32,
    semester_id: i32,
    now: DateTime<Utc>,
) -> Result<plan::Model> {
    let pupil = pupil::Entity::find_by_id(pupil_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !actor.can_see_pupil(pupil.school_id, is_assigned(conn, actor, pupil.id).await?) {
        return Err(Error::NotFound);
    }
    let semester = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if semester.closed_at.is_some() {
        return Err(Error::Refused("plan-refused-semester-closed"));
    }
    let (status, step) = stored(PlanStatus::Draft);
    let plan = plan::ActiveModel {
        pupil_id: Set(pupil.id),
        semester_id: Set(semester.id),
        school_id: Set(pupil.school_id),
        status: Set(status),
        approval_step: Set(step),
        consent_at: Set(None),
        consent_by: Set(None),
        status_reason: Set(None),
        author_id: Set(actor.user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| crate::error::unique_to_field(e, "semester_id", "error-plan-exists"))?;
    record(conn, actor, plan.school_id, "plan_create", ("plan", plan.id), None, now).await?;
    Ok(plan)
}

/// A plan with what the actor may do to it, found only if the actor may see it.
pub struct Found {
    pub plan: plan::Model,
    pub school: organisation::Model,
    /// The actor may see the pupil as school staff (not only as an approver).
    pub staff: bool,
    /// The plan has been approved at every level once (its approval steps say so).
    pub approved_before: bool,
}

async fn find(conn: &impl ConnectionTrait, actor: &Actor, plan_id: i32) -> Result<Found> {
    let plan = plan::Entity::find_by_id(plan_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let school = organisation::Entity::find_by_id(plan.school_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let assigned = is_assigned(conn, actor, plan.pupil_id).await?;
    let approved_before = plan_approval::Entity::find()
        .filter(plan_approval::Column::PlanId.eq(plan.id))
        .filter(state_approved())
        .count(conn)
        .await?
        > 0;
    if !actor.can_see_plan(&school, assigned, status(&plan), approved_before) {
        return Err(Error::NotFound);
    }
    let staff = actor.can_see_pupil(school.id, assigned);
    Ok(Found {
        plan,
        school,
        staff,
        approved_before,
    })
}

/// The plan a measure belongs to, if the actor may see that plan (it reads no pupil data, so
/// nothing is audited): where a form posted under a measure leads back to.
pub async fn plan_of_measure(conn: &impl ConnectionTrait, actor: &Actor, measure_id: i32) -> Result<i32> {
    let measure = plan_measure::Entity::find_by_id(measure_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(find(conn, actor, measure.plan_id).await?.plan.id)
}

/// An approval by the state, the last level of every chain: the plan was approved as a whole.
fn state_approved() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(plan_approval::Column::Level.eq(Level::State))
        .add(plan_approval::Column::Decision.eq(Decision::Approved))
}

/// Names a risk of the plan's catalogue, with its justification (while the plan can change).
pub async fn add_risk(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    risk_id: i32,
    justification: &str,
) -> Result<plan_risk::Model> {
    let found = editable(conn, actor, plan_id).await?;
    if justification.trim().is_empty() {
        return Err(FieldErrors::single("justification", "error-required"));
    }
    let semester = semester::Entity::find_by_id(found.plan.semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let group_of_risk = risk::Entity::find_by_id(risk_id)
        .select_only()
        .column(risk::Column::GroupId)
        .into_tuple::<i32>()
        .one(conn)
        .await?;
    let in_catalogue = match group_of_risk {
        Some(group_id) => {
            risk_group::Entity::find_by_id(group_id)
                .filter(risk_group::Column::CatalogueId.eq(semester.catalogue_id))
                .count(conn)
                .await?
                > 0
        }
        None => false,
    };
    if !in_catalogue {
        return Err(FieldErrors::single("risk_id", "error-risk-not-in-catalogue"));
    }
    plan_risk::ActiveModel {
        plan_id: Set(found.plan.id),
        risk_id: Set(risk_id),
        justification: Set(justification.trim().to_owned()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| crate::error::unique_to_field(e, "risk_id", "error-risk-twice"))
}

/// A compensation measure (category, planned amount) against some of the plan's risks.
pub async fn add_compensation(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    category: &str,
    planned: Eur,
    risks: &[i32],
) -> Result<plan_measure::Model> {
    let found = editable(conn, actor, plan_id).await?;
    let mut e = FieldErrors::new();
    if !CATEGORIES.contains(&category) {
        e.add("category", "error-category");
    }
    if planned.cents() <= 0 {
        e.add("planned", "error-amount-positive");
    }
    check_risks(conn, plan_id, risks, &mut e).await?;
    e.into_result()?;
    let measure = insert_measure(conn, found.plan.id, Planned::Compensation(category, planned)).await?;
    link_risks(conn, &measure, risks).await?;
    Ok(measure)
}

/// The risks a measure addresses must be named in its plan; at least one.
async fn check_risks(conn: &impl ConnectionTrait, plan_id: i32, risks: &[i32], e: &mut FieldErrors) -> Result<()> {
    let known = plan_risk::Entity::find()
        .filter(plan_risk::Column::PlanId.eq(plan_id))
        .filter(plan_risk::Column::Id.is_in(risks.iter().copied()))
        .count(conn)
        .await?;
    let mut distinct = risks.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if risks.is_empty() || known != distinct.len() as u64 {
        e.add("risks", "error-measure-risks");
    }
    Ok(())
}

async fn link_risks(conn: &impl ConnectionTrait, measure: &plan_measure::Model, risks: &[i32]) -> Result<()> {
    let mut distinct = risks.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    measure_risk::Entity::insert_many(distinct.into_iter().map(|plan_risk_id| measure_risk::ActiveModel {
        measure_id: Set(measure.id),
        plan_risk_id: Set(plan_risk_id),
        ..Default::default()
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

async fn editable(conn: &impl ConnectionTrait, actor: &Actor, plan_id: i32) -> Result<Found> {
    let found = find(conn, actor, plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    match status(&found.plan) {
        PlanStatus::Draft | PlanStatus::UnderRevision => Ok(found),
        _ => Err(Error::Refused("plan-refused-not-editable")),
    }
}

/// Records the written consent of a parent (or of the adult pupil): who gave it.
pub async fn record_consent(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    given_by: &str,
    now: DateTime<Utc>,
) -> Result<plan::Model> {
    let found = editable(conn, actor, plan_id).await?;
    if given_by.trim().is_empty() {
        return Err(FieldErrors::single("consent_by", "error-required"));
    }
    let mut active: plan::ActiveModel = found.plan.into();
    active.consent_at = Set(Some(now));
    active.consent_by = Set(Some(given_by.trim().to_owned()));
    active.updated_at = Set(now);
    let plan = active.update(conn).await?;
    record(
        conn,
        actor,
        plan.school_id,
        "plan_consent",
        ("plan", plan.id),
        None,
        now,
    )
    .await?;
    Ok(plan)
}

/// What a person asks of a plan; approving and returning act at the actor's own level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    SendForApproval,
    Approve,
    Return,
    Start,
    Pause,
    Resume,
    Revise,
    Deactivate,
}

impl Request {
    pub const ALL: [Request; 8] = [
        Request::SendForApproval,
        Request::Approve,
        Request::Return,
        Request::Start,
        Request::Pause,
        Request::Resume,
        Request::Revise,
        Request::Deactivate,
    ];
}

/// The rules' action for a request: approving and returning at the actor's approval `level`,
/// the rest for the school staff who see the pupil (`staff`). `None`: not the actor's to ask.
fn action_for(request: Request, level: Option<Level>, staff: bool) -> Option<Action> {
    Some(match request {
        Request::Approve => Action::Approve(level?),
        Request::Return => Action::Return(level?),
        _ if !staff => return None,
        Request::SendForApproval => Action::SendForApproval,
        Request::Start => Action::Start,
        Request::Pause => Action::Pause,
        Request::Resume => Action::Resume,
        Request::Revise => Action::Revise,
        Request::Deactivate => Action::Deactivate,
    })
}

/// What the actor may ask of a plan they are reading, as the rules stand now (a reason, where
/// one is needed, is taken as given: the form asks for it).
pub fn allowed_requests(actor: &Actor, v: &PlanView) -> Vec<Request> {
    let facts = Facts {
        state_vocational: v.school.is_vocational,
        consent: v.plan.consent_at.is_some(),
        money_spent: v.expenses.iter().any(|e| ExpenseState::COMMITTED.contains(&e.status)),
        approved_before: v
            .approvals
            .iter()
            .any(|a| a.level == Level::State && a.decision == Decision::Approved),
        reason: true,
    };
    let level = actor.plan_level(&v.school);
    Request::ALL
        .into_iter()
        .filter(|r| {
            action_for(*r, level, v.staff).is_some_and(|a| plan_rules::transition(status(&v.plan), a, facts).is_ok())
        })
        .collect()
}

/// Moves a plan by `request`, if the rules allow it; approvals and returns are recorded.
pub async fn act(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    request: Request,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<plan::Model> {
    let found = find(conn, actor, plan_id).await?;
    let action = action_for(request, actor.plan_level(&found.school), found.staff).ok_or(Error::NotFound)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let money_spent = expense::Entity::find()
        .filter(expense::Column::PlanId.eq(found.plan.id))
        .filter(expense::Column::Status.is_in(ExpenseState::COMMITTED))
        .count(conn)
        .await?
        > 0;
    let facts = Facts {
        state_vocational: found.school.is_vocational,
        consent: found.plan.consent_at.is_some(),
        money_spent,
        approved_before: found.approved_before,
        reason: reason.is_some(),
    };
    let to = plan_rules::transition(status(&found.plan), action, facts).map_err(Error::Refused)?;
    let (status_name, step) = stored(to);
    let plan_id = found.plan.id;
    let mut active: plan::ActiveModel = found.plan.into();
    active.status = Set(status_name);
    active.approval_step = Set(step);
    if matches!(action, Action::Pause | Action::Deactivate | Action::Return(_)) {
        active.status_reason = Set(reason.map(str::to_owned));
    }
    active.updated_at = Set(now);
    let plan = active.update(conn).await?;
    if let Action::Approve(level) | Action::Return(level) = action {
        plan_approval::ActiveModel {
            plan_id: Set(plan_id),
            level: Set(level),
            decision: Set(if matches!(action, Action::Approve(_)) {
                Decision::Approved
            } else {
                Decision::Returned
            }),
            comment: Set(reason.map(str::to_owned)),
            user_id: Set(actor.user.id),
            at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    record(
        conn,
        actor,
        plan.school_id,
        "plan_transition",
        ("plan", plan.id),
        Some(format!("{action:?} -> {}", status_name.as_str())),
        now,
    )
    .await?;
    Ok(plan)
}

/// A school's money for a semester.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funding {
    pub ceiling: Eur,
    /// Approved or paid.
    pub committed: Eur,
    pub remaining: Eur,
    /// Recorded as unpaid for lack of funds.
    pub unpaid: Eur,
    /// Requested, waiting for the accountant's decision.
    pub requested: Eur,
}

/// The ceiling (pupils with an approved plan × the cap), committed, remaining and unpaid.
pub async fn funding(conn: &impl ConnectionTrait, school_id: i32, semester_id: i32) -> Result<Funding> {
    let semester = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let approved_plans = Query::select()
        .column(plan_approval::Column::PlanId)
        .from(plan_approval::Entity)
        .cond_where(state_approved())
        .to_owned();
    let approved_pupils = plan::Entity::find()
        .filter(plan::Column::SchoolId.eq(school_id))
        .filter(plan::Column::SemesterId.eq(semester_id))
        .filter(plan::Column::Id.in_subquery(approved_plans))
        .filter(plan::Column::Status.ne(stored(PlanStatus::Inactive).0))
        .count(conn)
        .await?;
    // The expenses of this school's plans in this semester.
    let plans_here = plans_of(school_id, semester_id);
    let ceiling = plan_rules::ceiling(
        u32::try_from(approved_pupils).unwrap_or(u32::MAX),
        Eur::from_cents(semester.cap_cents),
    );
    // Every status's total in one statement.
    let totals: Vec<(ExpenseState, Option<i64>)> = expense::Entity::find()
        .select_only()
        .column(expense::Column::Status)
        .column_as(crate::money::sum_cents(expense::Column::AmountCents), "total")
        .filter(expense::Column::PlanId.in_subquery(plans_here))
        .group_by(expense::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let sum = |statuses: &[ExpenseState]| {
        Eur::from_cents(
            totals
                .iter()
                .filter(|(status, _)| statuses.contains(status))
                .filter_map(|(_, total)| *total)
                .sum(),
        )
    };
    let committed = sum(&ExpenseState::COMMITTED);
    let unpaid = sum(&[ExpenseState::Unpaid]);
    let requested = sum(&[ExpenseState::Requested]);
    Ok(Funding {
        ceiling,
        committed,
        remaining: plan_rules::remaining(ceiling, committed),
        unpaid,
        requested,
    })
}

/// Records an expense of a compensation measure of a plan in progress, with its document, as
/// requested; the school's accountant or director decides it (`decide_expense`).
pub async fn record_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    measure_id: i32,
    amount: Eur,
    spent_on: NaiveDate,
    document: Option<Document<'_>>,
    now: DateTime<Utc>,
) -> Result<expense::Model> {
    let (measure, found) = measure_being_carried_out(conn, actor, measure_id, MeasureKind::Compensation).await?;
    let mut e = FieldErrors::new();
    if amount.cents() <= 0 {
        e.add("amount", "error-amount-positive");
    }
    if spent_on > now.date_naive() {
        e.add("spent_on", "error-expense-date");
    }
    e.into_result()?;
    let status = ExpenseState::Requested;
    let expense = expense::ActiveModel {
        measure_id: Set(measure.id),
        plan_id: Set(found.plan.id),
        amount_cents: Set(amount.cents()),
        spent_on: Set(spent_on),
        document_key: Set(document.map(|d| d.stored.key.clone())),
        document_name: Set(document.map(|d| crate::attachments::display_name(d.file_name))),
        document_type: Set(document.map(|d| d.stored.doc_type.mime().to_owned())),
        document_size: Set(document.map(|d| i64::try_from(d.stored.size).unwrap_or(i64::MAX))),
        document_sha256: Set(document.map(|d| d.stored.sha256.clone())),
        archived_at: Set(None),
        status: Set(status),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "expense_record",
        ("plan", found.plan.id),
        Some(format!("{} {}", amount.cents(), status.as_str())),
        now,
    )
    .await?;
    Ok(expense)
}

/// Decides a requested expense (the school's accountant or director): approved if it fits
/// what is left of the school's ceiling, else recorded as unpaid for lack of funds — never
/// dropped; with the school's id. Call it in a transaction, so that the check and the
/// decision are one.
pub async fn decide_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
    now: DateTime<Utc>,
) -> Result<(expense::Model, i32)> {
    // The first statement is a write on the expense's semester: inside the caller's transaction
    // it holds every other decision of the semester back until this one is made (SQLite's
    // writer lock, a row lock on PostgreSQL), so two expenses never both take the last euro.
    let plan_of_expense = Query::select()
        .column(expense::Column::PlanId)
        .from(expense::Entity)
        .and_where(expense::Column::Id.eq(expense_id))
        .to_owned();
    let semester_of_plan = Query::select()
        .column(plan::Column::SemesterId)
        .from(plan::Entity)
        .and_where(plan::Column::Id.in_subquery(plan_of_expense))
        .to_owned();
    semester::Entity::update_many()
        .col_expr(semester::Column::ClosedAt, Expr::col(semester::Column::ClosedAt))
        .filter(semester::Column::Id.in_subquery(semester_of_plan))
        .exec(conn)
        .await?;
    let (row, school_id) = accountants_expense(conn, actor, expense_id).await?;
    if row.status != ExpenseState::Requested {
        return Err(Error::Refused("expense-refused-decided"));
    }
    let semester_id = plan::Entity::find_by_id(row.plan_id)
        .select_only()
        .column(plan::Column::SemesterId)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let money = funding(conn, school_id, semester_id).await?;
    let amount = Eur::from_cents(row.amount_cents);
    let status = if plan_rules::fits(amount, money.ceiling, money.committed) {
        ExpenseState::Approved
    } else {
        ExpenseState::Unpaid
    };
    let mut active: expense::ActiveModel = row.into();
    active.status = Set(status);
    let row = active.update(conn).await?;
    record(
        conn,
        actor,
        school_id,
        "expense_decide",
        ("expense", row.id),
        Some(format!("{} {}", row.amount_cents, status.as_str())),
        now,
    )
    .await?;
    Ok((row, school_id))
}

/// The receipt or invoice of an expense, already streamed to the documents store.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub file_name: &'a str,
    pub stored: &'a crate::attachments::Stored,
}

/// An expense for its school's accountant or director, who decide and pay; `NotFound` for
/// anyone else (support staff who see the plan included).
async fn accountants_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
) -> Result<(expense::Model, i32)> {
    let (row, school_id) = school_expense(conn, actor, expense_id).await?;
    if actor.handles_money(school_id) {
        Ok((row, school_id))
    } else {
        Err(Error::NotFound)
    }
}

/// Marks an approved expense paid (the school's accountant or director); with the school's id.
pub async fn pay_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
    now: DateTime<Utc>,
) -> Result<(expense::Model, i32)> {
    let (row, school_id) = accountants_expense(conn, actor, expense_id).await?;
    if row.status != ExpenseState::Approved {
        return Err(Error::Refused("expense-refused-not-approved"));
    }
    let mut active: expense::ActiveModel = row.into();
    active.status = Set(ExpenseState::Paid);
    let row = active.update(conn).await?;
    record(
        conn,
        actor,
        school_id,
        "expense_pay",
        ("expense", row.id),
        Some(row.amount_cents.to_string()),
        now,
    )
    .await?;
    Ok((row, school_id))
}

/// An expense with its school, for the school's accountant or director, or for staff who may
/// see the plan; anyone else gets `NotFound`.
pub async fn school_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
) -> Result<(expense::Model, i32)> {
    let row = expense::Entity::find_by_id(expense_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let school_id = plan::Entity::find_by_id(row.plan_id)
        .select_only()
        .column(plan::Column::SchoolId)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if actor.handles_money(school_id) {
        return Ok((row, school_id));
    }
    let found = find(conn, actor, row.plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    Ok((row, school_id))
}

/// Closes a semester (an administrator): no new plans or expenses, and its documents are
/// queued for the archive.
pub async fn close_semester(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    semester_id: i32,
    now: DateTime<Utc>,
) -> Result<semester::Model> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let found = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if found.closed_at.is_some() {
        return Err(Error::Refused("semester-refused-closed"));
    }
    let mut active: semester::ActiveModel = found.into();
    active.closed_at = Set(Some(now));
    let closed = active.update(conn).await?;
    crate::outbox::enqueue_for_semester(conn, closed.id, now).await?;
    audit::record(
        conn,
        Entry::by(actor, None, "semester_close", ("semester", closed.id.into())),
        now,
    )
    .await?;
    Ok(closed)
}

/// Specialist types of consultations.
pub const SPECIALISTS: [&str; 8] = [
    "subject_teacher",
    "psychologist",
    "social_pedagogue",
    "teacher_assistant",
    "special_education_teacher",
    "sign_language_interpreter",
    "assistant",
    "occupational_therapist",
];

/// Categories of compensated costs.
pub const CATEGORIES: [&str; 6] = [
    "public_transport",
    "accommodation",
    "meals",
    "learning_materials",
    "personal_items",
    "special_transport",
];

/// A consultation measure: a specialist type with planned minutes.
pub async fn add_consultation(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    specialist: &str,
    planned_minutes: i32,
    risks: &[i32],
) -> Result<plan_measure::Model> {
    let found = editable(conn, actor, plan_id).await?;
    let mut e = FieldErrors::new();
    if !SPECIALISTS.contains(&specialist) {
        e.add("specialist", "error-specialist");
    }
    if !(1..=60 * 200).contains(&planned_minutes) {
        e.add("planned_minutes", "error-minutes");
    }
    check_risks(conn, plan_id, risks, &mut e).await?;
    e.into_result()?;
    let measure = insert_measure(conn, found.plan.id, Planned::Consultation(specialist, planned_minutes)).await?;
    link_risks(conn, &measure, risks).await?;
    Ok(measure)
}

/// Preparing and supervising the plan: its own cost line, in hours of the staff who do it.
pub async fn add_supervision(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    planned_minutes: i32,
) -> Result<plan_measure::Model> {
    let found = editable(conn, actor, plan_id).await?;
    if !(1..=60 * 200).contains(&planned_minutes) {
        return Err(FieldErrors::single("supervision_hours", "error-minutes"));
    }
    let existing = plan_measure::Entity::find()
        .filter(plan_measure::Column::PlanId.eq(found.plan.id))
        .filter(plan_measure::Column::Kind.eq(MeasureKind::Supervision))
        .count(conn)
        .await?;
    if existing > 0 {
        return Err(FieldErrors::single("supervision_hours", "error-supervision-twice"));
    }
    insert_measure(conn, found.plan.id, Planned::Supervision(planned_minutes)).await
}

/// What a measure plans, by kind.
enum Planned<'a> {
    /// Specialist type, minutes.
    Consultation(&'a str, i32),
    /// Category, amount.
    Compensation(&'a str, Eur),
    /// Minutes of preparing and supervising the plan.
    Supervision(i32),
}

async fn insert_measure(
    conn: &impl ConnectionTrait,
    plan_id: i32,
    planned: Planned<'_>,
) -> Result<plan_measure::Model> {
    let (kind, specialist, category, minutes, cents) = match planned {
        Planned::Consultation(s, m) => (MeasureKind::Consultation, Some(s), None, Some(m), None),
        Planned::Compensation(c, amount) => (MeasureKind::Compensation, None, Some(c), None, Some(amount.cents())),
        Planned::Supervision(m) => (MeasureKind::Supervision, None, None, Some(m), None),
    };
    Ok(plan_measure::ActiveModel {
        plan_id: Set(plan_id),
        kind: Set(kind),
        specialist: Set(specialist.map(str::to_owned)),
        category: Set(category.map(str::to_owned)),
        planned_minutes: Set(minutes),
        planned_cents: Set(cents),
        note: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// One consultation as it happened.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub held_on: NaiveDate,
    pub minutes: i32,
    pub remote: bool,
    pub pupil_confirmed: bool,
}

/// Logs a consultation session of a plan being carried out, by the actor as the staff member.
pub async fn log_session(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    measure_id: i32,
    session: Session,
    now: DateTime<Utc>,
) -> Result<consultation_session::Model> {
    let (measure, found) = match measure_being_carried_out(conn, actor, measure_id, MeasureKind::Consultation).await {
        Err(Error::Refused("plan-refused-not-consultation")) => {
            measure_being_carried_out(conn, actor, measure_id, MeasureKind::Supervision).await?
        }
        other => other?,
    };
    let semester = semester::Entity::find_by_id(found.plan.semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let mut e = FieldErrors::new();
    if !(1..=600).contains(&session.minutes) {
        e.add("minutes", "error-minutes");
    }
    if session.held_on < semester.starts_on || session.held_on > semester.ends_on || session.held_on > now.date_naive()
    {
        e.add("held_on", "error-session-date");
    }
    e.into_result()?;
    let logged = consultation_session::ActiveModel {
        measure_id: Set(measure.id),
        held_on: Set(session.held_on),
        minutes: Set(session.minutes),
        staff_id: Set(actor.user.id),
        remote: Set(session.remote),
        pupil_confirmed: Set(session.pupil_confirmed),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "session_log",
        ("plan", found.plan.id),
        None,
        now,
    )
    .await?;
    Ok(logged)
}

/// Risk after the semester, as the evaluation judges it.
pub const RESULTS: [&str; 3] = ["reduced", "unchanged", "increased"];
/// The pupil's outcome at the end of the semester.
pub const OUTCOMES: [&str; 4] = ["continues", "completed", "transferred", "left_school"];

/// The end-of-semester evaluation of one measure (`measure_id`) or of the whole plan (`None`,
/// with the pupil's outcome). Written again, it replaces the earlier one.
pub async fn evaluate(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    measure_id: Option<i32>,
    (text, result, outcome): (&str, &str, Option<&str>),
    now: DateTime<Utc>,
) -> Result<evaluation::Model> {
    let found = find(conn, actor, plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    if !matches!(status(&found.plan), PlanStatus::InProgress | PlanStatus::Paused) {
        return Err(Error::Refused("plan-refused-not-in-progress"));
    }
    if let Some(id) = measure_id {
        plan_measure::Entity::find_by_id(id)
            .filter(plan_measure::Column::PlanId.eq(plan_id))
            .one(conn)
            .await?
            .ok_or(Error::NotFound)?;
    }
    let mut e = FieldErrors::new();
    if text.trim().is_empty() {
        e.add("text", "error-required");
    }
    if !RESULTS.contains(&result) {
        e.add("result", "error-evaluation-result");
    }
    match (measure_id, outcome) {
        (None, Some(o)) if OUTCOMES.contains(&o) => {}
        (None, _) => e.add("outcome", "error-outcome"),
        (Some(_), None) => {}
        (Some(_), Some(_)) => e.add("outcome", "error-outcome-plan-only"),
    }
    e.into_result()?;
    evaluation::Entity::delete_many()
        .filter(evaluation::Column::PlanId.eq(plan_id))
        .filter(match measure_id {
            Some(id) => evaluation::Column::MeasureId.eq(id),
            None => evaluation::Column::MeasureId.is_null(),
        })
        .exec(conn)
        .await?;
    let written = evaluation::ActiveModel {
        plan_id: Set(plan_id),
        measure_id: Set(measure_id),
        text: Set(text.trim().to_owned()),
        result: Set(result.to_owned()),
        outcome: Set(outcome.map(str::to_owned)),
        evaluated_by: Set(actor.user.id),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_evaluate",
        ("plan", plan_id),
        None,
        now,
    )
    .await?;
    Ok(written)
}

/// Roles of staff involved indirectly.
pub const INDIRECT_ROLES: [&str; 4] = ["director", "class_teacher", "accountant", "other"];

/// Records minutes of indirectly involved staff for a school and semester (its director).
pub async fn record_indirect_hours(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    semester_id: i32,
    (staff_role, minutes): (&str, i32),
    now: DateTime<Utc>,
) -> Result<indirect_hours::Model> {
    if !actor.holds(Role::Director, school_id) {
        return Err(Error::NotFound);
    }
    let semester = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let mut e = FieldErrors::new();
    if !INDIRECT_ROLES.contains(&staff_role) {
        e.add("staff_role", "error-staff-role");
    }
    if !(1..=60 * 1000).contains(&minutes) {
        e.add("minutes", "error-minutes");
    }
    e.into_result()?;
    let row = indirect_hours::ActiveModel {
        school_id: Set(school_id),
        semester_id: Set(semester.id),
        staff_role: Set(staff_role.to_owned()),
        minutes: Set(minutes),
        recorded_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        school_id,
        "indirect_hours",
        ("semester", semester.id),
        Some(format!("{staff_role} {minutes}")),
        now,
    )
    .await?;
    Ok(row)
}

/// A new catalogue version (an administrator's): the newest version's groups and risks, plus
/// `additions` as (group code, risk code, Latvian name, English name). Semesters made from now
/// on use it; earlier semesters and their plans keep the version they had.
pub async fn new_catalogue_version(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    additions: &[(&str, &str, &str, &str)],
    now: DateTime<Utc>,
) -> Result<risk_catalogue::Model> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let newest = newest_catalogue(conn, now).await?;
    let groups = risk_group::Entity::find()
        .filter(risk_group::Column::CatalogueId.eq(newest.id))
        .order_by_asc(risk_group::Column::Position)
        .all(conn)
        .await?;
    let mut e = FieldErrors::new();
    for (group, code, lv, en) in additions {
        if !groups.iter().any(|g| g.code == *group) {
            e.add("group", "error-risk-group");
        }
        if code.trim().is_empty() || lv.trim().is_empty() || en.trim().is_empty() {
            e.add("risk", "error-required");
        }
    }
    e.into_result()?;
    let risks = risk::Entity::find()
        .filter(risk::Column::GroupId.is_in(groups.iter().map(|g| g.id)))
        .order_by_asc(risk::Column::Position)
        .all(conn)
        .await?;
    // The newest version's groups and risks, each group followed by what is added to it.
    let copied: Vec<(Entry3, Vec<Entry3>)> = groups
        .iter()
        .map(|g| {
            let kept = risks
                .iter()
                .filter(|r| r.group_id == g.id)
                .map(|r| (r.code.as_str(), r.name_lv.as_str(), r.name_en.as_str()));
            let added = additions.iter().filter(|a| a.0 == g.code).map(|a| (a.1, a.2, a.3));
            (
                (g.code.as_str(), g.name_lv.as_str(), g.name_en.as_str()),
                kept.chain(added).collect(),
            )
        })
        .collect();
    let version = write_catalogue(conn, newest.version + 1, &copied, now).await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            None,
            "risk_catalogue_version",
            ("risk_catalogue", version.id.into()),
        ),
        now,
    )
    .await?;
    Ok(version)
}

/// A measure of `kind` of a plan being carried out, for its school staff.
async fn measure_being_carried_out(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    measure_id: i32,
    kind: MeasureKind,
) -> Result<(plan_measure::Model, Found)> {
    let measure = plan_measure::Entity::find_by_id(measure_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let found = find(conn, actor, measure.plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    if status(&found.plan) != PlanStatus::InProgress {
        return Err(Error::Refused("plan-refused-not-in-progress"));
    }
    if measure.kind != kind {
        return Err(Error::Refused(if kind != MeasureKind::Compensation {
            "plan-refused-not-consultation"
        } else {
            "plan-refused-not-compensation"
        }));
    }
    Ok((measure, found))
}

/// A plan as a person reads it.
pub struct PlanView {
    pub plan: plan::Model,
    pub school: organisation::Model,
    pub semester: semester::Model,
    pub pupil: pupil::Model,
    /// The actor sees it as school staff (not only as an approver).
    pub staff: bool,
    pub risks: Vec<plan_risk::Model>,
    /// The catalogue entries the plan's risks name.
    pub catalogue: Vec<risk::Model>,
    pub measures: Vec<plan_measure::Model>,
    /// Which plan risk (`plan_risk_id`) each measure addresses.
    pub links: Vec<measure_risk::Model>,
    pub approvals: Vec<plan_approval::Model>,
    pub sessions: Vec<consultation_session::Model>,
    pub expenses: Vec<expense::Model>,
    pub evaluations: Vec<evaluation::Model>,
}

/// Reads a plan with its pupil, risks, measures, approval steps and what was done, and writes
/// one audit record of the read. A fixed number of statements, whatever the plan holds.
pub async fn view(conn: &impl ConnectionTrait, actor: &Actor, plan_id: i32, now: DateTime<Utc>) -> Result<PlanView> {
    let found = find(conn, actor, plan_id).await?;
    let pupil = pupil::Entity::find_by_id(found.plan.pupil_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let semester = semester::Entity::find_by_id(found.plan.semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let risks = plan_risk::Entity::find()
        .filter(plan_risk::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_risk::Column::Id)
        .all(conn)
        .await?;
    let catalogue = risk::Entity::find()
        .filter(risk::Column::Id.is_in(risks.iter().map(|r| r.risk_id)))
        .all(conn)
        .await?;
    let measures = plan_measure::Entity::find()
        .filter(plan_measure::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_measure::Column::Id)
        .all(conn)
        .await?;
    let measure_ids: Vec<i32> = measures.iter().map(|m| m.id).collect();
    let links = measure_risk::Entity::find()
        .filter(measure_risk::Column::MeasureId.is_in(measure_ids.clone()))
        .all(conn)
        .await?;
    let approvals = plan_approval::Entity::find()
        .filter(plan_approval::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_approval::Column::Id)
        .all(conn)
        .await?;
    let sessions = consultation_session::Entity::find()
        .filter(consultation_session::Column::MeasureId.is_in(measure_ids))
        .order_by_asc(consultation_session::Column::HeldOn)
        .order_by_asc(consultation_session::Column::Id)
        .all(conn)
        .await?;
    let expenses = expense::Entity::find()
        .filter(expense::Column::PlanId.eq(plan_id))
        .order_by_asc(expense::Column::Id)
        .all(conn)
        .await?;
    let evaluations = evaluation::Entity::find()
        .filter(evaluation::Column::PlanId.eq(plan_id))
        .order_by_asc(evaluation::Column::Id)
        .all(conn)
        .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_view",
        ("plan", plan_id),
        None,
        now,
    )
    .await?;
    Ok(PlanView {
        plan: found.plan,
        school: found.school,
        semester,
        pupil,
        staff: found.staff,
        risks,
        catalogue,
        measures,
        links,
        approvals,
        sessions,
        expenses,
        evaluations,
    })
}

/// The status the rules work with, from the stored columns.
pub fn status(plan: &plan::Model) -> PlanStatus {
    match plan.status {
        PlanState::Draft => PlanStatus::Draft,
        PlanState::InApproval => PlanStatus::InApproval {
            step: u8::try_from(plan.approval_step).unwrap_or(u8::MAX),
        },
        PlanState::Approved => PlanStatus::Approved,
        PlanState::InProgress => PlanStatus::InProgress,
        PlanState::Paused => PlanStatus::Paused,
        PlanState::UnderRevision => PlanStatus::UnderRevision,
        PlanState::Inactive => PlanStatus::Inactive,
    }
}

pub(crate) fn stored(status: PlanStatus) -> (PlanState, i16) {
    match status {
        PlanStatus::Draft => (PlanState::Draft, 0),
        PlanStatus::InApproval { step } => (PlanState::InApproval, i16::from(step)),
        PlanStatus::Approved => (PlanState::Approved, 0),
        PlanStatus::InProgress => (PlanState::InProgress, 0),
        PlanStatus::Paused => (PlanState::Paused, 0),
        PlanStatus::UnderRevision => (PlanState::UnderRevision, 0),
        PlanStatus::Inactive => (PlanState::Inactive, 0),
    }
}

/// One audit record about a pupil's data: ids only, never a name.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    action: &'static str,
    (object_type, object_id): (&'static str, i32),
    details: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::record(
        conn,
        Entry::by(actor, Some(school_id), action, (object_type, object_id.into())).details(details),
        now,
    )
    .await
}
