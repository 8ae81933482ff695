//! Support plans as schools work: a class list imported (a preview with each row's problem and
//! the duplicates, nothing written until confirmed, then written together and audited without
//! names); a pupil corrected (audited), the school's pupils moved up a class once a year, a
//! pupil moved to another school on that school's acceptance, the earlier plan staying with
//! the school that wrote it.

use chrono::{Datelike, NaiveDate, Utc};
use entities::domain::Role;
use entities::entity::{audit_log, pupil};
use entities::plans;
use pumpurs_tests::browser::Browser;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn logged_in(app: &TestApp, email: &str, role: Role, org: i32) -> Browser {
    seed::user(&app.db, email, role, org).await;
    let b = app.browser();
    let home = b.login(email, seed::PASSWORD).await;
    assert_eq!(home.status, 200, "{email}: {}", home.body);
    b
}

async fn pupils_of(app: &TestApp, school: i32) -> u64 {
    pupil::Entity::find()
        .filter(pupil::Column::SchoolId.eq(school))
        .count(&app.db)
        .await
        .expect("count")
}

both_backends!(
    async fn a_class_list_is_previewed_row_by_row_and_written_only_when_confirmed(app) {
        let w = seed::world(&app.db).await;
        let director = logged_in(app, "dir@example.lv", Role::Director, w.school_a.id).await;
        let actor = seed::actor_of(&app.db, "dir@example.lv").await;
        let known = plans::register_pupil(&app.db, &actor, w.school_a.id, ("Jānis Ozols", "6.b", NaiveDate::from_ymd_opt(2013, 2, 1).expect("date")), Utc::now()).await.expect("pupil");
        let list = format!("/schools/{}/pupils", w.school_a.id);
        let import = format!("{list}/import");
        assert_eq!(director.get(&list).await.attrs(&format!("a[href=\"{import}\"]"), "href").len(), 1);
        let page = director.get(&import).await;
        assert_eq!(page.status, 200);
        let upload = format!("{import}?_csrf={}", page.csrf());

        // Columns the list lacks are named; an old Excel file and a picture are refused.
        let lacking = director.upload(&upload, "saraksts.csv", "Vārds;Uzvārds;Adrese\nAnna;Bērziņa;Ogre\n".into()).await;
        assert_eq!(lacking.status, 422);
        let summary = lacking.texts(".error-summary li");
        assert!(summary.contains(&"Failā nav kolonnas „Klase” vai „Kurss”.".to_owned()), "{summary:?}");
        assert!(summary.contains(&"Failā nav kolonnas „Dzimšanas datums”.".to_owned()), "{summary:?}");
        assert_eq!(lacking.attrs(".error-summary a", "href").iter().filter(|h| h.starts_with("#import-missing")).count(), 2);
        assert_eq!(lacking.attrs("#import-missing-birth", "id").len(), 1, "the link has a target");
        let xls = director.upload(&upload, "saraksts.xls", b"\xd0\xcf\x11\xe0old excel".to_vec()).await;
        assert_eq!(xls.field_error("file"), "Vecais Excel formāts (.xls) netiek atbalstīts: saglabājiet failu kā XLSX vai CSV.");
        let png = director.upload(&upload, "saraksts.png", b"\x89PNG\r\n\x1a\n\0\0".to_vec()).await;
        assert_eq!(png.status, 422);

        // A list as a diary exports it: good rows, a pupil already registered, a repeated row,
        // and a row with each problem.
        let csv = "\u{feff}Nr.;Vārds;Uzvārds;Klase;Dzimšanas datums\r\n\
            1;Anna;Bērziņa;5.a;31.05.2014\r\n\
            2;Jānis;Ozols;6.b;01.02.2013\r\n\
            3;Anna;Bērziņa;5.a;2014-05-31\r\n\
            4;Ēriks;Kļaviņš;5.a;31.02.2014\r\n\
            5;Līga;Zariņa;;12.03.2014\r\n\
            6;;Liepa;5.a;12.03.2014\r\n\
            7;Toms;Egle;5.a;01.01.2090\r\n\
            8;Roberts;Šmits;5.b;07.07.2014\r\n\
            ;;;;\r\n";
        let preview = director.upload(&upload, "5a.csv", csv.as_bytes().to_vec()).await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert_eq!(pupils_of(app, w.school_a.id).await, 1, "nothing written by the preview");
        assert_eq!(preview.texts("#import-preview .stats .number"), vec!["2", "1", "1", "4"]);
        let outcome = |line: usize| preview.text(&format!("#import-rows tbody tr:nth-child({}) td.outcome", line - 1));
        assert_eq!(outcome(2), "Jauns skolēns — tiks reģistrēts");
        assert_eq!(outcome(3), "Jau reģistrēts — netiks mainīts");
        assert_eq!(preview.attrs("#import-rows td.outcome a", "href"), vec![format!("/pupils/{}", known.id)]);
        assert_eq!(outcome(4), "Tas pats skolēns, kas 2. rindā — netiks importēts vēlreiz");
        assert_eq!(outcome(5), "Dzimšanas datumu nevar nolasīt; rakstiet, piemēram, 31.05.2011.");
        assert_eq!(outcome(6), "Nav norādīta klase vai kurss (līdz 40 zīmēm).");
        assert_eq!(outcome(7), "Nav norādīts vārds un uzvārds.");
        assert_eq!(outcome(8), "Dzimšanas datums neatbilst skolēnam šajā klasē vai kursā vai ir nākotnē.");
        assert_eq!(outcome(9), "Jauns skolēns — tiks reģistrēts");
        assert_eq!(preview.texts("#import-rows tbody tr").len(), 8, "the empty row is left out");

        // Confirmed: the two new pupils, together; one audit record, no names in it.
        let confirm = format!("{import}/confirm");
        let done = director.submit(&preview, &confirm, &[]).await;
        assert_eq!(done.path, list);
        assert_eq!(done.text(".flash"), "Jaunie skolēni no klases saraksta ir reģistrēti.");
        let names: Vec<String> = pupil::Entity::find().filter(pupil::Column::SchoolId.eq(w.school_a.id)).all(&app.db).await.expect("pupils").into_iter().map(|p| format!("{} {} {}", p.name, p.class_name, p.birth_date)).collect();
        assert_eq!(names, vec!["Jānis Ozols 6.b 2013-02-01", "Anna Bērziņa 5.a 2014-05-31", "Roberts Šmits 5.b 2014-07-07"]);
        let audit = audit_log::Entity::find().filter(audit_log::Column::Action.eq("pupil_import")).all(&app.db).await.expect("audit");
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].details.as_deref(), Some("2 pupils"));

        // The same confirmation again writes nothing twice.
        let again = director.submit(&preview, &confirm, &[]).await;
        assert_eq!(again.field_error("file"), "Nav neviena jauna skolēna, ko reģistrēt: visi jau ir reģistrēti.");
        assert_eq!(pupils_of(app, w.school_a.id).await, 3);

        // An XLSX list in English headers reads the same way.
        let xlsx = pumpurs_tests::xlsx(&[
            &["Full name", "Class or course", "Date of birth"],
            &["Marta Liepa", "2. kurss", "2008-09-10"],
        ]);
        let en = director.upload(&upload, "list.xlsx", xlsx).await;
        assert_eq!(en.texts("#import-preview .stats .number"), vec!["1", "0", "0", "0"], "{}", en.body);

        // Another school's director, and a teacher of this school who may not register pupils: not found.
        let other = logged_in(app, "dir-b@example.lv", Role::Director, w.school_b.id).await;
        assert_eq!(other.get(&import).await.status, 404);
        assert_eq!(other.upload(&format!("{import}?_csrf={}", other.get("/").await.csrf()), "5a.csv", csv.as_bytes().to_vec()).await.status, 404);
        let staff = logged_in(app, "staff@example.lv", Role::SupportStaff, w.school_a.id).await;
        assert_eq!(staff.get(&import).await.status, 404);
        assert_eq!(pupils_of(app, w.school_a.id).await, 3);
    }
);

async fn audit_of(app: &TestApp, action: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .expect("audit")
}

async fn class_of(app: &TestApp, id: i32) -> pupil::Model {
    pupil::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("read")
        .expect("pupil")
}

both_backends!(
    async fn pupils_are_corrected_moved_up_a_class_and_moved_to_another_school_with_their_history(app) {
        let w = seed::world(&app.db).await;
        let a = logged_in(app, "dir-a@example.lv", Role::Director, w.school_a.id).await;
        let b = logged_in(app, "dir-b@example.lv", Role::Director, w.school_b.id).await;
        let actor = seed::actor_of(&app.db, "dir-a@example.lv").await;
        let born = NaiveDate::from_ymd_opt(2013, 4, 5).expect("date");
        let mut ids = Vec::new();
        for (name, class, years_older) in [("Ana Liepa", "5.a", 0), ("Ints Ozols", "11.b", 3), ("Kārlis Zars", "12.a", 4), ("Maija Kalna", "PII", 0)] {
            let born = born.with_year(2013 - years_older).expect("date");
            ids.push(plans::register_pupil(&app.db, &actor, w.school_a.id, (name, class, born), Utc::now()).await.expect("pupil").id);
        }
        let (anna, ints, karlis, maija) = (ids[0], ids[1], ids[2], ids[3]);

        // A correction: each wrong field refused at it, nothing changed; then saved and audited
        // without the values.
        let page = a.get(&format!("/pupils/{anna}")).await;
        let correct = format!("/pupils/{anna}/correct");
        assert_eq!(page.input_value("name").as_deref(), Some("Ana Liepa"), "the form starts from the pupil's data");
        let bad = a.submit(&page, &correct, &[("name", "Anna Liepa"), ("class_name", "5.a"), ("birth_date", "31.02.2013")]).await;
        assert_eq!((bad.status, bad.field_error("birth_date").as_str()), (422, "Ievadiet datumu, piemēram, 31.05.2010."));
        assert_eq!(bad.input_value("name").as_deref(), Some("Anna Liepa"), "kept as typed");
        let bad = a.submit(&page, &correct, &[("name", " "), ("class_name", ""), ("birth_date", "2090-01-01")]).await;
        assert!(!bad.field_error("name").is_empty() && !bad.field_error("class_name").is_empty() && !bad.field_error("birth_date").is_empty(), "{}", bad.body);
        assert_eq!(class_of(app, anna).await.name, "Ana Liepa");
        let b_home = b.get("/").await;
        assert_eq!(b.post(&correct, &[("_csrf", &b_home.csrf()), ("name", "X"), ("class_name", "5.a"), ("birth_date", "2013-04-05")]).await.status, 404, "not another school's");
        let done = a.submit(&page, &correct, &[("name", "Anna Liepa"), ("class_name", "5.b"), ("birth_date", "2013-04-05")]).await;
        assert_eq!(done.text(".flash"), "Skolēna dati laboti.");
        let corrected = class_of(app, anna).await;
        assert_eq!((corrected.name.as_str(), corrected.class_name.as_str()), ("Anna Liepa", "5.b"));
        let audit = audit_of(app, "pupil_correct").await;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].details.as_deref(), Some("changed: name, class"));

        // Moving up a class: shown first, confirmed with a box, once a school year.
        let promote = format!("/schools/{}/pupils/promote", w.school_a.id);
        let page = a.get(&promote).await;
        assert_eq!(page.texts("#promotion td:first-child"), vec!["5.b", "11.b", "12.a", "PII"], "{}", page.body);
        assert_eq!(page.texts("#promotion td:nth-child(2)"), vec!["6.b", "12.b", "paliek", "paliek"]);
        let unconfirmed = a.submit(&page, &promote, &[]).await;
        assert_eq!(unconfirmed.status, 422);
        assert_eq!(class_of(app, anna).await.class_name, "5.b", "nothing moved unconfirmed");
        let moved = a.submit(&page, &promote, &[("confirm", "yes")]).await;
        assert_eq!(moved.text(".flash"), "Skolēni pārcelti nākamajā klasē.");
        let mut classes = Vec::new();
        for id in [anna, ints, karlis, maija] {
            classes.push(class_of(app, id).await.class_name);
        }
        assert_eq!(classes, vec!["6.b", "12.b", "12.a", "PII"], "each moved once, the last class and PII stay");
        let again = a.submit(&page, &promote, &[("confirm", "yes")]).await;
        assert_eq!(again.status, 422);
        assert!(again.contains("jau ir pārcelti"), "{}", again.body);
        assert_eq!(class_of(app, anna).await.class_name, "6.b", "not twice");
        assert_eq!(b.get(&promote).await.status, 404);

        // A plan at school A, then the move to school B: asked by A, accepted by B.
        let today = Utc::now().date_naive();
        let semester = plans::create_semester(&app.db, 2026, 1, (today - chrono::Duration::days(30), today + chrono::Duration::days(60)), entities::money::Eur::from_cents(50_000), Utc::now()).await.expect("semester");
        let old_plan = plans::start_plan(&app.db, &actor, anna, semester.id, Utc::now()).await.expect("plan");
        let page = a.get(&format!("/pupils/{anna}")).await;
        let transfer = format!("/pupils/{anna}/transfer");
        let wrong = a.submit(&page, &transfer, &[("to_school", &w.school_a.id.to_string())]).await;
        assert_eq!(wrong.field_error("to_school"), "Izvēlieties citu skolu.");
        let asked = a.submit(&page, &transfer, &[("to_school", &w.school_b.id.to_string())]).await;
        assert_eq!(asked.text(".flash"), "Pieprasījums nosūtīts; skolēns tiks pārcelts, kad otras skolas direktors to apstiprinās.");
        assert!(asked.text(".notice").starts_with("Gaidām, kad skolēnu pārņems"), "{}", asked.body);
        assert_eq!(class_of(app, anna).await.school_id, w.school_a.id, "nothing moves before the answer");
        let b_list = b.get(&format!("/schools/{}/pupils", w.school_b.id)).await;
        assert_eq!(b_list.texts("#incoming-transfers tbody td:first-child"), vec!["Anna Liepa"]);
        let transfer_reads = audit_log::Entity::find().filter(audit_log::Column::Action.eq("transfers_view")).filter(audit_log::Column::OrgId.eq(w.school_b.id)).count(&app.db).await.expect("audit");
        assert_eq!(transfer_reads, 1, "the receiving director's read of the pupil is audited");
        let accept = b_list.attrs("#incoming-transfers form", "action")[0].clone();
        let a_home = a.get("/").await;
        assert_eq!(a.post(&accept, &[("_csrf", &a_home.csrf())]).await.status, 404, "only the receiving director decides");
        let accepted = b.submit(&b_list, &accept, &[]).await;
        assert_eq!(accepted.text(".flash"), "Skolēns pārņemts jūsu skolā.");
        assert_eq!(class_of(app, anna).await.school_id, w.school_b.id);
        assert_eq!(b.submit(&b_list, &accept, &[]).await.status, 400, "decided once");
        assert_eq!(audit_of(app, "pupil_transfer_accept").await.iter().map(|r| r.org_id).collect::<Vec<_>>(), vec![Some(w.school_a.id), Some(w.school_b.id)]);
        // The history stays: A still reads its plan; B sees it listed, not opened.
        assert_eq!(a.get(&format!("/pupils/{anna}")).await.status, 404);
        assert_eq!(a.get(&format!("/plans/{}", old_plan.id)).await.status, 200);
        let at_b = b.get(&format!("/pupils/{anna}")).await;
        assert!(at_b.texts("li").iter().any(|t| t.contains("iepriekšējā skolā")), "{}", at_b.body);
        assert!(at_b.attrs(&format!("a[href=\"/plans/{}\"]", old_plan.id), "href").is_empty());
        assert_eq!(b.get(&format!("/plans/{}", old_plan.id)).await.status, 404);

        // Declined: the pupil stays.
        let page = a.get(&format!("/pupils/{ints}")).await;
        a.submit(&page, &format!("/pupils/{ints}/transfer"), &[("to_school", &w.school_b.id.to_string())]).await;
        let b_list = b.get(&format!("/schools/{}/pupils", w.school_b.id)).await;
        let decline = b_list.attrs("#incoming-transfers form", "action")[1].clone();
        assert!(decline.ends_with("/decline"));
        assert_eq!(b.submit(&b_list, &decline, &[]).await.text(".flash"), "Pieprasījums noraidīts; skolēns paliek iepriekšējā skolā.");
        assert_eq!(class_of(app, ints).await.school_id, w.school_a.id);
    }
);
