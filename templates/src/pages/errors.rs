//! Error pages: what went wrong in words a person understands, never internal detail.

use maud::{Markup, html};

use crate::{PageCtx, layout, t, tf};

pub fn error_page(ctx: &PageCtx, status: u16, reference: Option<&str>, message: Option<&str>) -> Markup {
    let l = ctx.lang;
    let known = matches!(status, 400 | 403 | 404 | 405 | 413 | 500);
    let code = if known {
        status
    } else if status >= 500 {
        500
    } else {
        400
    };
    let title = t(l, &format!("error-{code}-title"));
    html! {
        (layout(ctx, &title, html! {
            @if let Some(message) = message {
                p { (t(l, message)) }
            } @else if code == 500 {
                p { (tf(l, "error-500", &[("reference", reference.unwrap_or("-"))])) }
            } @else {
                p { (t(l, &format!("error-{code}"))) }
            }
            p { a href="/" { (t(l, "error-back-home")) } }
        }))
    }
}
