//! Statistics: the support-plan and grant indicators of a school, a municipality or the state
//! for a semester or a school year, as a page of tables with charts, each table as CSV, all of
//! them as one XLSX workbook, and as JSON for the state agency's tools (`/api/v1/stats`, with a
//! bearer token an administrator issued). Every form is built from the same tables, so an
//! export always holds what the page shows. Who may see which scope, and whether small groups
//! are withheld, is the policy's (`stats_view`, `client_stats_view`).

use std::convert::Infallible;
use std::io::{Seek, SeekFrom};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use entities::domain::{OrgKind, Role};
use entities::entity::{organisation, semester};
use entities::plans::queries;
use entities::policy::{self, Actor};
use entities::stats::{self, Grants, Indicators, PUPILS, Part, Period, Scope};
use serde::Deserialize;
use serde_json::{Value, json};
use templates::pages::plans::semester_label;
use templates::pages::stats::{self as pages, Column, Figure, StatRow, StatTable, StatsView, Unit};
use templates::{Lang, t, tf};

use crate::ctx::Signed;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats", get(page))
        .route("/stats.csv", get(csv))
        .route("/stats.xlsx", get(xlsx))
        .route("/api/v1/stats", get(api))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatsQuery {
    level: String,
    org: Option<i32>,
    semester: Option<i32>,
    year: Option<i32>,
    table: Option<String>,
}

impl StatsQuery {
    /// Whether the numbers are within the bounds the API documents (ids from 1, a school year
    /// from 2000 to 2100).
    fn in_bounds(&self) -> bool {
        self.org.is_none_or(|id| id >= 1)
            && self.semester.is_none_or(|id| id >= 1)
            && self.year.is_none_or(|y| (2000..=2100).contains(&y))
    }
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

/// Who asks: a signed-in person, or a tool with a token issued to an organisation.
enum Viewer<'a> {
    Person(&'a Actor),
    Client(&'a organisation::Model),
}

impl Viewer<'_> {
    /// The scope the viewer sees when none is named: their school, municipality, or the state.
    fn own_scope(&self) -> Option<Scope> {
        match self {
            Self::Person(actor) => {
                let grant = actor
                    .grants
                    .iter()
                    .find(|g| g.role.sees_pupil_data() || g.role == Role::Admin)?;
                Some(match grant.role {
                    Role::Director | Role::SupportStaff | Role::Accountant => Scope::School(grant.org.id),
                    Role::Coordinator => Scope::Municipality(grant.org.id),
                    _ => Scope::State,
                })
            }
            Self::Client(org) if org.kind == OrgKind::Municipality => Some(Scope::Municipality(org.id)),
            Self::Client(_) => Some(Scope::State),
        }
    }

    /// `None`: not theirs to see; `Some(inside)`: whether small groups are shown.
    fn view(&self, scope: Scope, org: Option<&organisation::Model>) -> Option<bool> {
        match self {
            Self::Person(actor) => actor.stats_view(scope, org),
            Self::Client(client) => policy::client_stats_view(client, scope, org),
        }
    }
}

fn scope_of(viewer: &Viewer<'_>, q: &StatsQuery) -> AppResult<Scope> {
    Ok(match (q.level.as_str(), q.org) {
        ("state", None) => Scope::State,
        ("municipality", Some(id)) => Scope::Municipality(id),
        ("school", Some(id)) => Scope::School(id),
        ("", None) => viewer.own_scope().ok_or(AppError::NotFound)?,
        _ => return Err(AppError::NotFound),
    })
}

/// The tables of one scope and period, as the viewer may see them.
struct Computed {
    scope: Scope,
    period: Period,
    view: StatsView,
}

async fn compute(state: &AppState, viewer: Viewer<'_>, l: Lang, q: &StatsQuery) -> AppResult<Computed> {
    let scope = scope_of(&viewer, q)?;
    let org = match scope {
        Scope::School(id) | Scope::Municipality(id) => Some(entities::orgs::get(&state.db, id).await?),
        Scope::State => None,
    };
    // The level names the kind of organisation: a municipality's id with level=school (or the
    // other way round) is no scope.
    let matches = match (scope, &org) {
        (Scope::School(_), Some(o)) => o.kind == OrgKind::School,
        (Scope::Municipality(_), Some(o)) => o.kind == OrgKind::Municipality,
        (Scope::State, None) => true,
        _ => false,
    };
    if !matches {
        return Err(AppError::NotFound);
    }
    let inside = viewer.view(scope, org.as_ref()).ok_or(AppError::NotFound)?;
    let semesters = queries::semesters(&state.db).await?;
    let period = match (q.semester, q.year) {
        (Some(id), _) if semesters.iter().any(|s| s.id == id) => Period::Semester(id),
        (_, Some(year)) if semesters.iter().any(|s| s.school_year == year) => Period::SchoolYear(year),
        (None, None) => semesters
            .first()
            .map(|s| Period::Semester(s.id))
            .ok_or(AppError::BadRequest("semesters-none"))?,
        _ => return Err(AppError::NotFound),
    };
    let figures = stats::indicators(&state.db, scope, period).await?;
    // The trend: up to twelve semesters (six school years) up to the period, oldest first.
    let last = match period {
        Period::Semester(id) => semesters.iter().position(|s| s.id == id),
        Period::SchoolYear(y) => semesters.iter().position(|s| s.school_year == y),
    }
    .unwrap_or(0);
    let trend_semesters: Vec<&semester::Model> = semesters.iter().skip(last).take(12).rev().collect();
    let ids: Vec<i32> = trend_semesters.iter().map(|s| s.id).collect();
    let trend = stats::trend(&state.db, scope, &ids).await?;
    // Outside the pupils' school, what may be shown is worked out for every scope at once.
    let (disclosure, trend_disclosure) = if inside {
        Default::default()
    } else {
        stats::disclosure(&state.db, period, &ids).await?
    };
    let shown = |scope: Scope, measure: &str| inside || disclosure.shown(scope, measure);
    let withheld = figures.withheld(inside) || !shown(scope, PUPILS);
    let parts = if withheld {
        Vec::new()
    } else {
        stats::breakdown(&state.db, scope, period).await?
    };
    let grants = match stats::days(&semesters, period) {
        Some(days) => stats::grants(&state.db, scope, days).await?,
        None => Vec::new(),
    };

    let mut tables = Vec::new();
    if !withheld {
        tables.extend(plan_tables(l, &figures, &|measure: &str, n: i64| {
            shown(scope, measure).then_some(n)
        }));
    }
    let trend_rows = trend_semesters
        .iter()
        .zip(&trend)
        .map(|(s, p)| {
            let seen = inside
                || p.pupils == 0
                || trend_disclosure
                    .iter()
                    .any(|(id, d)| *id == s.id && d.shown(scope, PUPILS));
            part_row(p.part.to_string(), semester_label(l, s), p, seen)
        })
        .collect();
    tables.push(parts_table(
        l,
        "trend",
        "stats-trend",
        "stats-semester",
        trend_rows,
        Some(1),
    ));
    if !parts.is_empty() {
        let (title, head) = match scope {
            Scope::State => ("stats-by-municipality", "stats-municipality"),
            _ => ("stats-by-school", "stats-school"),
        };
        let rows = parts
            .iter()
            .map(|(name, p)| {
                let seen = p.pupils == 0 || (inside || disclosure.part_shown(p.part));
                part_row(p.part.to_string(), name.clone(), p, seen)
            })
            .collect();
        tables.push(parts_table(l, "parts", title, head, rows, None));
    }
    if !matches!(scope, Scope::School(_)) {
        tables.extend(grant_tables(l, scope, &grants));
    }

    let mut years: Vec<i32> = semesters.iter().map(|s| s.school_year).collect();
    years.dedup();
    let periods = semesters
        .iter()
        .map(|s| (Period::Semester(s.id), semester_label(l, s)))
        .chain(years.into_iter().map(|y| (Period::SchoolYear(y), year_label(l, y))))
        .map(|(p, label)| (format!("/stats?{}", query_string(scope, p)), label))
        .collect();
    let view = StatsView {
        scope_label: org.map(|o| o.name).unwrap_or_else(|| t(l, "stats-state")),
        period_label: period_label(l, period, &semesters),
        periods,
        withheld,
        tables,
        query: query_string(scope, period),
    };
    Ok(Computed { scope, period, view })
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

fn column(l: Lang, key: &'static str, label: &str) -> Column {
    Column {
        key,
        label: t(l, label),
    }
}

fn row(key: impl Into<String>, label: String, cells: Vec<Figure>) -> StatRow {
    StatRow {
        key: key.into(),
        label,
        cells,
    }
}

/// A one-column table of `(key, label, figure)` rows.
fn single(l: Lang, key: &'static str, title: &str, rows: Vec<StatRow>, chart: bool) -> StatTable {
    StatTable {
        key,
        title: t(l, title),
        head: t(l, "stats-indicator"),
        columns: vec![column(l, "value", "stats-value")],
        rows,
        chart: chart.then_some(0),
    }
}

/// The support-plan tables of the period; `shown` gives a count of pupils (by its measure, see
/// `stats::Disclosure`) as it may be shown.
fn plan_tables(l: Lang, f: &Indicators, shown: &dyn Fn(&str, i64) -> Option<i64>) -> Vec<StatTable> {
    let pupils = |key: &'static str, measure: &str, n: i64| {
        let mut figure = Figure::count(shown(measure, n));
        figure.share_of = Some(f.pupils);
        row(key, t(l, &format!("stats-{key}")), vec![figure])
    };
    let coded = |prefix: &str, pairs: &[(String, i64)], figure: &dyn Fn(i64) -> Figure| -> Vec<StatRow> {
        pairs
            .iter()
            .map(|(k, n)| row(k.clone(), t(l, &format!("{prefix}{k}")), vec![figure(*n)]))
            .collect()
    };
    vec![
        single(
            l,
            "pupils",
            "stats-plans-pupils",
            vec![
                row("plans", t(l, "stats-plans"), vec![Figure::count(Some(f.plans))]),
                row(
                    "pupils",
                    t(l, "stats-pupils"),
                    vec![Figure::count(shown(PUPILS, f.pupils))],
                ),
                pupils("consultations-only", "10", f.consultations_only),
                pupils("compensations-only", "01", f.compensations_only),
                pupils("both", "11", f.both),
                pupils("neither", "00", f.neither),
            ],
            false,
        ),
        single(
            l,
            "categories",
            "stats-by-category",
            coded("category-", &f.cents_by_category, &|c| Figure::cents(Some(c))),
            true,
        ),
        single(
            l,
            "specialists",
            "stats-by-specialist",
            coded("specialist-", &f.minutes_by_specialist, &|m| Figure::minutes(Some(m))),
            true,
        ),
        single(
            l,
            "other",
            "stats-other",
            vec![
                row(
                    "indirect",
                    t(l, "stats-indirect"),
                    vec![Figure::minutes(Some(f.indirect_minutes))],
                ),
                row(
                    "unpaid",
                    t(l, "stats-unpaid"),
                    vec![Figure::cents(Some(f.unpaid_cents))],
                ),
            ],
            false,
        ),
        single(
            l,
            "groups",
            "stats-by-group",
            coded("stats-group-", &f.measures_by_group, &|n| Figure::count(Some(n))),
            true,
        ),
        single(
            l,
            "outcomes",
            "stats-outcomes",
            f.outcomes
                .iter()
                .map(|(k, n)| {
                    let figure = Figure::count(shown(&format!("outcome:{k}"), *n));
                    row(k.clone(), t(l, &format!("outcome-{k}")), vec![figure])
                })
                .collect(),
            true,
        ),
    ]
}

/// A row of plans, pupils and euros, all withheld unless `shown`.
fn part_row(key: String, label: String, p: &Part, shown: bool) -> StatRow {
    let keep = |v: i64| shown.then_some(v);
    row(
        key,
        label,
        vec![
            Figure::count(keep(p.plans)),
            Figure::count(keep(p.pupils)),
            Figure::cents(keep(p.cents)),
        ],
    )
}

fn parts_table(
    l: Lang,
    key: &'static str,
    title: &str,
    head: &str,
    rows: Vec<StatRow>,
    chart: Option<usize>,
) -> StatTable {
    StatTable {
        key,
        title: t(l, title),
        head: t(l, head),
        columns: vec![
            column(l, "plans", "stats-plans"),
            column(l, "pupils", "stats-pupils"),
            column(l, "euros", "stats-euros"),
        ],
        rows,
        chart,
    }
}

fn grant_cells(g: &Grants) -> Vec<Figure> {
    vec![
        Figure::count(Some(g.calls)),
        Figure::count(Some(g.applications)),
        Figure::cents(Some(g.requested_cents)),
        Figure::count(Some(g.funded)),
        Figure::cents(Some(g.granted_cents)),
        Figure::cents(Some(g.paid_cents)),
        Figure::cents(Some(g.returned_cents)),
        Figure::count(Some(g.pupils_reached)),
    ]
}

/// The grant tables: the totals, and at state level a row per municipality.
fn grant_tables(l: Lang, scope: Scope, grants: &[Grants]) -> Vec<StatTable> {
    let keys = [
        ("calls", "stats-calls"),
        ("applications", "stats-applications"),
        ("requested", "stats-requested"),
        ("funded", "stats-funded"),
        ("granted", "stats-granted"),
        ("paid", "stats-paid"),
        ("returned", "stats-returned"),
        ("pupils_reached", "stats-pupils-reached"),
    ];
    let total = grant_cells(&Grants::total(grants));
    let totals = keys
        .iter()
        .zip(total)
        .map(|((key, label), f)| row(*key, t(l, label), vec![f]))
        .collect();
    let mut tables = vec![single(l, "grants", "stats-grants", totals, false)];
    if scope == Scope::State && !grants.is_empty() {
        tables.push(StatTable {
            key: "grants-by-municipality",
            title: t(l, "stats-grants-by-municipality"),
            head: t(l, "stats-grant-municipality"),
            columns: keys.iter().map(|(key, label)| column(l, key, label)).collect(),
            rows: grants
                .iter()
                .map(|g| row(g.municipality_id.to_string(), g.name.clone(), grant_cells(g)))
                .collect(),
            chart: Some(4),
        });
    }
    tables
}

async fn page(State(state): State<AppState>, signed: Signed, Query(q): Query<StatsQuery>) -> AppResult<Response> {
    let c = compute(&state, Viewer::Person(&signed.actor), signed.ctx.lang, &q).await?;
    Ok(pages::stats(&signed.ctx.page(), &c.view).into_response())
}

/// A sheet's name from a table's title: without the characters a sheet name cannot have (a
/// slash becomes a dash), cut
/// to Excel's 31 characters at a word boundary.
fn sheet_name(title: &str) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !"[]:*?".contains(*c))
        .map(|c| if c == '/' || c == '\\' { '-' } else { c })
        .collect();
    let mut name = String::new();
    for word in clean.split_whitespace() {
        let longer = if name.is_empty() {
            word.to_owned()
        } else {
            format!("{name} {word}")
        };
        if longer.chars().count() > 31 {
            break;
        }
        name = longer;
    }
    if name.is_empty() {
        clean.chars().take(31).collect()
    } else {
        name
    }
}

/// A download's headers.
/// One table as CSV (`;`, decimal comma, plain numbers, withheld figures said so), written to
/// the response row by row.
async fn csv(State(state): State<AppState>, signed: Signed, Query(q): Query<StatsQuery>) -> AppResult<Response> {
    let c = compute(&state, Viewer::Person(&signed.actor), signed.ctx.lang, &q).await?;
    let key = q.table.as_deref().unwrap_or("pupils");
    let withheld = t(signed.ctx.lang, "stats-withheld-short");
    let table = c
        .view
        .tables
        .into_iter()
        .find(|t| t.key == key)
        .ok_or(AppError::NotFound)?;
    let header: Vec<String> = std::iter::once(table.head.clone())
        .chain(table.columns.iter().map(|c| c.label.clone()))
        .collect();
    let lines =
        std::iter::once(format!("\u{feff}{}", crate::csv::line(&header))).chain(table.rows.into_iter().map(move |r| {
            let cells: Vec<String> = std::iter::once(r.label)
                .chain(
                    r.cells
                        .iter()
                        .map(|f| f.plain().map_or_else(|| withheld.clone(), |p| p.replace('.', ","))),
                )
                .collect();
            crate::csv::line(&cells)
        }));
    let body = Body::from_stream(futures_util::stream::iter(
        lines.map(|line| Ok::<_, Infallible>(Bytes::from(line))),
    ));
    let name = format!("statistika-{key}-{}.csv", file_stem(c.scope, c.period));
    Ok(crate::csv::attachment("text/csv; charset=utf-8", &name, body))
}

fn file_stem(scope: Scope, period: Period) -> String {
    let scope = match scope {
        Scope::State => "valsts".to_owned(),
        Scope::Municipality(id) | Scope::School(id) => id.to_string(),
    };
    match period {
        Period::Semester(id) => format!("{scope}-s{id}"),
        Period::SchoolYear(y) => format!("{scope}-{y}"),
    }
}

/// Every table as a sheet of one workbook. The sheets are written in constant-memory mode to
/// a temporary file, which is then streamed to the response in chunks.
async fn xlsx(State(state): State<AppState>, signed: Signed, Query(q): Query<StatsQuery>) -> AppResult<Response> {
    let l = signed.ctx.lang;
    let c = compute(&state, Viewer::Person(&signed.actor), l, &q).await?;
    let level = match c.scope {
        Scope::State => "stats-level-state",
        Scope::Municipality(_) => "stats-level-municipality",
        Scope::School(_) => "stats-level-school",
    };
    // The first sheet says what the workbook describes: level, place, period, when it was made.
    let about = About {
        name: t(l, "stats-about-sheet"),
        rows: vec![
            (t(l, "stats-about-level"), t(l, level)),
            (t(l, "stats-about-place"), c.view.scope_label.clone()),
            (t(l, "stats-about-period"), c.view.period_label.clone()),
            (t(l, "stats-about-made"), templates::view::riga(state.now())),
            (t(l, "stats-about-withheld"), t(l, "stats-about-withheld-note")),
        ],
    };
    let tables = c.view.tables;
    let withheld = t(l, "stats-withheld-short");
    let file = tokio::task::spawn_blocking(move || workbook(&about, &tables, &withheld))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    let name = format!("statistika-{}.xlsx", file_stem(c.scope, c.period));
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(crate::csv::attachment(kind, &name, crate::csv::file_body(file)))
}

#[derive(Debug, thiserror::Error)]
enum SheetError {
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The workbook's first sheet: its name and (label, value) lines.
struct About {
    name: String,
    rows: Vec<(String, String)>,
}

/// The workbook of `tables` after the sheet describing it, in an anonymous temporary file,
/// positioned at its start.
fn workbook(about: &About, tables: &[StatTable], withheld: &str) -> Result<std::fs::File, SheetError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name(&about.name))?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 60)?;
    for (r, (label, value)) in (0_u32..).zip(&about.rows) {
        sheet.write_string_with_format(r, 0, label, &bold)?;
        sheet.write_string(r, 1, value)?;
    }
    let euros = Format::new().set_num_format("#,##0.00 \"€\"");
    let hours = Format::new().set_num_format("0.00");
    for table in tables {
        let sheet = book.add_worksheet_with_constant_memory()?;
        let name = sheet_name(&table.title);
        if sheet.set_name(&name).is_err() {
            sheet.set_name(table.key)?;
        }
        sheet.set_column_width(0, 40)?;
        sheet.write_string_with_format(0, 0, &table.head, &bold)?;
        for (c, col) in (1_u16..).zip(&table.columns) {
            sheet.set_column_width(c, 16)?;
            sheet.write_string_with_format(0, c, &col.label, &bold)?;
        }
        for (r, row) in (1_u32..).zip(&table.rows) {
            sheet.write_string(r, 0, &row.label)?;
            for (c, figure) in (1_u16..).zip(&row.cells) {
                let Some(number) = figure.number() else {
                    sheet.write_string(r, c, withheld)?;
                    continue;
                };
                match figure.unit {
                    Unit::Count => sheet.write_number(r, c, number)?,
                    Unit::Cents => sheet.write_number_with_format(r, c, number, &euros)?,
                    Unit::Minutes => sheet.write_number_with_format(r, c, number, &hours)?,
                };
            }
        }
    }
    let mut file = tempfile::tempfile()?;
    book.save_to_writer(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

/// `GET /api/v1/stats`: the same tables as JSON for a tool holding a token an administrator
/// issued (`Authorization: Bearer …`). Counts are integers, money a decimal string, time in
/// minutes; withheld figures are `null`.
async fn api(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let client = match entities::api_tokens::client(&state.db, presented, state.now()).await {
        Ok(Some(org)) => org,
        Ok(None) => {
            let mut r = crate::api::public_json(
                StatusCode::UNAUTHORIZED,
                json!({ "error": "unauthorized", "message": "A valid bearer token is required." }),
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            return r;
        }
        Err(e) => return crate::api::internal(e),
    };
    let Some(Query(q)) = query.ok().filter(|Query(q)| q.in_bounds()) else {
        return crate::api::public_json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "bad_request", "message": "level is school, municipality or state; org and semester are whole numbers from 1, year one from 2000 to 2100." }),
        );
    };
    let c = match compute(&state, Viewer::Client(&client), Lang::Lv, &q).await {
        Ok(c) => c,
        Err(AppError::NotFound) => {
            return crate::api::public_json(
                StatusCode::NOT_FOUND,
                json!({ "error": "not_found", "message": "No such scope or period, or not this token's to see." }),
            );
        }
        Err(AppError::BadRequest(_)) => {
            return crate::api::public_json(
                StatusCode::NOT_FOUND,
                json!({ "error": "not_found", "message": "There are no semesters yet." }),
            );
        }
        Err(e) => return crate::api::internal(e),
    };
    let (level, organisation) = match c.scope {
        Scope::State => ("state", Value::Null),
        Scope::Municipality(id) => ("municipality", json!(id)),
        Scope::School(id) => ("school", json!(id)),
    };
    let period = match c.period {
        Period::Semester(id) => json!({ "semester": id }),
        Period::SchoolYear(y) => json!({ "school_year": y }),
    };
    let tables: Vec<Value> = c.view.tables.iter().map(table_json).collect();
    crate::api::public_json(
        StatusCode::OK,
        json!({
            "level": level,
            "organisation": organisation,
            "name": c.view.scope_label,
            "period": period,
            "period_label": c.view.period_label,
            "withheld": c.view.withheld,
            "tables": tables,
        }),
    )
}

fn unit(f: &Figure) -> &'static str {
    match f.unit {
        Unit::Count => "count",
        Unit::Cents => "eur",
        Unit::Minutes => "minutes",
    }
}

fn figure_json(f: &Figure) -> Value {
    match (f.value, f.unit) {
        (None, _) => Value::Null,
        (Some(v), Unit::Count | Unit::Minutes) => json!(v),
        (Some(_), Unit::Cents) => json!(f.plain()),
    }
}

fn table_json(table: &StatTable) -> Value {
    let columns: Vec<Value> = table
        .columns
        .iter()
        .map(|c| json!({ "key": c.key, "label": c.label }))
        .collect();
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|r| {
            json!({
                "key": r.key,
                "label": r.label,
                "values": r.cells.iter().map(figure_json).collect::<Vec<_>>(),
                "units": r.cells.iter().map(unit).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "key": table.key, "title": table.title, "columns": columns, "rows": rows })
}

#[cfg(test)]
mod sheet_tests {
    #[test]
    fn sheet_names_are_cut_at_a_word_boundary_without_forbidden_characters() {
        assert_eq!(
            super::sheet_name("Skolēni pēc riska grupām un semestriem"),
            "Skolēni pēc riska grupām un"
        );
        assert_eq!(super::sheet_name("Plāni: 2026/2027"), "Plāni 2026-2027");
        assert_eq!(
            super::sheet_name(&"Garš".repeat(20)),
            "Garš".repeat(20).chars().take(31).collect::<String>()
        );
        assert!(
            super::sheet_name("Skolēni pēc riska grupām un semestriem")
                .chars()
                .count()
                <= 31
        );
    }
}
