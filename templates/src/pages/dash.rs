//! Home pages: one per role, and a chooser for people with several roles.

use entities::domain::Role;
use maud::{Markup, html};

use crate::{NavLink, PageCtx, layout, t};

pub fn chooser(ctx: &PageCtx, homes: &[NavLink]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "home-title"),
        html! {
            @if homes.is_empty() {
                p.empty { (t(l, "home-no-roles")) }
            } @else {
                p { (t(l, "home-choose")) }
                ul.cards {
                    @for home in homes { li { a href=(home.href) { (home.label) } } }
                }
            }
        },
    )
}

pub struct DashView {
    pub role: Role,
    pub org_name: String,
    pub org_href: Option<String>,
    /// (i18n label id, number)
    pub counts: Vec<(&'static str, u64)>,
    /// Organisations under this one that the role works with.
    pub children: Vec<NavLink>,
    /// The role's work pages (support plans, funding, semesters …), already labelled.
    pub links: Vec<NavLink>,
}

pub fn dashboard(ctx: &PageCtx, view: &DashView) -> Markup {
    let l = ctx.lang;
    let role = view.role.as_str();
    layout(
        ctx,
        &t(l, &format!("dash-{role}")),
        html! {
            p.org-name { strong { (view.org_name) } " · " (t(l, &format!("role-{role}"))) }
            p.lead { (t(l, &format!("dash-{role}-lead"))) }
            @if !view.links.is_empty() {
                ul.cards {
                    @for link in &view.links { li { a href=(link.href) { (link.label) } } }
                }
            }
            @if !view.counts.is_empty() {
                ul.stats {
                    @for (label, n) in &view.counts {
                        li { span.number { (n) } " " span { (t(l, label)) } }
                    }
                }
            }
            @if !view.children.is_empty() {
                h2 { (t(l, "org-children")) }
                ul {
                    @for child in &view.children { li { a href=(child.href) { (child.label) } } }
                }
            }
            @if let Some(href) = &view.org_href {
                p { a.button href=(href) { (t(l, "dash-open-org")) } }
            }
            @if view.counts.is_empty() && view.children.is_empty() && view.links.is_empty() {
                p.empty { (t(l, "dash-nothing-yet")) }
            }
        },
    )
}
