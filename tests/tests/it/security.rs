//! Request safety: CSRF tokens, Origin checks, security headers, body limits, error pages.

use entities::domain::Role;
use entities::entity::user;
use pumpurs_tests::{both_backends, logs, seed};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

const REGISTRATION: &[(&str, &str)] = &[
    ("org_name", "Biedrība X"),
    ("name", "Anna"),
    ("email", "anna@example.lv"),
    ("password", "ilgaparole-2026"),
    ("password_confirm", "ilgaparole-2026"),
];

both_backends!(
    async fn a_post_without_a_token_or_from_another_origin_is_refused_and_changes_nothing(app) {
        let b = app.browser();
        let form = b.get("/register").await;
        let no_token = b.post("/register", REGISTRATION).await;
        assert_eq!((no_token.status, no_token.h1()), (403, "Piekļuve liegta".to_owned()));
        assert!(no_token.contains("Veidlapa novecojusi"));

        let token = form.csrf();
        let mut with_token: Vec<(&str, &str)> = REGISTRATION.to_vec();
        with_token.push(("_csrf", &token));
        let foreign = b.post_from("https://evil.example", "/register", &with_token).await;
        assert_eq!(foreign.status, 403);
        let wrong = b.post("/register", &[REGISTRATION, &[("_csrf", "0".repeat(64).as_str())]].concat()).await;
        assert_eq!(wrong.status, 403);
        let stranger = app.browser(); // another visitor's cookie: the token is not theirs
        assert_eq!(stranger.post("/register", &with_token).await.status, 403);
        assert_eq!(user::Entity::find().count(&app.db).await.expect("count"), 0);

        let ok = b.post("/register", &with_token).await;
        assert_eq!(ok.status, 200);
        assert_eq!(user::Entity::find().count(&app.db).await.expect("count"), 1);
    }
);

both_backends!(
    async fn a_token_from_before_login_is_not_valid_after_it(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = app.browser();
        let before = b.get("/").await.csrf();
        b.login("anna@example.lv", seed::PASSWORD).await;
        let stale = b.post("/logout", &[("_csrf", &before)]).await;
        assert_eq!(stale.status, 403);
        assert_eq!(b.get("/account/password").await.status, 200, "still logged in");
    }
);

both_backends!(
    async fn pages_carry_security_headers(app) {
        let page = app.browser().get("/login").await;
        let csp = page.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("referrer-policy"), "same-origin");
        assert!(page.attrs("[style]", "style").is_empty(), "no inline styles under the CSP");
        assert_eq!(page.attrs("script", "src"), vec!["/static/app.js".to_owned()], "our one script, from this site");
        assert!(page.texts("script").iter().all(String::is_empty), "no inline script");
        let css = app.browser().get("/static/app.css").await;
        assert!(css.header("content-type").starts_with("text/css"));
    }
);

both_backends!(
    async fn oversized_bodies_are_refused(app) {
        let b = app.browser();
        let form = b.get("/register").await;
        let huge = "x".repeat(app.cfg.max_body_bytes + 1);
        let page = b.post("/register", &[("_csrf", &form.csrf()), ("org_name", &huge)]).await;
        assert_eq!(page.status, 413);
        assert_eq!(page.h1(), "Par lielu");
        assert_eq!(user::Entity::find().count(&app.db).await.expect("count"), 0);
    }
);

both_backends!(
    async fn errors_are_pages_in_the_visitors_language(app) {
        let b = app.browser();
        let missing = b.get("/no/such/page").await;
        assert_eq!((missing.status, missing.h1()), (404, "Lapa nav atrasta".to_owned()));
        let home = b.get("/").await;
        let english = b.submit(&home, "/lang", &[]).await;
        assert_eq!(english.text(".flash"), "Language changed.");
        let missing = b.get("/no/such/page").await;
        assert_eq!((missing.status, missing.h1()), (404, "Page not found".to_owned()));
        assert_eq!(b.get("/login").await.h1(), "Log in", "the choice is remembered");
        let wrong_method = b.get("/logout").await;
        assert_eq!(wrong_method.status, 405);
        assert_eq!(wrong_method.h1(), "Not allowed");
        let bad_link = b.get("/confirm/not-a-token").await;
        assert_eq!((bad_link.status, bad_link.text("main p")), (400, "The link is not valid. Check that you copied all of it.".to_owned()));
    }
);

both_backends!(
    async fn an_internal_error_shows_a_reference_that_is_in_the_log_and_no_detail(app) {
        app.db.execute_unprepared("DROP TABLE login_failures").await.expect("drop");
        let page = app.browser().login("someone@example.lv", "wrong password").await;
        assert_eq!((page.status, page.h1()), (500, "Radās kļūda".to_owned()));
        let text = page.text("main p");
        let reference = text.rsplit(' ').next().unwrap_or("").trim_end_matches('.').to_owned();
        assert_eq!(reference.len(), 12, "{text}");
        assert!(!page.body.to_lowercase().contains("login_failures"), "no internal detail: {}", page.body);
        let log = logs::captured();
        let line = log.lines().find(|l| l.contains(&reference)).unwrap_or_else(|| panic!("reference {reference} not logged"));
        assert!(line.contains("login_failures"), "the cause is logged: {line}");
        // The request's access line carries the same reference, its route and status.
        assert!(
            log.lines().any(|l| l.contains(&format!("reference={reference}")) && l.contains("route=/login") && l.contains("status=500")),
            "the access line names the reference {reference}"
        );
    }
);

both_backends!(
    async fn every_request_is_logged_by_its_route_never_by_its_path(app) {
        let page = app.browser().get("/calls/987654?q=Liepa").await;
        assert_eq!(page.status, 404);
        let log = logs::captured();
        let line = log
            .lines()
            .find(|l| l.contains("route=/calls/{id}") && l.contains("status=404") && l.contains(" request "))
            .unwrap_or_else(|| panic!("no access line for /calls/{{id}}"));
        assert!(line.contains("method=GET") && line.contains("latency_ms="), "{line}");
        assert!(!log.contains("987654") && !log.contains("Liepa"), "the path asked for is never logged");
    }
);

both_backends!(
    async fn next_after_login_or_a_language_change_is_a_local_path_or_home(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
        // As the form or query string carries them, decoded: a tab or a newline that a browser
        // would drop (`/%09/evil.example` is `//evil.example` to it), a backslash, a scheme.
        let evil = ["/\t/evil.example", "/\n/x", "/\r\nSet-Cookie: a=b", "/\\evil", "https:evil", "//evil.example", "javascript:alert(1)", "evil.example"];
        let b = pumpurs_tests::Browser::manual(&app.base);
        let home = b.get("/").await;
        for next in evil {
            let changed = b.submit(&home, "/lang", &[("lang", "en"), ("next", next)]).await;
            assert_eq!((changed.status, changed.header("location")), (303, "/home".to_owned()), "language, next = {next:?}");
        }
        let kept = b.submit(&home, "/lang", &[("lang", "lv"), ("next", "/calls?q=ā b")]).await;
        assert_eq!(kept.header("location"), "/calls?q=%C4%81%20b", "a local path stays, written as a valid address");
        for next in evil {
            let b = pumpurs_tests::Browser::manual(&app.base);
            let query: String = url_encoded(next);
            let page = b.get(&format!("/login?next={query}")).await;
            assert_eq!(page.status, 200, "the login page takes next = {next:?}");
            let landed = b.submit(&page, "/login", &[("email", "ngo@example.lv"), ("password", seed::PASSWORD)]).await;
            assert_eq!((landed.status, landed.header("location")), (303, "/home".to_owned()), "login, next = {next:?}");
        }
    }
);

/// `s` as a query-string value.
fn url_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
