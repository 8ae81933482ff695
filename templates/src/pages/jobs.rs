//! The admin's page of background work: what waits, and what failed for good.

use maud::{Markup, html};

use crate::components::csrf;
use crate::{PageCtx, layout, t};

pub struct FailedRow {
    pub id: i64,
    pub event: String,
    pub recipient: String,
    pub attempts: i32,
    pub error: String,
    pub when: String,
}

pub fn jobs(ctx: &PageCtx, pending: &[(String, u64, String)], failed: &[FailedRow]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "jobs-title"),
        html! {
            h2 { (t(l, "jobs-pending")) }
            @if pending.is_empty() {
                p.empty { (t(l, "jobs-pending-none")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "jobs-kind")) } th { (t(l, "jobs-count")) } th { (t(l, "jobs-oldest")) } } }
                    tbody { @for (kind, n, oldest) in pending { tr { td { (kind) } td.num { (n) } td { (oldest) } } } }
                }
            }
            h2 { (t(l, "jobs-failed")) }
            @if failed.is_empty() {
                p.empty { (t(l, "jobs-failed-none")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "jobs-event")) } th { (t(l, "field-email")) } th { (t(l, "jobs-attempts")) } th { (t(l, "jobs-error")) } th { (t(l, "jobs-when")) } th {} } }
                    tbody { @for f in failed { tr {
                        td { (f.event) } td { (f.recipient) } td.num { (f.attempts) } td { (f.error) } td { (f.when) }
                        td { form.inline method="post" action={ "/admin/jobs/deliveries/" (f.id) "/retry" } { (csrf(ctx)) button.secondary type="submit" { (t(l, "jobs-retry")) } } }
                    } } }
                }
            }
        },
    )
}
