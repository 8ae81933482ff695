//! Statistics pages: the support-plan indicators of a school, a municipality or the state for a
//! semester or a school year, as tables with charts, and the same tables as CSV. Who may see
//! which scope, and whether small groups are withheld, is the policy's (`stats_view`).

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entities::domain::Role;
use entities::entity::{organisation, semester};
use entities::money::Eur;
use entities::plan_queries;
use entities::stats::{self, Indicators, Period, Scope};
use sea_orm::EntityTrait;
use serde::Deserialize;
use templates::pages::plans::semester_label;
use templates::pages::stats::{self as pages, StatRow, StatTable, StatsView};
use templates::{Lang, t, tf};

use crate::ctx::Signed;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/stats", get(page)).route("/stats.csv", get(csv))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatsQuery {
    level: String,
    org: Option<i32>,
    semester: Option<i32>,
    year: Option<i32>,
}

/// The query string naming `scope` and `period`.
fn query_string(scope: Scope, period: Period) -> String {
    let scope = match scope {
        Scope::State => "level=state".to_owned(),
        Scope::Municipality(id) => format!("level=municipality&org={id}"),
        Scope::School(id) => format!("level=school&org={id}"),
    };
    let period = match period {
        Period::Semester(id) => format!("semester={id}"),
        Period::SchoolYear(y) => format!("year={y}"),
    };
    format!("{scope}&{period}")
}

/// The scope asked for, or the actor's own (their school, municipality, or the state).
fn scope_of(signed: &Signed, q: &StatsQuery) -> AppResult<Scope> {
    Ok(match (q.level.as_str(), q.org) {
        ("state", _) => Scope::State,
        ("municipality", Some(id)) => Scope::Municipality(id),
        ("school", Some(id)) => Scope::School(id),
        ("", _) => {
            let grant = signed
                .actor
                .grants
                .iter()
                .find(|g| g.role.sees_pupil_data() || g.role == Role::Admin)
                .ok_or(AppError::NotFound)?;
            match grant.role {
                Role::Director | Role::SupportStaff | Role::Accountant => Scope::School(grant.org.id),
                Role::Coordinator => Scope::Municipality(grant.org.id),
                _ => Scope::State,
            }
        }
        _ => return Err(AppError::NotFound),
    })
}

async fn compute(state: &AppState, signed: &Signed, q: &StatsQuery) -> AppResult<StatsView> {
    let l = signed.ctx.lang;
    let scope = scope_of(signed, q)?;
    let org = match scope {
        Scope::School(id) | Scope::Municipality(id) => Some(
            organisation::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        Scope::State => None,
    };
    let inside = signed.actor.stats_view(scope, org.as_ref()).ok_or(AppError::NotFound)?;
    let semesters = plan_queries::semesters(&state.db).await?;
    let period = match (q.semester, q.year) {
        (Some(id), _) if semesters.iter().any(|s| s.id == id) => Period::Semester(id),
        (_, Some(year)) => Period::SchoolYear(year),
        _ => semesters
            .first()
            .map(|s| Period::Semester(s.id))
            .ok_or(AppError::BadRequest("semesters-none"))?,
    };
    let figures = stats::indicators(&state.db, scope, period).await?;
    let mut years: Vec<i32> = semesters.iter().map(|s| s.school_year).collect();
    years.dedup();
    let periods = semesters
        .iter()
        .map(|s| (Period::Semester(s.id), semester_label(l, s)))
        .chain(years.into_iter().map(|y| (Period::SchoolYear(y), year_label(l, y))))
        .map(|(p, label)| (format!("/stats?{}", query_string(scope, p)), label))
        .collect();
    Ok(StatsView {
        scope_label: org.map(|o| o.name).unwrap_or_else(|| t(l, "stats-state")),
        period_label: period_label(l, period, &semesters),
        periods,
        withheld: figures.withheld(inside),
        tables: tables(l, &figures, inside),
        csv_href: format!("/stats.csv?{}", query_string(scope, period)),
    })
}

fn year_label(l: Lang, year: i32) -> String {
    tf(
        l,
        "stats-school-year",
        &[("year", &year.to_string()), ("next", &(year + 1).to_string())],
    )
}

fn period_label(l: Lang, period: Period, semesters: &[semester::Model]) -> String {
    match period {
        Period::Semester(id) => semesters
            .iter()
            .find(|s| s.id == id)
            .map(|s| semester_label(l, s))
            .unwrap_or_default(),
        Period::SchoolYear(y) => year_label(l, y),
    }
}

/// The tables of the page (and of the CSV), figures formatted and withheld as the rule says.
fn tables(l: Lang, f: &Indicators, inside: bool) -> Vec<StatTable> {
    let pupils = |label: &str, n: i64| {
        let shown = f.pupils_shown(inside, n).map(|n| {
            if f.pupils > 0 && label != "stats-plans" && label != "stats-pupils" {
                format!("{n} ({} %)", n * 100 / f.pupils)
            } else {
                n.to_string()
            }
        });
        StatRow {
            label: t(l, label),
            shown,
            value: n,
        }
    };
    let money = |label: String, cents: i64| StatRow {
        label,
        shown: Some(Eur::from_cents(cents).display(l)),
        value: cents,
    };
    let hours = |label: String, minutes: i64| StatRow {
        label,
        shown: Some(format!(
            "{} h",
            templates::pages::plans::hours(l, i32::try_from(minutes).unwrap_or(i32::MAX))
        )),
        value: minutes,
    };
    let table = |title: &str, rows: Vec<StatRow>, chart: bool| StatTable {
        title: t(l, title),
        rows,
        chart,
    };
    vec![
        table(
            "stats-plans-pupils",
            vec![
                pupils("stats-plans", f.plans),
                pupils("stats-pupils", f.pupils),
                pupils("stats-consultations-only", f.consultations_only),
                pupils("stats-compensations-only", f.compensations_only),
                pupils("stats-both", f.both),
                pupils("stats-neither", f.neither),
            ],
            false,
        ),
        table(
            "stats-by-category",
            f.cents_by_category
                .iter()
                .map(|(k, c)| money(t(l, &format!("category-{k}")), *c))
                .collect(),
            true,
        ),
        table(
            "stats-by-specialist",
            f.minutes_by_specialist
                .iter()
                .map(|(k, m)| hours(t(l, &format!("specialist-{k}")), *m))
                .collect(),
            true,
        ),
        table(
            "stats-other",
            vec![
                hours(t(l, "stats-indirect"), f.indirect_minutes),
                money(t(l, "stats-unpaid"), f.unpaid_cents),
            ],
            false,
        ),
        table(
            "stats-by-group",
            f.measures_by_group
                .iter()
                .map(|(k, n)| StatRow {
                    label: t(l, &format!("stats-group-{k}")),
                    shown: Some(n.to_string()),
                    value: *n,
                })
                .collect(),
            true,
        ),
        table(
            "stats-outcomes",
            f.outcomes
                .iter()
                .map(|(k, n)| StatRow {
                    label: t(l, &format!("outcome-{k}")),
                    shown: f.pupils_shown(inside, *n).map(|n| n.to_string()),
                    value: *n,
                })
                .collect(),
            true,
        ),
    ]
}

async fn page(State(state): State<AppState>, signed: Signed, Query(q): Query<StatsQuery>) -> AppResult<Response> {
    let view = compute(&state, &signed, &q).await?;
    Ok(pages::stats(&signed.ctx.page(), &view).into_response())
}

/// The page's tables as one CSV: table, row, figure (empty where withheld).
async fn csv(State(state): State<AppState>, signed: Signed, Query(q): Query<StatsQuery>) -> AppResult<Response> {
    let l = signed.ctx.lang;
    let v = compute(&state, &signed, &q).await?;
    let header = [t(l, "stats-csv-table"), t(l, "stats-csv-row"), t(l, "stats-csv-value")];
    let rows: Vec<Vec<String>> = if v.withheld {
        Vec::new()
    } else {
        v.tables
            .iter()
            .flat_map(|table| {
                table.rows.iter().map(|r| {
                    vec![
                        table.title.clone(),
                        r.label.clone(),
                        r.shown.clone().unwrap_or_default(),
                    ]
                })
            })
            .collect()
    };
    Ok(crate::csv::response("statistika.csv", &header, &rows))
}
