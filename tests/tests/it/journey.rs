//! The whole journey of a call through the pages: a coordinator writes and publishes it, the
//! public sees it, an NGO writes, documents and submits an application.

use entities::domain::{OrgKind, Role};
use entities::outbox::EmailEvent;
use pumpurs_tests::{both_backends, seed};
use sea_orm::EntityTrait;

fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 100_000));
    bytes
}

/// Creates and publishes a call through the coordinator's pages; returns its id.
async fn publish_call(app: &pumpurs_tests::TestApp, coordinator: &pumpurs_tests::Browser, municipality: i32) -> i32 {
    let riga = |days: i64| {
        entities::time::to_riga(chrono::Utc::now() + chrono::Duration::days(days))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let new = format!("/manage/calls/new?municipality={municipality}");
    let form = coordinator.get(&new).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let (opens, closes, scoring) = (riga(-1), riga(10), riga(30));
    let date = |days: i64| {
        entities::time::to_riga(chrono::Utc::now() + chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (starts, ends, interim) = (date(45), date(200), date(120));
    let fields = [
        ("title", "Jauniešu iniciatīvas 2026"),
        ("description", "Projekti, kas stiprina skolēnu motivāciju."),
        ("aims", "Mazināt priekšlaicīgu mācību pārtraukšanu."),
        ("eligibility", "Jauniešu biedrības Ogres novadā."),
        ("ref_prefix", "rez"),
        ("opens_at", &opens),
        ("closes_at", &closes),
        ("scoring_deadline", &scoring),
        ("budget", "10 000"),
        ("min_grant", "500"),
        ("max_grant", "3000"),
        ("cofinancing_percent", "10"),
        ("project_starts_on", &starts),
        ("project_ends_on", &ends),
        ("advance_percent", "80"),
        ("interim_report_on", &interim),
        ("final_report_days", "30"),
        ("accept_days", "14"),
        ("requirement", "Pieteicējs ir reģistrēta biedrība"),
        ("criterion_name", "Atbilstība mērķiem"),
        ("criterion_description", ""),
        ("criterion_max_points", "10"),
        ("criterion_weight", "2"),
        ("criterion_min_points", "4"),
    ];
    let with_row = coordinator
        .submit(&form, &new, &[&fields[..], &[("action", "add_criterion")]].concat())
        .await;
    assert_eq!(with_row.status, 200);
    assert_eq!(
        with_row.attrs("input[name=criterion_name]", "value"),
        vec!["Atbilstība mērķiem".to_owned(), String::new()]
    );
    assert_eq!(
        with_row.input_value("budget").as_deref(),
        Some("10 000"),
        "what was typed stays"
    );

    let bad = coordinator
        .submit(
            &form,
            &new,
            &[
                &fields[..8],
                &[
                    ("budget", "desmit"),
                    ("min_grant", "500"),
                    ("max_grant", "300"),
                    ("cofinancing_percent", "10"),
                    ("action", "save"),
                ],
            ]
            .concat(),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.field_error("budget"),
        "Ievadiet summu eiro, piemēram, 1500 vai 1500,50."
    );
    assert_eq!(
        bad.field_error("min_grant"),
        "Mazākā summa nevar būt lielāka par lielāko."
    );

    // The project terms, each wrong: refused with a message at each, nothing saved.
    let early = date(20);
    let wrong_terms = [
        ("project_starts_on", early.as_str()),
        ("project_ends_on", early.as_str()),
        ("advance_percent", "120"),
        ("interim_report_on", "31.02.2027"),
        ("final_report_days", "nekad"),
        ("accept_days", "0"),
        ("action", "save"),
    ];
    let kept: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| !wrong_terms.iter().any(|(w, _)| w == k))
        .collect();
    let bad_terms = coordinator
        .submit(&form, &new, &[&kept[..], &wrong_terms[..]].concat())
        .await;
    assert_eq!(bad_terms.status, 422);
    for (field, message) in [
        ("project_starts_on", "Projekti nevar sākties pirms vērtēšanas termiņa."),
        ("project_ends_on", "Beigu datumam jābūt pēc sākuma datuma."),
        ("advance_percent", "Ievadiet procentus no 0 līdz 100."),
        ("interim_report_on", "Ievadiet datumu, piemēram, 31.05.2010."),
        ("final_report_days", "Ievadiet veselu skaitli atļautajās robežās."),
        ("accept_days", "Ievadiet veselu skaitli atļautajās robežās."),
    ] {
        assert_eq!(bad_terms.field_error(field), message, "{field}");
    }
    assert_eq!(
        bad_terms.input_value("final_report_days").as_deref(),
        Some("nekad"),
        "what was typed stays"
    );

    let saved = coordinator
        .submit(&form, &new, &[&fields[..], &[("action", "save")]].concat())
        .await;
    assert_eq!(saved.text(".flash"), "Konkurss saglabāts.", "{}", saved.body);
    let id: i32 = saved
        .path
        .trim_start_matches("/manage/calls/")
        .parse()
        .expect("call id");
    assert_eq!(saved.input_value("ref_prefix").as_deref(), Some("REZ"));
    assert_eq!(
        (
            saved.input_value("budget").as_deref(),
            saved.input_value("min_grant").as_deref()
        ),
        (Some("10000,00"), Some("500,00")),
        "saved amounts shown back the Latvian way"
    );
    let unconfirmed = coordinator
        .submit(&saved, &format!("/manage/calls/{id}/publish"), &[])
        .await;
    assert_eq!(
        (unconfirmed.status, unconfirmed.field_error("publish_call_confirm")),
        (422, "Atzīmējiet apstiprinājumu, lai turpinātu.".to_owned())
    );
    let published = coordinator
        .submit(&saved, &format!("/manage/calls/{id}/publish"), &[("confirm", "yes")])
        .await;
    assert_eq!(published.text(".flash"), "Konkurss publicēts.", "{}", published.body);
    assert!(
        !published.has_form(&format!("/manage/calls/{id}")),
        "the form is frozen"
    );
    let _ = app;
    id
}

both_backends!(
    async fn an_ngo_writes_documents_and_submits_an_application(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let coordinator = app.browser();
        coordinator.login("coord@example.lv", seed::PASSWORD).await;
        let call = publish_call(app, &coordinator, w.muni_a.id).await;

        let detail = app.browser().get(&format!("/calls/{call}")).await;
        for shown in ["Projektu noteikumi", "Avanss", "80 %", "Starpposma atskaite", "(30 dienas pēc projekta beigām)", "14 dienu laikā pēc paziņojuma"] {
            assert!(detail.contains(shown), "{shown}: {}", detail.body);
        }
        let public = app.browser().get("/calls").await;
        assert_eq!(public.texts("tbody td:first-child"), vec!["Jauniešu iniciatīvas 2026".to_owned()]);
        assert!(public.contains("10\u{a0}000,00\u{a0}€") && public.contains("atlikušas 9 d."), "{}", public.body);

        let ngo = app.browser();
        ngo.login("anna@example.lv", seed::PASSWORD).await;
        let page = ngo.get(&format!("/calls/{call}")).await;
        let draft = ngo.submit(&page, &format!("/calls/{call}/apply"), &[]).await;
        assert_eq!(draft.status, 200);
        let app_path = draft.path.clone();
        let fields = [
            ("title", "Skolas podkāsts"),
            ("summary", "Skolēni veido podkāstu par mācībām."),
            ("target_group", "7.–9. klašu skolēni"),
            ("activities", "Darbnīcas, ieraksti, publicēšana."),
            ("timeline", "2027. gada februāris–maijs"),
            ("requested", "1200"),
            ("cofinancing", "200"),
            ("line_category", "equipment"),
            ("line_description", "Mikrofoni"),
            ("line_quantity", "4"),
            ("line_unit_cost", "150"),
        ];
        let more = ngo.submit(&draft, &app_path, &[&fields[..], &[("action", "add_line")]].concat()).await;
        assert_eq!(more.attrs("select[name=line_category]", "name").len(), 2);
        let lines = [("line_category", "services"), ("line_description", "Montāža"), ("line_quantity", "1"), ("line_unit_cost", "600,00")];
        let saved = ngo.submit(&more, &app_path, &[&fields[..], &lines[..], &[("action", "save")]].concat()).await;
        assert_eq!(saved.text(".flash"), "Melnraksts saglabāts.", "{}", saved.body);
        assert!(saved.text("tfoot").contains("1 200,00 €"), "{}", saved.text("tfoot"));

        let upload_path = format!("{app_path}/attachments?_csrf={}", saved.csrf());
        let added = ngo.upload(&upload_path, "budžets.pdf", pdf()).await;
        assert_eq!(added.text(".flash"), "Dokuments pievienots.", "{}", added.body);
        let exe = ngo.upload(&upload_path, "budget.pdf", b"MZ\x90\x00\x03 This program cannot be run in DOS mode".to_vec()).await;
        assert_eq!(exe.status, 422);
        assert!(exe.field_error("file").starts_with("Šāda veida failu pievienot nevar"), "{}", exe.field_error("file"));
        assert_eq!(exe.input_value("title").as_deref(), Some("Skolas podkāsts"), "the draft is intact");
        let renamed = ngo.upload(&upload_path, "photo.png", pdf()).await;
        assert!(renamed.field_error("file").starts_with("Faila saturs neatbilst"), "{}", renamed.body);
        let huge = ngo.upload(&upload_path, "big.pdf", { let mut b = pdf(); b.resize(app.cfg.max_file_bytes as usize + 1, b'x'); b }).await;
        assert_eq!((huge.status, huge.field_error("file")), (422, "Fails ir par lielu (atļauts līdz 20 MB).".to_owned()));
        let dots = ngo.upload(&upload_path, "...", pdf()).await;
        assert_eq!((dots.status, dots.field_error("file")), (422, "Faila nosaukumu nevar izmantot: tajā jābūt burtiem vai cipariem un nedrīkst būt vadības rakstzīmju. Pārdēvējiet failu un pievienojiet to vēlreiz.".to_owned()));
        let docs = huge.attrs("a[download]", "href");
        assert_eq!(docs.len(), 1, "only the real PDF was kept");
        let (status, headers, body) = ngo.download(&docs[0]).await;
        assert_eq!((status, body), (200, pdf()));
        let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''bud%C5%BEets.pdf"), "{disposition}");
        assert_eq!(headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));

        let page = ngo.get(&app_path).await;
        let submitted = ngo.submit(&page, &app_path, &[&fields[..], &lines[..], &[("action", "submit")]].concat()).await;
        assert_eq!(submitted.text(".flash"), "Pieteikums iesniegts. Apstiprinājumu nosūtījām uz jūsu e-pastu.", "{}", submitted.body);
        let year = entities::time::to_riga(chrono::Utc::now() - chrono::Duration::days(1)).format("%Y").to_string();
        assert!(submitted.text("dl").contains(&format!("REZ-{year}-001")), "{}", submitted.text("dl"));
        assert!(!submitted.has_form(&app_path), "read-only once submitted");
        // A second click of the same form lands on the submitted application; a save from the
        // old form changes nothing.
        let changed: Vec<(&str, &str)> = fields.iter().map(|&(k, v)| if k == "title" { (k, "Changed") } else { (k, v) }).collect();
        let again = ngo.submit(&page, &app_path, &[&changed[..], &[("action", "submit")]].concat()).await;
        assert_eq!((again.status, again.path.as_str()), (200, app_path.as_str()));
        assert_eq!(again.text(".flash"), "Pieteikums iesniegts. Apstiprinājumu nosūtījām uz jūsu e-pastu.");
        assert!(!again.contains("Changed"), "nothing changed");
        let resave = ngo.submit(&page, &app_path, &[&fields[..], &[("action", "save")]].concat()).await;
        assert_eq!(resave.status, 400, "the old form cannot change a submitted application");
        let receipts: Vec<_> = crate::outbox_events(app).await.into_iter().filter(|e| matches!(e, EmailEvent::ApplicationReceipt { .. })).collect();
        assert_eq!(receipts.len(), 1);

        // Another NGO sees neither the application nor its document; the coordinator sees both.
        let other_ngo = entities::orgs::insert(&app.db, OrgKind::Ngo, None, "Cita biedrība", None, false, chrono::Utc::now()).await.expect("ngo");
        seed::user(&app.db, "other@example.lv", Role::NgoMember, other_ngo.id).await;
        let other = app.browser();
        other.login("other@example.lv", seed::PASSWORD).await;
        assert_eq!(other.get(&app_path).await.status, 404);
        assert_eq!(other.download(&docs[0]).await.0, 404);
        assert_eq!(app.browser().download(&docs[0]).await.0, 200, "anonymous: sent to the login page");
        assert!(app.browser().get(&docs[0]).await.path.starts_with("/login"));
        let calls = coordinator.get("/manage/calls").await;
        assert_eq!(calls.texts("tbody td:last-child"), vec!["1".to_owned()], "one submitted application");
        let seen = coordinator.get(&app_path).await;
        assert_eq!((seen.status, seen.h1()), (200, "Skolas podkāsts".to_owned()));
        assert_eq!(coordinator.download(&docs[0]).await.0, 200);
    }
);

both_backends!(
    async fn an_informal_group_fills_its_profile_and_applies_only_where_groups_may(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let group = entities::orgs::insert(&app.db, OrgKind::Ngo, None, "Grupa", None, false, chrono::Utc::now()).await.expect("org");
        seed::user(&app.db, "ilze@example.lv", Role::NgoMember, group.id).await;
        let closed_to_groups = seed::open_call(&app.db, &coordinator, w.muni_a.id, chrono::Utc::now() + chrono::Duration::days(5)).await;
        let mut form = seed::call_form(chrono::Utc::now() + chrono::Duration::days(5));
        form.allow_informal_groups = true;
        let input = form.parse().expect("form");
        let call = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, chrono::Utc::now()).await.expect("call");
        let open_to_groups = entities::grants::calls::publish(&app.db, &coordinator, call, chrono::Utc::now()).await.expect("publish");

        let b = app.browser();
        b.login("ilze@example.lv", seed::PASSWORD).await;
        let path = format!("/orgs/{}/profile", group.id);
        let page = b.get(&path).await;
        assert!(page.contains("Profils vēl nav pilnīgs"));
        let base = [
            ("name", "Jauniešu grupa „Pumpuri”"),
            ("is_informal_group", "on"),
            ("contact_name", "Ilze Liepa"),
            ("contact_email", "ilze@example.lv"),
            ("contact_phone", "+371 2000 0000"),
        ];
        let rows = b.submit(&page, &path, &[&base[..], &[("member_name", "Anna"), ("member_birth_date", "2010-05-01"), ("action", "add_member")]].concat()).await;
        assert_eq!(rows.attrs("input[name=member_name]", "value"), vec!["Anna".to_owned(), String::new()]);
        let members = [("member_name", "Anna"), ("member_birth_date", "2010-05-01"), ("member_name", "Jānis"), ("member_birth_date", "2019-01-01"), ("member_name", "Rūta"), ("member_birth_date", "2008-03-03")];
        let young = b.submit(&page, &path, &[&base[..], &members[..], &[("action", "save")]].concat()).await;
        assert_eq!((young.status, young.field_error("member-1-birth_date")), (422, "Dalībniekam jābūt 13–25 gadus vecam.".to_owned()));
        let members = [("member_name", "Anna"), ("member_birth_date", "2010-05-01"), ("member_name", "Jānis"), ("member_birth_date", "2012-01-01"), ("member_name", "Rūta"), ("member_birth_date", "2008-03-03")];
        // A mistyped bank account is refused and kept as typed; a right one is kept in capitals.
        let mistyped = b.submit(&page, &path, &[&base[..], &members[..], &[("iban", "LV80 BANK 0000 4351 9500 2"), ("action", "save")]].concat()).await;
        assert_eq!((mistyped.status, mistyped.field_error("iban")), (422, "Šis nav derīgs IBAN: pārbaudiet valsts kodu, garumu un ciparus.".to_owned()));
        assert_eq!(mistyped.input_value("iban").as_deref(), Some("LV80 BANK 0000 4351 9500 2"));
        let saved = b.submit(&page, &path, &[&base[..], &members[..], &[("iban", "lv80bank0000435195001"), ("action", "save")]].concat()).await;
        assert_eq!(saved.text(".flash"), "Profils saglabāts.", "{}", saved.body);
        assert!(!saved.contains("Profils vēl nav pilnīgs"));
        assert_eq!(saved.input_value("iban").as_deref(), Some("LV80 BANK 0000 4351 9500 1"));
        let stored = entities::entity::organisation::Entity::find_by_id(group.id).one(&app.db).await.expect("q").expect("org");
        assert_eq!(stored.iban.as_deref(), Some("LV80BANK0000435195001"));

        let closed_page = b.get(&format!("/calls/{}", closed_to_groups.id)).await;
        assert!(!closed_page.has_form(&format!("/calls/{}/apply", closed_to_groups.id)));
        assert!(closed_page.contains("Šajā konkursā neformālas grupas pieteikties nevar."));
        let posted = b.post(&format!("/calls/{}/apply", closed_to_groups.id), &[("_csrf", &saved.csrf()), ("applicant", &group.id.to_string())]).await;
        assert_eq!((posted.status, posted.text("main p")), (400, "Šajā konkursā neformālas grupas pieteikties nevar.".to_owned()));
        let draft = b.fill(&format!("/calls/{}", open_to_groups.id), &format!("/calls/{}/apply", open_to_groups.id), &[]).await;
        assert!(draft.path.starts_with("/applications/"), "{}", draft.path);

        // A member of another NGO cannot open this profile.
        seed::user(&app.db, "other@example.lv", Role::NgoMember, w.ngo.id).await;
        let other = app.browser();
        other.login("other@example.lv", seed::PASSWORD).await;
        assert_eq!(other.get(&path).await.status, 404);
    }
);
