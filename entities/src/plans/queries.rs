//! What the plan pages list: a school's pupils, one pupil, the approval queue of an approver,
//! a school's expenses and indirect hours, semesters and the risk catalogue. Lists are scoped in
//! SQL by the policy; a read of pupils' data writes one audit record.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::rules::{PlanStatus, chain};
use super::{record, stored};
use crate::domain::Role;
use crate::entity::{
    expense, indirect_hours, membership, organisation, plan, plan_measure, pupil, pupil_staff, risk, risk_catalogue,
    risk_group, semester, user,
};
use crate::error::{Error, Result};
use crate::listing::Window;
use crate::policy::Actor;

use crate::listing::PAGE_SIZE;

/// A pupil with their plan in the semester looked at, if any.
pub struct PupilRow {
    pub pupil: pupil::Model,
    pub plan: Option<plan::Model>,
}

/// Which pupils a school's list shows by their plan in the semester looked at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanFilter {
    #[default]
    All,
    /// Pupils with a plan of any status.
    WithPlan,
    /// Pupils without a plan.
    WithoutPlan,
    /// Pupils whose plan has this status.
    Status(plan::PlanState),
}

impl PlanFilter {
    /// From its query-string value (`any`, `none` or a plan status); anything else is all.
    pub fn parse(s: &str) -> Self {
        match s {
            "any" => Self::WithPlan,
            "none" => Self::WithoutPlan,
            other => <plan::PlanState as sea_orm::Iterable>::iter()
                .find(|p| p.as_str() == other)
                .map_or(Self::All, Self::Status),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "",
            Self::WithPlan => "any",
            Self::WithoutPlan => "none",
            Self::Status(s) => s.as_str(),
        }
    }
}

/// Pupils of the school that the actor sees (all for the director and staff allowed to, else
/// those assigned to them), searched by name or class, kept by `filter` on their plan in
/// `semester_id`, sorted by class or name, a page at a time, with that plan. Four statements
/// (count, page, plans, one audit record of the read) however many pupils there are.
pub async fn pupils(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    semester_id: Option<i32>,
    filter: PlanFilter,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<(Vec<PupilRow>, u64)> {
    let mut q = pupil::Entity::find().filter(pupil::Column::SchoolId.eq(school_id));
    if !actor.sees_all_pupils(school_id) {
        if !actor.holds(Role::SupportStaff, school_id) {
            return Err(Error::NotFound);
        }
        let mine = Query::select()
            .column(pupil_staff::Column::PupilId)
            .from(pupil_staff::Entity)
            .and_where(pupil_staff::Column::UserId.eq(actor.user.id))
            .to_owned();
        q = q.filter(pupil::Column::Id.in_subquery(mine));
    }
    if let (Some(semester_id), true) = (semester_id, filter != PlanFilter::All) {
        let mut planned = Query::select()
            .column(plan::Column::PupilId)
            .from(plan::Entity)
            .and_where(plan::Column::SemesterId.eq(semester_id))
            .to_owned();
        if let PlanFilter::Status(status) = filter {
            planned.and_where(plan::Column::Status.eq(status));
        }
        q = q.filter(if filter == PlanFilter::WithoutPlan {
            pupil::Column::Id.not_in_subquery(planned)
        } else {
            pupil::Column::Id.in_subquery(planned)
        });
    }
    let q = q.filter(window.matching([Expr::col(pupil::Column::Name), Expr::col(pupil::Column::ClassName)]));
    let total = q.clone().count(conn).await?;
    let sorts: [(&str, &[Expr]); 2] = [
        (
            "class",
            &[Expr::col(pupil::Column::ClassName), Expr::col(pupil::Column::Name)],
        ),
        ("name", &[Expr::col(pupil::Column::Name)]),
    ];
    let rows = window
        .order(q, &sorts, "class", Expr::col(pupil::Column::Id))
        .offset(window.offset())
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    let plans = match semester_id {
        Some(semester_id) if !rows.is_empty() => {
            plan::Entity::find()
                .filter(plan::Column::SemesterId.eq(semester_id))
                .filter(plan::Column::PupilId.is_in(rows.iter().map(|p| p.id)))
                .all(conn)
                .await?
        }
        _ => Vec::new(),
    };
    record(
        conn,
        actor,
        school_id,
        "pupil_list",
        ("organisation", school_id),
        Some(format!("page {}, {} pupils", window.page, rows.len())),
        now,
    )
    .await?;
    Ok((
        rows.into_iter()
            .map(|p| PupilRow {
                plan: plans.iter().find(|plan| plan.pupil_id == p.id).cloned(),
                pupil: p,
            })
            .collect(),
        total,
    ))
}

/// One pupil's page.
pub struct PupilPage {
    pub pupil: pupil::Model,
    /// The staff assigned to the pupil.
    pub staff: Vec<user::Model>,
    /// The pupil's plans, newest semester first.
    pub plans: Vec<(plan::Model, semester::Model)>,
    /// The school's support staff (for the director's assignment form; empty for others).
    pub assignable: Vec<user::Model>,
}

/// A pupil the actor may see, with staff and plans; one audit record of the read.
pub async fn pupil(conn: &impl ConnectionTrait, actor: &Actor, pupil_id: i32, now: DateTime<Utc>) -> Result<PupilPage> {
    let found = pupil::Entity::find_by_id(pupil_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let assigned = super::is_assigned(conn, actor, found.id).await?;
    if !actor.can_see_pupil(found.school_id, assigned) {
        return Err(Error::NotFound);
    }
    let staff_ids = Query::select()
        .column(pupil_staff::Column::UserId)
        .from(pupil_staff::Entity)
        .and_where(pupil_staff::Column::PupilId.eq(found.id))
        .to_owned();
    let staff = user::Entity::find()
        .filter(user::Column::Id.in_subquery(staff_ids))
        .order_by_asc(user::Column::Name)
        .all(conn)
        .await?;
    let plans = plan::Entity::find()
        .filter(plan::Column::PupilId.eq(found.id))
        .all(conn)
        .await?;
    let semesters = semester::Entity::find()
        .filter(semester::Column::Id.is_in(plans.iter().map(|p| p.semester_id)))
        .all(conn)
        .await?;
    let mut plans: Vec<(plan::Model, semester::Model)> = plans
        .into_iter()
        .filter_map(|p| {
            let s = semesters.iter().find(|s| s.id == p.semester_id)?.clone();
            Some((p, s))
        })
        .collect();
    plans.sort_by_key(|(_, s)| std::cmp::Reverse((s.school_year, s.half)));
    let assignable = if actor.holds(Role::Director, found.school_id) {
        school_staff(conn, found.school_id)
            .await?
            .into_iter()
            .filter(|(m, _)| m.role == Role::SupportStaff)
            .map(|(_, u)| u)
            .collect()
    } else {
        Vec::new()
    };
    record(
        conn,
        actor,
        found.school_id,
        "pupil_view",
        ("pupil", found.id),
        None,
        now,
    )
    .await?;
    Ok(PupilPage {
        pupil: found,
        staff,
        plans,
        assignable,
    })
}

/// The school's support staff and accountants with their memberships, by name.
pub async fn school_staff(
    conn: &impl ConnectionTrait,
    school_id: i32,
) -> Result<Vec<(membership::Model, user::Model)>> {
    let rows = membership::Entity::find()
        .filter(crate::policy::granted_staff(school_id).memberships())
        .find_also_related(user::Entity)
        .all(conn)
        .await?;
    let mut rows: Vec<_> = rows.into_iter().filter_map(|(m, u)| Some((m, u?))).collect();
    rows.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.id.cmp(&b.0.id)));
    Ok(rows)
}

/// The semesters in which the pupil has a plan already.
pub async fn semesters_with_plans(conn: &impl ConnectionTrait, pupil_id: i32) -> Result<Vec<i32>> {
    Ok(plan::Entity::find()
        .select_only()
        .column(plan::Column::SemesterId)
        .filter(plan::Column::PupilId.eq(pupil_id))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Who signs a plan besides the parent: its author's name, and the name of the school's
/// director (the first, by name, if there are several; none if there is none).
pub async fn signers(conn: &impl ConnectionTrait, plan: &plan::Model) -> Result<(String, Option<String>)> {
    let author = user::Entity::find_by_id(plan.author_id)
        .one(conn)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let director = user::Entity::find()
        .filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(membership::Column::UserId)
                    .from(membership::Entity)
                    .and_where(membership::Column::OrgId.eq(plan.school_id))
                    .and_where(membership::Column::Role.eq(Role::Director))
                    .to_owned(),
            ),
        )
        .order_by_asc(user::Column::Name)
        .one(conn)
        .await?
        .map(|u| u.name);
    Ok((author, director))
}

/// A plan waiting for the actor's decision.
pub struct QueueRow {
    pub plan: plan::Model,
    pub school: organisation::Model,
    pub semester: semester::Model,
}

/// The plans waiting at a step the actor approves at, as SQL; `None` when the actor approves at
/// no step.
fn waiting_for(actor: &Actor) -> Option<Condition> {
    let waiting = |step: u8| {
        plan::Column::Status
            .eq(stored(PlanStatus::InApproval { step }).0)
            .and(plan::Column::ApprovalStep.eq(stored(PlanStatus::InApproval { step }).1))
    };
    // Each step of each chain, for the schools whose plans the actor approves at its level
    // (`policy::level_approvers`, as SQL).
    let mut scope = Condition::any();
    for vocational in [false, true] {
        for (step, level) in chain(vocational).iter().enumerate() {
            let (Some(approves), Ok(step)) = (actor.approves_at(*level), u8::try_from(step)) else {
                continue;
            };
            let schools = Query::select()
                .column(organisation::Column::Id)
                .from(organisation::Entity)
                .and_where(organisation::Column::IsVocational.eq(vocational))
                .cond_where(approves)
                .to_owned();
            scope = scope.add(plan::Column::SchoolId.in_subquery(schools).and(waiting(step)));
        }
    }
    (!scope.is_empty()).then_some(scope)
}

/// How many plans wait for the actor's approval (one statement; none when the actor approves
/// at no step).
pub async fn approval_count(conn: &impl ConnectionTrait, actor: &Actor) -> Result<u64> {
    match waiting_for(actor) {
        Some(scope) => Ok(plan::Entity::find().filter(scope).count(conn).await?),
        None => Ok(0),
    }
}

/// Plans waiting at the actor's step of the chain (director: the school's step; coordinator:
/// the municipality's schools; state reviewer: the last step of every chain), searched by school
/// and sorted by how long they wait (longest first, the default) or by school, a page at a time;
/// and how many wait. Three statements however long the queue. No pupil data is shown here, so
/// nothing is audited.
pub async fn approval_queue(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    window: &Window,
) -> Result<(Vec<QueueRow>, u64)> {
    let Some(scope) = waiting_for(actor) else {
        return Ok((Vec::new(), 0));
    };
    let q = plan::Entity::find()
        .filter(scope)
        .find_also_related(organisation::Entity)
        .filter(window.matching([Expr::col((organisation::Entity, organisation::Column::Name))]));
    let total = q.clone().count(conn).await?;
    let sorts: [(&str, &[Expr]); 2] = [
        ("waiting", &[Expr::col((plan::Entity, plan::Column::UpdatedAt))]),
        (
            "school",
            &[Expr::col((organisation::Entity, organisation::Column::Name))],
        ),
    ];
    let plans = window
        .order(q, &sorts, "waiting", Expr::col((plan::Entity, plan::Column::Id)))
        .offset(window.offset())
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    let semesters = semester::Entity::find()
        .filter(semester::Column::Id.is_in(plans.iter().map(|(p, _)| p.semester_id)))
        .all(conn)
        .await?;
    let rows = plans
        .into_iter()
        .filter_map(|(plan, school)| {
            Some(QueueRow {
                school: school?,
                semester: semesters.iter().find(|s| s.id == plan.semester_id)?.clone(),
                plan,
            })
        })
        .collect();
    Ok((rows, total))
}

/// An expense with its compensation category.
pub struct ExpenseRow {
    pub expense: expense::Model,
    pub category: String,
}

/// The school's expenses in a semester, for its director and accountant (no pupil data).
pub async fn school_expenses(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    semester_id: i32,
) -> Result<Vec<ExpenseRow>> {
    if !actor.handles_money(school_id) {
        return Err(Error::NotFound);
    }
    let plans_here = super::plans_of(school_id, semester_id);
    let rows = expense::Entity::find()
        .filter(expense::Column::PlanId.in_subquery(plans_here))
        .order_by_desc(expense::Column::Id)
        .limit(1000)
        .all(conn)
        .await?;
    let measures = plan_measure::Entity::find()
        .filter(plan_measure::Column::Id.is_in(rows.iter().map(|e| e.measure_id)))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| ExpenseRow {
            category: measures
                .iter()
                .find(|m| m.id == e.measure_id)
                .and_then(|m| m.category.clone())
                .unwrap_or_default(),
            expense: e,
        })
        .collect())
}

/// Hours of indirectly involved staff recorded for a school and semester.
pub async fn indirect_hours(
    conn: &impl ConnectionTrait,
    school_id: i32,
    semester_id: i32,
) -> Result<Vec<indirect_hours::Model>> {
    Ok(indirect_hours::Entity::find()
        .filter(indirect_hours::Column::SchoolId.eq(school_id))
        .filter(indirect_hours::Column::SemesterId.eq(semester_id))
        .order_by_asc(indirect_hours::Column::Id)
        .all(conn)
        .await?)
}

/// Every semester, newest first.
pub async fn semesters(conn: &impl ConnectionTrait) -> Result<Vec<semester::Model>> {
    Ok(semester::Entity::find()
        .order_by_desc(semester::Column::SchoolYear)
        .order_by_desc(semester::Column::Half)
        .all(conn)
        .await?)
}

/// Every catalogue version, newest first.
pub async fn catalogues(conn: &impl ConnectionTrait) -> Result<Vec<risk_catalogue::Model>> {
    Ok(risk_catalogue::Entity::find()
        .order_by_desc(risk_catalogue::Column::Version)
        .all(conn)
        .await?)
}

/// The groups of a catalogue version in order, each with its risks in order.
pub async fn catalogue(
    conn: &impl ConnectionTrait,
    catalogue_id: i32,
) -> Result<Vec<(risk_group::Model, Vec<risk::Model>)>> {
    let groups = risk_group::Entity::find()
        .filter(risk_group::Column::CatalogueId.eq(catalogue_id))
        .order_by_asc(risk_group::Column::Position)
        .all(conn)
        .await?;
    let risks = risk::Entity::find()
        .filter(risk::Column::GroupId.is_in(groups.iter().map(|g| g.id)))
        .order_by_asc(risk::Column::Position)
        .all(conn)
        .await?;
    Ok(groups
        .into_iter()
        .map(|g| {
            let own = risks.iter().filter(|r| r.group_id == g.id).cloned().collect();
            (g, own)
        })
        .collect())
}
