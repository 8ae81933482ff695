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
        assert!(home.text("#waiting-questions li").contains("Lūdzu, precizējiet telpu nomu."), "{}", home.body);
        assert_eq!(home.attrs("#waiting-questions a", "href"), vec![format!("/applications/{}#clarifications", sent.id)]);
        assert!(home.text("#waiting-submitted li").starts_with("OGR-2026-2-001 — Zaļā skola"));

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
