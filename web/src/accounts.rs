//! Account pages: NGO registration and email confirmation, login and logout, password reset and
//! change, accepting an invitation, choosing the language.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use entities::accounts::{self, Acceptance, Login};
use entities::domain::{Lang, NewPassword};
use entities::policy::Actor;
use entities::second_factor::{self, Check};
use entities::{Error as DomainError, FieldErrors, audit, sessions};
use maud::Markup;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::accounts::{self as pages, InvitationMode, InvitationView};

use crate::ctx::{
    Ctx, FLASH_COOKIE, LANG_COOKIE, SECOND_FACTOR_PATH, SESSION_COOKIE, Signed, redirect_with_flash, set_cookie,
    unprocessable,
};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/confirm/{token}", get(confirm_page).post(confirm))
        .route("/login", get(login_page).post(login))
        .route(SECOND_FACTOR_PATH, get(second_factor_page).post(second_factor))
        .route("/logout", post(logout))
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/reset/{token}", get(reset_page).post(reset))
        .route("/account/password", get(password_page).post(change_password))
        .route("/invitations/{token}", get(invitation_page).post(accept_invitation))
        .route("/lang", post(set_lang))
}

/// Where to go after login or a change of language: a local path, never another site. A value
/// with a control character or a backslash anywhere is refused outright (browsers drop tabs and
/// newlines from addresses, so `/\t/evil.example` would become `//evil.example`, and a newline
/// cannot be a header); what is left is written as a valid `Location` (letters beyond ASCII
/// and spaces percent-encoded). Anything else goes home.
pub fn safe_next(next: &str) -> String {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.chars().any(|c| c.is_control() || c == '\\');
    if !local {
        return "/home".to_owned();
    }
    next.bytes()
        .map(|b| {
            if b.is_ascii_graphic() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Shows `form` again with the field errors of `err`, or passes any other error on.
fn refused_form(err: DomainError, form: FormView, page: impl FnOnce(&FormView) -> Markup) -> AppResult<Response> {
    match err {
        DomainError::Invalid(errors) => Ok(unprocessable(page(&FormView { errors, ..form }))),
        other => Err(other.into()),
    }
}

fn form_view(pairs: &[(&str, &str)]) -> FormView {
    FormView::with_typed(pairs.iter().copied(), FieldErrors::new())
}

fn session_cookie(state: &AppState, value: &str) -> (header::HeaderName, axum::http::HeaderValue) {
    let max_age = state.cfg.session_absolute.num_seconds();
    (
        header::SET_COOKIE,
        set_cookie(state.cfg.secure_cookies(), SESSION_COOKIE, value, max_age),
    )
}

/// Starts a fresh session for `user_id` (a new id: any previous session of this browser ends).
async fn start_session(
    state: &AppState,
    ctx: &Ctx,
    user_id: i32,
    to: &str,
    flash: Option<&str>,
) -> AppResult<Response> {
    let now = Utc::now();
    if let Some(old) = &ctx.session_id {
        sessions::delete(&state.db, old).await?;
    }
    let new = sessions::create(&state.db, user_id, now, state.cfg.session_absolute).await?;
    let mut response = match flash {
        Some(flash) => redirect_with_flash(state, to, flash),
        None => Redirect::to(to).into_response(),
    };
    let (name, value) = session_cookie(state, &new.cookie_value);
    response.headers_mut().append(name, value);
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    org_name: String,
    reg_no: String,
    name: String,
    email: String,
    password: String,
    password_confirm: String,
    lang: String,
}

async fn register_page(ctx: Ctx) -> Markup {
    pages::register(&ctx.page(), &FormView::new().with("lang", ctx.lang.code()))
}

async fn register(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RegisterForm>) -> AppResult<Response> {
    let lang = Lang::parse(&f.lang).unwrap_or(ctx.lang);
    let form = form_view(&[
        ("org_name", &f.org_name),
        ("reg_no", &f.reg_no),
        ("name", &f.name),
        ("email", &f.email),
        ("lang", lang.code()),
    ]);
    let page = ctx.page();
    let reg = match accounts::Registration::parse(
        &f.org_name,
        &f.reg_no,
        &f.name,
        &f.email,
        &f.password,
        &f.password_confirm,
        lang,
    ) {
        Ok(reg) => reg,
        Err(e) => return refused_form(e, form, |f| pages::register(&page, f)),
    };
    let txn = entities::db::write(&state.db).await?;
    match accounts::register_ngo(&txn, reg, &ctx.ip, Utc::now()).await {
        Ok(()) => txn.commit().await?,
        Err(DomainError::Refused(message)) => {
            drop(txn);
            let form = FormView {
                errors: FieldErrors::one("email", message),
                ..form
            };
            return Ok((StatusCode::TOO_MANY_REQUESTS, pages::register(&page, &form)).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(pages::message(&page, "register-done-title", "register-done", None).into_response())
}

/// The emailed link's page: a button that confirms. Opening the link changes nothing, since mail
/// scanners open links too.
async fn confirm_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Markup> {
    accounts::check_confirm_link(&state.db, &state.cfg.secret_key, &token, Utc::now()).await?;
    Ok(pages::confirm(&ctx.page(), &token))
}

async fn confirm(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Markup> {
    let txn = entities::db::write(&state.db).await?;
    accounts::confirm_email(&txn, &state.cfg.secret_key, &token, Utc::now()).await?;
    txn.commit().await?;
    Ok(pages::message(
        &ctx.page(),
        "confirm-title",
        "confirm-done",
        Some(("/login", "nav-login")),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.actor.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    pages::login(&ctx.page(), &FormView::new().with("next", q.next), None).into_response()
}

async fn login(State(state): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> AppResult<Response> {
    let now = Utc::now();
    let outcome = accounts::authenticate(&state.db, &f.email, &f.password, &ctx.ip, &state.decoy_hash, now).await?;
    let form = form_view(&[("email", &f.email), ("next", &f.next)]);
    let (status, problem) = match outcome {
        Login::Ok(user) => {
            audit::record(
                &state.db,
                audit::Entry {
                    actor_user_id: Some(user.id),
                    action: "login",
                    object_type: "user",
                    object_id: Some(user.id.into()),
                    ip: Some(ctx.ip.clone()),
                    ..Default::default()
                },
                now,
            )
            .await?;
            let next = safe_next(&f.next);
            let next = next.as_str();
            // Roles that can see pupil data log in with a second factor as well.
            let to = if Actor::load(&state.db, (*user).clone()).await?.needs_second_factor() {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                format!("{SECOND_FACTOR_PATH}?next={next}")
            } else {
                next.to_owned()
            };
            return start_session(&state, &ctx, user.id, &to, None).await;
        }
        Login::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "login-invalid"),
        Login::Unconfirmed => (StatusCode::UNPROCESSABLE_ENTITY, "login-unconfirmed"),
        Login::Throttled => (StatusCode::TOO_MANY_REQUESTS, "login-throttled"),
    };
    Ok((status, pages::login(&ctx.page(), &form, Some(problem))).into_response())
}

/// The second step's page: setting up the authenticator (until the first code is accepted), or
/// asking for its code. Only for a session waiting for it.
async fn second_factor_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let Some(pending) = ctx.pending.clone() else {
        let to = if ctx.actor.is_some() {
            safe_next(&q.next)
        } else {
            "/login".to_owned()
        };
        return Ok(Redirect::to(&to).into_response());
    };
    Ok(second_factor_view(&state, &ctx, &pending, &q.next, None)
        .await?
        .into_response())
}

async fn second_factor_view(
    state: &AppState,
    ctx: &Ctx,
    pending: &Actor,
    next: &str,
    problem: Option<&str>,
) -> AppResult<Markup> {
    let secret = second_factor::pending_secret(&state.db, &pending.user).await?;
    let uri = secret
        .as_deref()
        .map(|s| second_factor::otpauth_uri(s, &pending.user.email));
    let setup = secret.as_deref().zip(uri.as_deref());
    Ok(pages::second_factor(&ctx.page(), &safe_next(next), setup, problem))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    code: String,
    next: String,
}

async fn second_factor(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CodeForm>) -> AppResult<Response> {
    let (Some(pending), Some(session_id)) = (ctx.pending.clone(), ctx.session_id.as_deref()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let now = Utc::now();
    let setting_up = !second_factor::is_set_up(&pending.user);
    let txn = entities::db::write(&state.db).await?;
    let check = second_factor::verify(&txn, &pending.user, session_id, &f.code, &ctx.ip, now).await?;
    // The authenticator set up just now: the recovery codes, shown this once.
    let recovery = if check == Check::Accepted && setting_up {
        Some(second_factor::issue_recovery_codes(&txn, pending.user.id, now).await?)
    } else {
        None
    };
    if check == Check::Accepted {
        audit::record(
            &txn,
            audit::Entry {
                actor_user_id: Some(pending.user.id),
                action: "second_factor",
                object_type: "user",
                object_id: Some(pending.user.id.into()),
                ip: Some(ctx.ip.clone()),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    if let Some(codes) = recovery {
        return Ok(pages::recovery_codes(&ctx.page(), &codes, &safe_next(&f.next)).into_response());
    }
    let (status, problem) = match check {
        Check::Accepted => return Ok(Redirect::to(&safe_next(&f.next)).into_response()),
        Check::Wrong => (StatusCode::UNPROCESSABLE_ENTITY, "totp-wrong"),
        Check::Throttled => (StatusCode::TOO_MANY_REQUESTS, "login-throttled"),
    };
    let page = second_factor_view(&state, &ctx, &pending, &f.next, Some(problem)).await?;
    Ok((status, page).into_response())
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(id) = &ctx.session_id {
        sessions::delete(&state.db, id).await?;
    }
    let mut response = redirect_with_flash(&state, "/", "flash-logged-out");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.cfg.secure_cookies(), SESSION_COOKIE, "", 0),
    );
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForgotForm {
    email: String,
}

async fn forgot_page(ctx: Ctx) -> Markup {
    pages::forgot(&ctx.page(), &FormView::new())
}

async fn forgot(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ForgotForm>) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    entities::domain::email_field(&f.email, "email", &mut errors);
    if !errors.is_empty() {
        let form = FormView {
            errors,
            ..form_view(&[("email", &f.email)])
        };
        return Ok(unprocessable(pages::forgot(&ctx.page(), &form)));
    }
    let txn = entities::db::write(&state.db).await?;
    accounts::request_password_reset(&txn, &f.email, Utc::now()).await?;
    txn.commit().await?;
    Ok(pages::message(&ctx.page(), "forgot-title", "forgot-done", None).into_response())
}

async fn reset_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Markup> {
    accounts::check_reset_link(&state.db, &state.cfg.secret_key, &token, Utc::now()).await?;
    Ok(pages::reset(&ctx.page(), &FormView::new(), &token))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    password: String,
    password_confirm: String,
}

async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let new = NewPassword::parse(&f.password, &f.password_confirm, "password", &mut errors);
    let Some(new) = new else {
        return Ok(unprocessable(pages::reset(
            &ctx.page(),
            &FormView {
                errors,
                ..FormView::new()
            },
            &token,
        )));
    };
    let txn = entities::db::write(&state.db).await?;
    accounts::reset_password(&txn, &state.cfg.secret_key, &token, &new, Utc::now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(&state, "/login", "reset-done"))
}

async fn password_page(signed: Signed) -> Markup {
    pages::change_password(&signed.ctx.page(), &FormView::new())
}

async fn change_password(
    State(state): State<AppState>,
    signed: Signed,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let page = signed.ctx.page();
    let mut errors = FieldErrors::new();
    let new = NewPassword::parse(&f.password, &f.password_confirm, "password", &mut errors);
    let Some(new) = new else {
        return Ok(unprocessable(pages::change_password(
            &page,
            &FormView {
                errors,
                ..FormView::new()
            },
        )));
    };
    let session = signed.ctx.session_id.clone().unwrap_or_default();
    let txn = entities::db::write(&state.db).await?;
    match accounts::change_password(
        &txn,
        &signed.actor.user,
        &f.current_password,
        &new,
        &session,
        Utc::now(),
    )
    .await
    {
        Ok(()) => txn.commit().await?,
        Err(e) => return refused_form(e, FormView::new(), |f| pages::change_password(&page, f)),
    }
    Ok(redirect_with_flash(&state, "/home", "password-done"))
}

async fn invitation_view(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
) -> AppResult<(accounts::OpenInvitation, InvitationView)> {
    let open = accounts::open_invitation(&state.db, &state.cfg.secret_key, token, Utc::now()).await?;
    let inviter = accounts::user_by_id(&state.db, open.invitation.invited_by).await?;
    let logged_in = ctx.actor.as_ref().map(|a| a.user.id);
    let mode = match &open.existing_user {
        None => InvitationMode::NewAccount,
        Some(u) if Some(u.id) == logged_in => InvitationMode::Confirm,
        Some(_) => InvitationMode::LogInFirst,
    };
    let view = InvitationView {
        inviter: inviter.map(|u| u.name).unwrap_or_default(),
        org: open.org.name.clone(),
        role: templates::t(ctx.lang, &format!("role-{}", open.invitation.role.as_str())),
        email: open.invitation.email.clone(),
        token: token.to_owned(),
        mode,
    };
    Ok((open, view))
}

async fn invitation_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Markup> {
    let (_, view) = invitation_view(&state, &ctx, &token).await?;
    Ok(pages::invitation(
        &ctx.page(),
        &view,
        &FormView::new().with("lang", ctx.lang.code()),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AcceptForm {
    name: String,
    password: String,
    password_confirm: String,
    lang: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<AcceptForm>,
) -> AppResult<Response> {
    let (open, view) = invitation_view(&state, &ctx, &token).await?;
    let now = Utc::now();
    let page = ctx.page();
    let txn = entities::db::write(&state.db).await?;
    let user = match (&view.mode, &ctx.actor) {
        (InvitationMode::Confirm, Some(actor)) => {
            accounts::accept_invitation(&txn, open, Acceptance::LoggedIn(&actor.user), now).await?
        }
        (InvitationMode::NewAccount, _) => {
            let lang = Lang::parse(&f.lang).unwrap_or(ctx.lang);
            let form = form_view(&[("name", &f.name), ("lang", lang.code())]);
            let mut errors = FieldErrors::new();
            entities::domain::required_text(&f.name, 200, "name", &mut errors);
            let password = NewPassword::parse(&f.password, &f.password_confirm, "password", &mut errors);
            let Some(password) = password.filter(|_| errors.is_empty()) else {
                return refused_form(DomainError::Invalid(errors), form, |f| {
                    pages::invitation(&page, &view, f)
                });
            };
            accounts::accept_invitation(
                &txn,
                open,
                Acceptance::NewAccount {
                    name: &f.name,
                    password: &password,
                    lang,
                },
                now,
            )
            .await?
        }
        _ => return Err(AppError::BadRequest("error-invitation-log-in")),
    };
    txn.commit().await?;
    if ctx.actor.as_ref().is_some_and(|a| a.user.id == user.id) {
        Ok(redirect_with_flash(&state, "/home", "invite-accepted"))
    } else {
        start_session(&state, &ctx, user.id, "/home", Some("invite-accepted")).await
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LangForm {
    lang: String,
    next: String,
}

async fn set_lang(State(state): State<AppState>, ctx: Ctx, Form(f): Form<LangForm>) -> AppResult<Response> {
    let lang = Lang::parse(&f.lang).ok_or(AppError::BadRequest("error-choose"))?;
    if let Some(actor) = &ctx.actor {
        accounts::set_lang(&state.db, &actor.user, lang).await?;
    }
    let mut response = Redirect::to(&safe_next(&f.next)).into_response();
    let secure = state.cfg.secure_cookies();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(secure, LANG_COOKIE, lang.code(), 60 * 60 * 24 * 365),
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(secure, FLASH_COOKIE, "flash-lang", 60));
    Ok(response)
}
