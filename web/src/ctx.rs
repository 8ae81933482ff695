//! The request context: who is asking (session → user → memberships, loaded once per request),
//! in which language, with which CSRF token. The `context` middleware builds it, refuses
//! state-changing requests without a valid CSRF token or from a foreign origin, and draws error
//! pages in the visitor's language for every 4xx/5xx that has no page of its own.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use entities::domain::Lang;
use entities::policy::Actor;
use entities::{kept_forms, sessions, tokens};
use templates::layout::NavUser;
use templates::{NavLink, PageCtx, t};

use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "pumpurs_session";
pub const CSRF_COOKIE: &str = "pumpurs_csrf";
pub const LANG_COOKIE: &str = "pumpurs_lang";
pub const FLASH_COOKIE: &str = "pumpurs_flash";
pub const CSRF_FIELD: &str = "_csrf";
/// Where a session waiting for its second factor is sent.
pub const SECOND_FACTOR_PATH: &str = "/login/second-factor";

/// Everything a handler needs to know about the request it serves.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub session_id: Option<String>,
    pub actor: Option<Arc<Actor>>,
    /// Someone past the password whose role needs the second factor they have not yet given
    /// in this session: not logged in until they do.
    pub pending: Option<Arc<Actor>>,
    pub flash: Option<String>,
    /// Path and query of this request.
    pub path: String,
    pub ip: String,
    pub dev_mail: bool,
}

impl Ctx {
    /// The view model the layout needs.
    pub fn page(&self) -> PageCtx {
        PageCtx {
            lang: self.lang,
            csrf: self.csrf.clone(),
            user: self.actor.as_ref().map(|a| NavUser {
                name: a.user.name.clone(),
                homes: home_links(a, self.lang),
                can_manage_orgs: a.can_manage_orgs(),
                can_manage_calls: !entities::grants::calls::managed_municipalities(a).is_empty(),
                is_applicant: a.has_role(entities::domain::Role::NgoMember),
                is_panel_member: a.has_role(entities::domain::Role::PanelMember),
            }),
            flash: self.flash.clone(),
            path: self.path.clone(),
            dev_mail: self.dev_mail,
        }
    }
}

/// One link per membership, labelled "role — organisation".
pub fn home_links(actor: &Actor, lang: Lang) -> Vec<NavLink> {
    actor
        .grants
        .iter()
        .map(|g| NavLink {
            label: format!("{} — {}", t(lang, &format!("role-{}", g.role.as_str())), g.org.name),
            href: format!("/home/{}", g.membership_id),
        })
        .collect()
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request context missing")))
    }
}

/// A logged-in request: the context and the actor. Anyone else is sent to the login page.
pub struct Signed {
    pub ctx: Ctx,
    pub actor: Arc<Actor>,
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let next: String = form_urlencoded::byte_serialize(ctx.path.as_bytes()).collect();
        match (ctx.actor.clone(), &ctx.pending) {
            (Some(actor), _) => Ok(Self { ctx, actor }),
            (None, Some(_)) => Err(Redirect::to(&format!("{SECOND_FACTOR_PATH}?next={next}")).into_response()),
            (None, None) => Err(Redirect::to(&format!("/login?next={next}")).into_response()),
        }
    }
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure behind HTTPS. `max_age` 0 deletes.
pub fn set_cookie(secure: bool, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Runs `change` in one write transaction. Done: committed, and a redirect to `to` that shows
/// `flash`. Invalid (field errors): rolled back, and `again` draws the page once more with the
/// errors — after the transaction is gone, as it would hold SQLite's writer lock. Any other
/// error is passed on.
pub async fn write_or_show_again<T>(
    state: &AppState,
    to: &str,
    flash: &str,
    change: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
    again: impl AsyncFnOnce(entities::FieldErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    write_or_show_again_saying(state, to, |_: &T| flash.to_owned(), change, again).await
}

/// As [`write_or_show_again`], the message chosen from what the change did.
pub async fn write_or_show_again_saying<T>(
    state: &AppState,
    to: &str,
    flash: impl FnOnce(&T) -> String,
    change: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
    again: impl AsyncFnOnce(entities::FieldErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    let txn = entities::db::write(&state.db).await?;
    match change(&txn).await {
        Ok(done) => {
            txn.commit().await?;
            Ok(redirect_with_flash(state, to, &flash(&done)))
        }
        Err(entities::Error::Invalid(errors)) => {
            drop(txn);
            again(errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A 303 redirect that shows `flash` (an i18n message id) on the next page.
pub fn redirect_with_flash(state: &AppState, to: &str, flash: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.cfg.secure_cookies(), FLASH_COOKIE, flash, 60),
    );
    response
}

/// The confirmation box of a form whose action cannot be undone (`confirm=yes`).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    confirm: String,
}

impl ConfirmForm {
    /// Refuses (400, "tick the box") unless the box was ticked.
    pub fn required(&self) -> Result<(), crate::error::AppError> {
        if self.confirm == "yes" {
            Ok(())
        } else {
            Err(crate::error::AppError::BadRequest("error-confirm"))
        }
    }
}

/// A page rendered for a form that was refused: status 422 with the form shown again.
pub fn unprocessable(markup: maud::Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, markup).into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the `Origin` (or, lacking it, `Referer`) of a state-changing request is this site.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let matches = |origin: &str| {
        let origin = origin.trim_end_matches('/');
        origin == public_url
            || origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(|rest| rest == host)
    };
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin != "null" && matches(origin);
    }
    if let Some(referer) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
        let scheme_end = referer.find("://").map(|i| i + 3).unwrap_or(0);
        let origin_end = referer[scheme_end..]
            .find('/')
            .map(|i| i + scheme_end)
            .unwrap_or(referer.len());
        return matches(&referer[..origin_end]);
    }
    true
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Builds the context, enforces CSRF and Origin on unsafe methods, draws error pages.
pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match build_and_run(&state, req, next).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn build_and_run(state: &AppState, req: Request, next: Next) -> Result<Response, AppError> {
    // The API answers tokens, not sessions: no cookie is read or set, and every answer, an
    // unknown path or method included, is JSON.
    if is_api(req.uri().path()) {
        return Ok(api_error(next.run(req).await));
    }
    let now = Utc::now();
    let (mut parts, body) = req.into_parts();
    let headers = &parts.headers;
    let secure = state.cfg.secure_cookies();

    let mut new_cookies: Vec<HeaderValue> = Vec::new();
    let mut session_id = None;
    let mut actor = None;
    let mut pending = None;
    let mut ended_session = None;
    if let Some(value) = cookie(headers, SESSION_COOKIE) {
        match sessions::load(&state.db, value, now, state.cfg.session_idle).await? {
            Some((session, user)) => {
                sessions::touch(&state.db, &session, now).await?;
                let loaded = Arc::new(Actor::load(&state.db, user).await?);
                if loaded.needs_second_factor() && session.second_factor_at.is_none() {
                    pending = Some(loaded);
                } else {
                    actor = Some(loaded);
                }
                session_id = Some(session.id);
            }
            None => {
                ended_session = Some(value.to_owned());
                new_cookies.push(set_cookie(secure, SESSION_COOKIE, "", 0));
            }
        }
    }
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| actor.as_ref().map(|a: &Arc<Actor>| a.user.lang()))
        .unwrap_or_default();
    let csrf_cookie = match cookie(headers, CSRF_COOKIE) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => v.to_owned(),
        _ => {
            let v = tokens::random_hex();
            new_cookies.push(set_cookie(secure, CSRF_COOKIE, &v, 60 * 60 * 24 * 365));
            v
        }
    };
    let flash = cookie(headers, FLASH_COOKIE)
        .filter(|v| v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_owned);
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip());
    let ip = client_ip(peer, headers, &state.cfg.trusted_proxies);
    let ctx = Ctx {
        lang,
        csrf: tokens::csrf_token(&state.cfg.secret_key, &csrf_cookie, session_id.as_deref().unwrap_or("")),
        session_id,
        actor,
        pending,
        flash,
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned()),
        ip,
        dev_mail: !state.cfg.is_production(),
    };

    let body = if is_safe(&parts.method) {
        body
    } else {
        match check_csrf(state, &parts, body, &csrf_cookie, &ctx).await {
            Csrf::Valid(body) => body,
            refused => {
                // A form typed in a session that has since ended is kept for its author.
                if let (Csrf::Refused(Some(form)), Some(ended)) = (&refused, &ended_session)
                    && let Some(kept) = keep_for_later(state, &parts, ended, &csrf_cookie, form).await?
                {
                    let mut response = kept;
                    response
                        .headers_mut()
                        .extend(new_cookies.into_iter().map(|v| (header::SET_COOKIE, v)));
                    return Ok(response);
                }
                let mut response = match refused {
                    Csrf::TooLarge => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                    _ => AppError::Forbidden("error-csrf").into_response(),
                };
                response
                    .headers_mut()
                    .extend(new_cookies.into_iter().map(|v| (header::SET_COOKIE, v)));
                return Ok(render_error(&ctx, response));
            }
        }
    };
    let had_flash = ctx.flash.is_some();
    parts.extensions.insert(ctx.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    // A flash is spent once a page has shown it; a redirect carries it on to the next page.
    if had_flash && !response.status().is_redirection() && !sets_cookie(&response, FLASH_COOKIE) {
        new_cookies.push(set_cookie(secure, FLASH_COOKIE, "", 0));
    }
    for value in new_cookies {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(render_error(&ctx, response))
}

fn sets_cookie(response: &Response, name: &str) -> bool {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&prefix)))
}

/// The outcome of the CSRF check; a valid request gets its (possibly re-read) body back, a
/// refused form its body as read.
enum Csrf {
    Valid(Body),
    Refused(Option<bytes::Bytes>),
    TooLarge,
}

/// Where a form kept for later is waiting for its author (the token in a cookie).
pub const KEPT_COOKIE: &str = "pumpurs_kept";

/// Keeps a form that arrived after its sender's session ended — if its token was good for that
/// session, so it was typed there — and sends them to sign in, after which `/kept` offers to
/// send it on. `None` when it cannot be kept (it is then refused as any stale form is).
async fn keep_for_later(
    state: &AppState,
    parts: &Parts,
    ended_cookie: &str,
    csrf_cookie: &str,
    form: &[u8],
) -> Result<Option<Response>, AppError> {
    let Some((old_session, user_id)) = sessions::ended(&state.db, ended_cookie).await? else {
        return Ok(None);
    };
    let presented = form_field(form, CSRF_FIELD).unwrap_or_default();
    let (Ok(body), true) = (
        std::str::from_utf8(form),
        tokens::csrf_matches(&state.cfg.secret_key, csrf_cookie, &old_session, &presented),
    ) else {
        return Ok(None);
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let txn = entities::db::write(&state.db).await?;
    let Ok(token) = kept_forms::keep(&txn, user_id, path, body, Utc::now()).await else {
        return Ok(None);
    };
    txn.commit().await?;
    let mut response = redirect_with_flash(state, "/login?next=%2Fkept", "kept-sign-in");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state.cfg.secure_cookies(),
            KEPT_COOKIE,
            &token,
            60 * 60 * kept_forms::KEPT_HOURS,
        ),
    );
    Ok(Some(response))
}

/// Finds the CSRF token (header, query or urlencoded body) and checks it and the origin.
async fn check_csrf(state: &AppState, parts: &Parts, body: Body, csrf_cookie: &str, ctx: &Ctx) -> Csrf {
    if !same_origin(&parts.headers, &state.cfg.public_url) {
        return Csrf::Refused(None);
    }
    let from_header = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let from_query = parts.uri.query().and_then(|q| form_field(q.as_bytes(), CSRF_FIELD));
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (presented, body, form) = match (from_header.or(from_query), is_form) {
        (Some(token), _) => (Some(token), body, None),
        (None, true) => match axum::body::to_bytes(body, state.cfg.max_body_bytes).await {
            Ok(bytes) => (form_field(&bytes, CSRF_FIELD), Body::from(bytes.clone()), Some(bytes)),
            Err(_) => return Csrf::TooLarge,
        },
        (None, false) => (None, body, None),
    };
    let session = ctx.session_id.as_deref().unwrap_or("");
    match presented {
        Some(p) if tokens::csrf_matches(&state.cfg.secret_key, csrf_cookie, session, &p) => Csrf::Valid(body),
        _ => Csrf::Refused(form),
    }
}

/// Whether `path` is the JSON API's.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// An API error response without a body of its own (an unknown path or method, a refused
/// body) gets the documented JSON error instead.
fn api_error(response: Response) -> Response {
    let status = response.status();
    let has_own_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || has_own_body {
        return response;
    }
    let (error, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "No such resource."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "The API is read-only: use GET."),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "The request is too large."),
        s if s.is_server_error() => ("internal", "Something went wrong on our side."),
        _ => ("bad_request", "The request is not one the API understands."),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let fresh = crate::api::public_json(status, serde_json::json!({ "error": error, "message": message }));
    let (fresh_parts, body) = fresh.into_parts();
    parts.headers.extend(fresh_parts.headers);
    Response::from_parts(parts, body)
}

/// Replaces the body of a 4xx/5xx response that has none of its own with an error page.
fn render_error(ctx: &Ctx, response: Response) -> Response {
    let status = response.status();
    // Only bare bodies (none, or plain text from axum's own rejections) become pages; a page
    // or a JSON answer is already what the client should get.
    let has_own_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || has_own_body {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    let (mut parts, _) = response.into_parts();
    let page = templates::pages::errors::error_page(
        &ctx.page(),
        status.as_u16(),
        info.as_ref().and_then(|i| i.reference.as_deref()),
        info.as_ref().and_then(|i| i.message),
    );
    let fresh = page.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(parts, fresh.into_body())
}

/// Security headers on every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.cfg.secure_cookies() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// The address a request comes from: the peer's, or, when the peer is one of the `trusted`
/// reverse proxies, the nearest address in `X-Forwarded-For` that is not itself a trusted proxy
/// (the ones before it are whatever the client wrote). Without trusted proxies the header is
/// ignored, so nobody can choose their own address for the throttles.
pub(crate) fn client_ip(peer: Option<std::net::IpAddr>, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> String {
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .or(forwarded.first())
        .unwrap_or(&peer)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().expect("value"));
        headers.append("x-forwarded-for", "10.0.0.2".parse().expect("value"));
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &headers, &proxies),
            "198.51.100.1",
            "not a proxy of ours"
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &headers, &[]),
            "10.0.0.1",
            "no proxies configured"
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &headers, &proxies),
            "203.0.113.7",
            "the client as our proxies saw it"
        );
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &HeaderMap::new(), &proxies), "10.0.0.1");
        let mut garbage = HeaderMap::new();
        garbage.append("x-forwarded-for", "not an address".parse().expect("value"));
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &garbage, &proxies), "10.0.0.1");
        assert_eq!(client_ip(None, &headers, &proxies), "unknown");
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origins() {
        let public = "https://pumpurs.example.lv";
        assert!(same_origin(
            &headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]),
            public
        ));
        assert!(same_origin(
            &headers(&[("host", "x"), ("origin", "https://pumpurs.example.lv")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("host", "127.0.0.1:8080"), ("origin", "https://evil.example")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("host", "a"), ("referer", "https://evil.example/form")]),
            public
        ));
        assert!(same_origin(
            &headers(&[("host", "a:1"), ("referer", "http://a:1/login")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[("host", "a"), ("sec-fetch-site", "cross-site")]),
            public
        ));
    }

    #[test]
    fn cookies_are_read_and_written() {
        let h = headers(&[("cookie", "a=1; pumpurs_lang=en; b=2")]);
        assert_eq!(cookie(&h, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&h, "c"), None);
        let v = set_cookie(true, "n", "v", 10);
        assert_eq!(
            v.to_str().ok(),
            Some("n=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=10; Secure")
        );
    }
}
