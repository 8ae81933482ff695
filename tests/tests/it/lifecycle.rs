//! A published call's deadline can only move later (audited); a submitted application can be
//! withdrawn, after a confirmation, until the deadline; NGO members invite each other.

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::entity::application::ApplicationStatus;
use entities::entity::{application, audit_log};
use pumpurs_tests::{both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

both_backends!(
    async fn a_deadline_only_moves_later_and_each_move_is_audited(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(5)).await;
        let b = app.browser();
        b.login("coord@example.lv", seed::PASSWORD).await;
        let path = format!("/manage/calls/{}", call.id);
        let action = format!("{path}/deadline");
        let riga = |t: chrono::DateTime<Utc>| entities::time::to_riga(t).format("%Y-%m-%dT%H:%M").to_string();
        let earlier = b.fill(&path, &action, &[("closes_at", &riga(call.closes_at - Duration::days(1)))]).await;
        assert_eq!(earlier.status, 422);
        assert!(earlier.field_error("closes_at").starts_with("Termiņu var tikai pagarināt"), "{}", earlier.field_error("closes_at"));
        let garbage = b.fill(&path, &action, &[("closes_at", "rīt")]).await;
        assert_eq!(garbage.field_error("closes_at"), "Ievadiet datumu un laiku, piemēram, 2026-12-01T17:00.");
        let later = call.closes_at + Duration::days(3);
        let moved = b.fill(&path, &action, &[("closes_at", &riga(later))]).await;
        assert_eq!(moved.text(".flash"), "Termiņš pagarināts.", "{}", moved.body);
        let stored = entities::entity::call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(riga(stored.closes_at), riga(later));
        let audit = audit_log::Entity::find().filter(audit_log::Column::Action.eq("call_extend_deadline")).all(&app.db).await.expect("audit");
        assert_eq!(audit.len(), 1);
        assert!(audit[0].details.as_deref().unwrap_or("").contains(" -> "), "old and new are recorded");
        // A published call's form is frozen: posting to it changes nothing.
        let frozen = b.post(&path, &[("_csrf", &moved.csrf()), ("title", "Cits"), ("action", "save")]).await;
        assert_eq!(frozen.status, 400);
    }
);

both_backends!(
    async fn a_submitted_application_is_withdrawn_after_confirmation_until_the_deadline(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let deadline = Utc::now() + Duration::days(2);
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, deadline).await;
        let (first, second) = (seed::draft(&app.db, &member, &call, &w.ngo).await, seed::draft(&app.db, &member, &call, &w.ngo).await);
        for (i, id) in [first.id, second.id].into_iter().enumerate() {
            let txn = entities::db::write(&app.db).await.expect("begin");
            entities::grants::applications::submit(&txn, &member, id, &format!("{:064x}", i + 1), Utc::now()).await.expect("submit");
            txn.commit().await.expect("commit");
        }
        let b = app.browser();
        b.login("anna@example.lv", seed::PASSWORD).await;
        let view = b.get(&format!("/applications/{}", first.id)).await;
        let confirm_href = format!("/applications/{}/withdraw", first.id);
        assert_eq!(view.attrs(&format!("a[href=\"{confirm_href}\"]"), "href").len(), 1);
        let confirm = b.get(&confirm_href).await;
        assert!(confirm.contains("Vai tiešām atsaukt šo pieteikumu?"));
        let done = b.submit(&confirm, &confirm_href, &[]).await;
        assert_eq!(done.text(".flash"), "Pieteikums atsaukts.");
        let row = application::Entity::find_by_id(first.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.status, ApplicationStatus::Withdrawn);
        assert_eq!(b.get(&confirm_href).await.status, 400, "once is enough");

        app.clock.hold(Some(deadline));
        let late = b.get(&format!("/applications/{}/withdraw", second.id)).await;
        assert_eq!(late.status, 400);
        let forced = b.post(&format!("/applications/{}/withdraw", second.id), &[("_csrf", &late.csrf())]).await;
        assert_eq!(forced.status, 400, "after the deadline nothing is withdrawn");
        app.clock.hold(None);
        let row = application::Entity::find_by_id(second.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.status, ApplicationStatus::Submitted);
    }
);

both_backends!(
    async fn ngo_members_invite_each_other(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = app.browser();
        b.login("anna@example.lv", seed::PASSWORD).await;
        let path = format!("/orgs/{}", w.ngo.id);
        let page = b.get(&path).await;
        assert_eq!(page.attrs("#role option", "value"), vec!["ngo_member"]);
        let sent = b.submit(&page, &format!("{path}/invitations"), &[("name", "Jānis"), ("email", "janis@example.lv"), ("role", "ngo_member")]).await;
        assert_eq!(sent.text(".flash"), "Uzaicinājums nosūtīts.");
        assert!(sent.contains("janis@example.lv"));
    }
);

both_backends!(
    async fn publishing_says_everything_that_is_missing_at_once(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let mut form = seed::call_form(Utc::now() - Duration::hours(1));
        form.opens_at = entities::time::to_riga(Utc::now() - Duration::days(3)).format("%Y-%m-%dT%H:%M").to_string();
        form.max_grant = "20000".into();
        form.criteria.truncate(1);
        form.criteria[0].weight = "0".into();
        let input = form.parse().expect("a draft may be incomplete");
        let call = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, Utc::now()).await.expect("draft");
        let b = app.browser();
        b.login("coord@example.lv", seed::PASSWORD).await;
        let path = format!("/manage/calls/{}", call.id);
        let refused = b.fill(&path, &format!("{path}/publish"), &[("confirm", "yes")]).await;
        assert_eq!(refused.status, 422);
        let problems = refused.texts(".error-summary li");
        assert_eq!(problems.len(), 3, "{problems:?}");
        // Each problem names its field by its label, in the order of the form, and links to it.
        assert_eq!(problems, vec![
            "Pieteikumu termiņš: Termiņam jābūt nākotnē.".to_owned(),
            "Lielākā summa vienam projektam: Lielākā summa vienam projektam nevar pārsniegt kopējo finansējumu.".to_owned(),
            "Katra kritērija svaram jābūt lielākam par nulli.".to_owned(),
        ]);
        for href in refused.attrs(".error-summary li a", "href") {
            assert_eq!(refused.attrs(&format!("[id='{}']", &href[1..]), "id").len(), 1, "{href} leads to one element");
        }
        assert!(refused.text("title").starts_with("Kļūda: "), "{}", refused.text("title"));
        let still = entities::entity::call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(still.status, entities::entity::call::CallStatus::Draft);
        assert_eq!(b.get("/api/v1/calls").await.body, "{\"calls\":[]}", "an unpublished call is not public");
    }
);
