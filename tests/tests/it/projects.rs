//! After the decision: a funded applicant is offered its grant and accepts or declines it within
//! the call's days to accept; a decline or a lapsed offer moves the reserve up, and the one moved
//! up is offered its grant and told, the coordinators are told.

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

both_backends!(
    async fn a_grant_is_accepted_declined_or_lapses_and_the_reserve_moves_up(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let ngo = seed::actor(&app.db, &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let closes = Utc::now() + Duration::hours(1);
        let mut form = seed::call_form(closes);
        form.budget = "1200".into();
        form.max_grant = "1200".into();
        form.accept_days = "10".into();
        let (call, ids) = seed::call_with_submitted(&app.db, &coordinator, w.muni_a.id, &form, (&ngo, &w.ngo), 3).await;
        let now = (closes + Duration::minutes(1)).trunc_subsecs(0);
        let member = seed::actor(&app.db, &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await).await;
        let call = entities::entity::call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        panel::set_panel(&app.db, &coordinator, &call, &[member.user.id], Some(member.user.id), now).await.expect("panel");
        let criteria = entities::grants::calls::criteria(&app.db, call.id).await.expect("criteria");
        for (id, points) in [(ids[0], "9"), (ids[1], "7"), (ids[2], "5")] {
            panel::declare(&app.db, &member, id, false, "", now).await.expect("declare");
            let mut marks: Vec<panel::MarkForm> = criteria.iter().map(|c| panel::MarkForm { criterion_id: c.id, points: points.min("5").to_owned(), ..Default::default() }).collect();
            marks[0].points = points.to_owned();
            panel::save_card(&app.db, &member, id, &marks, true, now).await.expect("card");
        }
        let call_id = call.id;
        let call = decision::lock(&app.db, &coordinator, call, now).await.expect("lock");
        assert!(project::Entity::find().one(&app.db).await.expect("q").is_none(), "nothing is offered before the results are out");
        decision::publish(&app.db, &coordinator, call, now).await.expect("publish");

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
        assert!(answers.iter().any(|a| a.ends_with("— pieņemts")), "{answers:?}");
        app.clock.hold(None);
    }
);
