//! The development mailbox: messages written as `.eml` files, listed outside production.

use maud::{Markup, html};

use crate::{PageCtx, layout, t, tf};

pub struct MailRow {
    pub file: String,
    pub to: String,
    pub subject: String,
}

pub fn mailbox(ctx: &PageCtx, dir: &str, rows: &[MailRow]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "mail-title"),
        html! {
            p { (tf(l, "mail-lead", &[("dir", dir)])) }
            @if rows.is_empty() {
                p.empty { (t(l, "mail-empty")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "field-email")) } th { (t(l, "mail-subject")) } } }
                    tbody {
                        @for row in rows {
                            tr {
                                td { (row.to) }
                                td { a href={ "/dev/mail/" (row.file) } { (row.subject) } }
                            }
                        }
                    }
                }
            }
        },
    )
}
