//! Statistics of the support plans for a school, a municipality or the state, for a semester or
//! a whole school year. Every indicator is one SQL aggregate over the plans in scope (nothing is
//! loaded row by row into Rust); the SQL is the same on SQLite and PostgreSQL and holds only
//! integers we made and constants of ours, never text a person typed.
//!
//! The plans counted are those that went past the draft and were not made inactive. Money is
//! what was approved or paid; "unpaid" is what was recorded as unpaid for lack of funds.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

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
        match self {
            Self::School(id) => format!("{column} = {id}"),
            Self::Municipality(id) => {
                format!("{column} IN (SELECT id FROM organisations WHERE parent_id = {id} AND kind = 'school')")
            }
            Self::State => format!("{column} IN (SELECT id FROM organisations WHERE kind = 'school')"),
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

async fn number(conn: &impl ConnectionTrait, sql: String) -> Result<i64> {
    Ok(rows(conn, sql).await?.first().map(|r| r.1).unwrap_or_default())
}

/// The indicators of `scope` in `period`: ten aggregate statements, whatever the size.
pub async fn indicators(conn: &impl ConnectionTrait, scope: Scope, period: Period) -> Result<Indicators> {
    let plans = format!(
        "SELECT id, pupil_id FROM plans WHERE {} AND {} AND status NOT IN ('draft', 'inactive')",
        scope.schools("school_id"),
        period.semesters("semester_id"),
    );
    let totals = rows(
        conn,
        format!("SELECT 'plans' AS key, COUNT(*) AS n FROM ({plans}) p UNION ALL SELECT 'pupils' AS key, COUNT(DISTINCT pupil_id) AS n FROM ({plans}) p"),
    )
    .await?;
    let total = |k: &str| totals.iter().find(|r| r.0 == k).map(|r| r.1).unwrap_or_default();
    // Per pupil: whether any of their plans holds a consultation, a compensation.
    let mix = rows(
        conn,
        format!(
            "SELECT CAST(c AS VARCHAR(1)) || CAST(k AS VARCHAR(1)) AS key, COUNT(*) AS n FROM (\
               SELECT p.pupil_id, \
                 MAX(CASE WHEN m.kind = 'consultation' THEN 1 ELSE 0 END) AS c, \
                 MAX(CASE WHEN m.kind = 'compensation' THEN 1 ELSE 0 END) AS k \
               FROM ({plans}) p LEFT JOIN plan_measures m ON m.plan_id = p.id GROUP BY p.pupil_id\
             ) x GROUP BY c, k"
        ),
    )
    .await?;
    let mixed = |k: &str| mix.iter().find(|r| r.0 == k).map(|r| r.1).unwrap_or_default();
    let spent = |statuses: &str| {
        format!(
            "SELECT m.category AS key, CAST(SUM(e.amount_cents) AS BIGINT) AS n FROM expenses e \
             JOIN plan_measures m ON m.id = e.measure_id \
             WHERE e.plan_id IN (SELECT id FROM ({plans}) p) AND e.status IN ({statuses}) \
             GROUP BY m.category ORDER BY m.category"
        )
    };
    let cents_by_category = rows(conn, spent("'approved', 'paid'")).await?;
    let unpaid_cents = rows(conn, spent("'unpaid_no_funds'")).await?.iter().map(|r| r.1).sum();
    let minutes_by_specialist = rows(
        conn,
        format!(
            "SELECT m.specialist AS key, CAST(SUM(s.minutes) AS BIGINT) AS n FROM consultation_sessions s \
             JOIN plan_measures m ON m.id = s.measure_id \
             WHERE m.plan_id IN (SELECT id FROM ({plans}) p) AND m.kind = 'consultation' \
             GROUP BY m.specialist ORDER BY m.specialist"
        ),
    )
    .await?;
    let indirect_minutes = number(
        conn,
        format!(
            "SELECT 'indirect' AS key, CAST(SUM(minutes) AS BIGINT) AS n FROM indirect_hours WHERE {} AND {}",
            scope.schools("school_id"),
            period.semesters("semester_id"),
        ),
    )
    .await?;
    let measures_by_group = rows(
        conn,
        format!(
            "SELECT g.code AS key, COUNT(DISTINCT mr.measure_id) AS n FROM measure_risks mr \
             JOIN plan_risks pr ON pr.id = mr.plan_risk_id \
             JOIN risks r ON r.id = pr.risk_id \
             JOIN risk_groups g ON g.id = r.group_id \
             WHERE pr.plan_id IN (SELECT id FROM ({plans}) p) \
             GROUP BY g.code ORDER BY g.code"
        ),
    )
    .await?;
    let outcomes = rows(
        conn,
        format!(
            "SELECT e.outcome AS key, COUNT(DISTINCT p.pupil_id) AS n FROM evaluations e \
             JOIN ({plans}) p ON p.id = e.plan_id \
             WHERE e.measure_id IS NULL AND e.outcome IS NOT NULL \
             GROUP BY e.outcome ORDER BY e.outcome"
        ),
    )
    .await?;
    Ok(Indicators {
        plans: total("plans"),
        pupils: total("pupils"),
        consultations_only: mixed("10"),
        compensations_only: mixed("01"),
        both: mixed("11"),
        neither: mixed("00"),
        cents_by_category,
        minutes_by_specialist,
        indirect_minutes,
        unpaid_cents,
        measures_by_group,
        outcomes,
    })
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
