//! The statistics page: the support-plan indicators of one scope and period as tables, each
//! with a bar chart (SVG, labelled in text, so nothing depends on colour and the table is the
//! text alternative); withheld figures say so.

use maud::{Markup, html};

use crate::{Lang, PageCtx, layout, t, tf};

/// One row of a table: label, the figure as shown (or `None`, withheld), and its size for the
/// chart.
pub struct StatRow {
    pub label: String,
    pub shown: Option<String>,
    pub value: i64,
}

/// A titled table of rows, charted when `chart` is set.
pub struct StatTable {
    pub title: String,
    pub rows: Vec<StatRow>,
    pub chart: bool,
}

pub struct StatsView {
    pub scope_label: String,
    pub period_label: String,
    /// (href, label) of the periods to choose from.
    pub periods: Vec<(String, String)>,
    pub withheld: bool,
    pub tables: Vec<StatTable>,
    pub csv_href: String,
}

/// A horizontal bar chart of `rows`: each bar's label and figure are written beside it.
pub fn bar_chart(l: Lang, title: &str, rows: &[StatRow]) -> Markup {
    let max = rows
        .iter()
        .filter(|r| r.shown.is_some())
        .map(|r| r.value)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (220_i64, 300_i64, 26_i64);
    let height = row_h * i64::try_from(rows.len()).unwrap_or(0) + 4;
    let width = label_w + bar_w + 120;
    html! {
        svg.chart role="img" aria-label=(tf(l, "stats-chart-of", &[("title", title)])) viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) {
            title { (tf(l, "stats-chart-of", &[("title", title)])) }
            @for (i, row) in rows.iter().enumerate() {
                @let y = row_h * i64::try_from(i).unwrap_or(0) + 2;
                @let w = if row.shown.is_some() { row.value * bar_w / max } else { 0 };
                text x="0" y=(y + 17) font-size="13" { (row.label) }
                rect x=(label_w) y=(y + 4) width=(w) height="16" fill="currentColor" {}
                text x=(label_w + w + 6) y=(y + 17) font-size="13" { (row.shown.clone().unwrap_or_else(|| t(l, "stats-withheld-short"))) }
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
            p.org-name { strong { (v.scope_label) } " · " (v.period_label) }
            @if !v.periods.is_empty() {
                nav aria-label=(t(l, "field-semester")) {
                    ul.inline { @for (href, label) in &v.periods { li { a href=(href) { (label) } } } }
                }
            }
            p { a.button.secondary href=(v.csv_href) { (t(l, "stats-csv")) } }
            @if v.withheld {
                p.empty #withheld { (t(l, "stats-withheld")) }
            } @else {
                p.hint { (t(l, "stats-lead")) }
                @for table in &v.tables {
                    section {
                        h2 { (table.title) }
                        @if table.rows.is_empty() {
                            p.empty { (t(l, "stats-none")) }
                        } @else {
                            @if table.chart { (bar_chart(l, &table.title, &table.rows)) }
                            table {
                                tbody {
                                    @for row in &table.rows {
                                        tr { th scope="row" { (row.label) } td { (row.shown.clone().unwrap_or_else(|| t(l, "stats-withheld-short"))) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
