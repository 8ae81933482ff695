//! The page layout: header with navigation for the user's roles, language switch, main, footer.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::{Lang, components, t};

/// What every page needs to know about the request: language, CSRF token, who is logged in.
#[derive(Debug, Clone, Default)]
pub struct PageCtx {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<NavUser>,
    /// An i18n message id shown once at the top of the page.
    pub flash: Option<String>,
    /// The path of this page, to come back to after switching language.
    pub path: String,
    /// Whether the development mailbox link is shown (never in production).
    pub dev_mail: bool,
}

#[derive(Debug, Clone, Default)]
pub struct NavUser {
    pub name: String,
    /// One link per role home (membership), already labelled.
    pub homes: Vec<NavLink>,
    pub can_manage_orgs: bool,
    pub can_manage_calls: bool,
    pub is_applicant: bool,
    pub is_panel_member: bool,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub label: String,
    pub href: String,
}

pub fn layout(ctx: &PageCtx, title: &str, body: Markup) -> Markup {
    let l = ctx.lang;
    let body = PreEscaped(crate::summary::complete(&body.0));
    let head_title = if crate::summary::has_errors(&body.0) {
        format!("{} {title}", t(l, "error-title-prefix"))
    } else {
        title.to_owned()
    };
    let other = match l {
        Lang::Lv => Lang::En,
        Lang::En => Lang::Lv,
    };
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (head_title) " — " (t(l, "app-name")) }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { (t(l, "skip-to-content")) }
                header.site {
                    a.brand href="/" { (t(l, "app-name")) }
                    // On a phone the links fold into a menu, so the header stays one line; on a
                    // wide screen they are always shown (see app.css).
                    details.menu {
                    summary { (t(l, "nav-menu")) }
                    nav aria-label=(t(l, "nav-roles")) {
                        ul {
                            @if let Some(user) = &ctx.user {
                                @for home in &user.homes {
                                    li { a href=(home.href) { (home.label) } }
                                }
                                li { a href="/calls" { (t(l, "nav-calls")) } }
                                @if user.can_manage_calls {
                                    li { a href="/manage/calls" { (t(l, "nav-manage-calls")) } }
                                    li { a href="/manage/projects" { (t(l, "nav-projects")) } }
                                }
                                @if user.is_panel_member {
                                    li { a href="/panel" { (t(l, "nav-panel")) } }
                                }
                                @if user.is_applicant {
                                    li { a href="/applications" { (t(l, "nav-applications")) } }
                                }
                                @if user.can_manage_orgs {
                                    li { a href="/admin/orgs" { (t(l, "nav-orgs")) } }
                                    li { a href="/admin/jobs" { (t(l, "nav-jobs")) } }
                                }
                                @if ctx.dev_mail {
                                    li { a href="/dev/mail" { (t(l, "nav-dev-mail")) } }
                                }
                                li { a href="/account/password" { (t(l, "nav-password")) } }
                                li {
                                    form.inline method="post" action="/logout" {
                                        (components::csrf(ctx))
                                        button.link type="submit" { (t(l, "nav-logout")) " (" (user.name) ")" }
                                    }
                                }
                            } @else {
                                li { a href="/calls" { (t(l, "nav-calls")) } }
                                li { a href="/login" { (t(l, "nav-login")) } }
                                li { a href="/register" { (t(l, "nav-register")) } }
                                @if ctx.dev_mail {
                                    li { a href="/dev/mail" { (t(l, "nav-dev-mail")) } }
                                }
                            }
                        }
                    }
                    }
                    form.inline.lang method="post" action="/lang" {
                        (components::csrf(ctx))
                        input type="hidden" name="lang" value=(other.code());
                        input type="hidden" name="next" value=(ctx.path);
                        // Named by its visible text ("English"), in the language it names.
                        button.link type="submit" lang=(other.code()) {
                            (t(l, "lang-switch"))
                        }
                    }
                }
                main #main {
                    @if let Some(flash) = &ctx.flash {
                        p.flash role="status" { (t(l, flash)) }
                    }
                    h1 { (title) }
                    (body)
                }
                footer.site { p { (t(l, "footer-text")) } }
            }
        }
    }
}
