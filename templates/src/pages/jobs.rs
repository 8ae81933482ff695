//! The admin's page of background work: the queues, what waits for the relay, and what failed
//! for good (jobs and email deliveries), each with a retry.

use entities::outbox::QueueDepth;
use maud::{Markup, html};

use crate::components::{ListView, csrf, list_pager, list_tools};
use crate::{PageCtx, layout, t};

pub struct FailedRow {
    pub id: i64,
    pub event: String,
    pub recipient: String,
    pub attempts: i32,
    pub error: String,
    pub when: String,
}

/// A job that failed for good.
pub struct FailedJobRow {
    pub id: String,
    pub queue: String,
    pub attempts: i32,
    pub error: String,
    pub when: String,
}

pub fn jobs(
    ctx: &PageCtx,
    queues: &[QueueDepth],
    failed_jobs: &[FailedJobRow],
    pending: &[(String, u64, String)],
    failed: &[FailedRow],
    list: &ListView,
) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "jobs-title"),
        html! {
            @if !failed_jobs.is_empty() || !failed.is_empty() {
                form method="post" action="/admin/jobs/retry-all" {
                    (csrf(ctx))
                    p { (t(l, "jobs-retry-all-lead")) " " button type="submit" { (t(l, "jobs-retry-all")) } }
                }
            }
            h2 { (t(l, "jobs-queues")) }
            table {
                thead { tr {
                    th { (t(l, "jobs-queue")) } th.num { (t(l, "jobs-ready")) } th.num { (t(l, "jobs-scheduled")) }
                    th.num { (t(l, "jobs-running")) } th.num { (t(l, "jobs-done")) } th.num { (t(l, "jobs-failed-count")) }
                } }
                tbody { @for q in queues { tr {
                    td { (q.queue) } td.num { (q.ready) } td.num { (q.scheduled) } td.num { (q.running) } td.num { (q.done) } td.num { (q.failed) }
                } } }
            }
            h2 { (t(l, "jobs-failed-jobs")) }
            @if failed_jobs.is_empty() {
                p.empty { (t(l, "jobs-failed-jobs-none")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "jobs-queue")) } th { (t(l, "jobs-attempts")) } th { (t(l, "jobs-error")) } th { (t(l, "jobs-when")) } th { span.visually-hidden { (t(l, "table-actions")) } } } }
                    tbody { @for j in failed_jobs { tr {
                        td { (j.queue) } td.num { (j.attempts) } td { (j.error) } td { (j.when) }
                        td { form.inline method="post" action={ "/admin/jobs/queue/" (j.id) "/retry" } { (csrf(ctx)) button.secondary type="submit" { (t(l, "jobs-retry")) } } }
                    } } }
                }
            }
            h2 { (t(l, "jobs-pending")) }
            @if pending.is_empty() {
                p.empty { (t(l, "jobs-pending-none")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "jobs-kind")) } th { (t(l, "jobs-count")) } th { (t(l, "jobs-oldest")) } } }
                    tbody { @for (kind, n, oldest) in pending { tr { td { (kind) } td.num { (n) } td { (oldest) } } } }
                }
            }
            h2 #failed-deliveries { (t(l, "jobs-failed")) }
            @if list.total > 0 || !list.search.is_empty() { (list_tools(l, list, "list-search-deliveries", html! {})) }
            @if failed.is_empty() {
                p.empty { (t(l, if list.search.is_empty() { "jobs-failed-none" } else { "list-none-found" })) }
            } @else {
                table {
                    thead { tr { th { (t(l, "jobs-event")) } th { (t(l, "field-email")) } th { (t(l, "jobs-attempts")) } th { (t(l, "jobs-error")) } th { (t(l, "jobs-when")) } th { span.visually-hidden { (t(l, "table-actions")) } } } }
                    tbody { @for f in failed { tr {
                        td { (f.event) } td { (f.recipient) } td.num { (f.attempts) } td { (f.error) } td { (f.when) }
                        td { form.inline method="post" action={ "/admin/jobs/deliveries/" (f.id) "/retry" } { (csrf(ctx)) button.secondary type="submit" { (t(l, "jobs-retry")) } } }
                    } } }
                }
                (list_pager(l, list))
            }
        },
    )
}
