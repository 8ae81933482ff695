//! After the decision: a funded applicant is offered its grant and accepts or declines it within
//! the call's days to accept; a decline or a lapsed offer moves the reserve up, and the one moved
//! up is offered its grant and told, the coordinators are told. Then the agreement (sent,
//! signed, in force or cancelled), the payments, the reports (returned with remarks, answered,
//! accepted; reminders), the settlement (a refund) and the closing with its archive.

use chrono::{Duration, SubsecRound, Utc};
use entities::Error;
use entities::domain::Role;
use entities::entity::application::{self, ApplicationStatus};
use entities::entity::project::{self, ProjectState};
use entities::grants::{decision, panel, projects};
use entities::outbox::EmailEvent;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn project_of(app: &TestApp, application_id: i32) -> project::Model {
    project::Entity::find()
        .filter(project::Column::ApplicationId.eq(application_id))
        .one(&app.db)
        .await
        .expect("q")
        .expect("project")
}

/// A call of muni A with `n` applications of the seed NGO (each asking 1 200 €, scored 9, 7,
/// 5, …), decided with `budget` euros and published at `now` (returned), `accept_days` 10.
struct Decided {
    coordinator: entities::policy::Actor,
    ngo: entities::policy::Actor,
    w: seed::World,
    call_id: i32,
    ids: Vec<i32>,
    now: chrono::DateTime<Utc>,
}

async fn decided(app: &TestApp, n: usize, budget: &str) -> Decided {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let ngo = seed::actor(
        &app.db,
        &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await,
    )
    .await;
    let closes = Utc::now() + Duration::hours(1);
    let mut form = seed::call_form(closes);
    form.budget = budget.into();
    form.max_grant = "1200".into();
    form.accept_days = "10".into();
    form.interim_report_on = (closes + Duration::days(90)).date_naive().to_string();
    let (call, ids) = seed::call_with_submitted(&app.db, &coordinator, w.muni_a.id, &form, (&ngo, &w.ngo), n).await;
    let now = (closes + Duration::minutes(1)).trunc_subsecs(0);
    let member = seed::actor(
        &app.db,
        &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await,
    )
    .await;
    let call = entities::entity::call::Entity::find_by_id(call.id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    panel::set_panel(
        &app.db,
        &coordinator,
        &call,
        &[member.user.id],
        Some(member.user.id),
        now,
    )
    .await
    .expect("panel");
    let criteria = entities::grants::calls::criteria(&app.db, call.id)
        .await
        .expect("criteria");
    for (i, id) in ids.iter().enumerate() {
        let points = (9 - 2 * i.min(4)).to_string();
        panel::declare(&app.db, &member, *id, false, "", now)
            .await
            .expect("declare");
        let mut marks: Vec<panel::MarkForm> = criteria
            .iter()
            .map(|c| panel::MarkForm {
                criterion_id: c.id,
                points: points.as_str().min("5").to_owned(),
                ..Default::default()
            })
            .collect();
        marks[0].points = points.clone();
        panel::save_card(&app.db, &member, *id, &marks, true, now)
            .await
            .expect("card");
    }
    let call_id = call.id;
    let call = decision::lock(&app.db, &coordinator, call, now).await.expect("lock");
    assert!(
        project::Entity::find().one(&app.db).await.expect("q").is_none(),
        "nothing is offered before the results are out"
    );
    decision::publish(&app.db, &coordinator, call, now)
        .await
        .expect("publish");
    Decided {
        coordinator,
        ngo,
        w,
        call_id,
        ids,
        now,
    }
}

both_backends!(
    async fn a_grant_is_accepted_declined_or_lapses_and_the_reserve_moves_up(app) {
        let Decided { ngo, w, call_id, ids, now, .. } = decided(app, 3, "1200").await;

        // Published: the funded one is offered its grant for the call's 10 days.
        let first = project_of(app, ids[0]).await;
        assert_eq!((first.status, first.granted_cents, first.answer_by), (ProjectState::Offered, 120_000, now + Duration::days(10)));
        app.clock.hold(Some(now));
        let n = app.browser();
        n.login("ngo@example.lv", seed::PASSWORD).await;
        let path = format!("/applications/{}", ids[0]);
        let page = n.get(&path).await;
        assert_eq!((page.text("#granted"), page.text("#offer-status")), ("1 200,00 €".to_owned(), "piedāvāts — gaida jūsu atbildi".to_owned()), "{}", page.body);
        assert!(page.has_form(&format!("{path}/accept")));
        let cfg = app.worker_config();
        app.work(&cfg).await;
        let funded_mail = app.mails().into_iter().map(|m| m.replace("=\r\n", "")).find(|m| m.contains(&format!(".call_result-{}@", ids[0]))).expect("the funded applicant's result");
        let accept_by = entities::time::to_riga(first.answer_by).format("%d.%m.%Y %H:%M").to_string();
        assert!(funded_mail.contains(&accept_by), "the day to accept by, {accept_by}: {funded_mail}");
        assert!(funded_mail.contains(&format!("/applications/{}", ids[0])), "where to accept: {funded_mail}");

        // Someone of another applicant cannot accept it.
        let other = seed::actor(&app.db, &seed::user(&app.db, "other@example.lv", Role::Coordinator, w.muni_b.id).await).await;
        assert!(matches!(projects::accept(&app.db, &other, ids[0], now).await, Err(Error::NotFound)));

        // Declined through the page: the reserve moves up, is offered its grant with its own
        // window, and told; the coordinator is told who declined and who moved up.
        let later = now + Duration::days(2);
        app.clock.hold(Some(later));
        let page = n.get(&path).await;
        let declined = n.submit(&page, &format!("{path}/decline"), &[("confirm", "yes")]).await;
        assert_eq!(declined.status, 200, "{}", declined.body);
        assert_eq!(project_of(app, ids[0]).await.status, ProjectState::Declined);
        let second = project_of(app, ids[1]).await;
        assert_eq!((second.status, second.answer_by), (ProjectState::Offered, later + Duration::days(10)));
        let events = crate::outbox_events(app).await;
        assert!(events.contains(&EmailEvent::GrantOffered { project_id: second.id }), "{events:?}");
        assert!(events.contains(&EmailEvent::GrantGivenUp { project_id: first.id }), "{events:?}");
        let before = app.mails().len();
        app.work(&cfg).await;
        let mails: Vec<String> = app.mails().into_iter().map(|m| m.replace("=\r\n", "")).collect();
        assert_eq!(mails.len(), before + 2, "one to the applicant moved up, one to the coordinator");
        let second_ref = entities::entity::application::Entity::find_by_id(ids[1]).one(&app.db).await.expect("q").expect("row").ref_no.expect("ref");
        assert!(mails.iter().any(|m| m.contains("To: coord@example.lv") && m.contains(&second_ref)), "the coordinator learns who moved up");
        assert!(mails.iter().any(|m| m.contains("To: ngo@example.lv") && m.contains(&format!("/applications/{}", ids[1]))), "the one moved up is told where to accept");

        // The second lets its offer lapse: the third moves up; the lapsed one cannot be accepted.
        let lapse_at = second.answer_by + Duration::minutes(1);
        assert_eq!(projects::lapse_due(&app.db, second.answer_by).await.expect("sweep"), 0, "not before its day is over");
        assert_eq!(projects::lapse_due(&app.db, lapse_at).await.expect("sweep"), 1);
        assert_eq!(projects::lapse_due(&app.db, lapse_at).await.expect("sweep"), 0, "once");
        assert_eq!(project_of(app, ids[1]).await.status, ProjectState::Lapsed);
        let status = application::Entity::find_by_id(ids[1]).one(&app.db).await.expect("q").expect("row").status;
        assert_eq!(status, ApplicationStatus::Withdrawn);
        assert!(matches!(projects::accept(&app.db, &ngo, ids[1], lapse_at).await, Err(Error::Refused("error-offer-answered"))));
        let third = project_of(app, ids[2]).await;
        assert_eq!(third.status, ProjectState::Offered);
        assert!(matches!(projects::accept(&app.db, &ngo, ids[2], third.answer_by + Duration::seconds(1)).await, Err(Error::Refused("error-offer-lapsed"))));

        // The third accepts through its page; the offer is answered once.
        app.clock.hold(Some(lapse_at));
        let third_path = format!("/applications/{}", ids[2]);
        let page = n.get(&third_path).await;
        let accepted = n.submit(&page, &format!("{third_path}/accept"), &[]).await;
        assert_eq!(accepted.text(".flash"), "Finansējums pieņemts.", "{}", accepted.body);
        assert_eq!((accepted.text("#offer-status"), accepted.has_form(&format!("{third_path}/accept"))), ("pieņemts".to_owned(), false));
        assert_eq!(project_of(app, ids[2]).await.answered_by, Some(ngo.user.id));
        assert!(matches!(projects::accept(&app.db, &ngo, ids[2], lapse_at).await, Err(Error::Refused("error-offer-answered"))));

        // The coordinator's results say how each offer was answered.
        let c = app.browser();
        c.login("coord@example.lv", seed::PASSWORD).await;
        let results = c.get(&format!("/manage/calls/{call_id}/results")).await;
        let answers: Vec<String> = results.texts("tbody td:last-child");
        assert!(answers.iter().any(|a| a.ends_with("— atteicās")), "{answers:?}");
        assert!(answers.iter().any(|a| a.ends_with("— nepieņēma laikā")), "{answers:?}");
        assert!(answers.iter().any(|a| a.contains("— pieņemts")), "{answers:?}");
        app.clock.hold(None);
    }
);

/// POSTs `fields` to `action` with a valid token taken from the page at `from` (a step its
/// page does not offer, as a hand-made request would).
async fn forced(b: &pumpurs_tests::Browser, from: &str, action: &str, fields: &[(&str, &str)]) -> pumpurs_tests::Page {
    let csrf = b.get(from).await.csrf();
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    b.post(action, &all).await
}

/// The statements of the coordinator's project list, whatever the number of projects (the
/// sign-in's own, and the list's seven queries).
const LIST_STATEMENTS: u64 = 9;

/// A small PDF, as a signed copy.
fn signed_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

both_backends!(
    async fn an_agreement_is_sent_signed_confirmed_or_cancelled_through_the_pages(app) {
        use entities::entity::agreement::{self, AgreementState};
        let Decided { w, ids, now, call_id, .. } = decided(app, 2, "2400").await;
        app.clock.hold(Some(now));
        let n = app.browser();
        n.login("ngo@example.lv", seed::PASSWORD).await;
        for id in &ids {
            let path = format!("/applications/{id}");
            let page = n.get(&path).await;
            let accepted = n.submit(&page, &format!("{path}/accept"), &[]).await;
            assert_eq!(accepted.text(".flash"), "Finansējums pieņemts.", "{}", accepted.body);
        }
        let (first, second) = (project_of(app, ids[0]).await, project_of(app, ids[1]).await);
        let base = format!("/projects/{}", first.id);
        let page = n.get(&format!("/applications/{}", ids[0])).await;
        assert_eq!(page.attrs("#main a[href^='/projects/'], main a[href^='/projects/']", "href").first().map(String::as_str), Some(base.as_str()), "the application links its project");

        // Drafted in the accepting member's language; the NGO has no bank account yet.
        let page = n.get(&base).await;
        assert_eq!((page.status, page.text("#agreement-status")), (200, "melnraksts".to_owned()), "{}", page.body);
        assert!(page.contains("id=\"needs-iban\""), "the applicant is told to add its account");
        let c = app.browser();
        c.login("coord@example.lv", seed::PASSWORD).await;
        let page = c.get(&base).await;
        assert!(!page.has_form(&format!("{base}/agreement/send")), "nothing to send before the account is known");
        let refused = forced(&c, &base, &format!("{base}/agreement/send"), &[]).await;
        assert_eq!(refused.status, 400);
        assert!(refused.contains("nav bankas konta"), "{}", refused.body);

        // Nobody else sees the project: another municipality's coordinator, the panel member,
        // a member of another NGO, and the NGO never takes the coordinator's steps.
        seed::user(&app.db, "other@example.lv", Role::Coordinator, w.muni_b.id).await;
        let other_ngo = seed::ngo(&app.db, "Cita biedrība").await;
        seed::user(&app.db, "stranger@example.lv", Role::NgoMember, other_ngo.id).await;
        for who in ["other@example.lv", "m1@example.lv", "stranger@example.lv"] {
            let b = app.browser();
            b.login(who, seed::PASSWORD).await;
            for path in [base.clone(), format!("{base}/agreement"), format!("{base}/agreement.pdf")] {
                assert_eq!(b.get(&path).await.status, 404, "{who} {path}");
            }
        }
        assert_eq!(forced(&n, &base, &format!("{base}/agreement/send"), &[]).await.status, 404);

        // The account is added; the coordinator sends the agreement, which names it.
        let mut org: entities::entity::organisation::ActiveModel = w.ngo.clone().into();
        org.iban = sea_orm::ActiveValue::Set(Some("LV80BANK0000435195001".into()));
        sea_orm::ActiveModelTrait::update(org, &app.db).await.expect("iban");
        let page = c.get(&base).await;
        let sent = c.submit(&page, &format!("{base}/agreement/send"), &[]).await;
        assert_eq!((sent.text(".flash"), sent.text("#agreement-status")), ("Līgums nosūtīts saņēmējam.".to_owned(), "nosūtīts parakstīšanai".to_owned()));
        assert_eq!(forced(&c, &base, &format!("{base}/agreement/send"), &[]).await.status, 400, "sent once");
        let text = c.get(&format!("{base}/agreement")).await;
        let reference = entities::entity::application::Entity::find_by_id(ids[0]).one(&app.db).await.expect("q").expect("row").ref_no.expect("ref");
        assert!(text.h1().starts_with(&format!("Līgums Nr. {reference}")), "{}", text.h1());
        for expected in ["LV80 BANK 0000 4351 9500 1", "1 200,00 €", "Avanss (80 %)", "960,00 €", "240,00 €", "Biedrība Jaunie", "Ogres novads"] {
            assert!(text.body.replace('\u{a0}', " ").contains(expected), "{expected}: {}", text.body);
        }
        let (status, headers, pdf) = c.download(&format!("{base}/agreement.pdf")).await;
        assert_eq!((status, headers.get("content-type").and_then(|v| v.to_str().ok())), (200, Some("application/pdf")));
        let raw = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-1.4") && raw.contains("(1\\240200,00\\240\\226)") && raw.contains("/Count "), "the amount with its euro sign");
        let cfg = app.worker_config();
        app.work(&cfg).await;
        let mails: Vec<String> = app.mails().into_iter().map(|m| m.replace("=\r\n", "")).collect();
        assert!(mails.iter().any(|m| m.contains("To: ngo@example.lv") && m.contains(&format!("{}{base}", app.base))), "the NGO is asked to sign");

        // The NGO uploads its signed copy: a wrong type is refused with its reason and changes
        // nothing; a PDF is kept and the coordinator told.
        let upload = |page: &pumpurs_tests::Page| format!("{base}/agreement/signed?_csrf={}", page.csrf());
        let page = n.get(&base).await;
        let png = n.upload(&upload(&page), "ligums.png", b"\x89PNG\r\n\x1a\nxxxx".to_vec()).await;
        assert_eq!(png.status, 422);
        assert!(png.field_error("file").contains("PDF vai e-paraksta"), "{}", png.body);
        let mislabelled = n.upload(&upload(&page), "ligums.edoc", signed_pdf()).await;
        assert_eq!(mislabelled.status, 422);
        assert!(mislabelled.field_error("file").starts_with("Faila saturs neatbilst"), "{}", mislabelled.body);
        let row = agreement::Entity::find().filter(agreement::Column::ProjectId.eq(first.id)).one(&app.db).await.expect("q").expect("row");
        assert_eq!((row.status, row.signed_key), (AgreementState::Sent, None));
        assert_eq!(c.upload(&upload(&c.get(&base).await), "ligums.pdf", signed_pdf()).await.status, 404, "only the recipient uploads");
        let uploaded = n.upload(&upload(&page), "līgums parakstīts.pdf", signed_pdf()).await;
        assert_eq!((uploaded.text(".flash"), uploaded.text("#agreement-status")), ("Parakstītais līgums saņemts. Koordinators to pārbaudīs.".to_owned(), "parakstīts — gaida apstiprinājumu".to_owned()), "{}", uploaded.body);
        let (status, _, bytes) = c.download(&format!("{base}/agreement/signed")).await;
        assert_eq!((status, bytes), (200, signed_pdf()), "the coordinator reads the copy as uploaded");
        app.work(&cfg).await;
        assert!(app.mails().iter().any(|m| m.contains("To: coord@example.lv") && m.contains(&format!("{}{base}", app.base))), "the coordinator is told");

        // Confirming needs its box; then the agreement is in force and can no longer be cancelled.
        let page = c.get(&base).await;
        let unticked = c.submit(&page, &format!("{base}/agreement/confirm"), &[]).await;
        assert_eq!(unticked.status, 422);
        assert!(!unticked.field_error("confirm").is_empty(), "{}", unticked.body);
        let confirmed = c.submit(&page, &format!("{base}/agreement/confirm"), &[("confirm", "yes")]).await;
        assert_eq!((confirmed.text(".flash"), confirmed.text("#agreement-status")), ("Līgums stājies spēkā.".to_owned(), "stājies spēkā".to_owned()));
        assert!(!confirmed.has_form(&format!("{base}/agreement/cancel")));
        let late = forced(&c, &base, &format!("{base}/agreement/cancel"), &[("reason", "x"), ("confirm", "yes")]).await;
        assert_eq!(late.status, 400);
        assert_eq!(n.upload(&upload(&n.get(&base).await), "cits.pdf", signed_pdf()).await.status, 400, "no new copy once in force");
        let history = c.get(&base).await.texts("#history tbody tr td:nth-child(2)");
        assert_eq!(history, vec!["Līgums nosūtīts", "Parakstītais līgums augšupielādēts: līgums parakstīts.pdf", "Līgums stājies spēkā"]);

        // In force: the advance is due. The coordinator records payments; each wrong value is
        // named and nothing is kept; never more than granted in all.
        let pay = format!("{base}/payments");
        let page = c.get(&base).await;
        let nbsp = |s: String| s.replace('\u{a0}', " ");
        assert_eq!((nbsp(page.text("#paid")), nbsp(page.text("#outstanding"))), ("0,00 €".to_owned(), "1 200,00 €".to_owned()));
        assert!(page.text("#payments tbody tr:first-child").contains("jāmaksā kopš"), "{}", page.text("#payments"));
        let today = entities::time::to_riga(now).date_naive();
        let empty = c.submit(&page, &pay, &[("kind", "?"), ("amount", ""), ("paid_on", ""), ("reference", "")]).await;
        assert_eq!(empty.status, 422);
        for name in ["kind", "amount", "paid_on", "reference"] {
            assert!(!empty.field_error(name).is_empty(), "{name}: {}", empty.body);
        }
        let tomorrow = (today + Duration::days(1)).to_string();
        let wrong = c.submit(&page, &pay, &[("kind", "advance"), ("amount", "-5"), ("paid_on", &tomorrow), ("reference", "MU-1")]).await;
        assert_eq!((wrong.status, wrong.field_error("paid_on")), (422, "Maksājuma datums nevar būt nākotnē.".to_owned()));
        assert!(!wrong.field_error("amount").is_empty());
        let over = c.submit(&page, &pay, &[("kind", "advance"), ("amount", "1200,01"), ("paid_on", &today.to_string()), ("reference", "MU-1")]).await;
        assert_eq!((over.status, over.field_error("amount"), over.input_value("reference")), (422, "Kopā ar jau samaksāto tas pārsniegtu piešķirto summu.".to_owned(), Some("MU-1".to_owned())));
        assert!(entities::grants::payments::of_project(&app.db, first.id).await.expect("q").is_empty(), "nothing kept");
        assert!(!n.get(&base).await.has_form(&pay), "the recipient does not record payments");
        assert_eq!(forced(&n, &base, &pay, &[("kind", "advance"), ("amount", "10"), ("paid_on", &today.to_string()), ("reference", "x")]).await.status, 404);
        let paid = c.submit(&page, &pay, &[("kind", "advance"), ("amount", "960"), ("paid_on", &today.to_string()), ("reference", "MU-2026/118")]).await;
        assert_eq!(paid.text(".flash"), "Maksājums reģistrēts; saņēmējs saņems paziņojumu.", "{}", paid.body);
        assert_eq!((nbsp(paid.text("#paid")), nbsp(paid.text("#outstanding"))), ("960,00 €".to_owned(), "240,00 €".to_owned()));
        // The municipality's accountant pays too, and sees its projects, but does not run the
        // agreements.
        seed::user(&app.db, "accountant@example.lv", Role::Accountant, w.muni_a.id).await;
        let a = app.browser();
        a.login("accountant@example.lv", seed::PASSWORD).await;
        assert_eq!(a.get("/manage/projects").await.texts("#projects tbody td:first-child a").len(), 2);
        let second_base = format!("/projects/{}", second.id);
        let accountant_view = a.get(&second_base).await;
        assert!(accountant_view.status == 200 && !accountant_view.has_form(&format!("{second_base}/agreement/send")), "{}", accountant_view.body);
        assert_eq!(forced(&a, &second_base, &format!("{second_base}/agreement/send"), &[]).await.status, 404, "the coordinator's step");
        let done = a.submit(&a.get(&base).await, &pay, &[("kind", "final"), ("amount", "240"), ("paid_on", &today.to_string()), ("reference", "MU-2026/131")]).await;
        assert_eq!((nbsp(done.text("#outstanding")), done.has_form(&pay)), ("0,00 €".to_owned(), false), "paid in full");
        let more = forced(&c, &base, &pay, &[("kind", "final"), ("amount", "0,01"), ("paid_on", &today.to_string()), ("reference", "MU-9")]).await;
        assert_eq!(more.status, 422, "never more than granted");
        let ngo_view = n.get(&base).await;
        assert_eq!(ngo_view.texts("#payment-list tbody td:nth-child(4)"), vec!["MU-2026/118", "MU-2026/131"], "the recipient sees what was paid");
        app.work(&cfg).await;
        assert!(app.mails().iter().any(|m| m.contains("To: ngo@example.lv") && m.contains("MU-2026/118")), "the NGO is told of the payment");

        // The municipality's register, for its coordinators only.
        let register = format!("/municipalities/{}/payments.csv", w.muni_a.id);
        assert_eq!(a.download(&register).await.0, 200, "the accountant's register");
        let (status, _, csv) = c.download(&register).await;
        let csv = String::from_utf8_lossy(&csv).to_string();
        assert_eq!(status, 200);
        assert!(csv.contains("\"960,00\"") && csv.contains("\"MU-2026/118\"") && csv.contains("\"LV80BANK0000435195001\"") && csv.contains(&reference), "{csv}");
        assert_eq!(c.download(&format!("/municipalities/{}/payments.xlsx", w.muni_a.id)).await.0, 200);
        assert_eq!(n.download(&register).await.0, 404);
        let other = app.browser();
        other.login("other@example.lv", seed::PASSWORD).await;
        assert_eq!(other.download(&register).await.0, 404);

        // The second is cancelled: a reason is required (kept as typed otherwise), and the NGO is
        // told it.
        let page = c.get(&second_base).await;
        let no_reason = c.submit(&page, &format!("{second_base}/agreement/cancel"), &[("reason", " "), ("confirm", "yes")]).await;
        assert_eq!(no_reason.status, 422);
        assert!(!no_reason.field_error("reason").is_empty(), "{}", no_reason.body);
        let unticked = c.submit(&page, &format!("{second_base}/agreement/cancel"), &[("reason", "Projekts dublejas")]).await;
        assert_eq!((unticked.status, unticked.text("#reason")), (422, "Projekts dublejas".to_owned()));
        let cancelled = c.submit(&page, &format!("{second_base}/agreement/cancel"), &[("reason", "Projekts dublejas"), ("confirm", "yes")]).await;
        assert_eq!((cancelled.text(".flash"), cancelled.text("#agreement-status")), ("Līgums atcelts.".to_owned(), "atcelts".to_owned()));
        app.work(&cfg).await;
        assert!(app.mails().iter().any(|m| m.contains("To: ngo@example.lv") && m.contains("Projekts dublejas")), "the NGO is told why");
        // The coordinator's list and the public results say how each project stands.
        let (statements, list) = app.count_statements(c.get("/manage/projects")).await;
        assert_eq!(statements, LIST_STATEMENTS, "two projects");
        assert_eq!(list.texts("#projects tbody td:nth-child(4)"), vec!["stājies spēkā", "atcelts"], "{}", list.body);
        assert!(list.text("#projects tbody tr:first-child td:nth-child(5)").starts_with("Starpposma pārskats"), "the next report due");
        let anyone = app.browser();
        let call_page = anyone.get(&format!("/calls/{call_id}")).await;
        assert_eq!(call_page.attrs("#results-link a", "href"), vec![format!("/calls/{call_id}/results")], "the decided call's page leads to its results");
        let public = anyone.get(&format!("/calls/{call_id}/results")).await;
        let outcomes = public.texts("tbody td:nth-child(6)");
        assert!(outcomes.iter().any(|o| o.ends_with("— īsteno")) && outcomes.iter().any(|o| o.ends_with("— līgums atcelts")), "{outcomes:?}");
        assert_eq!(n.get("/manage/projects").await.status, 404, "not the NGO's");
        let not_in_force = forced(&c, &second_base, &format!("{second_base}/payments"), &[("kind", "advance"), ("amount", "10"), ("paid_on", &today.to_string()), ("reference", "x")]).await;
        assert_eq!(not_in_force.status, 400, "no payment without an agreement in force");
        app.clock.hold(None);
    }
);

/// A project of the seed NGO whose agreement is in force and whose advance (960 €) is paid,
/// with the coordinator's and the NGO's browsers logged in.
async fn in_force(app: &TestApp) -> (Decided, project::Model, pumpurs_tests::Browser, pumpurs_tests::Browser) {
    use entities::grants::agreements;
    let d = decided(app, 1, "1200").await;
    let coordinator = d.coordinator.clone();
    projects::accept(&app.db, &d.ngo, d.ids[0], d.now)
        .await
        .expect("accept");
    let mut org: entities::entity::organisation::ActiveModel = d.w.ngo.clone().into();
    org.iban = sea_orm::ActiveValue::Set(Some("LV80BANK0000435195001".into()));
    sea_orm::ActiveModelTrait::update(org, &app.db).await.expect("iban");
    let p = project_of(app, d.ids[0]).await;
    agreements::send(&app.db, &coordinator, p.id, d.now)
        .await
        .expect("send");
    app.clock.hold(Some(d.now));
    let (c, n) = (app.browser(), app.browser());
    c.login("coord@example.lv", seed::PASSWORD).await;
    n.login("ngo@example.lv", seed::PASSWORD).await;
    let base = format!("/projects/{}", p.id);
    let page = n.get(&base).await;
    let uploaded = n
        .upload(
            &format!("{base}/agreement/signed?_csrf={}", page.csrf()),
            "ligums.pdf",
            signed_pdf(),
        )
        .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    agreements::confirm(&app.db, &coordinator, p.id, d.now)
        .await
        .expect("confirm");
    // The advance is paid.
    let advance = entities::grants::payments::PaymentInput {
        kind: entities::entity::project_payment::PaymentKind::Advance,
        amount: entities::money::Eur::from_cents(96_000),
        paid_on: entities::time::to_riga(d.now).date_naive(),
        reference: "MU-1".into(),
    };
    entities::grants::payments::record(&app.db, &coordinator, p.id, &advance, d.now)
        .await
        .expect("advance");
    (d, p, c, n)
}

both_backends!(
    async fn a_report_is_returned_answered_and_accepted_then_the_refund_comes_back_and_the_project_closes(app) {
        use entities::entity::project_report::{self, ReportKind};
        let (d, p, c, n) = in_force(app).await;
        let base = format!("/projects/{}", p.id);
        let project_page = n.get(&base).await;
        assert_eq!(project_page.texts("#reports tbody td:first-child"), vec!["Starpposma pārskats", "Gala pārskats"], "{}", project_page.body);
        let report = format!("{base}/reports/final");
        let page = n.get(&report).await;
        assert_eq!((page.status, page.text("#report-status")), (200, "melnraksts".to_owned()));

        // Wrong values are each named and kept as typed; nothing is saved.
        let wrong = n.submit(&page, &report, &[("activities", "Darbnīcas"), ("started_on", "2027-03-10"), ("ended_on", "2027-03-01"), ("participants", "abc"), ("pupils_at_risk", "5"), ("publicity", "")]).await;
        assert_eq!(wrong.status, 422);
        for (name, message) in [("ended_on", "Beigu datums nevar būt pirms sākuma."), ("participants", "Ievadiet veselu skaitli no 0."), ("pupils_at_risk", "Skolēnu ar risku nevar būt vairāk nekā dalībnieku.")] {
            assert_eq!(wrong.field_error(name), message, "{name}");
        }
        assert_eq!(wrong.text("#activities"), "Darbnīcas");
        let saved = n.submit(&page, &report, &[("activities", "Sešas podkāstu darbnīcas"), ("started_on", "2027-01-10"), ("ended_on", "2027-05-20"), ("participants", "24"), ("pupils_at_risk", "7"), ("publicity", "https://ogre.lv/podkasts")]).await;
        assert_eq!(saved.text(".flash"), "Pārskata melnraksts saglabāts.", "{}", saved.body);

        // The final report needs its expenses; each with a receipt of an allowed type.
        let no_expenses = n.submit(&saved, &format!("{report}/submit"), &[]).await;
        assert_eq!((no_expenses.status, no_expenses.text("#expenses-error")), (422, "Gala pārskatā jābūt izdevumiem ar attaisnojuma dokumentiem.".to_owned()));
        let line = saved.attrs("select[name=line] option", "value")[0].clone();
        let add = format!("{report}/expenses?_csrf={}", saved.csrf());
        let fields = [("line", line.as_str()), ("description", "Mikrofoni"), ("amount", "250"), ("paid_on", "2027-02-01")];
        let exe = n.upload_with(&add, &fields, "cheks.pdf", b"MZ\x90\x00 program".to_vec()).await;
        assert_eq!(exe.status, 422);
        assert!(!exe.field_error("file").is_empty() && exe.input_value("description").as_deref() == Some("Mikrofoni"), "{}", exe.body);
        assert_eq!(exe.text("#activities"), "Sešas podkāstu darbnīcas", "the report's saved fields stay on the page");
        let docx = n.upload_with(&add, &[("line", line.as_str()), ("description", "x"), ("amount", "0"), ("paid_on", "")], "cheks.pdf", signed_pdf()).await;
        assert_eq!((docx.status, docx.field_error("amount").is_empty(), docx.field_error("paid_on").is_empty()), (422, false, false));
        let added = n.upload_with(&add, &fields, "čeks.pdf", signed_pdf()).await;
        assert_eq!(added.text(".flash"), "Izdevums pievienots.", "{}", added.body);
        assert_eq!(added.texts("#expense-list tbody td:nth-child(2)"), vec!["Mikrofoni"]);
        assert!(added.text("#line-use tbody tr:first-child td:nth-child(3)").starts_with("250,00"), "{}", added.text("#line-use"));
        let receipt = added.attrs("#expense-list a", "href")[0].clone();
        // A photo of the workshop goes with the report; a program does not.
        let docs = format!("{report}/documents?_csrf={}", added.csrf());
        let program = n.upload_with(&docs, &[], "foto.png", b"MZ\x90\x00 program".to_vec()).await;
        assert_eq!((program.status, program.field_error("document").is_empty()), (422, false), "{}", program.body);
        let photo = n.upload_with(&docs, &[], "darbnīca.png", b"\x89PNG\r\n\x1a\nphoto".to_vec()).await;
        assert_eq!(photo.text(".flash"), "Dokuments pievienots.", "{}", photo.body);
        assert_eq!(photo.texts("#document-list a"), vec!["darbnīca.png"]);
        let photo_href = photo.attrs("#document-list a", "href")[0].clone();
        assert_eq!(c.download(&photo_href).await.2, b"\x89PNG\r\n\x1a\nphoto".to_vec(), "the coordinator sees it");
        assert_eq!(c.download(&receipt).await.2, signed_pdf(), "the coordinator reads the receipt");

        // Submitted; the coordinator returns it with remarks (required), the NGO answers them.
        let submitted = n.submit(&added, &format!("{report}/submit"), &[]).await;
        assert_eq!(submitted.text(".flash"), "Pārskats iesniegts; koordinators to pārbaudīs.", "{}", submitted.body);
        assert_eq!(forced(&n, &base, &report, &[("activities", "x")]).await.status, 400, "no change once submitted");
        let page = c.get(&report).await;
        let no_remarks = c.submit(&page, &format!("{report}/decide"), &[("decision", "return"), ("remarks", "")]).await;
        assert_eq!((no_remarks.status, no_remarks.field_error("remarks").is_empty()), (422, false));
        let returned = c.submit(&page, &format!("{report}/decide"), &[("decision", "return"), ("remarks", "Missing the second receipt")]).await;
        assert_eq!(returned.text(".flash"), "Pārskats atgriezts saņēmējam ar piezīmēm.", "{}", returned.body);
        let cfg = app.worker_config();
        app.work(&cfg).await;
        assert!(app.mails().iter().any(|m| m.contains("To: coord@example.lv") && m.contains(&format!("{}{base}", app.base))), "the coordinator was told of the submission");
        assert!(app.mails().iter().any(|m| m.contains("To: ngo@example.lv") && m.contains("Missing the second receipt")), "the NGO is told the remarks");
        let page = n.get(&report).await;
        assert_eq!((page.text("#report-status"), page.text("#remarks")), ("atgriezts labošanai".to_owned(), "Missing the second receipt".to_owned()));
        let unanswered = n.submit(&page, &format!("{report}/submit"), &[("response", " ")]).await;
        assert_eq!((unanswered.status, unanswered.field_error("response").is_empty()), (422, false));
        let again = n.submit(&page, &format!("{report}/submit"), &[("response", "Added it")]).await;
        assert_eq!(again.text(".flash"), "Pārskats iesniegts; koordinators to pārbaudīs.");
        let accepted = c.submit(&c.get(&report).await, &format!("{report}/decide"), &[("decision", "accept")]).await;
        assert_eq!(accepted.text(".flash"), "Pārskats apstiprināts.");
        assert_eq!(n.get(&report).await.text("#report-status"), "apstiprināts");

        // Nobody else reads a report or its receipts.
        seed::user(&app.db, "other@example.lv", Role::Coordinator, d.w.muni_b.id).await;
        for who in ["other@example.lv", "m1@example.lv"] {
            let b = app.browser();
            b.login(who, seed::PASSWORD).await;
            assert_eq!((b.get(&report).await.status, b.download(&receipt).await.0), (404, 404), "{who}");
        }
        assert_eq!(n.get(&format!("{base}/reports/other")).await.status, 404);

        // The interim report, never submitted: reminded 14 and 3 days before and once overdue,
        // each once, to the NGO and the coordinator.
        let interim = project_report::Entity::find().filter(project_report::Column::ProjectId.eq(p.id)).filter(project_report::Column::Kind.eq(ReportKind::Interim)).one(&app.db).await.expect("q").expect("interim");
        let noon = |days: i64| (interim.due_on + Duration::days(days)).and_hms_opt(10, 0, 0).expect("time").and_utc();
        app.work(&cfg).await;
        let before = app.mails().len();
        for (at, expected) in [(noon(-15), 0), (noon(-13), 1), (noon(-12), 0), (noon(-2), 1), (noon(-1), 0), (noon(1), 1), (noon(2), 0)] {
            let txn = entities::db::write(&app.db).await.expect("begin");
            let queued = entities::reminders::queue_due(&txn, at).await.expect("reminders");
            txn.commit().await.expect("commit");
            assert_eq!(queued, expected, "at {at}");
        }
        app.work(&cfg).await;
        assert_eq!(app.mails().len(), before + 6, "three reminders, each to the NGO and the coordinator");
        app.clock.hold(Some(noon(2)));
        let (statements, list) = app.count_statements(c.get("/manage/projects")).await;
        assert_eq!(statements, LIST_STATEMENTS, "one project: the same statements as for two");
        assert!(list.text("#projects tbody tr:first-child td:nth-child(5)").starts_with("Nokavēts!"), "{}", list.body);
        app.clock.hold(Some(d.now));

        // Settlement: 250 € spent of the 960 € paid, so 710 € is to come back; nothing is left
        // to pay, and the project cannot close before the refund is in.
        let page = c.get(&base).await;
        let nbsp = |s: String| s.replace('\u{a0}', " ");
        assert_eq!((nbsp(page.text("#eligible")), nbsp(page.text("#to-pay")), nbsp(page.text("#to-refund"))), ("250,00 €".to_owned(), "0,00 €".to_owned(), "710,00 €".to_owned()), "{}", page.body);
        let today = entities::time::to_riga(d.now).date_naive();
        let final_payment = forced(&c, &base, &format!("{base}/payments"), &[("kind", "final"), ("amount", "10"), ("paid_on", &today.to_string()), ("reference", "MU-2")]).await;
        assert_eq!((final_payment.status, final_payment.text(".error-summary").contains("Noslēguma maksājums nevar")), (422, true), "{}", final_payment.body);
        assert_eq!(forced(&c, &base, &format!("{base}/close"), &[("confirm", "yes")]).await.status, 400, "not while money is to come back");
        let past = c.submit(&page, &format!("{base}/refund"), &[("due_on", &today.to_string())]).await;
        assert_eq!((past.status, past.field_error("due_on")), (422, "Atmaksas termiņam jābūt nākotnē.".to_owned()));
        let due = today + Duration::days(30);
        let demanded = c.submit(&page, &format!("{base}/refund"), &[("due_on", &due.to_string())]).await;
        assert_eq!(demanded.text(".flash"), "Atmaksa pieprasīta; saņēmējs saņems paziņojumu.", "{}", demanded.body);
        assert_eq!(forced(&c, &base, &format!("{base}/refund"), &[("due_on", &due.to_string())]).await.status, 400, "demanded once");
        app.work(&cfg).await;
        assert!(app.mails().iter().any(|m| m.contains("To: ngo@example.lv") && m.contains("710.00 EUR")), "the NGO is asked to return it");
        app.clock.hold(Some((due + Duration::days(1)).and_hms_opt(10, 0, 0).expect("time").and_utc()));
        assert!(n.get(&base).await.text("#refund").ends_with("nokavēts"), "overdue past its date");
        let page = c.get(&base).await;
        let no_reference = c.submit(&page, &format!("{base}/refund/returned"), &[("returned_on", &due.to_string()), ("refund_reference", "")]).await;
        assert_eq!((no_reference.status, no_reference.field_error("refund_reference").is_empty()), (422, false));
        let returned = c.submit(&page, &format!("{base}/refund/returned"), &[("returned_on", &due.to_string()), ("refund_reference", "BANK-77")]).await;
        assert_eq!((returned.text(".flash"), nbsp(returned.text("#to-refund"))), ("Atmaksa reģistrēta.".to_owned(), "0,00 €".to_owned()), "{}", returned.body);

        // Closed (its box ticked), and its documents archived with their checksums.
        let unticked = c.submit(&returned, &format!("{base}/close"), &[]).await;
        assert_eq!(unticked.status, 422);
        let closed = c.submit(&returned, &format!("{base}/close"), &[("confirm", "yes")]).await;
        assert_eq!(closed.text(".flash"), "Projekts noslēgts; tā dokumenti tiks arhivēti.", "{}", closed.body);
        app.work(&cfg).await;
        assert!(project_of(app, d.ids[0]).await.archived_at.is_some(), "archived");
        let reference = entities::entity::application::Entity::find_by_id(d.ids[0]).one(&app.db).await.expect("q").expect("row").ref_no.expect("ref");
        let archive = entities::storage::build(&app.cfg.archive).expect("archive store");
        let manifest = object_store::ObjectStoreExt::get(&*archive, &object_store::path::Path::from(format!("projects/{}-{reference}/manifest.json", p.id))).await.expect("manifest").bytes().await.expect("bytes");
        let manifest: serde_json::Value = serde_json::from_slice(&manifest).expect("json");
        assert_eq!(manifest["documents"].as_array().map(Vec::len), Some(3), "the signed agreement, the receipt and the photo: {manifest}");
        assert_eq!(manifest["reports"][1]["pupils_at_risk"], 7);
        let after = c.get(&base).await;
        assert!(after.text("#closed").ends_with("dokumenti arhivēti"));
        assert_eq!((after.has_form(&format!("{base}/payments")), nbsp(after.text("#outstanding"))), (false, "0,00 €".to_owned()), "settled");
        let late = forced(&c, &base, &format!("{base}/payments"), &[("kind", "advance"), ("amount", "1"), ("paid_on", &due.to_string()), ("reference", "x")]).await;
        assert_eq!(late.status, 400, "nothing is paid into a closed project");

        // The statistics: granted → paid → returned, and the pupils at risk the project reached.
        let period = (today - Duration::days(1), today + Duration::days(1));
        let figures = entities::stats::grants(&app.db, entities::stats::Scope::Municipality(d.w.muni_a.id), period).await.expect("stats");
        let g = &figures[0];
        assert_eq!((g.granted_cents, g.paid_cents, g.returned_cents, g.pupils_reached), (120_000, 96_000, 71_000, 7));
        app.clock.hold(None);
    }
);
