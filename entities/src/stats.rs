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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
pub(crate) fn listed<E: ActiveEnum<Value = String>>(values: &[E]) -> String {
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

/// The days `period` covers, if it has semesters among `semesters`: from its first semester's
/// start up to the day before the next semester starts (the holidays after a semester belong to
/// it), or, when none follows yet, to its last semester's end, and for a school year's second
/// semester to the end of the school year (31 August): a call whose deadline falls between
/// semesters still counts in its school year.
pub fn days(semesters: &[semester::Model], period: Period) -> Option<(NaiveDate, NaiveDate)> {
    let of_period: Vec<&semester::Model> = semesters
        .iter()
        .filter(|s| match period {
            Period::Semester(id) => s.id == id,
            Period::SchoolYear(y) => s.school_year == y,
        })
        .collect();
    let first = of_period.iter().map(|s| s.starts_on).min()?;
    let last = of_period.iter().max_by_key(|s| s.ends_on)?;
    let year_end = NaiveDate::from_ymd_opt(last.school_year + 1, 8, 31)
        .unwrap_or(last.ends_on)
        .max(last.ends_on);
    let next = semesters
        .iter()
        .map(|s| s.starts_on)
        .filter(|d| *d > last.ends_on)
        .min()
        .and_then(|d| d.pred_opt());
    let end = match next {
        Some(day) => day.min(year_end),
        None if last.half == 2 => year_end,
        None => last.ends_on,
    };
    Some((first, end))
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
}

/// Which pupil counts are withheld from someone outside the pupils' school, worked out for every
/// school, municipality and the state at once so that no withheld count can be found by
/// subtraction, on one page or across pages: a count of 1 to `MIN_GROUP - 1` pupils is withheld
/// (primary), and then, until nothing changes (secondary):
/// - of the parts of a shown total (a municipality's schools, the state's municipalities and
///   vocational schools; a scope's pupils by the support they had), never exactly one is
///   withheld: the smallest other part is withheld too;
/// - a withheld total's parts are not all shown: its smallest part is withheld too;
/// - a withheld scope withholds all its counts (its plans, pupils and euros go with it).
///
/// A school year withholds whatever either of its semesters withholds, so that the year's
/// figures minus one semester's never give the other's.
#[derive(Debug, Clone, Default)]
pub struct Disclosure {
    hidden: std::collections::HashSet<Cell>,
}

/// The measure of a scope's pupils (the others are the keys of the support mix, `10`, `01`,
/// `11`, `00`, and `outcome:` with an outcome).
pub const PUPILS: &str = "pupils";
const MIX: [&str; 4] = ["10", "01", "11", "00"];

impl Disclosure {
    /// Whether `measure` of `scope` may be shown outside the pupils' school.
    pub fn shown(&self, scope: Scope, measure: &str) -> bool {
        !self.hidden.contains(&(scope, measure.to_owned()))
    }

    /// Whether a part of a breakdown (a municipality or a school: `id` is the organisation's)
    /// may be shown outside the pupils' school.
    pub fn part_shown(&self, id: i32) -> bool {
        self.shown(Scope::Municipality(id), PUPILS) && self.shown(Scope::School(id), PUPILS)
    }

    fn union(mut self, other: &Disclosure) -> Disclosure {
        self.hidden.extend(other.hidden.iter().cloned());
        self
    }
}

/// One count of the disclosure's input: a period (a semester's id or a school year), a scope,
/// its parent (0: the state) and a measure.
#[derive(Debug, FromQueryResult)]
struct Count {
    period: i32,
    level: String,
    node: i32,
    up: i32,
    measure: String,
    n: i64,
}

/// The counts of every scope in the semesters `semesters` (an SQL condition on `p.semester_id`),
/// by `period` (an SQL expression), `full`: with the support mix and the outcomes besides the
/// pupils. One statement.
async fn counts(conn: &impl ConnectionTrait, semesters: &str, period: &str, full: bool) -> Result<Vec<Count>> {
    let municipality = OrgKind::Municipality.to_value();
    let consultation = MeasureKind::Consultation.to_value();
    let compensation = MeasureKind::Compensation.to_value();
    let plans = format!(
        "SELECT p.id, p.pupil_id, {period} AS period, p.school_id AS school, \
           CASE WHEN m.kind = '{municipality}' THEN m.id ELSE 0 END AS muni \
         FROM plans p JOIN semesters sem ON sem.id = p.semester_id \
         JOIN organisations s ON s.id = p.school_id LEFT JOIN organisations m ON m.id = s.parent_id \
         WHERE {semesters} AND p.status NOT IN {}",
        uncounted()
    );
    // Each level: its code, a node and its parent, what it is grouped by (constants are not:
    // PostgreSQL reads a number there as a column's position) and which plans it holds: a
    // school under its municipality (or the state), a municipality under the state, the state.
    let levels = [
        ("'s'", "school", "muni", "period, school, muni", "1 = 1"),
        ("'m'", "muni", "0", "period, muni", "muni <> 0"),
        ("'t'", "0", "0", "period", "1 = 1"),
    ];
    let mut parts = Vec::new();
    for (level, node, up, by, only) in levels {
        let head = format!("SELECT period, {level} AS level, {node} AS node, {up} AS up");
        parts.push(format!(
            "{head}, '{PUPILS}' AS measure, COUNT(DISTINCT pupil_id) AS n FROM ({plans}) x WHERE {only} GROUP BY {by}"
        ));
        if full {
            parts.push(format!(
                "{head}, CAST(c AS VARCHAR(1)) || CAST(k AS VARCHAR(1)) AS measure, COUNT(*) AS n FROM (\
                   SELECT x.period, x.school, x.muni, x.pupil_id, \
                     MAX(CASE WHEN pm.kind = '{consultation}' THEN 1 ELSE 0 END) AS c, \
                     MAX(CASE WHEN pm.kind = '{compensation}' THEN 1 ELSE 0 END) AS k \
                   FROM ({plans}) x LEFT JOIN plan_measures pm ON pm.plan_id = x.id \
                   GROUP BY x.period, x.school, x.muni, x.pupil_id) x \
                 WHERE {only} GROUP BY {by}, c, k"
            ));
            parts.push(format!(
                "{head}, 'outcome:' || e.outcome AS measure, COUNT(DISTINCT x.pupil_id) AS n \
                 FROM ({plans}) x JOIN evaluations e ON e.plan_id = x.id \
                 WHERE {only} AND e.measure_id IS NULL AND e.outcome IS NOT NULL GROUP BY {by}, e.outcome"
            ));
        }
    }
    let stmt = Statement::from_string(conn.get_database_backend(), parts.join(" UNION ALL "));
    Ok(Count::find_by_statement(stmt).all(conn).await?)
}

/// One count: whose and which.
type Cell = (Scope, String);

/// What is withheld of the counts of one period.
fn disclose(counts: &[&Count], seed: &Disclosure) -> Disclosure {
    use std::collections::{BTreeMap, BTreeSet};
    let scope = |level: &str, id: i32| match (level, id) {
        ("t", _) | (_, 0) => Scope::State,
        ("m", id) => Scope::Municipality(id),
        (_, id) => Scope::School(id),
    };
    let mut value: BTreeMap<Cell, i64> = BTreeMap::new();
    let mut children: BTreeMap<Scope, BTreeSet<Scope>> = BTreeMap::new();
    let mut measures: BTreeSet<String> = BTreeSet::new();
    for c in counts {
        let node = scope(&c.level, c.node);
        if node != Scope::State {
            let up = if c.level == "s" { scope("m", c.up) } else { Scope::State };
            children.entry(up).or_default().insert(node);
        }
        value.insert((node, c.measure.clone()), c.n);
        measures.insert(c.measure.clone());
    }
    let get = |node: Scope, m: &str| value.get(&(node, m.to_owned())).copied().unwrap_or(0);
    let mut hidden = seed.hidden.clone();
    hidden.extend(
        value
            .iter()
            .filter(|(_, n)| 0 < **n && **n < MIN_GROUP)
            .map(|(k, _)| k.clone()),
    );
    let nodes: BTreeSet<Scope> = value.keys().map(|k| k.0).collect();
    loop {
        let before = hidden.len();
        // A withheld scope withholds all its counts.
        for node in &nodes {
            if hidden.contains(&(*node, PUPILS.to_owned())) {
                hidden.extend(measures.iter().map(|m| (*node, m.clone())));
            }
        }
        // The groups of parts of a total: (total, parts), each part a (scope, measure).
        let mut groups: Vec<(Cell, Vec<Cell>)> = Vec::new();
        for (up, kids) in &children {
            for m in &measures {
                let parts = kids.iter().map(|k| (*k, m.clone())).collect();
                groups.push(((*up, m.clone()), parts));
            }
        }
        for node in &nodes {
            let parts = MIX.iter().map(|m| (*node, (*m).to_owned())).collect();
            groups.push(((*node, PUPILS.to_owned()), parts));
        }
        for (total, parts) in groups {
            // A withheld part is unknown even when it is nought (a withheld scope's counts).
            let withheld = parts.iter().filter(|p| hidden.contains(*p)).count();
            let total_hidden = hidden.contains(&total);
            if (withheld == 1 && !total_hidden) || (withheld == 0 && total_hidden) {
                let smallest = parts
                    .iter()
                    .filter(|p| get(p.0, &p.1) > 0 && !hidden.contains(*p))
                    .min_by_key(|p| (get(p.0, &p.1), p.0));
                match smallest {
                    Some(p) => hidden.insert((*p).clone()),
                    None => hidden.insert(total),
                };
            }
        }
        if hidden.len() == before {
            return Disclosure { hidden };
        }
    }
}

/// What is withheld outside the pupils' school in `period` (with the support mix and the
/// outcomes), and of the pupils alone in each of `trend` (semester ids): two statements.
pub async fn disclosure(
    conn: &impl ConnectionTrait,
    period: Period,
    trend: &[i32],
) -> Result<(Disclosure, Vec<(i32, Disclosure)>)> {
    let semesters = match period {
        Period::Semester(id) => format!("p.semester_id = {id}"),
        Period::SchoolYear(year) => format!("sem.school_year = {year}"),
    };
    let by_semester = counts(conn, &semesters, "p.semester_id", true).await?;
    let of = |period: i32| by_semester.iter().filter(|c| c.period == period).collect::<Vec<_>>();
    let mut periods: Vec<i32> = by_semester.iter().map(|c| c.period).collect();
    periods.sort_unstable();
    periods.dedup();
    let each: Vec<Disclosure> = periods
        .iter()
        .map(|p| disclose(&of(*p), &Disclosure::default()))
        .collect();
    let shown = match period {
        Period::Semester(_) => each.into_iter().next().unwrap_or_default(),
        Period::SchoolYear(year) => {
            let seed = each.iter().fold(Disclosure::default(), |all, d| all.union(d));
            let whole = counts(conn, &semesters, &year.to_string(), true).await?;
            disclose(&whole.iter().collect::<Vec<_>>(), &seed)
        }
    };
    if trend.is_empty() {
        return Ok((shown, Vec::new()));
    }
    let ids = trend.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    let pupils = counts(conn, &format!("p.semester_id IN ({ids})"), "p.semester_id", false).await?;
    let trend = trend
        .iter()
        .map(|id| {
            let of: Vec<&Count> = pupils.iter().filter(|c| c.period == *id).collect();
            (*id, disclose(&of, &Disclosure::default()))
        })
        .collect();
    Ok((shown, trend))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn semester(id: i32, half: i16, from: (i32, u32, u32), to: (i32, u32, u32)) -> semester::Model {
        let d = |(y, m, day): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        semester::Model {
            id,
            school_year: 2026,
            half,
            starts_on: d(from),
            ends_on: d(to),
            cap_cents: 0,
            catalogue_id: 1,
            closed_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_days_between_semesters_belong_to_the_one_before_and_the_summer_to_the_school_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let autumn = semester(1, 1, (2026, 9, 1), (2026, 12, 22));
        assert_eq!(
            days(std::slice::from_ref(&autumn), Period::Semester(1)),
            Some((d(2026, 9, 1), d(2026, 12, 22))),
            "nothing follows yet"
        );
        let spring = semester(2, 2, (2027, 1, 5), (2027, 5, 31));
        let both = [spring, autumn];
        assert_eq!(
            days(&both, Period::Semester(1)),
            Some((d(2026, 9, 1), d(2027, 1, 4))),
            "the winter holidays"
        );
        assert_eq!(
            days(&both, Period::Semester(2)),
            Some((d(2027, 1, 5), d(2027, 8, 31))),
            "the summer"
        );
        assert_eq!(
            days(&both, Period::SchoolYear(2026)),
            Some((d(2026, 9, 1), d(2027, 8, 31)))
        );
        assert_eq!(days(&both, Period::SchoolYear(2025)), None);
    }
}
