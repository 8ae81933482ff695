//! The printable minutes of a panel: members, recusals, scores and the decision, and each
//! application's answers to the call's own questions.

use maud::{Markup, html};

use crate::pages::decisions::ResultsView;
use crate::{PageCtx, layout, t};

/// `answers`: for each application in the ranking (its number and title), the call's questions
/// with its answers; empty when the call asks none.
pub fn minutes(
    ctx: &PageCtx,
    v: &ResultsView,
    members: &[(String, bool)],
    recusals: &[(String, String)],
    answers: &[(String, Vec<(String, String)>)],
) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &format!("{} — {}", t(l, "minutes-title"), v.call_title),
        html! {
            section.minutes {
                dl {
                    dt { (t(l, "call-status")) } dd { (v.status) }
                    dt { (t(l, "call-budget")) } dd { (v.budget) }
                    dt { (t(l, "results-funded-total")) } dd { (v.funded_total) }
                }
                h2 { (t(l, "manage-panel-members")) }
                ul { @for (name, chair) in members { li { (name) @if *chair { " — " (t(l, "manage-panel-chair")) } } } }
                h2 { (t(l, "manage-panel-recused")) }
                @if recusals.is_empty() { p { (t(l, "minutes-no-recusals")) } }
                ul { @for (name, reference) in recusals { li { (name) ": " (reference) } } }
                h2 { (t(l, "results-title")) }
                p.hint { (t(l, "results-rules")) }
                table {
                    thead { tr { th { "#" } th { (t(l, "application-reference")) } th { (t(l, "field-applicant")) } th { (t(l, "application-title")) } th { (t(l, "results-cards")) } th { (t(l, "results-mean")) } th { (t(l, "results-median")) } th { (t(l, "results-spread")) } th { (t(l, "results-outcome")) } } }
                    tbody { @for r in &v.rows { tr {
                        td.num { (r.rank) } td { (r.reference) } td { (r.applicant) } td { (r.title) }
                        td.num { (r.cards) } td.num { (r.mean) } td.num { (r.median) } td.num { (r.spread) } td { (r.outcome) }
                    } } }
                }
                p.signatures { (t(l, "minutes-signatures")) }
                @if !answers.is_empty() {
                    h2 { (t(l, "call-form-answers")) }
                    @for (application, rows) in answers {
                        h3 { (application) }
                        dl { @for (q, a) in rows { dt { (q) } dd.pre { (a) } } }
                    }
                }
            }
        },
    )
}
