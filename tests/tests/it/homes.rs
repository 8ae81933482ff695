//! Homes that show what waits: an applying organisation's home lists its drafts to continue
//! (how much is filled, the deadline), the questions asked of it and its submitted applications;
//! starting again on a call continues an empty draft; a draft is deleted behind a box, with what
//! it holds, audited; nothing of another organisation's.

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::entity::application::{self, ApplicationStatus};
use entities::entity::{audit_log, clarification};
use pumpurs_tests::{both_backends, seed};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

both_backends!(
    async fn an_applicants_home_shows_drafts_questions_and_applications_and_drafts_are_deleted(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(10)).await;
        let other_call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(20)).await;
        let n = app.browser();
        n.login("n@example.lv", seed::PASSWORD).await;
        let home = n.get("/home").await;
        assert_eq!(home.status, 200);
        assert!(home.text("#waiting-drafts .empty").starts_with("Jums nav nepabeigtu melnrakstu."), "{}", home.body);

        // Starting twice on one call continues the empty draft.
        let call_page = n.get(&format!("/calls/{}", call.id)).await;
        let first = n.submit(&call_page, &format!("/calls/{}/apply", call.id), &[]).await;
        let again = n.submit(&call_page, &format!("/calls/{}/apply", call.id), &[]).await;
        assert_eq!(first.path, again.path, "the same draft");
        let drafts = || application::Entity::find().filter(application::Column::ApplicantId.eq(w.ngo.id)).count(&app.db);
        assert_eq!(drafts().await.expect("count"), 1);
        // Once something is written into it, starting again makes a second one.
        let mut titled: application::ActiveModel = application::Entity::find().one(&app.db).await.expect("read").expect("draft").into();
        titled.title = Set("Skolas podkāsts".into());
        titled.summary = Set("Skolēni veido podkāstu.".into());
        let titled = titled.update(&app.db).await.expect("titled");
        let second = n.submit(&call_page, &format!("/calls/{}/apply", call.id), &[]).await;
        assert_ne!(second.path, first.path);

        // A submitted application with a question asked of it.
        let other = entities::grants::applications::start(&app.db, &member, &other_call, &w.ngo, Utc::now()).await.expect("draft");
        let mut sent: application::ActiveModel = other.into();
        sent.status = Set(ApplicationStatus::Submitted);
        sent.title = Set("Zaļā skola".into());
        sent.ref_no = Set(Some("OGR-2026-2-001".into()));
        sent.submitted_at = Set(Some(Utc::now()));
        let sent = sent.update(&app.db).await.expect("submitted");
        clarification::ActiveModel {
            application_id: Set(sent.id),
            question: Set("Lūdzu, precizējiet telpu nomu.".into()),
            deadline: Set(Utc::now() + Duration::days(3)),
            asked_by: Set(coordinator.user.id),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("question");

        let home = n.get("/home").await;
        let drafts_shown = home.texts("#waiting-drafts li");
        assert_eq!(drafts_shown.len(), 2, "{drafts_shown:?}");
        assert!(drafts_shown.iter().any(|d| d.starts_with("Skolas podkāsts") && d.contains("aizpildītas 2 no 7 daļām") && d.contains("termiņš")), "{drafts_shown:?}");
        assert!(drafts_shown.iter().any(|d| d.starts_with("(bez nosaukuma)") && d.contains("aizpildītas 0 no 7 daļām")), "{drafts_shown:?}");
        let missing = home.texts("#waiting-drafts .draft-missing");
        assert!(missing.contains(&"Vēl jāaizpilda: Projekta nosaukums, Īss apraksts, Mērķa grupa, Aktivitātes, Laika grafiks, Pieprasītā summa, Budžets".to_owned()), "each part still empty is named: {missing:?}");
        assert_eq!(missing.len(), 2, "both drafts name what they miss: {missing:?}");
        assert!(home.text("#waiting-questions li").contains("Lūdzu, precizējiet telpu nomu."), "{}", home.body);
        assert_eq!(home.attrs("#waiting-questions a", "href"), vec![format!("/applications/{}#clarifications", sent.id)]);
        assert!(home.text("#waiting-submitted li").starts_with("OGR-2026-2-001 — Zaļā skola"));
        assert!(home.texts("#waiting-projects").is_empty(), "no project yet");

        // Funded: the offer to accept, then (accepted) the report to write.
        use entities::entity::project::{self, ProjectState};
        use entities::entity::project_report::{self, ReportKind, ReportState};
        let offered = project::ActiveModel {
            call_id: Set(other_call.id),
            application_id: Set(sent.id),
            applicant_id: Set(w.ngo.id),
            granted_cents: Set(80_000),
            status: Set(ProjectState::Offered),
            answer_by: Set(Utc::now() + Duration::days(5)),
            answered_at: Set(None),
            answered_by: Set(None),
            created_at: Set(Utc::now()),
            closed_at: Set(None),
            closed_by: Set(None),
            archived_at: Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("project");
        let home = n.get("/home").await;
        assert_eq!(home.attrs("#waiting-projects a", "href"), vec![format!("/applications/{}", sent.id)]);
        assert!(home.text("#waiting-projects li").contains("Piešķirti 800,00 €; pieņemiet finansējumu līdz"), "{}", home.body);
        let mut accepted: project::ActiveModel = offered.clone().into();
        accepted.status = Set(ProjectState::Accepted);
        accepted.update(&app.db).await.expect("accepted");
        let due = (Utc::now() + Duration::days(40)).date_naive();
        project_report::ActiveModel {
            project_id: Set(offered.id),
            kind: Set(ReportKind::Interim),
            status: Set(ReportState::Draft),
            due_on: Set(due),
            activities: Set(String::new()),
            started_on: Set(None),
            ended_on: Set(None),
            participants: Set(0),
            pupils_at_risk: Set(0),
            publicity: Set(String::new()),
            remarks: Set(None),
            response: Set(None),
            submitted_at: Set(None),
            decided_at: Set(None),
            decided_by: Set(None),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("report");
        let home = n.get("/home").await;
        assert_eq!(home.attrs("#waiting-projects a", "href"), vec![format!("/projects/{}/reports/interim", offered.id)]);
        assert!(home.text("#waiting-projects li").ends_with(&format!("Iesniedziet līdz {}.", due.format("%d.%m.%Y"))), "{}", home.body);

        // Deleting a draft: only with the box, only one's own, only a draft.
        let path = format!("/applications/{}", titled.id);
        let page = n.get(&path).await;
        let delete = format!("{path}/delete");
        assert_eq!(n.submit(&page, &delete, &[]).await.status, 400, "not without the box");
        let stranger = app.browser();
        seed::user(&app.db, "s@example.lv", Role::NgoMember, seed::ngo(&app.db, "Cita biedrība").await.id).await;
        let s_home = stranger.login("s@example.lv", seed::PASSWORD).await;
        assert_eq!(stranger.post(&delete, &[("_csrf", &s_home.csrf()), ("confirm", "yes")]).await.status, 404);
        assert_eq!(n.post(&format!("/applications/{}/delete", sent.id), &[("_csrf", &page.csrf()), ("confirm", "yes")]).await.status, 400, "a submitted application is withdrawn, not deleted");
        let done = n.submit(&page, &delete, &[("confirm", "yes")]).await;
        assert_eq!((done.path.as_str(), done.text(".flash").as_str()), ("/applications", "Melnraksts dzēsts."));
        assert!(application::Entity::find_by_id(titled.id).one(&app.db).await.expect("read").is_none());
        let audited = audit_log::Entity::find().filter(audit_log::Column::Action.eq("application_delete")).count(&app.db).await.expect("audit");
        assert_eq!(audited, 1);
        assert_eq!(n.get("/home").await.texts("#waiting-drafts li").len(), 1);
    }
);

both_backends!(
    async fn each_role_sees_what_waits_for_it(app) {
        use entities::entity::{call, plan};
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let panelist = seed::user(&app.db, "panel@example.lv", Role::PanelMember, w.muni_a.id).await;
        // A draft call, and a call whose deadline has passed with one submitted application.
        let input = seed::call_form(Utc::now() + Duration::days(30)).parse().expect("form");
        let draft = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, Utc::now()).await.expect("draft call");
        let closed = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(1)).await;
        entities::grants::panel::set_panel(&app.db, &coordinator, &closed, &[panelist.id], Some(panelist.id), Utc::now()).await.expect("panel");
        let a = entities::grants::applications::start(&app.db, &member, &closed, &w.ngo, Utc::now()).await.expect("draft");
        let mut sent: application::ActiveModel = a.into();
        sent.status = Set(ApplicationStatus::Submitted);
        sent.ref_no = Set(Some("OGR-1".into()));
        sent.submitted_at = Set(Some(Utc::now()));
        sent.update(&app.db).await.expect("submitted");
        let mut past: call::ActiveModel = closed.clone().into();
        past.closes_at = Set(Utc::now() - Duration::hours(1));
        past.scoring_deadline = Set(Utc::now() + Duration::days(7));
        past.update(&app.db).await.expect("closed");

        let login = async |email: &str| {
            let b = app.browser();
            b.login(email, seed::PASSWORD).await;
            b
        };
        let home = login("coord@example.lv").await.get("/home").await;
        let calls = home.texts("#waiting-calls li");
        assert!(calls.iter().any(|c| c.starts_with(&draft.title) && c.contains("melnraksts: pabeidziet un publicējiet")), "{calls:?}");
        assert!(calls.iter().any(|c| c.contains("pieņemšana beigusies: pārbaudiet pieteikumus")), "{calls:?}");
        assert_eq!(home.text("#waiting-approvals .empty"), "Neviens plāns negaida jūsu apstiprinājumu.");

        let home = login("panel@example.lv").await.get("/home").await;
        assert_eq!(home.attrs("#waiting-scoring a", "href"), vec![format!("/panel/calls/{}", closed.id)]);
        assert!(home.text("#waiting-scoring li").contains("novērtēti 0 no 1"), "{}", home.body);

        // A school: the director sees the draft plan to finish and the one waiting for approval;
        // a support staff member sees only the pupils assigned to them.
        let today = Utc::now().date_naive();
        let s = entities::plans::create_semester(&app.db, 2026, 1, (today - Duration::days(30), today + Duration::days(60)), entities::money::Eur::from_cents(50_000), Utc::now()).await.expect("semester");
        let director = seed::actor(&app.db, &seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await).await;
        seed::user(&app.db, "staff@example.lv", Role::SupportStaff, w.school_a.id).await;
        let born = chrono::NaiveDate::from_ymd_opt(2012, 1, 2).expect("date");
        let kid = entities::plans::register_pupil(&app.db, &director, w.school_a.id, ("Pēteris Kalns", "7.a", born), Utc::now()).await.expect("pupil");
        let other = entities::plans::register_pupil(&app.db, &director, w.school_a.id, ("Ilze Liepa", "8.b", born), Utc::now()).await.expect("pupil");
        entities::plans::start_plan(&app.db, &director, kid.id, s.id, Utc::now()).await.expect("plan");
        let waiting = entities::plans::start_plan(&app.db, &director, other.id, s.id, Utc::now()).await.expect("plan");
        let mut in_approval: plan::ActiveModel = waiting.into();
        in_approval.status = Set(entities::entity::plan::PlanState::InApproval);
        in_approval.update(&app.db).await.expect("in approval");
        let home = login("dir@example.lv").await.get("/home").await;
        assert_eq!(home.texts("#waiting-plans a"), vec!["Pēteris Kalns"]);
        assert_eq!(home.text("#waiting-approvals p"), "Jūsu apstiprinājumu gaida plāni: 1. Atvērt rindu");
        let home = login("staff@example.lv").await.get("/home").await;
        assert!(home.texts("#waiting-plans a").is_empty(), "not assigned: {}", home.body);
    }
);

both_backends!(
    async fn the_landing_page_lists_the_open_calls(app) {
        let anyone = app.browser();
        let page = anyone.get("/").await;
        assert!(page.text("#open-calls .empty").starts_with("Pašlaik nav neviena atvērta konkursa."), "{}", page.body);
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(10)).await;
        let (statements, page) = app.count_statements(anyone.get("/")).await;
        assert_eq!(page.attrs("#open-calls a", "href"), vec![format!("/calls/{}", call.id)]);
        assert!(page.text("#open-calls li").contains("Pieteikumus pieņem līdz"), "{}", page.body);
        assert!(statements <= 3, "{statements} statements");
    }
);
