//! Pupil support plans through the pages, as the people who use them: the second factor for
//! everyone who can see pupil data; a pupil registered, assigned, their plan written, approved at
//! every level, carried out (a session, an expense with its document) and evaluated; one audit
//! record per plan page; "not found" for another school's staff and for support staff not
//! assigned; a closed semester's documents archived; no pupil name in the logs.

use entities::domain::Role;
use entities::entity::expense::ExpenseState;
use entities::entity::{audit_log, expense, plan, pupil};
use entities::money::Eur;
use entities::plans;
use entities::plans::rules::Level;
use pumpurs_tests::browser::{Browser, Page};
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A name that appears nowhere else, to look for in the logs.
const PUPIL: &str = "Ojārs Kalniņš-Pumpurs";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

fn csrf(page: &Page) -> String {
    page.attrs("input[name=_csrf]", "value")
        .into_iter()
        .next()
        .expect("a CSRF field")
}

async fn semester(app: &TestApp) -> entities::entity::semester::Model {
    let today = chrono::Utc::now().date_naive();
    plans::create_semester(
        &app.db,
        2026,
        1,
        (today - chrono::Duration::days(60), today + chrono::Duration::days(40)),
        Eur::from_cents(50_000),
        chrono::Utc::now(),
    )
    .await
    .expect("semester")
}

async fn logged_in(app: &TestApp, email: &str, role: Role, org: i32) -> Browser {
    seed::user(&app.db, email, role, org).await;
    let b = app.browser();
    let home = b.login(email, seed::PASSWORD).await;
    assert_eq!(home.status, 200, "{email}: {}", home.body);
    b
}

async fn plan_views(app: &TestApp, plan_id: i32) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("plan_view"))
        .filter(audit_log::Column::ObjectId.eq(i64::from(plan_id)))
        .count(&app.db)
        .await
        .expect("count")
}

both_backends!(
    async fn roles_that_see_pupil_data_log_in_with_a_second_factor(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "director@example.lv", Role::Director, w.school_a.id).await;
        seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
        let pupils = format!("/schools/{}/pupils", w.school_a.id);

        let director = app.browser();
        let setup = director.fill(&format!("/login?next={pupils}"), "/login", &[("email", "director@example.lv"), ("password", seed::PASSWORD)]).await;
        assert_eq!(setup.h1(), "Otrais apstiprinājuma solis");
        let secret = setup.text("#totp-secret");
        assert_eq!(secret.len(), 32, "160 bits in base32");
        assert!(setup.attrs("a[href^='otpauth://totp/']", "href")[0].contains(&format!("secret={secret}")));
        assert_eq!(setup.attrs("#totp-qr svg", "role"), vec!["img"], "a QR code to scan");
        assert_eq!(setup.attrs("form[action='/logout'] button", "id"), vec!["totp-cancel"], "a way out");
        // Past the password only: no page of the portal yet.
        let held = director.get(&pupils).await;
        assert!(held.path.starts_with("/login/second-factor"), "{}", held.path);
        let wrong = director.submit(&setup, "/login/second-factor", &[("code", "000000")]).await;
        assert_eq!((wrong.status, wrong.text(".error-summary")), (422, "Kods nav pareizs vai jau izmantots. Ievadiet lietotnes pašlaik rādīto kodu.".to_owned()));
        let code = entities::second_factor::code_at(&secret, chrono::Utc::now()).expect("code");
        let codes_page = director.submit(&wrong, "/login/second-factor", &[("code", &code)]).await;
        assert_eq!(codes_page.h1(), "Jūsu rezerves kodi", "{}", codes_page.body);
        let recovery = codes_page.texts("#recovery-codes code");
        assert_eq!(recovery.len(), 10);
        assert!(recovery.iter().all(|c| c.len() == 9 && c.as_bytes()[4] == b'-'), "{recovery:?}");
        let stored = entities::entity::recovery_code::Entity::find().all(&app.db).await.expect("codes");
        assert!(stored.iter().all(|r| !recovery.contains(&r.code_hash)), "stored as hashes only");
        let go_on = codes_page.attrs("main a.button", "href");
        assert_eq!(go_on, vec![pupils.clone()]);
        let landed = director.get(&go_on[0]).await;
        assert_eq!((landed.status, landed.path.as_str(), landed.h1().as_str()), (200, pupils.as_str(), "Skolēni"));

        // Without the phone: a recovery code once, in either case and with spaces; not twice.
        let phoneless = app.browser();
        let step = phoneless.fill("/login", "/login", &[("email", "director@example.lv"), ("password", seed::PASSWORD)]).await;
        let typed = format!(" {} ", recovery[0].to_uppercase());
        let home = phoneless.submit(&step, "/login/second-factor", &[("code", &typed)]).await;
        assert!(!home.path.starts_with("/login"), "{}", home.path);
        let used = audit_log::Entity::find().filter(audit_log::Column::Action.eq("recovery_code_used")).count(&app.db).await.expect("audit");
        assert_eq!(used, 1);
        let twice = app.browser();
        let step = twice.fill("/login", "/login", &[("email", "director@example.lv"), ("password", seed::PASSWORD)]).await;
        assert_eq!(twice.submit(&step, "/login/second-factor", &[("code", &recovery[0])]).await.status, 422, "each code once");

        // The same code is good once; the secret is not shown again.
        let again = app.browser();
        let step = again.fill("/login", "/login", &[("email", "director@example.lv"), ("password", seed::PASSWORD)]).await;
        assert!(step.text("#totp-secret").is_empty(), "the secret is shown only until it is set up");
        let replay = again.submit(&step, "/login/second-factor", &[("code", &code)]).await;
        assert_eq!(replay.status, 422, "a code is accepted once");
        // Wrong codes count as failed logins: after five, even the right code waits.
        for _ in 0..4 {
            again.submit(&step, "/login/second-factor", &[("code", "123456")]).await;
        }
        let next = entities::second_factor::code_at(&secret, chrono::Utc::now() + chrono::Duration::seconds(30)).expect("code");
        assert_eq!(again.submit(&step, "/login/second-factor", &[("code", &next)]).await.status, 429);

        // An NGO member sees no pupil data and logs in with the password alone.
        let ngo = app.browser();
        let home = ngo.fill("/login", "/login", &[("email", "ngo@example.lv"), ("password", seed::PASSWORD)]).await;
        assert!(!home.path.starts_with("/login"), "{}", home.path);
    }
);

both_backends!(
    async fn a_plan_is_written_approved_carried_out_and_evaluated_through_the_pages(app) {
        let w = seed::world(&app.db).await;
        let s = semester(app).await;
        let director = logged_in(app, "director@example.lv", Role::Director, w.school_a.id).await;
        let teacher = logged_in(app, "teacher@example.lv", Role::SupportStaff, w.school_a.id).await;
        let accountant = logged_in(app, "accountant@example.lv", Role::Accountant, w.school_a.id).await;
        let coordinator = logged_in(app, "coord@example.lv", Role::Coordinator, w.muni_a.id).await;
        let reviewer = logged_in(app, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await;
        let school_pupils = format!("/schools/{}/pupils", w.school_a.id);

        // The director registers a pupil (with a clear error first) and assigns the teacher.
        let bad = director.fill(&school_pupils, &school_pupils, &[("name", PUPIL), ("class_name", "8.a"), ("birth_date", "31.02.2012")]).await;
        assert_eq!((bad.status, bad.field_error("birth_date")), (422, "Ievadiet datumu, piemēram, 31.05.2010.".to_owned()));
        let toddler = director.fill(&school_pupils, &school_pupils, &[("name", PUPIL), ("class_name", "8.a"), ("birth_date", "2022-03-04")]).await;
        assert_eq!((toddler.status, toddler.field_error("birth_date")), (422, "Dzimšanas datums neatbilst skolēnam šajā klasē vai kursā (piemēram, 9. klasē mācās 13–18 gadus veci). Pārbaudiet gadu.".to_owned()));
        assert_eq!(pupil::Entity::find().count(&app.db).await.expect("count"), 0, "nothing registered");
        let page = director.fill(&school_pupils, &school_pupils, &[("name", PUPIL), ("class_name", "8.a"), ("birth_date", "2012-03-04")]).await;
        assert_eq!((page.h1(), page.text(".flash")), (PUPIL.to_owned(), "Skolēns reģistrēts.".to_owned()));
        let kid = pupil::Entity::find().one(&app.db).await.expect("q").expect("pupil");
        let teacher_id = entities::entity::user::Entity::find()
            .filter(entities::entity::user::Column::Email.eq("teacher@example.lv"))
            .one(&app.db)
            .await
            .expect("q")
            .expect("teacher")
            .id;
        let assigned = director.submit(&page, &format!("/pupils/{}/staff", kid.id), &[("user_id", &teacher_id.to_string())]).await;
        assert!(assigned.text("dd").contains("User teacher@example.lv") || assigned.contains("User teacher@example.lv"));

        // The teacher sees the pupil and starts the plan.
        let list = teacher.get(&school_pupils).await;
        assert_eq!(list.texts("tbody td a"), vec![PUPIL.to_owned()]);
        let draft = teacher.submit(&list, &format!("/pupils/{}/plans", kid.id), &[]).await;
        assert_eq!(draft.text("#plan-status"), "Melnraksts");
        let p = plan::Entity::find().one(&app.db).await.expect("q").expect("plan");
        assert_eq!(p.semester_id, s.id);
        let plan_path = format!("/plans/{}", p.id);
        let absences = seed::risk(&app.db, "absences").await;
        let no_reason = teacher.submit(&draft, &format!("{plan_path}/risks"), &[("risk_id", &absences.id.to_string()), ("justification", " ")]).await;
        assert_eq!((no_reason.status, no_reason.field_error("justification")), (422, "Šis lauks ir obligāts.".to_owned()));
        let page = teacher.submit(&draft, &format!("{plan_path}/risks"), &[("risk_id", &absences.id.to_string()), ("justification", "15 neattaisnotas stundas oktobrī.")]).await;
        assert!(page.contains("Neattaisnoti kavējumi"), "{}", page.body);
        let plan_risk = entities::entity::plan_risk::Entity::find().one(&app.db).await.expect("q").expect("risk").id.to_string();
        let unlinked = teacher.submit(&page, &format!("{plan_path}/consultations"), &[("specialist", "psychologist"), ("hours", "6")]).await;
        assert_eq!(unlinked.text(".error-summary li"), "Atzīmējiet vismaz vienu šī plāna risku, ko pasākums novērš.");
        teacher.submit(&page, &format!("{plan_path}/consultations"), &[("specialist", "psychologist"), ("hours", "7,5"), ("risk", &plan_risk)]).await;
        let page = teacher.submit(&page, &format!("{plan_path}/compensations"), &[("category", "public_transport"), ("planned", "120"), ("risk", &plan_risk)]).await;
        let supervision = teacher.submit(&page, &format!("{plan_path}/supervision"), &[("supervision_hours", "trīs")]).await;
        assert_eq!((supervision.status, supervision.field_error("supervision_hours")), (422, "Norādiet stundas (skaitlis, lielāks par nulli, piemēram, 1,5).".to_owned()));
        let page = teacher.submit(&page, &format!("{plan_path}/supervision"), &[("supervision_hours", "3")]).await;
        assert!(page.contains("Plāna sagatavošana un uzraudzība — plānotas 3,0 h"), "{}", page.body);
        assert!(page.contains("Psihologs — plānotas 7,5 h"), "{}", page.body);
        assert!(page.contains("Sabiedriskā transporta biļetes — 120,00"), "{}", page.body);
        // What is not a number is said to be so, and nothing is added.
        let measures_before = entities::entity::plan_measure::Entity::find().count(&app.db).await.expect("count");
        let hours = teacher.submit(&page, &format!("{plan_path}/consultations"), &[("specialist", "psychologist"), ("hours", "pusotra"), ("risk", &plan_risk)]).await;
        assert_eq!((hours.status, hours.field_error("hours-c")), (422, "Norādiet stundas (skaitlis, lielāks par nulli, piemēram, 1,5).".to_owned()));
        let planned = teacher.submit(&page, &format!("{plan_path}/compensations"), &[("category", "meals"), ("planned", "daudz"), ("risk", &plan_risk)]).await;
        assert_eq!((planned.status, planned.field_error("planned-p")), (422, "Ievadiet summu eiro, piemēram, 1500 vai 1500,50.".to_owned()));
        assert_eq!(entities::entity::plan_measure::Entity::find().count(&app.db).await.expect("count"), measures_before);

        // No consent, no approval: refused with the reason, nothing changes.
        let refused = teacher.submit(&page, &format!("{plan_path}/act"), &[("request", "send")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.text(".error-summary").contains("jāreģistrē vecāka"), "{}", refused.text(".error-summary"));
        assert_eq!(refused.text("#plan-status"), "Melnraksts");
        // The consent needs the signed application: the page says so, and a missing or wrong
        // file is refused at its field.
        assert!(page.text(".notice").starts_with("Plānu var nosūtīt apstiprināšanai, kad šeit ir augšupielādēts"), "{}", page.body);
        let consent = format!("{plan_path}/consent?_csrf={}", csrf(&page));
        let no_file = teacher.upload_with(&consent, &[("consent_by", "Tēvs, Jānis Kalniņš")], "", Vec::new()).await;
        assert_eq!((no_file.status, no_file.field_error("file").as_str()), (422, "Augšupielādējiet parakstīto iesniegumu."));
        let docx = teacher.upload_with(&consent, &[("consent_by", "Tēvs, Jānis Kalniņš")], "iesniegums.docx", b"PK\x03\x04word/document.xml".to_vec()).await;
        assert_eq!(docx.status, 422, "{}", docx.body);
        let page = teacher.upload_with(&consent, &[("consent_by", "Tēvs, Jānis Kalniņš")], "iesniegums.pdf", PDF.to_vec()).await;
        assert_eq!(page.text(".flash"), "Piekrišana reģistrēta.", "{}", page.body);
        assert!(page.texts(".notice").is_empty(), "nothing missing any more");
        let evidence = page.attrs(&format!("a[href=\"{plan_path}/consent/document\"]"), "href");
        assert_eq!(evidence.len(), 1);
        assert_eq!(teacher.download(&evidence[0]).await.2, PDF.to_vec());
        let page = teacher.submit(&page, &format!("{plan_path}/act"), &[("request", "send")]).await;
        assert_eq!(page.text("#plan-status"), "Gaida direktora apstiprinājumu");
        assert_eq!(page.text(".flash"), "Plāns nosūtīts apstiprināšanai; tagad tas gaida skolas direktora lēmumu.");
        assert_eq!(page.text("#plan-waiting"), "gaida lēmumu: Skola");

        // The approval chain, each through their queue: director, municipality, state.
        assert!(coordinator.get(&plan_path).await.status == 404, "not yet the municipality's step");
        for (who, next, said) in [
            (&director, "Gaida apstiprinājumu (otrais līmenis)", "Skola plānu apstiprināja; tagad tas gaida pašvaldības lēmumu."),
            (&coordinator, "Gaida valsts aģentūras apstiprinājumu", "Pašvaldība plānu apstiprināja; tagad tas gaida valsts aģentūras lēmumu."),
            (&reviewer, "Apstiprināts", "Plāns apstiprināts visos līmeņos; skola var sākt tā īstenošanu."),
        ] {
            let queue = who.get("/plans/approvals").await;
            assert_eq!(queue.texts("tbody td a"), vec![p.id.to_string()]);
            assert!(!queue.contains(PUPIL), "the queue shows no pupil data");
            let page = who.get(&plan_path).await;
            let done = who.submit(&page, &format!("{plan_path}/act"), &[("request", "approve"), ("reason", "")]).await;
            assert_eq!(done.text("#plan-status"), next);
            assert_eq!(done.text(".flash"), said);
        }
        // The history names who decided each step, and when.
        let history = teacher.get(&plan_path).await.texts("#approvals li");
        assert_eq!(history.len(), 3);
        for (line, (level, who)) in history.iter().zip([("Skola", "director"), ("Pašvaldība", "coord"), ("Valsts aģentūra", "reviewer")]) {
            assert!(line.starts_with(&format!("{level}: apstiprināts — User {who}@example.lv, ")), "{line}");
        }
        let approvals = entities::entity::plan_approval::Entity::find().all(&app.db).await.expect("approvals");
        assert_eq!(approvals.iter().map(|a| a.level).collect::<Vec<_>>(), vec![Level::School, Level::Municipality, Level::State]);

        // Carried out: a session and an expense with its receipt.
        let page = teacher.get(&plan_path).await;
        let page = teacher.submit(&page, &format!("{plan_path}/act"), &[("request", "start")]).await;
        assert_eq!(page.text("#plan-status"), "Tiek īstenots");
        let measures = entities::entity::plan_measure::Entity::find().all(&app.db).await.expect("measures");
        let (talks, tickets) = (&measures[0], &measures[1]);
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        let words = teacher.submit(&page, &format!("/measures/{}/sessions", talks.id), &[("held_on", &today), ("minutes", "četrdesmit")]).await;
        assert_eq!((words.status, words.field_error(&format!("minutes-m{}", talks.id))), (422, "Norādiet minūtes (vesels skaitlis, lielāks par nulli).".to_owned()));
        let page = teacher.submit(&page, &format!("/measures/{}/sessions", talks.id), &[("held_on", &today), ("minutes", "45"), ("pupil_confirmed", "on")]).await;
        assert_eq!(page.text(".flash"), "Konsultācija reģistrēta.");
        let action = page.attrs("form[enctype='multipart/form-data']", "action").into_iter().next().expect("expense form");
        assert!(action.starts_with(&format!("/measures/{}/expenses?_csrf=", tickets.id)));
        let fake = teacher.upload_with(&action, &[("amount", "20"), ("spent_on", &today)], "kvits.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await;
        let scope = format!("m{}", tickets.id);
        assert_eq!((fake.status, fake.field_error(&format!("file-{scope}")).is_empty()), (422, false), "a mislabelled document is refused: {}", fake.text(".error-summary"));
        // The refused form's section is open again, with what was typed in it (and only there).
        assert_eq!(fake.attrs("details[open] form[enctype='multipart/form-data']", "action"), vec![action.clone()]);
        assert_eq!(fake.attrs(&format!("#amount-{scope}"), "value"), vec!["20".to_owned()]);
        assert_eq!(fake.attrs("details[open]", "open").len(), 1, "the other sections stay closed");
        // Its address opened as a page leads back to the plan.
        assert_eq!(teacher.get(&format!("/measures/{}/expenses", tickets.id)).await.path, plan_path);
        assert_eq!(teacher.get(&format!("{plan_path}/risks")).await.path, plan_path);
        assert_eq!(expense::Entity::find().count(&app.db).await.expect("count"), 0);
        let recorded = teacher.upload_with(&action, &[("amount", "20,50"), ("spent_on", &today)], "kvīts.pdf", PDF.to_vec()).await;
        assert_eq!(recorded.text(".flash"), "Izdevums reģistrēts.");
        let spent = expense::Entity::find().one(&app.db).await.expect("q").expect("expense");
        assert_eq!((spent.amount_cents, spent.status, spent.document_name.as_deref()), (2_050, ExpenseState::Requested, Some("kvīts.pdf")));
        let (status, _, bytes) = teacher.download(&format!("/expenses/{}/document", spent.id)).await;
        assert_eq!((status, bytes.as_slice()), (200, PDF));

        // The accountant sees the money (not the pupil), approves the request within the
        // ceiling, and pays.
        let funding = accountant.get(&format!("/schools/{}/funding", w.school_a.id)).await;
        assert_eq!(funding.texts("#funding .number"), vec!["500,00 €", "0,00 €", "500,00 €", "0,00 €", "20,50 €", "120,00 €"]);
        assert_eq!(funding.text("#outlook"), "Apstiprinātie plāni paredz mazāk, nekā atļauj griesti: vēl 380,00 € nav ieplānoti.");
        assert!(!funding.contains(PUPIL));
        assert_eq!(accountant.get(&plan_path).await.status, 404, "the accountant does not read plans");
        assert_eq!(teacher.post(&format!("/expenses/{}/decide", spent.id), &[("_csrf", &csrf(&page))]).await.status, 404, "support staff do not decide");
        let decided = accountant.submit(&funding, &format!("/expenses/{}/decide", spent.id), &[]).await;
        assert_eq!(decided.text(".flash"), "Izdevums apstiprināts.");
        assert_eq!(decided.texts("#funding .number"), vec!["500,00 €", "20,50 €", "479,50 €", "0,00 €", "0,00 €", "120,00 €"]);
        let teacher_pays = teacher.post(&format!("/expenses/{}/pay", spent.id), &[("_csrf", &csrf(&page))]).await;
        assert_eq!(teacher_pays.status, 404, "support staff who see the plan do not pay");
        let paid = accountant.submit(&decided, &format!("/expenses/{}/pay", spent.id), &[]).await;
        assert_eq!(paid.text(".flash"), "Izdevums atzīmēts kā izmaksāts.");

        // The end of the semester: a measure's evaluation and the plan's with the outcome.
        let page = teacher.get(&plan_path).await;
        let token = csrf(&page);
        let measure_id = talks.id.to_string();
        let evaluations = format!("{plan_path}/evaluations");
        teacher.post(&evaluations, &[("_csrf", &token), ("measure_id", &measure_id), ("text", "Apmeklē regulāri."), ("result", "reduced")]).await;
        let no_outcome = teacher.post(&evaluations, &[("_csrf", &token), ("text", "Kopumā labi."), ("result", "reduced")]).await;
        assert_eq!(no_outcome.status, 422, "the plan's evaluation names the pupil's outcome");
        let page = teacher.post(&evaluations, &[("_csrf", &token), ("text", "Kopumā labi."), ("result", "reduced"), ("outcome", "continues")]).await;
        assert!(page.contains("turpina mācības"), "{}", page.body);

        // One audit record per plan page read; the page's statements do not grow with its rows.
        let before = plan_views(app, p.id).await;
        let (small, _) = app.count_statements(teacher.get(&plan_path)).await;
        assert_eq!(plan_views(app, p.id).await, before + 1);
        for day in 0..3 {
            let held_on = (chrono::Utc::now().date_naive() - chrono::Duration::days(day)).format("%Y-%m-%d").to_string();
            teacher.post(&format!("/measures/{}/sessions", talks.id), &[("_csrf", &token), ("held_on", &held_on), ("minutes", "30")]).await;
        }
        let (large, page) = app.count_statements(teacher.get(&plan_path)).await;
        assert_eq!(page.texts("tbody tr").len(), 5, "four sessions and one expense");
        assert_eq!(small, large, "statements for the plan page: {small} then {large}");
        assert_eq!(plan_views(app, p.id).await, before + 5, "three sessions logged (each page shown again) and two reads");

        assert!(!pumpurs_tests::logs::captured().contains(PUPIL), "no pupil name in the logs");
        let audit = audit_log::Entity::find().all(&app.db).await.expect("audit");
        assert!(audit.iter().all(|a| !a.details.as_deref().unwrap_or_default().contains("Kalniņ")), "no names in the audit");
    }
);

both_backends!(
    async fn another_schools_staff_and_unassigned_support_staff_get_not_found(app) {
        let w = seed::world(&app.db).await;
        semester(app).await;
        let director = logged_in(app, "director@example.lv", Role::Director, w.school_a.id).await;
        let other = logged_in(app, "director-b@example.lv", Role::Director, w.school_b.id).await;
        let teacher = logged_in(app, "teacher@example.lv", Role::SupportStaff, w.school_a.id).await;
        let admin = logged_in(app, "admin@example.lv", Role::Admin, w.agency.id).await;
        let school_pupils = format!("/schools/{}/pupils", w.school_a.id);
        let home = director.get("/home").await;
        assert!(home.attrs(".cards a", "href").contains(&school_pupils), "the director's home leads to the pupils");
        director.fill(&school_pupils, &school_pupils, &[("name", PUPIL), ("class_name", "8.a"), ("birth_date", "2012-03-04")]).await;
        let kid = pupil::Entity::find().one(&app.db).await.expect("q").expect("pupil");
        let list = director.get(&school_pupils).await;
        director.submit(&list, &format!("/pupils/{}/plans", kid.id), &[]).await;
        let p = plan::Entity::find().one(&app.db).await.expect("q").expect("plan");
        let views = plan_views(app, p.id).await;

        for (who, name) in [(&other, "another school's director"), (&teacher, "support staff not assigned"), (&admin, "an administrator")] {
            for path in [format!("/pupils/{}", kid.id), format!("/plans/{}", p.id)] {
                assert_eq!(who.get(&path).await.status, 404, "{name}: {path}");
            }
        }
        assert_eq!(other.get(&school_pupils).await.status, 404);
        assert!(!teacher.get(&school_pupils).await.contains(PUPIL), "the teacher's list has only their pupils");
        let forged = teacher.upload_with(&format!("/plans/{}/consent?_csrf={}", p.id, csrf(&teacher.get("/home").await)), &[("consent_by", "X")], "x.pdf", PDF.to_vec()).await;
        assert_eq!(forged.status, 404, "nor can they change it");
        assert_eq!(plan_views(app, p.id).await, views, "nothing was read");

        // The director allows the teacher to see every pupil.
        let page = director.get(&school_pupils).await;
        let membership = entities::entity::membership::Entity::find()
            .filter(entities::entity::membership::Column::Role.eq(Role::SupportStaff))
            .one(&app.db)
            .await
            .expect("q")
            .expect("membership")
            .id;
        let saved = director.submit(&page, &format!("/schools/{}/staff/{membership}", w.school_a.id), &[(&format!("all-{membership}"), "on")]).await;
        assert_eq!(saved.text(".flash"), "Darbinieka tiesības saglabātas.");
        assert_eq!(teacher.get(&format!("/plans/{}", p.id)).await.status, 200);
        assert_eq!(plan_views(app, p.id).await, views + 1);
        assert_eq!(other.get(&format!("/schools/{}/staff/{membership}", w.school_a.id)).await.status, 405);
        let not_theirs = other.post(&format!("/schools/{}/staff/{membership}", w.school_a.id), &[("_csrf", &csrf(&other.get("/home").await))]).await;
        assert_eq!(not_theirs.status, 404, "another school's director cannot grant anything here");

        // Registering pupils is the director's, and of the staff they allow.
        let token = csrf(&teacher.get("/home").await);
        let register = |name: &'static str| [("_csrf", token.clone()), ("name", name.to_owned()), ("class_name", "5.b".to_owned()), ("birth_date", "2015-09-09".to_owned())];
        let fields = register("Pēteris Bez Atļaujas");
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(teacher.post(&school_pupils, &pairs).await.status, 404);
        let page = director.get(&school_pupils).await;
        director.submit(&page, &format!("/schools/{}/staff/{membership}", w.school_a.id), &[(&format!("register-{membership}"), "on")]).await;
        let fields = register("Marta Jaunā");
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let registered = teacher.post(&school_pupils, &pairs).await;
        assert_eq!((registered.status, registered.h1().as_str()), (200, "Marta Jaunā"));
        assert_eq!(pupil::Entity::find().count(&app.db).await.expect("count"), 2, "the one without permission was not registered");
    }
);

async fn closing_archives_on_s3(app: &TestApp) {
    let w = seed::world(&app.db).await;
    let admin = logged_in(app, "admin@example.lv", Role::Admin, w.agency.id).await;
    let director = logged_in(app, "director@example.lv", Role::Director, w.school_a.id).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let reviewer = seed::actor(
        &app.db,
        &seed::user(&app.db, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await,
    )
    .await;
    let director_actor = seed::actor(
        &app.db,
        &entities::entity::user::Entity::find()
            .filter(entities::entity::user::Column::Email.eq("director@example.lv"))
            .one(&app.db)
            .await
            .expect("q")
            .expect("director"),
    )
    .await;

    // The administrator opens a semester through the page (a clear error first).
    let today = chrono::Utc::now().date_naive();
    let (starts, ends) = (
        (today - chrono::Duration::days(30)).format("%Y-%m-%d").to_string(),
        (today + chrono::Duration::days(60)).format("%Y-%m-%d").to_string(),
    );
    let bad = admin
        .fill(
            "/admin/semesters",
            "/admin/semesters",
            &[
                ("school_year", "2026"),
                ("half", "1"),
                ("starts_on", &ends),
                ("ends_on", &starts),
                ("cap", "400"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    let made = admin
        .fill(
            "/admin/semesters",
            "/admin/semesters",
            &[
                ("school_year", "2026"),
                ("half", "1"),
                ("starts_on", &starts),
                ("ends_on", &ends),
                ("cap", "400"),
            ],
        )
        .await;
    assert_eq!(made.text(".flash"), "Semestris izveidots.");
    let s = entities::entity::semester::Entity::find()
        .one(&app.db)
        .await
        .expect("q")
        .expect("semester");

    // A new catalogue version through the page: the semester made before keeps version 1.
    let bad = admin
        .fill(
            "/admin/catalogue",
            "/admin/catalogue",
            &[
                ("group", "learning"),
                ("code", "Mobings!"),
                ("name_lv", "Mobings"),
                ("name_en", "Bullying"),
            ],
        )
        .await;
    assert_eq!((bad.status, bad.field_error("code").is_empty()), (422, false));
    let added = admin
        .fill(
            "/admin/catalogue",
            "/admin/catalogue",
            &[
                ("group", "learning"),
                ("code", "bullying"),
                ("name_lv", "Mobings"),
                ("name_en", "Bullying"),
            ],
        )
        .await;
    assert_eq!(added.text(".flash"), "Izveidota jauna kataloga versija.");
    assert!(added.contains("Mobings"));
    let versions = entities::plans::queries::catalogues(&app.db).await.expect("versions");
    assert_eq!(versions.iter().map(|c| c.version).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(s.catalogue_id, versions[1].id, "the semester keeps its version");

    // A plan with an expense and its receipt (the model's functions, as the pages call them).
    let kid = plans::register_pupil(
        &app.db,
        &director_actor,
        w.school_a.id,
        (PUPIL, "7.c", chrono::NaiveDate::from_ymd_opt(2013, 1, 2).expect("date")),
        chrono::Utc::now(),
    )
    .await
    .expect("pupil");
    let list = director.get(&format!("/schools/{}/pupils", w.school_a.id)).await;
    director.submit(&list, &format!("/pupils/{}/plans", kid.id), &[]).await;
    let p = plan::Entity::find().one(&app.db).await.expect("q").expect("plan");
    let risk = entities::entity::risk::Entity::find()
        .one(&app.db)
        .await
        .expect("q")
        .expect("risk");
    let named = plans::add_risk(&app.db, &director_actor, p.id, risk.id, "Pamatojums.")
        .await
        .expect("risk");
    let measure = plans::add_compensation(
        &app.db,
        &director_actor,
        p.id,
        "meals",
        Eur::from_cents(10_000),
        &[named.id],
    )
    .await
    .expect("measure");
    plans::record_consent(
        &app.db,
        &director_actor,
        p.id,
        "Māte",
        seed::evidence(),
        chrono::Utc::now(),
    )
    .await
    .expect("consent");
    plans::act(
        &app.db,
        &director_actor,
        p.id,
        plans::Request::SendForApproval,
        None,
        chrono::Utc::now(),
    )
    .await
    .expect("send");
    for who in [&director_actor, &coordinator, &reviewer] {
        plans::act(&app.db, who, p.id, plans::Request::Approve, None, chrono::Utc::now())
            .await
            .expect("approve");
    }
    plans::act(
        &app.db,
        &director_actor,
        p.id,
        plans::Request::Start,
        None,
        chrono::Utc::now(),
    )
    .await
    .expect("start");
    let page = director.get(&format!("/plans/{}", p.id)).await;
    let action = page
        .attrs("form[enctype='multipart/form-data']", "action")
        .into_iter()
        .next()
        .expect("expense form");
    let recorded = director
        .upload_with(
            &action,
            &[("amount", "12"), ("spent_on", &today.format("%Y-%m-%d").to_string())],
            "čeks.pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(recorded.text(".flash"), "Izdevums reģistrēts.");
    let spent = expense::Entity::find().one(&app.db).await.expect("q").expect("expense");
    assert_eq!(spent.measure_id, measure.id);

    // Every read of the pupil's data is audited: one record per page or document, by the
    // director, with its action.
    let reads = |action: &'static str| async move {
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq(action))
            .filter(audit_log::Column::ActorUserId.eq(director_actor.user.id))
            .count(&app.db)
            .await
            .expect("count")
    };
    let plan_path = format!("/plans/{}", p.id);
    let pages = [
        ("/home".to_owned(), "home_plans"),
        (format!("/schools/{}/pupils", w.school_a.id), "pupil_list"),
        (format!("/pupils/{}", kid.id), "pupil_view"),
        (plan_path.clone(), "plan_view"),
        (format!("{plan_path}/print"), "plan_view"),
        (format!("{plan_path}/plan.pdf"), "plan_view"),
        (format!("{plan_path}/consent-form"), "plan_view"),
        (format!("/expenses/{}/document", spent.id), "expense_document_view"),
    ];
    for (path, action) in pages {
        let before = reads(action).await;
        let (status, _, _) = director.download(&path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(reads(action).await, before + 1, "{path} is audited as {action}");
    }
    let import = format!("/schools/{}/pupils/import", w.school_a.id);
    let upload = format!("{import}?_csrf={}", director.get(&import).await.csrf());
    let before = reads("pupil_import_preview").await;
    let preview = director
        .upload(
            &upload,
            "7c.csv",
            "Vārds;Uzvārds;Klase;Dzimšanas datums\nOjārs;Kalniņš-Pumpurs;7.c;02.01.2013\n".into(),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(
        reads("pupil_import_preview").await,
        before + 1,
        "the preview reads who is registered"
    );

    // Closing needs the confirmation; then the worker archives the receipt with its checksum.
    let page = admin.get("/admin/semesters").await;
    let close = format!("/admin/semesters/{}/close", s.id);
    assert_eq!(
        admin.submit(&page, &close, &[]).await.status,
        400,
        "not without the confirmation"
    );
    let closed = admin.submit(&page, &close, &[("confirm", "yes")]).await;
    assert_eq!(closed.text(".flash"), "Semestris slēgts; tā dokumenti tiks arhivēti.");
    let cfg = app.worker_config();
    app.work(&cfg).await;
    let bucket = app.s3.as_ref().expect("s3").dir.path().join("archive");
    let folder = bucket.join(format!("semesters/2026-1-{}", s.id));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).expect("manifest")).expect("json");
    let docs = manifest["documents"].as_array().expect("documents");
    assert_eq!(docs.len(), 1);
    let key = docs[0]["key"].as_str().expect("key");
    assert_eq!(
        key,
        format!("semesters/2026-1-{}/{}/{}-ceks.pdf", s.id, w.school_a.id, spent.id)
    );
    assert_eq!(std::fs::read(bucket.join(key)).expect("archived"), PDF);
    assert!(
        !String::from_utf8_lossy(&std::fs::read(folder.join("manifest.json")).expect("manifest")).contains("Kalniņ"),
        "no pupil data in the archive's manifest"
    );
    let archived = expense::Entity::find_by_id(spent.id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert!(archived.archived_at.is_some());
    // A closed semester takes no new plans.
    let refused = plans::start_plan(&app.db, &director_actor, kid.id, s.id, chrono::Utc::now()).await;
    assert!(matches!(
        refused,
        Err(entities::Error::Refused("plan-refused-semester-closed"))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_semesters_documents_are_archived_sqlite() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Sqlite, closing_archives_on_s3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_semesters_documents_are_archived_postgres() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Postgres, closing_archives_on_s3).await;
}
