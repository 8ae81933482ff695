//! Registration, confirmation, login, logout, throttling, password reset and invitations.

use entities::domain::Role;
use entities::entity::{invitation, organisation, session, user};
use entities::outbox::EmailEvent;
use pumpurs_tests::{Browser, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{outbox_events, token_link};

const REGISTRATION: &[(&str, &str)] = &[
    ("org_name", "Biedrība „Jaunatne Ogrē”"),
    ("reg_no", "40008123456"),
    ("name", "Anna Kalniņa"),
    ("email", "Anna@Example.lv"),
    ("password", "ilgaparole-2026"),
    ("password_confirm", "ilgaparole-2026"),
    ("lang", "lv"),
];

both_backends!(
    async fn ngo_registers_confirms_logs_in_and_out(app) {
        let b = app.browser();
        let done = b.fill("/register", "/register", REGISTRATION).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(done.h1(), "Pārbaudiet e-pastu");

        // The account exists but is not confirmed: login says so.
        let early = b.login("anna@example.lv", "ilgaparole-2026").await;
        assert_eq!(early.status, 422);
        assert!(early.contains("Vispirms apstipriniet e-pasta adresi"));

        let events = outbox_events(app).await;
        let [EmailEvent::ConfirmEmail { token_id }] = events.as_slice() else { panic!("outbox: {events:?}") };
        let link = token_link(app, *token_id).await;
        // Opening the link (as a mail scanner does) confirms nothing: its page's button does.
        let opened = b.get(&format!("/confirm/{link}")).await;
        assert_eq!((opened.status, opened.h1()), (200, "E-pasta adreses apstiprināšana".to_owned()));
        assert_eq!(app.browser().get(&format!("/confirm/{link}")).await.status, 200, "opened twice: still unconfirmed");
        assert_eq!(b.login("anna@example.lv", "ilgaparole-2026").await.status, 422, "not confirmed by opening the link");
        let opened = b.get(&format!("/confirm/{link}")).await;
        let confirmed = b.submit(&opened, &format!("/confirm/{link}"), &[]).await;
        assert_eq!((confirmed.status, confirmed.h1()), (200, "E-pasts apstiprināts".to_owned()));
        let again = b.get(&format!("/confirm/{link}")).await;
        assert_eq!(again.status, 400, "a link works once");

        let home = b.login("ANNA@example.lv ", "ilgaparole-2026").await;
        assert_eq!(home.status, 200);
        assert!(home.path.starts_with("/home/"), "{}", home.path);
        assert_eq!(home.h1(), "Biedrības sākumlapa");
        assert!(home.contains("Biedrība „Jaunatne Ogrē”"));

        let out = b.fill("/home", "/logout", &[]).await;
        assert_eq!((out.path.as_str(), out.text(".flash")), ("/", "Atslēgšanās veikta.".to_owned()));
        let after = b.get("/home").await;
        assert_eq!(after.path, "/login?next=%2Fhome");
        assert_eq!(session::Entity::find().count(&app.db).await.expect("count"), 0);
    }
);

both_backends!(
    async fn a_rejected_registration_keeps_what_was_typed_and_shows_every_problem(app) {
        let b = app.browser();
        let page = b
            .fill(
                "/register",
                "/register",
                &[("org_name", ""), ("reg_no", "123"), ("name", "Anna"), ("email", "anna@"), ("password", "short"), ("password_confirm", "short")],
            )
            .await;
        assert_eq!(page.status, 422);
        assert_eq!(page.field_error("org_name"), "Šis lauks ir obligāts.");
        assert_eq!(page.field_error("reg_no"), "Reģistrācijas numuram jābūt 11 cipariem.");
        assert_eq!(page.field_error("email"), "Ievadiet derīgu e-pasta adresi, piemēram, vards@piemers.lv.");
        assert_eq!(page.field_error("password"), "Parolei jābūt vismaz 10 rakstzīmes garai.");
        assert_eq!(page.texts(".error-summary li").len(), 4);
        assert_eq!(page.input_value("name").as_deref(), Some("Anna"));
        assert_eq!(page.input_value("reg_no").as_deref(), Some("123"));
        assert_eq!(page.input_value("password").as_deref(), Some(""), "passwords are never echoed");
        assert_eq!(page.attrs("#email", "aria-describedby"), vec!["email-error".to_owned()]);
        assert_eq!(user::Entity::find().count(&app.db).await.expect("count"), 0);
    }
);

both_backends!(
    async fn registering_an_existing_address_reveals_nothing_and_tells_the_owner(app) {
        let w = seed::world(&app.db).await;
        let existing = seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let page = app.browser().fill("/register", "/register", REGISTRATION).await;
        assert_eq!((page.status, page.h1()), (200, "Pārbaudiet e-pastu".to_owned()));
        assert_eq!(outbox_events(app).await, vec![EmailEvent::AccountExists { user_id: existing.id }]);
        let ngos = organisation::Entity::find().filter(organisation::Column::Name.contains("Jaunatne")).count(&app.db).await;
        assert_eq!(ngos.expect("count"), 0);
    }
);

both_backends!(
    async fn registration_cannot_fill_a_mailbox_or_be_repeated_without_bound(app) {
        use entities::accounts::{MAX_REGISTRATIONS_PER_ADDRESS, MAX_REGISTRATION_EMAILS_PER_MAILBOX};
        let w = seed::world(&app.db).await;
        let existing = seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        // The same (existing) mailbox, again and again: the page never changes, the mails stop.
        for _ in 0..MAX_REGISTRATION_EMAILS_PER_MAILBOX + 2 {
            let page = app.browser().fill("/register", "/register", REGISTRATION).await;
            assert_eq!((page.status, page.h1()), (200, "Pārbaudiet e-pastu".to_owned()));
        }
        let told = outbox_events(app).await.into_iter().filter(|e| *e == EmailEvent::AccountExists { user_id: existing.id }).count();
        assert_eq!(told as u64, MAX_REGISTRATION_EMAILS_PER_MAILBOX);
        // One network, many mailboxes: refused with a clear message once the bound is reached,
        // and nothing is created or sent.
        let sent_before = outbox_events(app).await.len();
        let users_before = user::Entity::find().count(&app.db).await.expect("count");
        let mut refused = None;
        for i in 0..MAX_REGISTRATIONS_PER_ADDRESS {
            let email = format!("person{i}@example.lv");
            let fields: Vec<(&str, &str)> = REGISTRATION.iter().map(|&(k, v)| if k == "email" { (k, email.as_str()) } else { (k, v) }).collect();
            let page = app.browser().fill("/register", "/register", &fields).await;
            if page.status == 429 {
                refused = Some(page);
                break;
            }
        }
        let page = refused.expect("the network's registrations are bounded");
        assert_eq!(page.field_error("email"), "No jūsu tīkla šodien reģistrēts jau daudz kontu. Lūdzu, mēģiniet vēlreiz rīt vai rakstiet pašvaldības koordinatoram.");
        assert!(page.input_value("name").is_some_and(|n| !n.is_empty()), "what was typed is kept");
        let users = user::Entity::find().count(&app.db).await.expect("count");
        let sent = outbox_events(app).await.len();
        // The earlier attempts of this network (the repeated mailbox) count too.
        let created = MAX_REGISTRATIONS_PER_ADDRESS - (MAX_REGISTRATION_EMAILS_PER_MAILBOX + 2);
        assert_eq!((users - users_before, (sent - sent_before) as u64), (created, created));
    }
);

both_backends!(
    async fn wrong_password_and_unknown_account_get_the_same_answer(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let wrong = app.browser().login("anna@example.lv", "not the password").await;
        let unknown = app.browser().login("nobody@example.lv", "not the password").await;
        assert_eq!(wrong.status, 422);
        assert_eq!((wrong.status, wrong.text(".error-summary")), (unknown.status, unknown.text(".error-summary")));
        assert_eq!(wrong.text(".error-summary"), "Nepareizs e-pasts vai parole.");
        assert_eq!(wrong.input_value("email").as_deref(), Some("anna@example.lv"));
    }
);

both_backends!(
    async fn repeated_failures_throttle_the_account_even_with_the_right_password(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = app.browser();
        for _ in 0..entities::accounts::MAX_FAILURES_PER_ACCOUNT {
            assert_eq!(b.login("anna@example.lv", "wrong password").await.status, 422);
        }
        let blocked = b.login("anna@example.lv", seed::PASSWORD).await;
        assert_eq!(blocked.status, 429);
        assert!(blocked.contains("Pārāk daudz neveiksmīgu mēģinājumu"));
        // Another account from the same address is not affected yet.
        seed::user(&app.db, "janis@example.lv", Role::NgoMember, w.ngo.id).await;
        assert_eq!(b.login("janis@example.lv", seed::PASSWORD).await.status, 200);
        // The failures were from one place: the account's owner elsewhere logs in.
        let owner = app.browser_from("127.0.0.2", None);
        assert_eq!(owner.login("anna@example.lv", seed::PASSWORD).await.status, 200, "not locked out by another's failures");
    }
);

both_backends!(
    async fn login_rotates_the_session_and_sets_safe_cookie_flags(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = Browser::manual(&app.base);
        let form = b.get("/login").await;
        let credentials = [("email", "anna@example.lv"), ("password", seed::PASSWORD)];
        let response = b.submit(&form, "/login", &credentials).await;
        assert_eq!((response.status, response.header("location")), (303, "/home".to_owned()));
        let cookie = response.set_cookie("pumpurs_session").expect("session cookie");
        assert!(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain HTTP on loopback: {cookie}");
        let first = session_ids(app).await;
        assert_eq!(first.len(), 1);
        assert!(first[0].len() == 64 && !cookie.contains(&first[0]), "only the hash is stored");

        // Logging in again from the same browser ends the old session and starts a new one.
        let page = b.get("/account/password").await;
        assert_eq!(page.status, 200);
        let again = b.post("/login", &[("_csrf", &page.csrf()), credentials[0], credentials[1]]).await;
        assert_eq!(again.status, 303);
        let second = session_ids(app).await;
        assert_eq!(second.len(), 1);
        assert_ne!(first, second);
    }
);

async fn session_ids(app: &pumpurs_tests::TestApp) -> Vec<String> {
    session::Entity::find()
        .all(&app.db)
        .await
        .expect("sessions")
        .into_iter()
        .map(|s| s.id)
        .collect()
}

both_backends!(
    async fn password_reset_by_email_link_ends_other_sessions(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let elsewhere = app.browser();
        elsewhere.login("anna@example.lv", seed::PASSWORD).await;

        let b = app.browser();
        let unknown = b.fill("/password/forgot", "/password/forgot", &[("email", "nobody@example.lv")]).await;
        let known = b.fill("/password/forgot", "/password/forgot", &[("email", "anna@example.lv")]).await;
        assert_eq!((unknown.status, unknown.body.len()), (known.status, known.body.len()));
        let events = outbox_events(app).await;
        let [EmailEvent::ResetPassword { token_id }] = events.as_slice() else { panic!("outbox: {events:?}") };
        let link = format!("/password/reset/{}", token_link(app, *token_id).await);

        let mismatch = b.fill(&link, &link, &[("password", "jauna-parole-1"), ("password_confirm", "cita-parole-2")]).await;
        assert_eq!(mismatch.field_error("password_confirm"), "Paroles nesakrīt.");
        let done = b.fill(&link, &link, &[("password", "jauna-parole-1"), ("password_confirm", "jauna-parole-1")]).await;
        assert_eq!((done.path.as_str(), done.text(".flash")), ("/login", "Parole nomainīta. Pieslēdzieties ar jauno paroli.".to_owned()));
        assert_eq!(b.get(&link).await.status, 400, "the link works once");
        assert_eq!(elsewhere.get("/home").await.path, "/login?next=%2Fhome", "other sessions ended");
        assert_eq!(b.login("anna@example.lv", seed::PASSWORD).await.status, 422);
        assert_eq!(b.login("anna@example.lv", "jauna-parole-1").await.status, 200);
    }
);

both_backends!(
    async fn changing_the_password_needs_the_current_one(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = app.browser();
        b.login("anna@example.lv", seed::PASSWORD).await;
        let fields = [("current_password", "guess"), ("password", "jauna-parole-1"), ("password_confirm", "jauna-parole-1")];
        let wrong = b.fill("/account/password", "/account/password", &fields).await;
        assert_eq!((wrong.status, wrong.field_error("current_password")), (422, "Pašreizējā parole nav pareiza.".to_owned()));
        let fields = [("current_password", seed::PASSWORD), ("password", "jauna-parole-1"), ("password_confirm", "jauna-parole-1")];
        let ok = b.fill("/account/password", "/account/password", &fields).await;
        assert_eq!(ok.text(".flash"), "Parole nomainīta. Citas pieslēgšanās sesijas ir beigtas.");
        assert_eq!(b.get("/account/password").await.status, 200, "this session stays");
    }
);

both_backends!(
    async fn admin_invites_a_coordinator_who_joins_with_the_emailed_link(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await;
        let admin = app.browser();
        admin.login("admin@example.lv", seed::PASSWORD).await;
        let org_page = format!("/orgs/{}", w.muni_a.id);
        let action = format!("{org_page}/invitations");
        let bad = admin.fill(&org_page, &action, &[("name", "Dace"), ("email", "dace@"), ("role", "admin")]).await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.field_error("email"), "Ievadiet derīgu e-pasta adresi, piemēram, vards@piemers.lv.");
        let bad_role = admin.fill(&org_page, &action, &[("name", "Dace"), ("email", "dace@example.lv"), ("role", "admin")]).await;
        assert_eq!(bad_role.field_error("role"), "Izvēlieties kādu no piedāvātajām iespējām.", "admins are invited at the agency only");
        let sent = admin.fill(&org_page, &action, &[("name", "Dace Ozola"), ("email", "dace@example.lv"), ("role", "coordinator")]).await;
        assert_eq!(sent.text(".flash"), "Uzaicinājums nosūtīts.");
        assert!(sent.contains("dace@example.lv"));

        let events = outbox_events(app).await;
        let [EmailEvent::Invitation { invitation_id }] = events.as_slice() else { panic!("outbox: {events:?}") };
        let inv = invitation::Entity::find_by_id(*invitation_id).one(&app.db).await.expect("query").expect("row");
        let token = entities::tokens::link_token(&app.cfg.secret_key, entities::accounts::INVITATION, inv.id, &inv.nonce);
        let link = format!("/invitations/{token}");
        let tampered = app.browser().get(&format!("/invitations/{}.{}", inv.id, "0".repeat(64))).await;
        assert_eq!(tampered.status, 400);

        let dace = app.browser();
        let page = dace.get(&link).await;
        assert!(page.contains("lomā: Pašvaldības koordinators"), "{}", page.body);
        let setup = dace.submit(&page, &link, &[("name", "Dace Ozola"), ("password", "dace-parole-1"), ("password_confirm", "dace-parole-1")]).await;
        assert_eq!((setup.h1(), setup.text(".flash")), ("Otrais apstiprinājuma solis".to_owned(), "Uzaicinājums pieņemts.".to_owned()), "a coordinator sets up the second factor first");
        let home = dace.second_factor(setup, "dace@example.lv").await;
        assert_eq!(home.h1(), "Koordinatora sākumlapa");
        assert!(home.contains("Ogres 1. vidusskola"), "the coordinator sees the municipality's schools");
        assert_eq!(app.browser().get(&link).await.status, 400, "an invitation is used once");
        assert_eq!(app.browser().login("dace@example.lv", "dace-parole-1").await.status, 200);
    }
);

both_backends!(
    async fn an_existing_user_accepts_an_invitation_after_logging_in(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "director@example.lv", Role::Director, w.school_a.id).await;
        seed::user(&app.db, "teacher@example.lv", Role::SupportStaff, w.school_b.id).await;
        let director = app.browser();
        director.login("director@example.lv", seed::PASSWORD).await;
        let org_page = format!("/orgs/{}", w.school_a.id);
        let page = director.get(&org_page).await;
        assert_eq!(page.attrs("#role option", "value"), vec!["director", "support_staff", "accountant"]);
        director.submit(&page, &format!("{org_page}/invitations"), &[("name", "Teacher"), ("email", "teacher@example.lv"), ("role", "support_staff")]).await;
        let events = outbox_events(app).await;
        let [EmailEvent::Invitation { invitation_id }] = events.as_slice() else { panic!("outbox: {events:?}") };
        let inv = invitation::Entity::find_by_id(*invitation_id).one(&app.db).await.expect("query").expect("row");
        let link = format!("/invitations/{}", entities::tokens::link_token(&app.cfg.secret_key, "invitation", inv.id, &inv.nonce));

        let teacher = app.browser();
        assert!(teacher.get(&link).await.contains("Pieslēdzieties ar to un atveriet saiti vēlreiz"));
        let page = teacher.fill(&format!("/login?next={link}"), "/login", &[("email", "teacher@example.lv"), ("password", seed::PASSWORD)]).await;
        let page = teacher.second_factor(page, "teacher@example.lv").await;
        assert_eq!(page.path, link);
        let home = teacher.submit(&page, &link, &[]).await;
        assert_eq!(home.h1(), "Sākumlapa", "two roles now: the chooser");
        assert_eq!(home.texts(".cards a").len(), 2);
        let u = user::Entity::find().filter(user::Column::Email.eq("teacher@example.lv")).one(&app.db).await.expect("q").expect("user");
        assert_eq!(u.name, "User teacher@example.lv", "the account is the same one");
    }
);

both_backends!(
    async fn sessions_end_when_idle_and_at_their_absolute_expiry(app) {
        use chrono::{Duration, Utc};
        use sea_orm::sea_query::Expr;
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = app.browser();
        b.login("anna@example.lv", seed::PASSWORD).await;
        assert_eq!(b.get("/account/password").await.status, 200);

        let idle_since = Utc::now() - app.cfg.session_idle - Duration::seconds(1);
        session::Entity::update_many().col_expr(session::Column::LastSeenAt, Expr::value(idle_since)).exec(&app.db).await.expect("update");
        assert_eq!(b.get("/account/password").await.path, "/login?next=%2Faccount%2Fpassword", "idle too long");

        b.login("anna@example.lv", seed::PASSWORD).await;
        assert_eq!(b.get("/account/password").await.status, 200);
        let expired = Utc::now() - Duration::seconds(1);
        session::Entity::update_many().col_expr(session::Column::ExpiresAt, Expr::value(expired)).exec(&app.db).await.expect("update");
        assert_eq!(b.get("/account/password").await.path, "/login?next=%2Faccount%2Fpassword", "past the absolute expiry");
        // The worker's sweep removes it; a live session stays.
        app.browser().login("anna@example.lv", seed::PASSWORD).await;
        assert_eq!(entities::sessions::purge_expired(&app.db, Utc::now()).await.expect("purge"), 2, "both earlier sessions");
        assert_eq!(session::Entity::find().count(&app.db).await.expect("count"), 1);
    }
);

both_backends!(
    async fn many_failures_from_one_address_throttle_it(app) {
        let b = app.browser();
        for i in 0..entities::accounts::MAX_FAILURES_PER_ADDRESS {
            // A forwarded-for header of its own choosing does not make it another place: no
            // proxy is trusted.
            let spoofing = app.browser_from("127.0.0.1", Some(&format!("198.51.100.{i}")));
            let page = spoofing.login(&format!("guess{i}@example.lv"), "wrong password").await;
            assert_eq!(page.status, 422, "attempt {i}");
        }
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        assert_eq!(b.login("anna@example.lv", seed::PASSWORD).await.status, 429);
        assert_eq!(app.browser_from("127.0.0.3", None).login("anna@example.lv", seed::PASSWORD).await.status, 200, "another address is not throttled");
    }
);
