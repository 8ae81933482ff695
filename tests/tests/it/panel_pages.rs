//! The panel's pages: declaring, scoring, and who gets nothing at all.

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::grants::panel;
use pumpurs_tests::{both_backends, seed};
use sea_orm::{EntityTrait, PaginatorTrait};

both_backends!(
    async fn members_declare_and_score_through_the_pages_and_others_get_404(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let m1 = seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await;
        let m2 = seed::user(&app.db, "m2@example.lv", Role::PanelMember, w.muni_a.id).await;
        let m3 = seed::user(&app.db, "m3@example.lv", Role::PanelMember, w.muni_a.id).await;
        let ngo_user = seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
        let closes = Utc::now() + Duration::hours(1);
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
        let other_call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
        seed::bulk_submitted(&app.db, &call, &w.ngo, ngo_user.id, 1, 2).await;
        panel::set_panel(&app.db, &coordinator, &call, &[m1.id, m2.id], Some(m1.id), Utc::now()).await.expect("panel");
        panel::set_panel(&app.db, &coordinator, &other_call, &[m3.id], Some(m3.id), Utc::now()).await.expect("panel");
        app.clock.hold(Some(closes + Duration::minutes(1)));
        let apps = entities::grants::applications::of_call(&app.db, call.id, None).await.expect("apps").0;
        let (a, b) = (apps[0].app.id, apps[1].app.id);

        let one = app.browser();
        one.login("m1@example.lv", seed::PASSWORD).await;
        let list = one.get(&format!("/panel/calls/{}", call.id)).await;
        assert_eq!(list.texts("tbody td:last-child"), vec!["Jāapliecina interešu konflikta neesamība".to_owned(); 2]);
        let declare = one.get(&format!("/panel/applications/{a}")).await;
        assert!(declare.contains("Apliecinājums par interešu konfliktu") && !declare.contains("Darbnīcas"), "nothing of the content before declaring");
        let refused = one.submit(&declare, &format!("/panel/applications/{a}/declaration"), &[("conflict", "yes"), ("note", "")]).await;
        assert_eq!(refused.field_error("note"), "Īsi aprakstiet interešu konfliktu.");
        let recused = one.submit(&declare, &format!("/panel/applications/{a}/declaration"), &[("conflict", "yes"), ("note", "Esmu valdē")]).await;
        assert_eq!(recused.text(".flash"), "Jūsu atstatīšanās reģistrēta.");
        assert_eq!(one.get(&format!("/panel/applications/{a}")).await.status, 404, "a conflicted member sees nothing of it");

        let page = one.get(&format!("/panel/applications/{b}")).await;
        let card = one.submit(&page, &format!("/panel/applications/{b}/declaration"), &[("conflict", "no")]).await;
        assert!(card.contains("Darbnīcas") && card.has_form(&format!("/panel/applications/{b}")));
        let criteria = entities::grants::calls::criteria(&app.db, call.id).await.expect("criteria");
        let (c1, c2) = (criteria[0].id.to_string(), criteria[1].id.to_string());
        // A draft with one mark out of range: refused, every other mark and comment shown as
        // typed, nothing stored.
        let path = format!("/panel/applications/{b}");
        let bad = one.submit(&card, &path, &[("criterion", &c1), ("points", "12"), ("comment", "Par daudz"), ("criterion", &c2), ("points", "3"), ("comment", "Labs plāns"), ("action", "save")]).await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.field_error(&format!("score-{c1}")), "Punktiem jābūt no 0 līdz kritērija maksimumam.");
        assert_eq!(bad.attrs("input[name=points]", "value"), vec!["12".to_owned(), "3".to_owned()]);
        assert_eq!(bad.texts("textarea[name=comment]"), vec!["Par daudz".to_owned(), "Labs plāns".to_owned()]);
        assert_eq!(entities::entity::scorecard::Entity::find().count(&app.db).await.expect("count"), 0, "nothing stored");
        // Points and "not applicable" together: the form says which it cannot tell.
        let both = one.submit(&card, &path, &[("criterion", &c1), ("points", "5"), ("comment", ""), ("criterion", &c2), ("points", "4"), ("not_applicable", &c2), ("comment", ""), ("action", "save")]).await;
        assert_eq!((both.status, both.field_error(&format!("score-{c2}"))), (422, "Ievadiet punktus vai atzīmējiet „nav piemērojams”, ne abus.".to_owned()));
        assert_eq!(both.attrs("input[name=points]", "value")[1], "4", "the typed points are kept");
        // Submitting locks: not without the box ticked.
        let full = [("criterion", c1.as_str()), ("points", "9"), ("comment", "Labi"), ("criterion", &c2), ("points", ""), ("not_applicable", &c2), ("comment", ""), ("action", "submit")];
        let unconfirmed = one.submit(&card, &path, &full).await;
        assert_eq!((unconfirmed.status, unconfirmed.field_error("submit_confirm")), (422, "Lai iesniegtu vērtējumu, atzīmējiet, ka saprotat: iesniegtu vērtējumu vairs nevar mainīt. Melnrakstu var saglabāt arī bez šīs atzīmes.".to_owned()));
        assert_eq!(entities::entity::scorecard::Entity::find().count(&app.db).await.expect("count"), 0, "nothing stored");
        let done = one.submit(&card, &path, &[&full[..], &[("confirm", "yes")]].concat()).await;
        assert_eq!(done.text(".flash"), "Vērtējums iesniegts.", "{}", done.body);
        let again = one.post(&format!("/panel/applications/{b}"), &[("_csrf", &done.csrf()), ("criterion", &c1), ("points", "1"), ("criterion", &c2), ("points", "1"), ("action", "save")]).await;
        assert_eq!(again.status, 400, "a submitted scorecard is locked");
        let list = one.get(&format!("/panel/calls/{}", call.id)).await;
        assert_eq!(list.texts("tbody td:last-child"), vec!["Atstatīts (interešu konflikts)".to_owned(), "Iesniegts".to_owned()]);

        let other = app.browser();
        other.login("m3@example.lv", seed::PASSWORD).await;
        let ngo = app.browser();
        ngo.login("ngo@example.lv", seed::PASSWORD).await;
        for b2 in [&other, &ngo] {
            for path in [format!("/panel/calls/{}", call.id), format!("/panel/applications/{b}"), format!("/panel/applications/{a}")] {
                assert_eq!(b2.get(&path).await.status, 404, "{path}");
            }
        }
        app.clock.hold(None);
    }
);

both_backends!(
    async fn the_scoring_list_costs_the_same_statements_for_10_and_500_applications(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await;
        let closes = Utc::now() + Duration::hours(1);
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
        panel::set_panel(&app.db, &coordinator, &call, &[member.id], Some(member.id), Utc::now()).await.expect("panel");
        seed::bulk_submitted(&app.db, &call, &w.ngo, member.id, 1, 10).await;
        let b = app.browser();
        b.login("m1@example.lv", seed::PASSWORD).await;
        let path = format!("/panel/calls/{}", call.id);
        b.get(&path).await;
        let (small, page) = app.count_statements(b.get(&path)).await;
        assert_eq!(page.texts("tbody tr").len(), 10);
        seed::bulk_submitted(&app.db, &call, &w.ngo, member.id, 11, 490).await;
        let (large, page) = app.count_statements(b.get(&path)).await;
        assert_eq!(page.texts("tbody tr").len(), 50, "a page of 50");
        assert!(page.body.contains("novērtēti 0 no 500"), "the count covers the call: {}", page.body);
        assert_eq!(small, large, "statements for 10: {small}, for 500: {large}");
        // The pager goes on, in order of reference, to the last of the 500.
        assert_eq!(page.attrs("nav.pager a[rel=next]", "href"), vec![format!("{path}?page=2")]);
        let first: Vec<String> = page.texts("tbody td:first-child");
        let last = b.get(&format!("{path}?page=10")).await;
        let rest: Vec<String> = last.texts("tbody td:first-child");
        assert_eq!((rest.len(), last.attrs("nav.pager a[rel=next]", "href").len()), (50, 0));
        assert!(first[0] < first[49] && first[49] < rest[0] && rest[0] < rest[49], "{first:?} {rest:?}");
        assert!((4..=12).contains(&small), "{small} statements");
        eprintln!("scoring list: {small} SQL statements for 10 and for 500 applications");
    }
);

both_backends!(
    async fn the_coordinator_names_the_panel_decides_and_publishes_through_the_pages(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let members = [
            seed::actor(&app.db, &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await).await,
            seed::actor(&app.db, &seed::user(&app.db, "m2@example.lv", Role::PanelMember, w.muni_a.id).await).await,
        ];
        let ngo_user = seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
        let closes = Utc::now() + Duration::hours(1);
        let mut form = seed::call_form(closes);
        form.budget = "2000".into();
        form.max_grant = "2000".into();
        let input = form.parse().expect("form");
        let call = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, Utc::now()).await.expect("call");
        let call = entities::grants::calls::publish(&app.db, &coordinator, call, Utc::now()).await.expect("publish");
        seed::bulk_submitted(&app.db, &call, &w.ngo, ngo_user.id, 1, 3).await;
        let b = app.browser();
        b.login("coord@example.lv", seed::PASSWORD).await;
        let panel_path = format!("/manage/calls/{}/panel", call.id);
        let page = b.get(&panel_path).await;
        assert_eq!(page.attrs("input[name=member]", "value").len(), 2);
        let (id1, id2) = (members[0].user.id.to_string(), members[1].user.id.to_string());
        let bad = b.submit(&page, &panel_path, &[("member", &id1), ("chair", &id2)]).await;
        assert_eq!((bad.status, bad.text(".error-summary li")), (422, "priekšsēdētājs: Komisijas priekšsēdētājam jābūt vienam no komisijas locekļiem.".to_owned()));
        let saved = b.submit(&page, &panel_path, &[("member", &id1), ("member", &id2), ("chair", &id1)]).await;
        assert_eq!(saved.text(".flash"), "Komisija saglabāta.");

        app.clock.hold(Some(closes + Duration::minutes(1)));
        let now = closes + Duration::minutes(1);
        let criteria = entities::grants::calls::criteria(&app.db, call.id).await.expect("criteria");
        let apps: Vec<i32> = entities::grants::applications::of_call(&app.db, call.id, None).await.expect("apps").0.into_iter().map(|r| r.app.id).collect();
        // Before anyone has scored, locking warns and names who has not finished.
        let early = b.get(&format!("/manage/calls/{}/results", call.id)).await;
        let warning = early.text("form[action$='/lock'] .notice");
        assert!(warning.contains("Vēl nav pabeiguši vērtēt") && warning.contains("User m1@example.lv (3)") && warning.contains("User m2@example.lv (3)"), "{warning}");
        let mark = |c: &entities::entity::call_criterion::Model, p: &str| panel::MarkForm { criterion_id: c.id, points: p.into(), not_applicable: false, comment: String::new() };
        for (m, lenient) in members.iter().zip([0, 2]) {
            for (i, app_id) in apps.iter().enumerate() {
                panel::declare(&app.db, m, *app_id, false, "", now).await.expect("declare");
                let p1 = (9 - 2 * i as i32 + lenient).min(10).to_string();
                panel::save_card(&app.db, m, *app_id, &[mark(&criteria[0], &p1), mark(&criteria[1], "3")], true, now).await.expect("card");
            }
        }
        let results_path = format!("/manage/calls/{}/results", call.id);
        let results = b.get(&results_path).await;
        assert_eq!(results.texts("tbody tr").len(), 3 + 2, "three applications and two members in the calibration table");
        // m2 gives 2 more points (weight 2) except where 10 caps it: deviations 1, 2, 2 → ±1.67.
        assert!(results.contains("+1.67") && results.contains("-1.67"), "the lenient member stands out: {}", results.text("table:last-of-type"));
        assert!(results.text("p.hint").contains("lielāka mediāna"), "the tie-break rule is on the page");
        let reduced = b.submit(&results, &format!("/manage/calls/{}/reduced", call.id), &[("application", &apps[1].to_string()), ("amount", "5000")]).await;
        assert_eq!(reduced.status, 422, "more than requested");
        let reduced = b.submit(&results, &format!("/manage/calls/{}/reduced", call.id), &[("application", &apps[1].to_string()), ("amount", "800")]).await;
        assert_eq!(reduced.text(".flash"), "Samazinātā summa saglabāta.");
        assert_eq!(b.get(&format!("/api/v1/calls/{}/results", call.id)).await.status, 404, "nothing public before publishing");
        let lock = format!("/manage/calls/{}/lock", call.id);
        let warning = reduced.text(".notice");
        assert!(warning.contains("Vērtēšanas termiņš vēl nav beidzies") && !warning.contains("Vēl nav pabeiguši"), "every scorecard is in: {warning}");
        let unconfirmed = b.submit(&reduced, &lock, &[]).await;
        assert_eq!((unconfirmed.status, unconfirmed.field_error("lock_confirm")), (422, "Atzīmējiet apstiprinājumu, lai turpinātu.".to_owned()));
        assert_eq!(b.get(&format!("/api/v1/calls/{}/results", call.id)).await.status, 404);
        let locked = b.submit(&reduced, &lock, &[("confirm", "yes")]).await;
        assert_eq!(locked.text(".flash"), "Lēmums apstiprināts.");
        let funded: Vec<String> = locked.texts("tbody tr td:last-child").into_iter().filter(|t| t.starts_with("Atbalstīts")).collect();
        assert_eq!(funded.len(), 2, "1 000 + 800 fit in 2 000; the third does not");

        let (status, headers, body) = b.download(&format!("/manage/calls/{}/export.xlsx", call.id)).await;
        assert_eq!(status, 200);
        assert!(body.starts_with(b"PK\x03\x04") && headers.get("content-disposition").is_some());
        let has = |name: &[u8]| body.windows(name.len()).any(|w| w == name);
        assert!(has(b"xl/worksheets/sheet1.xml") && has(b"xl/worksheets/sheet2.xml"), "decision and scores sheets");
        let (_, _, csv) = b.download(&format!("/manage/calls/{}/export.csv", call.id)).await;
        assert!(String::from_utf8_lossy(&csv).contains("\"800,00\""), "the reduced amount is exported");
        let (_, _, scores) = b.download(&format!("/manage/calls/{}/scores.csv", call.id)).await;
        let scores = String::from_utf8_lossy(&scores).into_owned();
        assert_eq!(scores.lines().count(), 1 + 3 * 2 * 2, "a row per application, member and criterion");
        let minutes = b.get(&format!("/manage/calls/{}/minutes", call.id)).await;
        assert!(minutes.contains("m1@example.lv") || minutes.contains("User m1@example.lv"));
        assert!(minutes.contains("Neviens vērtētājs nav atstatījies."));

        let publish = format!("/manage/calls/{}/publish-results", call.id);
        assert!(locked.text("label[for=publish_confirm]").contains("e-pastu saņems 3 pieteicēji"), "{}", locked.text("label[for=publish_confirm]"));
        let unconfirmed = b.submit(&locked, &publish, &[]).await;
        assert_eq!(unconfirmed.status, 422);
        assert_eq!(crate::outbox_events(app).await.iter().filter(|e| matches!(e, entities::outbox::EmailEvent::CallResult { .. })).count(), 0, "nobody told");
        let published = b.submit(&locked, &publish, &[("confirm", "yes")]).await;
        assert_eq!(published.text(".flash"), "Rezultāti publicēti; pieteicējiem tiek sūtīti e-pasti.");
        let public = app.browser().get(&format!("/calls/{}/results", call.id)).await;
        assert_eq!(public.texts("tbody tr").len(), 3);
        assert!(!public.contains("ngo@example.lv"), "no personal data");
        let (status, _, body) = app.browser().download(&format!("/api/v1/calls/{}/results", call.id)).await;
        let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(status, 200);
        assert_eq!(json["results"][1]["amount"], "800.00");
        assert_eq!(json["results"][2]["outcome"], "reserve");
        app.clock.hold(None);
    }
);

both_backends!(
    async fn compliance_questions_answers_ineligibility_and_declining_through_the_pages(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let ngo = seed::actor(&app.db, &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let closes = Utc::now() + Duration::hours(1);
        let mut form = seed::call_form(closes);
        form.budget = "1200".into();
        form.max_grant = "1200".into();
        let (call, ids) = seed::call_with_submitted(&app.db, &coordinator, w.muni_a.id, &form, (&ngo, &w.ngo), 3).await;
        let now = closes + Duration::minutes(1);
        app.clock.hold(Some(now));
        let c = app.browser();
        c.login("coord@example.lv", seed::PASSWORD).await;
        let path = format!("/applications/{}", ids[0]);
        let page = c.get(&path).await;
        assert!(page.contains("Administratīvā atbilstība"));
        let req = entities::grants::calls::requirements(&app.db, call.id).await.expect("req")[0].id.to_string();
        let unmet = c.submit(&page, &format!("/manage/applications/{}/compliance", ids[0]), &[("requirement", &req), ("comment", "")]).await;
        assert_eq!((unmet.status, unmet.field_error(&format!("comment-{req}"))), (422, "Ja prasība nav izpildīta, paskaidrojiet kāpēc.".to_owned()));
        let met = c.submit(&page, &format!("/manage/applications/{}/compliance", ids[0]), &[("requirement", &req), ("met", &req), ("comment", "")]).await;
        assert_eq!(met.text(".flash"), "Atbilstības pārbaude saglabāta.");
        let riga = entities::time::to_riga(now + Duration::days(2)).format("%Y-%m-%dT%H:%M").to_string();
        let asked = c.submit(&met, &format!("/manage/applications/{}/clarifications", ids[0]), &[("question", "Kas vadīs nodarbības?"), ("deadline", &riga)]).await;
        assert_eq!(asked.text(".flash"), "Jautājums nosūtīts pieteicējam.");
        assert!(crate::outbox_events(app).await.iter().any(|e| matches!(e, entities::outbox::EmailEvent::Clarification { .. })));

        let n = app.browser();
        n.login("ngo@example.lv", seed::PASSWORD).await;
        let mine = n.get(&path).await;
        assert!(mine.contains("Kas vadīs nodarbības?"));
        let action = mine.attrs("form[action*='/clarifications/']", "action").into_iter().next().expect("answer form");
        let answered = n.submit(&mine, &action, &[("answer", "Pieredzējis jaunatnes darbinieks.")]).await;
        assert_eq!(answered.text(".flash"), "Atbilde nosūtīta.");
        assert!(c.get(&path).await.contains("Pieredzējis jaunatnes darbinieks."), "the coordinator reads the answer");

        let third = format!("/applications/{}", ids[2]);
        let page = c.get(&third).await;
        let unconfirmed = c.submit(&page, &format!("/manage/applications/{}/ineligible", ids[2]), &[("reason", "Nav darba plāna.")]).await;
        assert_eq!(unconfirmed.status, 422, "a destructive step needs its confirmation");
        let done = c.submit(&page, &format!("/manage/applications/{}/ineligible", ids[2]), &[("reason", "Nav darba plāna."), ("confirm", "yes")]).await;
        assert_eq!(done.text(".flash"), "Pieteikums atzīts par neatbilstošu.");
        assert!(n.get(&third).await.contains("Nav darba plāna."), "the applicant sees the reason");

        // Scored and locked: 1 200 funds the first; the second is the reserve. The first declines.
        let member = seed::actor(&app.db, &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await).await;
        let call = entities::entity::call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        panel::set_panel(&app.db, &coordinator, &call, &[member.user.id], Some(member.user.id), now).await.expect("panel");
        let criteria = entities::grants::calls::criteria(&app.db, call.id).await.expect("criteria");
        for (id, points) in [(ids[0], "9"), (ids[1], "7")] {
            panel::declare(&app.db, &member, id, false, "", now).await.expect("declare");
            let marks: Vec<panel::MarkForm> = criteria.iter().map(|c| panel::MarkForm { criterion_id: c.id, points: points.min("5").to_owned(), ..Default::default() }).collect();
            let mut marks = marks;
            marks[0].points = points.to_owned();
            panel::save_card(&app.db, &member, id, &marks, true, now).await.expect("card");
        }
        entities::grants::decision::lock(&app.db, &coordinator, call, now).await.expect("lock");
        let funded_page = n.get(&path).await;
        let declined = n.submit(&funded_page, &format!("{path}/decline"), &[("confirm", "yes")]).await;
        assert_eq!(declined.text(".flash"), "Jūs atteicāties no finansējuma; to saņems nākamais rezerves sarakstā.", "{}", declined.body);
        let second = entities::entity::application::Entity::find_by_id(ids[1]).one(&app.db).await.expect("q").expect("row");
        assert_eq!(second.status, entities::entity::application::ApplicationStatus::Funded, "the reserve moved up");
        app.clock.hold(None);
    }
);

both_backends!(
    async fn the_scorecard_shows_the_whole_application_its_total_and_leads_to_the_next(app) {
        use entities::entity::budget_line;
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let m1 = seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await;
        let ngo_user = seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
        let closes = Utc::now() + Duration::hours(1);
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
        seed::bulk_submitted(&app.db, &call, &w.ngo, ngo_user.id, 1, 3).await;
        panel::set_panel(&app.db, &coordinator, &call, &[m1.id], Some(m1.id), Utc::now()).await.expect("panel");
        app.clock.hold(Some(closes + Duration::minutes(1)));
        let apps = entities::grants::applications::of_call(&app.db, call.id, None).await.expect("apps").0;
        let ids: Vec<i32> = apps.iter().map(|a| a.app.id).collect();
        budget_line::ActiveModel { application_id: Set(ids[0]), category: Set("equipment".into()), description: Set("Mikrofoni".into()), quantity: Set(4), unit_cents: Set(15_000), position: Set(0), ..Default::default() }
            .insert(&app.db)
            .await
            .expect("line");

        let one = app.browser();
        one.login("m1@example.lv", seed::PASSWORD).await;
        let first = format!("/panel/applications/{}", ids[0]);
        let page = one.get(&first).await;
        let card = one.submit(&page, &format!("{first}/declaration"), &[("conflict", "no")]).await;
        assert_eq!(card.text("#panel-progress a"), "Izskatīti 0 no 3 pieteikumiem");
        assert_eq!(card.texts("#panel-budget tbody td"), vec!["Aprīkojums", "Mikrofoni", "4", "150,00 €", "600,00 €"], "{}", card.body);
        assert_eq!(card.texts("main > p strong")[..2], ["1 000,00 €".to_owned(), "200,00 €".to_owned()], "requested and co-financing");
        assert!(card.texts("#panel-total").is_empty(), "no total before any mark");

        // Saved, the page shows the weighted total as the results will count it.
        let criteria = entities::grants::calls::criteria(&app.db, call.id).await.expect("criteria");
        let (c1, c2) = (criteria[0].id.to_string(), criteria[1].id.to_string());
        let saved = one.submit(&card, &first, &[("criterion", &c1), ("points", "7"), ("comment", ""), ("criterion", &c2), ("points", "3"), ("comment", ""), ("action", "save")]).await;
        assert_eq!(saved.text(".flash"), "Vērtējuma melnraksts saglabāts.");
        let card_marks = entities::grants::scoring::Card {
            member_id: m1.id,
            marks: [(criteria[0].id, entities::grants::scoring::Mark::Points(7)), (criteria[1].id, entities::grants::scoring::Mark::Points(3))].into(),
        };
        let expected = entities::grants::scoring::weighted_total(&panel::rules(&criteria), &card_marks).expect("a total");
        assert_eq!(saved.text("#panel-total strong"), format!("{:.2}", expected).replace('.', ","));

        // "Save and open the next one" goes to the next application not yet scored.
        let next = one.submit(&saved, &first, &[("criterion", &c1), ("points", "8"), ("comment", ""), ("criterion", &c2), ("points", "3"), ("comment", ""), ("action", "save_next")]).await;
        assert_eq!(next.path, format!("/panel/applications/{}", ids[1]));
        assert_eq!(next.text(".flash"), "Vērtējuma melnraksts saglabāts.");
        app.clock.hold(None);
    }
);

both_backends!(
    /// The results page shows the ranking 50 at a time, from a ranking worked out once per
    /// change: a reader after a change sees it at once.
    async fn the_results_page_the_ranking_fifty_at_a_time_and_shows_a_change_at_once(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await).await;
        let closes = Utc::now() + Duration::hours(1);
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
        panel::set_panel(&app.db, &coordinator, &call, &[member.user.id], Some(member.user.id), Utc::now()).await.expect("panel");
        seed::bulk_submitted(&app.db, &call, &w.ngo, coordinator.user.id, 1, 60).await;
        let now = closes + Duration::minutes(1);
        app.clock.hold(Some(now));
        let criteria = entities::grants::calls::criteria(&app.db, call.id).await.expect("criteria");
        let apps: Vec<i32> = entities::grants::applications::of_call(&app.db, call.id, None).await.expect("apps").0.into_iter().map(|r| r.app.id).collect();
        let b = app.browser();
        b.login("coord@example.lv", seed::PASSWORD).await;
        let path = format!("/manage/calls/{}/results", call.id);
        assert_eq!(b.get(&path).await.texts("tbody tr").len(), 50, "a page of the 60, none scored yet");
        let mark = |c: &entities::entity::call_criterion::Model, p: i32| panel::MarkForm { criterion_id: c.id, points: p.to_string(), not_applicable: false, comment: String::new() };
        for (i, app_id) in apps.iter().enumerate() {
            panel::declare(&app.db, &member, *app_id, false, "", now).await.expect("declare");
            let p = 10 - i32::try_from(i / 6).expect("small");
            panel::save_card(&app.db, &member, *app_id, &[mark(&criteria[0], p), mark(&criteria[1], 3)], true, now).await.expect("card");
        }
        let (statements, first) = app.count_statements(b.get(&path)).await;
        let ranks = |page: &pumpurs_tests::Page| page.texts("tbody tr td.num:first-child");
        let expected: Vec<String> = (1..=50).map(|r| r.to_string()).collect();
        assert_eq!(ranks(&first), expected, "ranks 1 to 50 on the first page");
        assert_eq!(first.texts("tbody tr").len(), 50 + 1, "and the member's calibration");
        let second = b.get(&format!("{path}?page=2")).await;
        assert_eq!(ranks(&second), (51..=60).map(|r| r.to_string()).collect::<Vec<_>>());
        // An application found ineligible leaves the ranking at once.
        let leaving = *apps.last().expect("apps");
        let last_title = entities::entity::application::Entity::find_by_id(leaving).one(&app.db).await.expect("q").expect("app").title;
        assert!(second.text("tbody").contains(&last_title), "the lowest scored is on the second page");
        entities::grants::compliance::mark_ineligible(&app.db, &coordinator, leaving, "Nav atbilstošs.", now).await.expect("ineligible");
        let after = b.get(&format!("{path}?page=2")).await;
        assert_eq!(ranks(&after).len(), 9, "{}", after.text("nav.pager"));
        assert!(!after.text("tbody").contains(&last_title), "{last_title} left");
        let (again, _) = app.count_statements(b.get(&path)).await;
        assert!(again < statements && again <= 12, "a page of a kept ranking: {again} statements (worked out: {statements})");
        eprintln!("results page: {statements} statements worked out, {again} kept");
        app.clock.hold(None);
    }
);

both_backends!(
    /// The exports of a call larger than a part come whole and in order, made a part of 500
    /// applications at a time: no statement binds a list of values that grows with the call
    /// (SQLite's limit of 32,766 was reached at ~6,500 applications × 5 members).
    async fn the_exports_of_a_large_call_come_whole_a_part_at_a_time(app) {
        use calamine::Reader;
        let built = seed::scored_call(app, 1_100, 2).await;
        let id = built.call.id;
        let criteria = entities::grants::calls::criteria(&app.db, id).await.expect("criteria").len();
        let b = app.browser();
        b.login("coord@example.lv", seed::PASSWORD).await;
        app.most_values.store(0, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(b.get(&format!("/manage/calls/{id}/results")).await.status, 200);
        let csv = |bytes: Vec<u8>| String::from_utf8(bytes).expect("utf-8");
        let refs = |doc: &str| -> Vec<String> { doc.lines().skip(1).map(|l| l.split(';').next().unwrap_or_default().trim_matches('"').to_owned()).collect() };
        let in_order: Vec<String> = (1..=1_100).map(|seq| format!("REZ-2026-{seq:03}")).collect();

        let (status, _, listed) = b.download(&format!("/manage/calls/{id}/applications.csv")).await;
        assert_eq!(status, 200);
        let listed = csv(listed);
        assert!(listed.starts_with('\u{feff}'));
        assert_eq!(refs(&listed), in_order, "every application once, in reference order");

        let results = csv(b.download(&format!("/manage/calls/{id}/export.csv")).await.2);
        let mut ranked = refs(&results);
        assert_eq!(ranked.len(), 1_100, "the whole ranking");
        ranked.sort_by_key(|r| r.trim_start_matches("REZ-2026-").parse::<u32>().unwrap_or(0));
        assert_eq!(ranked, in_order, "each application once");

        let scores = csv(b.download(&format!("/manage/calls/{id}/scores.csv")).await.2);
        assert_eq!(scores.lines().count(), 1 + 1_100 * 2 * criteria, "a row per application, member and criterion");
        let mut sorted = refs(&scores);
        sorted.sort();
        assert_eq!(refs(&scores), sorted, "in the order of the references");

        let (status, headers, xlsx) = b.download(&format!("/manage/calls/{id}/export.xlsx")).await;
        assert_eq!(status, 200, "{:?}", headers);
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("a workbook");
        let sheets = book.sheet_names();
        assert_eq!(sheets.len(), 2);
        let decision = book.worksheet_range(&sheets[0]).expect("decision sheet");
        assert_eq!(decision.height(), 1 + 1_100);
        assert_eq!(decision.get((0, 0)).map(ToString::to_string), Some("Numurs".to_owned()));
        let marks = book.worksheet_range(&sheets[1]).expect("scores sheet");
        assert_eq!(marks.height(), 1 + 1_100 * 2 * criteria);

        let most = app.most_values.load(std::sync::atomic::Ordering::Relaxed);
        assert!(most <= 520, "the most values one statement bound: {most}");
        app.clock.hold(None);
    }
);
