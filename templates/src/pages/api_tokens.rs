//! The administrator's API tokens: who holds one, when it was last used, revoking one, and
//! issuing a new one (shown once).

use entities::entity::{api_token, organisation};
use maud::{Markup, html};

use crate::components::{FormView, confirmed_action, csrf, error_summary, field, select};
use crate::{PageCtx, layout, t};

pub struct TokensView<'a> {
    pub tokens: &'a [(api_token::Model, String)],
    /// Who a token may be issued to: the state agency and the municipalities.
    pub orgs: &'a [organisation::Model],
    /// A token just issued: shown this once.
    pub issued: Option<&'a str>,
    pub form: &'a FormView,
}

pub fn tokens(ctx: &PageCtx, v: &TokensView<'_>) -> Markup {
    let l = ctx.lang;
    let orgs: Vec<(String, String)> = v.orgs.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
    layout(
        ctx,
        &t(l, "tokens-title"),
        html! {
            p { (t(l, "tokens-lead")) " " a href="/api/v1/openapi.json" { "OpenAPI" } }
            @if let Some(token) = v.issued {
                section.notice #issued-token {
                    h2 { (t(l, "tokens-issued")) }
                    p { (t(l, "tokens-issued-once")) }
                    p { code { (token) } }
                }
            }
            @if v.tokens.is_empty() { p.empty { (t(l, "tokens-none")) } }
            @else {
                table {
                    thead { tr { th { (t(l, "token-name")) } th { (t(l, "token-org")) } th { (t(l, "token-created")) } th { (t(l, "token-used")) } th { span.visually-hidden { (t(l, "table-actions")) } } } }
                    tbody {
                        @for (token, org) in v.tokens {
                            tr {
                                td { (token.name) }
                                td { (org) }
                                td { (crate::view::riga(token.created_at)) }
                                td { @if let Some(at) = token.last_used_at { (crate::view::riga(at)) } @else { "—" } }
                                td {
                                    @if let Some(at) = token.revoked_at {
                                        (t(l, "token-revoked")) " " (crate::view::riga(at))
                                    } @else {
                                        (confirmed_action(ctx, &format!("/admin/api-tokens/{}/revoke", token.id), token.id, "token-revoke-confirm", "token-revoke"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (t(l, "tokens-new")) }
            (error_summary(l, v.form))
            form method="post" action="/admin/api-tokens" novalidate {
                (csrf(ctx))
                (field(l, v.form, "name", "token-name", crate::components::Input { hint: Some("token-name-hint"), ..crate::components::Input::TEXT }))
                (select(l, v.form, "org", "token-org", &orgs))
                button type="submit" { (t(l, "tokens-issue")) }
            }
        },
    )
}
