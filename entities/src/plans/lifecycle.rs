//! A plan from its start to its approval and beyond: risks and measures written while it can
//! change, the parent's consent, every move through `rules`' status machine with the approval
//! steps recorded, and the plan as a person reads it.

use super::*;

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

pub(super) async fn find(conn: &impl ConnectionTrait, actor: &Actor, plan_id: i32) -> Result<Found> {
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
pub(super) fn state_approved() -> sea_orm::Condition {
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
pub(super) async fn check_risks(
    conn: &impl ConnectionTrait,
    plan_id: i32,
    risks: &[i32],
    e: &mut FieldErrors,
) -> Result<()> {
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

pub(super) async fn link_risks(
    conn: &impl ConnectionTrait,
    measure: &plan_measure::Model,
    risks: &[i32],
) -> Result<()> {
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

pub(super) async fn editable(conn: &impl ConnectionTrait, actor: &Actor, plan_id: i32) -> Result<Found> {
    let found = find(conn, actor, plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    match status(&found.plan) {
        PlanStatus::Draft | PlanStatus::UnderRevision => Ok(found),
        _ => Err(Error::Refused("plan-refused-not-editable")),
    }
}

/// The plan has its consent: who gave it, and the signed application as evidence.
pub fn has_consent(plan: &plan::Model) -> bool {
    plan.consent_at.is_some() && plan.consent_key.is_some()
}

/// Records the written consent of a parent (or of the adult pupil): who gave it, and the signed
/// application (a scan or an e-signature container) as its evidence. A second recording
/// replaces the first; the caller deletes the file it replaced (returned with the plan).
pub async fn record_consent(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    given_by: &str,
    evidence: crate::attachments::StoredFile,
    now: DateTime<Utc>,
) -> Result<(plan::Model, Option<String>)> {
    let found = editable(conn, actor, plan_id).await?;
    if given_by.trim().is_empty() {
        return Err(FieldErrors::single("consent_by", "error-required"));
    }
    let replaced = found.plan.consent_key.clone();
    let mut active: plan::ActiveModel = found.plan.into();
    active.consent_at = Set(Some(now));
    active.consent_by = Set(Some(given_by.trim().to_owned()));
    active.consent_file_name = Set(Some(evidence.name));
    active.consent_content_type = Set(Some(evidence.content_type));
    active.consent_size = Set(Some(evidence.size));
    active.consent_sha256 = Set(Some(evidence.sha256));
    active.consent_key = Set(Some(evidence.key));
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
    Ok((plan, replaced))
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
        consent: has_consent(&v.plan),
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
            action_for(*r, level, v.staff).is_some_and(|a| rules::transition(status(&v.plan), a, facts).is_ok())
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
        consent: has_consent(&found.plan),
        money_spent,
        approved_before: found.approved_before,
        reason: reason.is_some(),
    };
    let to = rules::transition(status(&found.plan), action, facts).map_err(Error::Refused)?;
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
    /// The names of the people who decided the approval steps, by user id.
    pub deciders: std::collections::HashMap<i32, String>,
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
    let deciders = crate::entity::user::Entity::find()
        .filter(
            crate::entity::user::Column::Id.in_subquery(
                Query::select()
                    .column(plan_approval::Column::UserId)
                    .from(plan_approval::Entity)
                    .and_where(plan_approval::Column::PlanId.eq(plan_id))
                    .to_owned(),
            ),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
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
        deciders,
        sessions,
        expenses,
        evaluations,
    })
}
