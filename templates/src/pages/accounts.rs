//! Registration, confirmation, login, password reset and change, invitations.

use maud::{Markup, html};

use crate::components::{FormView, Input, csrf, error_summary, field, select};
use crate::{Lang, PageCtx, layout, t, tf};

const EMAIL: Input<'static> = Input {
    kind: "email",
    autocomplete: "email",
    hint: None,
    required: true,
};
const NEW_PASSWORD: Input<'static> = Input {
    kind: "password",
    autocomplete: "new-password",
    hint: Some("field-password-hint"),
    required: true,
};
const CONFIRM_PASSWORD: Input<'static> = Input {
    kind: "password",
    autocomplete: "new-password",
    hint: None,
    required: true,
};
const NAME: Input<'static> = Input {
    kind: "text",
    autocomplete: "name",
    hint: None,
    required: true,
};

fn lang_options(lang: Lang) -> Vec<(String, String)> {
    let _ = lang;
    vec![("lv".into(), "Latviešu".into()), ("en".into(), "English".into())]
}

/// An open call as the landing page lists it: title, municipality, deadline (with time left), link.
pub struct OpenCall {
    pub title: String,
    pub municipality: String,
    pub deadline: String,
    pub href: String,
}

pub fn landing(ctx: &PageCtx, open: &[OpenCall]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "landing-title"),
        html! {
            p.lead { (t(l, "landing-lead")) }
            @if ctx.user.is_none() {
                p { (t(l, "landing-ngo")) " " a href="/register" { (t(l, "nav-register")) } }
                p { (t(l, "landing-staff")) " " a href="/login" { (t(l, "nav-login")) } }
            }
            section #open-calls {
                h2 { (t(l, "calls-open-title")) }
                @if open.is_empty() {
                    p.empty { (t(l, "calls-open-empty")) " " a href="/calls/past" { (t(l, "calls-past-title")) } }
                } @else {
                    ul.cards { @for c in open { li {
                        a href=(c.href) { (c.title) } " — " (c.municipality)
                        br; span.hint { (tf(l, "landing-deadline", &[("deadline", &c.deadline)])) }
                    } } }
                }
            }
        },
    )
}

pub fn login(ctx: &PageCtx, form: &FormView, problem: Option<&str>) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "login-title"),
        html! {
            @if let Some(problem) = problem {
                div.error-summary role="alert" { p { (t(l, problem)) } }
            }
            form method="post" action="/login" novalidate {
                (csrf(ctx))
                input type="hidden" name="next" value=(form.value("next"));
                (field(l, form, "email", "field-email", EMAIL))
                (field(l, form, "password", "field-password", Input { kind: "password", autocomplete: "current-password", hint: None, required: true }))
                button type="submit" { (t(l, "login-submit")) }
            }
            p { a href="/password/forgot" { (t(l, "login-forgot")) } }
            p { (t(l, "login-no-account")) " " a href="/register" { (t(l, "nav-register")) } }
        },
    )
}

/// The second step of logging in: setting up an authenticator app (`setup` = the secret and its
/// `otpauth://` address, shown until the first code is accepted) or entering its code.
pub fn second_factor(ctx: &PageCtx, next: &str, setup: Option<(&str, &str)>, problem: Option<&str>) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "totp-title"),
        html! {
            @if let Some(problem) = problem {
                div.error-summary role="alert" { p { (t(l, problem)) } }
            }
            @if let Some((secret, uri)) = setup {
                p { (t(l, "totp-setup-lead")) }
                ol {
                    li { (t(l, "totp-setup-app")) }
                    li {
                        (t(l, "totp-setup-scan"))
                        div #totp-qr { (crate::qr::svg(uri, &t(l, "totp-qr-label"))) }
                        (t(l, "totp-setup-key")) " " code #totp-secret { (secret) }
                    }
                    li { (t(l, "totp-setup-link")) " " a href=(uri) { (t(l, "totp-setup-open")) } }
                    li { (t(l, "totp-setup-code")) }
                }
            } @else {
                p { (t(l, "totp-lead")) }
            }
            form method="post" action="/login/second-factor" novalidate {
                (csrf(ctx))
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="code" { (t(l, "totp-code")) }
                    @if setup.is_none() { p.hint #code-hint { (t(l, "totp-code-hint")) } }
                    input #code name="code" type="text" maxlength="12" autocomplete="one-time-code" required autofocus
                        aria-describedby=[setup.is_none().then_some("code-hint")];
                }
                button type="submit" { (t(l, "totp-submit")) }
            }
            form method="post" action="/logout" {
                (csrf(ctx))
                button.secondary #totp-cancel type="submit" { (t(l, "totp-cancel")) }
            }
        },
    )
}

/// The recovery codes, shown once when the authenticator is set up, with the way on.
pub fn recovery_codes(ctx: &PageCtx, codes: &[String], next: &str) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "recovery-title"),
        html! {
            p.lead { (t(l, "recovery-lead")) }
            ol #recovery-codes { @for c in codes { li { code { (c) } } } }
            p.notice role="status" { (t(l, "recovery-once")) }
            p { a.button href=(next) { (t(l, "recovery-continue")) } }
        },
    )
}

pub fn register(ctx: &PageCtx, form: &FormView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "register-title"),
        html! {
            p { (t(l, "register-lead")) }
            (error_summary(l, form))
            form method="post" action="/register" novalidate {
                (csrf(ctx))
                (field(l, form, "org_name", "field-org-name", Input { autocomplete: "organization", ..Input::TEXT }))
                (field(l, form, "reg_no", "field-reg-no", Input { hint: Some("field-reg-no-hint"), required: false, ..Input::TEXT }))
                (field(l, form, "name", "field-name", NAME))
                (field(l, form, "email", "field-email", EMAIL))
                (field(l, form, "password", "field-password", NEW_PASSWORD))
                (field(l, form, "password_confirm", "field-password-confirm", CONFIRM_PASSWORD))
                (select(l, form, "lang", "field-lang", &lang_options(l)))
                button type="submit" { (t(l, "register-submit")) }
            }
        },
    )
}

/// A page that only says something, with an optional link onwards.
pub fn message(ctx: &PageCtx, title: &str, text: &str, link: Option<(&str, &str)>) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, title),
        html! {
            p { (t(l, text)) }
            @if let Some((href, label)) = link {
                p { a href=(href) { (t(l, label)) } }
            }
        },
    )
}

/// A form typed while the session ended, kept for its author: send it on to where it was going,
/// or discard it. `fields` are what was typed (the CSRF token of the ended session left out).
pub fn kept(ctx: &PageCtx, path: &str, fields: &[(String, String)]) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "kept-title"),
        html! {
            p { (t(l, "kept-lead")) }
            p { a href=(path) { (path) } }
            form method="post" action="/kept/save" {
                (csrf(ctx))
                @for (name, value) in fields { input type="hidden" name=(name) value=(value); }
                p.actions {
                    button type="submit" { (t(l, "kept-save")) }
                    " "
                    button.secondary type="submit" formaction="/kept/discard" { (t(l, "kept-discard")) }
                }
            }
        },
    )
}

pub fn forgot(ctx: &PageCtx, form: &FormView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "forgot-title"),
        html! {
            p { (t(l, "forgot-lead")) }
            (error_summary(l, form))
            form method="post" action="/password/forgot" novalidate {
                (csrf(ctx))
                (field(l, form, "email", "field-email", EMAIL))
                button type="submit" { (t(l, "forgot-submit")) }
            }
        },
    )
}

/// The page an address confirmation link opens: one button confirms.
pub fn confirm(ctx: &PageCtx, token: &str) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "confirm-page-title"),
        html! {
            p { (t(l, "confirm-page-lead")) }
            form method="post" action={ "/confirm/" (token) } {
                (csrf(ctx))
                button type="submit" { (t(l, "confirm-submit")) }
            }
        },
    )
}

pub fn reset(ctx: &PageCtx, form: &FormView, token: &str) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "reset-title"),
        html! {
            (error_summary(l, form))
            form method="post" action={ "/password/reset/" (token) } novalidate {
                (csrf(ctx))
                (field(l, form, "password", "field-password-new", NEW_PASSWORD))
                (field(l, form, "password_confirm", "field-password-confirm", CONFIRM_PASSWORD))
                button type="submit" { (t(l, "reset-submit")) }
            }
        },
    )
}

pub fn change_password(ctx: &PageCtx, form: &FormView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &t(l, "password-title"),
        html! {
            (error_summary(l, form))
            form method="post" action="/account/password" novalidate {
                (csrf(ctx))
                (field(l, form, "current_password", "field-password-current", Input { kind: "password", autocomplete: "current-password", hint: None, required: true }))
                (field(l, form, "password", "field-password-new", NEW_PASSWORD))
                (field(l, form, "password_confirm", "field-password-confirm", CONFIRM_PASSWORD))
                button type="submit" { (t(l, "password-submit")) }
            }
        },
    )
}

/// How the invitee can accept.
pub enum InvitationMode {
    /// No account yet: choose a name and password.
    NewAccount,
    /// The address has an account and nobody (or someone else) is logged in.
    LogInFirst,
    /// Logged in as the invited address: one button.
    Confirm,
}

pub struct InvitationView {
    pub inviter: String,
    pub org: String,
    pub role: String,
    pub email: String,
    pub token: String,
    pub mode: InvitationMode,
}

pub fn invitation(ctx: &PageCtx, inv: &InvitationView, form: &FormView) -> Markup {
    let l = ctx.lang;
    let action = format!("/invitations/{}", inv.token);
    layout(
        ctx,
        &t(l, "invite-title"),
        html! {
            p.lead { (tf(l, "invite-lead", &[("inviter", &inv.inviter), ("org", &inv.org), ("role", &inv.role)])) }
            @match inv.mode {
                InvitationMode::NewAccount => {
                    p { (tf(l, "invite-new-account", &[("email", &inv.email)])) }
                    (error_summary(l, form))
                    form method="post" action=(action) novalidate {
                        (csrf(ctx))
                        (field(l, form, "name", "field-name", NAME))
                        (field(l, form, "password", "field-password", NEW_PASSWORD))
                        (field(l, form, "password_confirm", "field-password-confirm", CONFIRM_PASSWORD))
                        (select(l, form, "lang", "field-lang", &lang_options(l)))
                        button type="submit" { (t(l, "invite-accept")) }
                    }
                }
                InvitationMode::LogInFirst => {
                    p { (tf(l, "invite-log-in", &[("email", &inv.email)])) }
                    p { a href={ "/login?next=" (action) } { (t(l, "nav-login")) } }
                }
                InvitationMode::Confirm => {
                    form method="post" action=(action) {
                        (csrf(ctx))
                        button type="submit" { (t(l, "invite-accept")) }
                    }
                }
            }
        },
    )
}
