//! The statistics page: indicators of one scope and period as tables, some with a bar chart
//! (SVG, every bar labelled in text, so nothing depends on colour; the table is the text
//! alternative). Withheld figures say so. The same tables are the CSV, XLSX and JSON exports,
//! so every figure has a plain form for machines beside the form shown to people.

use maud::{Markup, html};
use rust_decimal::Decimal;

use entities::money::Eur;

use crate::{Lang, PageCtx, layout, t, tf};

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Cents,
    Minutes,
}

/// One figure: its value (`None`: withheld), its unit, and, for a count of pupils shown with
/// its share, the whole it is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub value: Option<i64>,
    pub unit: Unit,
    pub share_of: Option<i64>,
}

impl Figure {
    pub fn count(value: Option<i64>) -> Self {
        Self {
            value,
            unit: Unit::Count,
            share_of: None,
        }
    }

    pub fn cents(value: Option<i64>) -> Self {
        Self {
            value,
            unit: Unit::Cents,
            share_of: None,
        }
    }

    pub fn minutes(value: Option<i64>) -> Self {
        Self {
            value,
            unit: Unit::Minutes,
            share_of: None,
        }
    }

    /// As people read it: `2 (40 %)`, `1 200,00 €`, `1,9 h`, or "withheld".
    pub fn shown(&self, l: Lang) -> String {
        let Some(v) = self.value else {
            return t(l, "stats-withheld-short");
        };
        match (self.unit, self.share_of) {
            (Unit::Count, Some(whole)) if whole > 0 => format!("{} ({} %)", crate::view::count(l, v), v * 100 / whole),
            (Unit::Count, _) => crate::view::count(l, v),
            (Unit::Cents, _) => Eur::from_cents(v).display(l),
            (Unit::Minutes, _) => format!(
                "{} h",
                crate::pages::plans::hours(l, i32::try_from(v).unwrap_or(i32::MAX))
            ),
        }
    }

    /// As a machine reads it, with a decimal point: `2`, `1200.00`, hours `1.92`; `None` when
    /// withheld.
    pub fn plain(&self) -> Option<String> {
        let v = self.value?;
        Some(match self.unit {
            Unit::Count => v.to_string(),
            Unit::Cents => Eur::from_cents(v).to_plain(),
            Unit::Minutes => (Decimal::from(v) / Decimal::from(60)).round_dp(2).to_string(),
        })
    }

    /// The figure as a spreadsheet number: a count, euros, or hours.
    pub fn number(&self) -> Option<f64> {
        use rust_decimal::prelude::ToPrimitive;
        let v = Decimal::from(self.value?);
        match self.unit {
            Unit::Count => v,
            Unit::Cents => v / Decimal::ONE_HUNDRED,
            Unit::Minutes => (v / Decimal::from(60)).round_dp(2),
        }
        .to_f64()
    }
}

/// One row: a stable key (a code, a semester's or an organisation's id), its label, and a
/// figure per column.
pub struct StatRow {
    pub key: String,
    pub label: String,
    pub cells: Vec<Figure>,
}

/// A column: a stable key and its heading.
pub struct Column {
    pub key: &'static str,
    pub label: String,
}

/// A titled table; `chart` names the column drawn as bars, if any.
pub struct StatTable {
    pub key: &'static str,
    pub title: String,
    /// The heading of the rows' labels.
    pub head: String,
    pub columns: Vec<Column>,
    pub rows: Vec<StatRow>,
    pub chart: Option<usize>,
}

pub struct StatsView {
    pub scope_label: String,
    pub period_label: String,
    /// (href, label) of the periods to choose from.
    pub periods: Vec<(String, String)>,
    /// The period's pupil figures are withheld (a small scope, seen from outside).
    pub withheld: bool,
    pub tables: Vec<StatTable>,
    /// The query string naming the scope and period, for the export links.
    pub query: String,
}

/// A horizontal bar chart of column `col` of `table`: each bar under its label, its figure
/// beside it. Drawn 340 units wide, so on a phone it keeps its natural size and its labels
/// stay readable.
pub fn bar_chart(l: Lang, table: &StatTable, col: usize) -> Markup {
    let figure = |row: &StatRow| row.cells.get(col).copied().unwrap_or(Figure::count(None));
    let max = table
        .rows
        .iter()
        .filter_map(|r| figure(r).value)
        .max()
        .unwrap_or(0)
        .max(1);
    let (width, bar_w, row_h) = (340_i64, 215_i64, 40_i64);
    let height = row_h * i64::try_from(table.rows.len()).unwrap_or(0) + 4;
    let title = match table.columns.get(col) {
        Some(c) if table.columns.len() > 1 => format!("{} — {}", table.title, c.label),
        _ => table.title.clone(),
    };
    let title = tf(l, "stats-chart-of", &[("title", &title)]);
    html! {
        svg.chart role="img" aria-label=(title) viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) {
            title { (title) }
            @for (i, row) in table.rows.iter().enumerate() {
                @let y = row_h * i64::try_from(i).unwrap_or(0) + 2;
                @let f = figure(row);
                @let w = f.value.unwrap_or(0) * bar_w / max;
                text x="0" y=(y + 14) font-size="14" { (row.label) }
                rect x="0" y=(y + 20) width=(w) height="14" fill="currentColor" {}
                text x=(w + 6) y=(y + 32) font-size="14" { (f.shown(l)) }
            }
        }
    }
}

fn stat_table(l: Lang, table: &StatTable, query: &str) -> Markup {
    html! {
        section id={ "table-" (table.key) } {
            h2 { (table.title) }
            @if table.rows.is_empty() {
                p.empty { (t(l, "stats-none")) }
            } @else {
                @if let Some(col) = table.chart { (bar_chart(l, table, col)) }
                div.table-scroll {
                    // A label and one or two figures fit a phone; wider tables become cards.
                    table.stack[table.columns.len() > 2] {
                        thead {
                            tr {
                                th scope="col" { (table.head) }
                                @for c in &table.columns { th scope="col" { (c.label) } }
                            }
                        }
                        tbody {
                            @for row in &table.rows {
                                tr {
                                    th scope="row" { (row.label) }
                                    @for (c, f) in table.columns.iter().zip(&row.cells) {
                                        td.num data-label=(c.label) data-value=[f.plain()] { (f.shown(l)) }
                                    }
                                }
                            }
                        }
                    }
                }
                p { a.export href={ "/stats.csv?" (query) "&table=" (table.key) } { (tf(l, "stats-csv-of", &[("title", &table.title)])) } }
            }
        }
    }
}

pub fn stats(ctx: &PageCtx, v: &StatsView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "stats-title"),
        html! {
            p.org-name { strong.scope-label { (v.scope_label) } " · " span.period-label { (v.period_label) } }
            @if !v.periods.is_empty() {
                nav aria-label=(t(l, "field-semester")) {
                    @let current = format!("/stats?{}", v.query);
                    ul.inline {
                        @for (href, label) in &v.periods {
                            li { a href=(href) aria-current=[(*href == current).then_some("page")] { (label) } }
                        }
                    }
                }
            }
            p { a.button.secondary href={ "/stats.xlsx?" (v.query) } { (t(l, "stats-xlsx")) } }
            p.hint { (t(l, "stats-lead")) }
            @if v.withheld {
                p.empty #withheld { (t(l, "stats-withheld")) }
            }
            @for table in &v.tables { (stat_table(l, table, &v.query)) }
        },
    )
}
