//! Statistics of the support plans (and of the youth-initiative grants) for a school, a
//! municipality or the state, for a semester or a whole school year. Every indicator is an SQL
//! aggregate over the rows in scope (nothing is loaded row by row into Rust); the SQL is the same
//! on SQLite and PostgreSQL and holds only integers we made and constants of ours, never text a
//! person typed.
//!
//! The plans counted are those that went past the draft and were not made inactive. Money is
//! what was approved or paid; "unpaid" is what was recorded as unpaid for lack of funds.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    RelationTrait, Statement,
};

use crate::domain::OrgKind;
use crate::entity::expense::ExpenseState;
use crate::entity::plan::PlanState;
use crate::entity::plan_measure::MeasureKind;
use crate::entity::{application, award, call, organisation, semester};
use crate::error::Result;

/// Whose figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    School(i32),
    /// The municipality's schools.
    Municipality(i32),
    /// Every school, municipal and state vocational.
    State,
}

/// Which time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Semester(i32),
    /// Both semesters of the school year starting in this year.
    SchoolYear(i32),
}

/// The indicators of one scope and period. Money in cents, time in minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Indicators {
    pub plans: i64,
    pub pupils: i64,
    /// Pupils by what their plans hold: consultations only, compensations only, both, neither.
    pub consultations_only: i64,
    pub compensations_only: i64,
    pub both: i64,
    pub neither: i64,
    /// (compensation category, cents approved or paid), by category.
    pub cents_by_category: Vec<(String, i64)>,
    /// (specialist type, minutes of logged consultations), by specialist.
    pub minutes_by_specialist: Vec<(String, i64)>,
    /// Minutes of indirectly involved staff.
    pub indirect_minutes: i64,
    /// Cents recorded as unpaid for lack of funds.
    pub unpaid_cents: i64,
    /// (risk group code, measures addressing a risk of the group), by group.
    pub measures_by_group: Vec<(String, i64)>,
    /// (outcome, pupils), by outcome.
    pub outcomes: Vec<(String, i64)>,
}

impl Scope {
    /// An SQL condition on a `school_id` column.
    fn schools(self, column: &str) -> String {
        let school = OrgKind::School.to_value();
        match self {
            Self::School(id) => format!("{column} = {id}"),
            Self::Municipality(id) => {
                format!("{column} IN (SELECT id FROM organisations WHERE parent_id = {id} AND kind = '{school}')")
            }
            Self::State => format!("{column} IN (SELECT id FROM organisations WHERE kind = '{school}')"),
        }
    }
}

impl Period {
    /// An SQL condition on a `semester_id` column.
    fn semesters(self, column: &str) -> String {
        match self {
            Self::Semester(id) => format!("{column} = {id}"),
            Self::SchoolYear(year) => format!("{column} IN (SELECT id FROM semesters WHERE school_year = {year})"),
        }
    }
}

#[derive(FromQueryResult)]
struct Row {
    key: Option<String>,
    n: Option<i64>,
}

async fn rows(conn: &impl ConnectionTrait, sql: String) -> Result<Vec<(String, i64)>> {
    let stmt = Statement::from_string(conn.get_database_backend(), sql);
    Ok(Row::find_by_statement(stmt)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.key.unwrap_or_default(), r.n.unwrap_or_default()))
        .collect())
}

/// Stored values as an SQL list: `('a', 'b')` (the values are the entities' own, never input).
fn listed<E: ActiveEnum<Value = String>>(values: &[E]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{}'", v.to_value())).collect();
    format!("({})", quoted.join(", "))
}

/// The plans the statistics leave out, as an SQL list: drafts and plans made inactive.
fn uncounted() -> String {
    listed(&[PlanState::Draft, PlanState::Inactive])
}

/// The money the statistics count as spent, as an SQL list: approved or paid expenses.
fn committed() -> String {
    listed(&ExpenseState::COMMITTED)
}

/// The indicators of `scope` in `period`: eight aggregate statements, whatever the size.
pub async fn indicators(conn: &impl ConnectionTrait, scope: Scope, period: Period) -> Result<Indicators> {
    let plans = format!(
        "SELECT id, pupil_id FROM plans WHERE {} AND {} AND status NOT IN {}",
        scope.schools("school_id"),
        period.semesters("semester_id"),
        uncounted(),
    );
    let consultation = MeasureKind::Consultation.to_value();
    let compensation = MeasureKind::Compensation.to_value();
    let spent = |statuses: String| {
        format!(
            "SELECT m.category AS key, CAST(SUM(e.amount_cents) AS BIGINT) AS n FROM ({plans}) p \
             JOIN expenses e ON e.plan_id = p.id \
             JOIN plan_measures m ON m.id = e.measure_id \
             WHERE e.status IN {statuses} \
             GROUP BY m.category ORDER BY m.category"
        )
    };
    let statements = [
        format!(
            "SELECT 'plans' AS key, COUNT(*) AS n FROM ({plans}) p \
             UNION ALL SELECT 'pupils' AS key, COUNT(DISTINCT pupil_id) AS n FROM ({plans}) p"
        ),
        // Per pupil: whether any of their plans holds a consultation, a compensation.
        format!(
            "SELECT CAST(c AS VARCHAR(1)) || CAST(k AS VARCHAR(1)) AS key, COUNT(*) AS n FROM (\
               SELECT p.pupil_id, \
                 MAX(CASE WHEN m.kind = '{consultation}' THEN 1 ELSE 0 END) AS c, \
                 MAX(CASE WHEN m.kind = '{compensation}' THEN 1 ELSE 0 END) AS k \
               FROM ({plans}) p LEFT JOIN plan_measures m ON m.plan_id = p.id GROUP BY p.pupil_id\
             ) x GROUP BY c, k"
        ),
        spent(committed()),
        spent(listed(&[ExpenseState::Unpaid])),
        format!(
            "SELECT m.specialist AS key, CAST(SUM(s.minutes) AS BIGINT) AS n FROM ({plans}) p \
             JOIN plan_measures m ON m.plan_id = p.id \
             JOIN consultation_sessions s ON s.measure_id = m.id \
             WHERE m.kind = '{consultation}' \
             GROUP BY m.specialist ORDER BY m.specialist"
        ),
        format!(
            "SELECT 'indirect' AS key, CAST(SUM(minutes) AS BIGINT) AS n FROM indirect_hours WHERE {} AND {}",
            scope.schools("school_id"),
            period.semesters("semester_id"),
        ),
        format!(
            "SELECT g.code AS key, COUNT(DISTINCT mr.measure_id) AS n FROM ({plans}) p \
             JOIN plan_measures m ON m.plan_id = p.id \
             JOIN measure_risks mr ON mr.measure_id = m.id \
             JOIN plan_risks pr ON pr.id = mr.plan_risk_id \
             JOIN risks r ON r.id = pr.risk_id \
             JOIN risk_groups g ON g.id = r.group_id \
             GROUP BY g.code ORDER BY g.code"
        ),
        format!(
            "SELECT e.outcome AS key, COUNT(DISTINCT p.pupil_id) AS n FROM evaluations e \
             JOIN ({plans}) p ON p.id = e.plan_id \
             WHERE e.measure_id IS NULL AND e.outcome IS NOT NULL \
             GROUP BY e.outcome ORDER BY e.outcome"
        ),
    ];
    let [
        totals,
        mix,
        cents_by_category,
        unpaid,
        minutes_by_specialist,
        indirect,
        measures_by_group,
        outcomes,
    ] = statements;
    let totals = rows(conn, totals).await?;
    let mix = rows(conn, mix).await?;
    let cents_by_category = rows(conn, cents_by_category).await?;
    let unpaid = rows(conn, unpaid).await?;
    let minutes_by_specialist = rows(conn, minutes_by_specialist).await?;
    let indirect = rows(conn, indirect).await?;
    let measures_by_group = rows(conn, measures_by_group).await?;
    let outcomes = rows(conn, outcomes).await?;
    let of = |found: &[(String, i64)], k: &str| found.iter().find(|r| r.0 == k).map(|r| r.1).unwrap_or_default();
    let sum = |found: &[(String, i64)]| found.iter().map(|r| r.1).sum();
    Ok(Indicators {
        plans: of(&totals, "plans"),
        pupils: of(&totals, "pupils"),
        consultations_only: of(&mix, "10"),
        compensations_only: of(&mix, "01"),
        both: of(&mix, "11"),
        neither: of(&mix, "00"),
        cents_by_category,
        minutes_by_specialist,
        indirect_minutes: sum(&indirect),
        unpaid_cents: sum(&unpaid),
        measures_by_group,
        outcomes,
    })
}

/// Plans, pupils and euros (approved or paid) of one part: a semester of a trend, or a
/// municipality or school of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct Part {
    /// The semester's or the organisation's id.
    pub part: i32,
    pub plans: i64,
    pub pupils: i64,
    pub cents: i64,
}

/// The counted plans of `scope` whose semester meets `semesters`, grouped by `part` (an SQL
/// expression over `p` the plan, `s` its school and `m` the school's parent): one statement.
async fn parts(conn: &impl ConnectionTrait, scope: Scope, semesters: String, part: &str) -> Result<Vec<Part>> {
    let sql = format!(
        "SELECT {part} AS part, COUNT(DISTINCT p.id) AS plans, COUNT(DISTINCT p.pupil_id) AS pupils, \
           CAST(COALESCE(SUM(e.amount_cents), 0) AS BIGINT) AS cents \
         FROM plans p JOIN organisations s ON s.id = p.school_id \
         LEFT JOIN organisations m ON m.id = s.parent_id \
         LEFT JOIN expenses e ON e.plan_id = p.id AND e.status IN {} \
         WHERE {} AND {semesters} AND p.status NOT IN {} \
         GROUP BY {part}",
        committed(),
        scope.schools("p.school_id"),
        uncounted(),
    );
    let stmt = Statement::from_string(conn.get_database_backend(), sql);
    Ok(Part::find_by_statement(stmt).all(conn).await?)
}

/// The figures of `scope` in each of `semesters` (ids, oldest first): one statement; a semester
/// without plans has zeros.
pub async fn trend(conn: &impl ConnectionTrait, scope: Scope, semesters: &[i32]) -> Result<Vec<Part>> {
    if semesters.is_empty() {
        return Ok(Vec::new());
    }
    let ids = semesters.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    let found = parts(conn, scope, format!("p.semester_id IN ({ids})"), "p.semester_id").await?;
    Ok(semesters
        .iter()
        .map(|id| {
            found.iter().find(|p| p.part == *id).cloned().unwrap_or(Part {
                part: *id,
                ..Default::default()
            })
        })
        .collect())
}

/// The figures of the parts of `scope` in `period`, with the parts' names, by name: the state's
/// municipalities and state vocational schools (whose parent is the state agency), or a
/// municipality's schools. A school has no parts.
pub async fn breakdown(conn: &impl ConnectionTrait, scope: Scope, period: Period) -> Result<Vec<(String, Part)>> {
    let part = match scope {
        Scope::School(_) => return Ok(Vec::new()),
        Scope::Municipality(_) => "s.id".to_owned(),
        Scope::State => format!(
            "CASE WHEN m.kind = '{}' THEN m.id ELSE s.id END",
            OrgKind::Municipality.to_value()
        ),
    };
    let found = parts(conn, scope, period.semesters("p.semester_id"), &part).await?;
    let names: Vec<(i32, String)> = organisation::Entity::find()
        .select_only()
        .columns([organisation::Column::Id, organisation::Column::Name])
        .filter(organisation::Column::Id.is_in(found.iter().map(|p| p.part)))
        .into_tuple()
        .all(conn)
        .await?;
    let mut named: Vec<(String, Part)> = found
        .into_iter()
        .map(|p| {
            let name = names
                .iter()
                .find(|n| n.0 == p.part)
                .map(|n| n.1.clone())
                .unwrap_or_default();
            (name, p)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(named)
}

/// The youth-initiative grant figures of one municipality in a period: the calls (not drafts)
/// whose deadline falls in it, the applications submitted to them (withdrawn ones left out), the euros requested,
/// the projects funded and the euros granted by the decisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    pub municipality_id: i32,
    pub name: String,
    pub calls: i64,
    pub applications: i64,
    pub requested_cents: i64,
    pub funded: i64,
    pub granted_cents: i64,
    /// Paid to the funded projects, and returned by them (refunds received).
    pub paid_cents: i64,
    pub returned_cents: i64,
    /// Pupils at risk of leaving school the projects reached, as their accepted final reports
    /// count them (counts only).
    pub pupils_reached: i64,
}

impl Grants {
    /// The sum of `rows` (for the scope's total).
    pub fn total(rows: &[Grants]) -> Grants {
        rows.iter().fold(Grants::default(), |t, r| Grants {
            calls: t.calls + r.calls,
            applications: t.applications + r.applications,
            requested_cents: t.requested_cents + r.requested_cents,
            funded: t.funded + r.funded,
            granted_cents: t.granted_cents + r.granted_cents,
            paid_cents: t.paid_cents + r.paid_cents,
            returned_cents: t.returned_cents + r.returned_cents,
            pupils_reached: t.pupils_reached + r.pupils_reached,
            ..t
        })
    }
}

/// The first and last day of `period`'s semesters among `semesters`, if it has any.
pub fn days(semesters: &[semester::Model], period: Period) -> Option<(NaiveDate, NaiveDate)> {
    let of_period: Vec<&semester::Model> = semesters
        .iter()
        .filter(|s| match period {
            Period::Semester(id) => s.id == id,
            Period::SchoolYear(y) => s.school_year == y,
        })
        .collect();
    let first = of_period.iter().map(|s| s.starts_on).min()?;
    let last = of_period.iter().map(|s| s.ends_on).max()?;
    Some((first, last))
}

/// The grant figures per municipality of `scope` (a school has none) for the calls whose
/// deadline falls from `from` up to the end of `to` (Riga days): three grouped statements and the names.
pub async fn grants(
    conn: &impl ConnectionTrait,
    scope: Scope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<Grants>> {
    let municipality = match scope {
        Scope::School(_) => return Ok(Vec::new()),
        Scope::Municipality(id) => Some(id),
        Scope::State => None,
    };
    let midnight = |d: NaiveDate| -> DateTime<Utc> {
        d.and_hms_opt(0, 0, 0)
            .and_then(crate::time::from_riga)
            .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
    };
    let (start, end) = (midnight(from), midnight(to.succ_opt().unwrap_or(to)));
    let calls = || {
        let q = call::Entity::find()
            .filter(call::Column::Status.ne(call::CallStatus::Draft))
            .filter(call::Column::ClosesAt.gte(start))
            .filter(call::Column::ClosesAt.lt(end));
        match municipality {
            Some(id) => q.filter(call::Column::MunicipalityId.eq(id)),
            None => q,
        }
    };
    let count = || Expr::from(Func::count(Expr::col(sea_orm::sea_query::Asterisk)));
    let per_call: Vec<(i32, i64)> = calls()
        .select_only()
        .column(call::Column::MunicipalityId)
        .column_as(count(), "n")
        .group_by(call::Column::MunicipalityId)
        .into_tuple()
        .all(conn)
        .await?;
    let applied: Vec<(i32, i64, Option<i64>)> = calls()
        .select_only()
        .column(call::Column::MunicipalityId)
        .column_as(count(), "n")
        .column_as(
            crate::money::sum_cents((application::Entity, application::Column::RequestedCents)),
            "cents",
        )
        .join_rev(JoinType::InnerJoin, application::Relation::Call.def())
        .filter(application::Column::SubmittedAt.is_not_null())
        .filter(application::Column::Status.ne(application::ApplicationStatus::Withdrawn))
        .group_by(call::Column::MunicipalityId)
        .into_tuple()
        .all(conn)
        .await?;
    let funded: Vec<(i32, i64, Option<i64>)> = calls()
        .select_only()
        .column(call::Column::MunicipalityId)
        .column_as(count(), "n")
        .column_as(
            crate::money::sum_cents((award::Entity, award::Column::AmountCents)),
            "cents",
        )
        .join_rev(JoinType::InnerJoin, award::Relation::Call.def())
        .filter(award::Column::Outcome.eq(crate::entity::award::AwardOutcome::Funded))
        .group_by(call::Column::MunicipalityId)
        .into_tuple()
        .all(conn)
        .await?;
    let names: Vec<(i32, String)> = organisation::Entity::find()
        .select_only()
        .columns([organisation::Column::Id, organisation::Column::Name])
        .filter(organisation::Column::Id.is_in(per_call.iter().map(|c| c.0)))
        .into_tuple()
        .all(conn)
        .await?;
    let mut rows: Vec<Grants> = per_call
        .iter()
        .map(|(id, calls)| {
            let a = applied.iter().find(|a| a.0 == *id);
            let f = funded.iter().find(|f| f.0 == *id);
            Grants {
                municipality_id: *id,
                name: names
                    .iter()
                    .find(|n| n.0 == *id)
                    .map(|n| n.1.clone())
                    .unwrap_or_default(),
                calls: *calls,
                applications: a.map_or(0, |a| a.1),
                requested_cents: a.and_then(|a| a.2).unwrap_or_default(),
                funded: f.map_or(0, |f| f.1),
                granted_cents: f.and_then(|f| f.2).unwrap_or_default(),
                ..Grants::default()
            }
        })
        .collect();
    after_the_decision(conn, calls().all(conn).await?, &mut rows).await?;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// Adds to each municipality's row what its calls' projects were paid and returned and the
/// pupils at risk they reached: four statements over the projects of `calls`.
async fn after_the_decision(conn: &impl ConnectionTrait, calls: Vec<call::Model>, rows: &mut [Grants]) -> Result<()> {
    use crate::entity::project_report::{ReportKind, ReportState};
    use crate::entity::{project, project_payment, project_refund, project_report};
    let projects: Vec<(i32, i32)> = project::Entity::find()
        .select_only()
        .columns([project::Column::Id, project::Column::CallId])
        .filter(project::Column::CallId.is_in(calls.iter().map(|c| c.id)))
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i32> = projects.iter().map(|p| p.0).collect();
    let paid: Vec<(i32, i64)> = project_payment::Entity::find()
        .select_only()
        .columns([project_payment::Column::ProjectId, project_payment::Column::AmountCents])
        .filter(project_payment::Column::ProjectId.is_in(ids.clone()))
        .into_tuple()
        .all(conn)
        .await?;
    let returned: Vec<(i32, i64)> = project_refund::Entity::find()
        .select_only()
        .columns([project_refund::Column::ProjectId, project_refund::Column::AmountCents])
        .filter(project_refund::Column::ProjectId.is_in(ids.clone()))
        .filter(project_refund::Column::ReturnedOn.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    let reached: Vec<(i32, i32)> = project_report::Entity::find()
        .select_only()
        .columns([project_report::Column::ProjectId, project_report::Column::PupilsAtRisk])
        .filter(project_report::Column::ProjectId.is_in(ids))
        .filter(project_report::Column::Kind.eq(ReportKind::Final))
        .filter(project_report::Column::Status.eq(ReportState::Accepted))
        .into_tuple()
        .all(conn)
        .await?;
    let municipality_of = |project_id: i32| {
        let call_id = projects.iter().find(|p| p.0 == project_id)?.1;
        calls.iter().find(|c| c.id == call_id).map(|c| c.municipality_id)
    };
    for row in rows.iter_mut() {
        let mine = |project_id: &i32| municipality_of(*project_id) == Some(row.municipality_id);
        row.paid_cents = paid.iter().filter(|p| mine(&p.0)).map(|p| p.1).sum();
        row.returned_cents = returned.iter().filter(|p| mine(&p.0)).map(|p| p.1).sum();
        row.pupils_reached = reached.iter().filter(|p| mine(&p.0)).map(|p| i64::from(p.1)).sum();
    }
    Ok(())
}

/// The fewest pupils a figure may count outside the pupil's own school.
pub const MIN_GROUP: i64 = 5;

impl Indicators {
    /// Whether the figures are withheld from someone outside the pupils' school (`inside` is
    /// false): a scope of fewer than `MIN_GROUP` pupils shows nothing.
    pub fn withheld(&self, inside: bool) -> bool {
        !inside && self.pupils < MIN_GROUP
    }

    /// A count of pupils as it may be shown: outside the pupils' school, a group of fewer than
    /// `MIN_GROUP` pupils (but more than none) is `None`, as is everything of a withheld scope.
    pub fn pupils_shown(&self, inside: bool, count: i64) -> Option<i64> {
        let small = !inside && 0 < count && count < MIN_GROUP;
        (!self.withheld(inside) && !small).then_some(count)
    }
}
