//! The panel: who may sit on it, declarations of conflicts, scorecards that lock on submit, and
//! results computed from what is stored.

use chrono::{Duration, Utc};
use entities::Error;
use entities::domain::Role;
use entities::entity::audit_log;
use entities::grants::calls;
use entities::grants::panel::{self, MarkForm};
use entities::grants::scoring::{self, Mark};
use pumpurs_tests::{TestApp, both_backends, seed};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

struct Setup {
    coordinator: entities::policy::Actor,
    members: [entities::policy::Actor; 2],
    outsider: entities::policy::Actor,
    call: entities::entity::call::Model,
    apps: [i32; 2],
    after_deadline: chrono::DateTime<Utc>,
}

async fn setup(app: &TestApp) -> Setup {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let m1 = seed::actor(
        &app.db,
        &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await,
    )
    .await;
    let m2 = seed::actor(
        &app.db,
        &seed::user(&app.db, "m2@example.lv", Role::PanelMember, w.muni_a.id).await,
    )
    .await;
    let outsider = seed::actor(
        &app.db,
        &seed::user(&app.db, "mb@example.lv", Role::PanelMember, w.muni_b.id).await,
    )
    .await;
    let member = seed::actor(
        &app.db,
        &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await,
    )
    .await;
    let closes = Utc::now() + Duration::hours(1);
    let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
    let mut apps = [0; 2];
    for (i, slot) in apps.iter_mut().enumerate() {
        let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let txn = entities::db::write(&app.db).await.expect("begin");
        entities::grants::applications::submit(&txn, &member, draft.id, &format!("{:064x}", i + 1), Utc::now())
            .await
            .expect("submit");
        txn.commit().await.expect("commit");
        *slot = draft.id;
    }
    Setup {
        coordinator,
        members: [m1, m2],
        outsider,
        call,
        apps,
        after_deadline: closes + Duration::minutes(5),
    }
}

fn marks(criteria: &[entities::entity::call_criterion::Model], values: &[&str]) -> Vec<MarkForm> {
    criteria
        .iter()
        .zip(values)
        .map(|(c, v)| MarkForm {
            criterion_id: c.id,
            points: if *v == "na" { String::new() } else { (*v).to_owned() },
            not_applicable: *v == "na",
            comment: String::new(),
        })
        .collect()
}

both_backends!(
    async fn only_the_municipalitys_panel_members_are_named_and_the_chair_is_one_of_them(app) {
        let s = setup(app).await;
        let [m1, m2] = &s.members;
        let now = Utc::now();
        let bad = panel::set_panel(&app.db, &s.coordinator, &s.call, &[m1.user.id, s.outsider.user.id], Some(m1.user.id), now).await;
        assert!(matches!(&bad, Err(Error::Invalid(e)) if e.get("members") == Some("error-panel-members")), "{bad:?}");
        let bad = panel::set_panel(&app.db, &s.coordinator, &s.call, &[m1.user.id], Some(m2.user.id), now).await;
        assert!(matches!(&bad, Err(Error::Invalid(e)) if e.get("chair") == Some("error-panel-chair")), "{bad:?}");
        panel::set_panel(&app.db, &s.coordinator, &s.call, &[m1.user.id, m2.user.id], Some(m2.user.id), now).await.expect("panel");
        let seated = panel::members(&app.db, s.call.id).await.expect("members");
        assert_eq!(seated.iter().map(|(p, u)| (u.id, p.is_chair)).collect::<Vec<_>>(), vec![(m2.user.id, true), (m1.user.id, false)]);
        // A panel member cannot name a panel.
        assert!(matches!(panel::set_panel(&app.db, m1, &s.call, &[m1.user.id], Some(m1.user.id), now).await, Err(Error::NotFound)));
    }
);

both_backends!(
    async fn conflicts_recuse_and_scorecards_lock_on_submit(app) {
        let s = setup(app).await;
        let [m1, m2] = &s.members;
        let now = s.after_deadline;
        panel::set_panel(&app.db, &s.coordinator, &s.call, &[m1.user.id, m2.user.id], Some(m1.user.id), Utc::now()).await.expect("panel");
        let criteria = calls::criteria(&app.db, s.call.id).await.expect("criteria");
        let a = s.apps[0];

        let early = panel::declare(&app.db, m1, a, false, "", Utc::now()).await;
        assert!(matches!(early, Err(Error::Refused("error-scoring-not-open"))), "{early:?}");
        let bare = panel::declare(&app.db, m1, a, true, " ", now).await;
        assert!(matches!(&bare, Err(Error::Invalid(e)) if e.get("note") == Some("error-conflict-note")));
        panel::declare(&app.db, m1, a, true, "Esmu biedrības valdē", now).await.expect("recusal");
        assert!(matches!(panel::declare(&app.db, m1, a, false, "", now).await, Err(Error::Refused("error-already-declared"))));
        let recused = panel::save_card(&app.db, m1, a, &marks(&criteria, &["5", "5"]), false, now).await;
        assert!(matches!(recused, Err(Error::NotFound)), "a conflicted member cannot score: {recused:?}");
        let audit = audit_log::Entity::find().filter(audit_log::Column::Action.eq("recusal")).all(&app.db).await.expect("audit");
        assert_eq!(audit.len(), 1);

        let undeclared = panel::save_card(&app.db, m2, a, &marks(&criteria, &["5", "5"]), false, now).await;
        assert!(matches!(undeclared, Err(Error::NotFound)), "declare first: {undeclared:?}");
        panel::declare(&app.db, m2, a, false, "", now).await.expect("declare");
        let out_of_range = panel::save_card(&app.db, m2, a, &marks(&criteria, &["11", "-1"]), false, now).await;
        let Err(Error::Invalid(e)) = out_of_range else { panic!("{out_of_range:?}") };
        assert_eq!(e.0.values().copied().collect::<Vec<_>>(), vec!["error-score-range", "error-score-range"]);
        panel::save_card(&app.db, m2, a, &marks(&criteria, &["7", ""]), false, now).await.expect("a partial draft");
        let incomplete = panel::save_card(&app.db, m2, a, &marks(&criteria, &["7", ""]), true, now).await;
        assert!(matches!(&incomplete, Err(Error::Invalid(e)) if e.get(&format!("score-{}", criteria[1].id)) == Some("error-score-missing")));
        panel::save_card(&app.db, m2, a, &marks(&criteria, &["7", "na"]), true, now).await.expect("submit");
        let locked = panel::save_card(&app.db, m2, a, &marks(&criteria, &["10", "5"]), false, now).await;
        assert!(matches!(locked, Err(Error::Refused("error-scorecard-locked"))), "{locked:?}");

        let outsider = panel::declare(&app.db, &s.outsider, a, false, "", now).await;
        assert!(matches!(outsider, Err(Error::NotFound)), "not on this panel: {outsider:?}");
    }
);

both_backends!(
    async fn results_come_from_the_submitted_cards_only(app) {
        let s = setup(app).await;
        let [m1, m2] = &s.members;
        let now = s.after_deadline;
        panel::set_panel(&app.db, &s.coordinator, &s.call, &[m1.user.id, m2.user.id], Some(m1.user.id), Utc::now()).await.expect("panel");
        let criteria = calls::criteria(&app.db, s.call.id).await.expect("criteria");
        for m in [m1, m2] {
            for a in s.apps {
                panel::declare(&app.db, m, a, false, "", now).await.expect("declare");
            }
        }
        // Criterion weights 2 and 1, maxima 10 and 5 (full 25).
        panel::save_card(&app.db, m1, s.apps[0], &marks(&criteria, &["8", "5"]), true, now).await.expect("m1 a0");
        panel::save_card(&app.db, m2, s.apps[0], &marks(&criteria, &["6", "na"]), true, now).await.expect("m2 a0");
        panel::save_card(&app.db, m1, s.apps[1], &marks(&criteria, &["3", "5"]), true, now).await.expect("m1 a1");
        panel::save_card(&app.db, m2, s.apps[1], &marks(&criteria, &["9", "1"]), false, now).await.expect("m2 a1 draft");
        let (rules, cards) = panel::submitted_cards(&app.db, s.call.id).await.expect("cards");
        let first = scoring::aggregate(&rules, &cards[&s.apps[0]]);
        // m1: 16 + 5 = 21; m2: 12 of 20 scored, scaled to 25 = 15; mean 18, spread 6.
        assert_eq!((first.mean, first.spread), (Some(Decimal::from(18)), Some(Decimal::from(6))));
        let second = scoring::aggregate(&rules, &cards[&s.apps[1]]);
        assert_eq!(second.cards, 1, "the draft does not count");
        assert_eq!(second.failed, vec![criteria[0].id], "3 points is under the minimum of 4");
        assert_eq!(cards[&s.apps[0]].iter().find(|c| c.member_id == m2.user.id).map(|c| c.marks.get(&criteria[1].id).copied()), Some(Some(Mark::NotApplicable)));
    }
);

both_backends!(
    async fn the_full_cycle_from_compliance_to_published_results(app) {
        use entities::grants::decision;
        use entities::entity::application::{self, ApplicationStatus};
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let members = [
            seed::actor(&app.db, &seed::user(&app.db, "m1@example.lv", Role::PanelMember, w.muni_a.id).await).await,
            seed::actor(&app.db, &seed::user(&app.db, "m2@example.lv", Role::PanelMember, w.muni_a.id).await).await,
        ];
        let ngo = seed::actor(&app.db, &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let closes = Utc::now() + Duration::hours(1);
        let mut form = seed::call_form(closes);
        form.budget = "2500".into();
        form.max_grant = "2000".into();
        let (call, ids) = seed::call_with_submitted(&app.db, &coordinator, w.muni_a.id, &form, (&ngo, &w.ngo), 4).await;
        let now = closes + Duration::minutes(1);
        let requirement = calls::requirements(&app.db, call.id).await.expect("req")[0].id;

        // Compliance: a check, a clarification asked and answered, one application ineligible.
        let early = entities::grants::compliance::check(&app.db, &coordinator, ids[0], requirement, true, "", Utc::now()).await;
        assert!(matches!(early, Err(Error::Refused("error-compliance-not-open"))), "{early:?}");
        entities::grants::compliance::check(&app.db, &coordinator, ids[0], requirement, true, "", now).await.expect("check");
        let no_comment = entities::grants::compliance::check(&app.db, &coordinator, ids[3], requirement, false, "", now).await;
        assert!(matches!(no_comment, Err(Error::Invalid(_))));
        let riga = |t: chrono::DateTime<Utc>| entities::time::to_riga(t).format("%Y-%m-%dT%H:%M").to_string();
        let q = entities::grants::compliance::ask(&app.db, &coordinator, ids[1], "Kas vadīs darbnīcas?", &riga(now + Duration::days(3)), now).await.expect("ask");
        entities::grants::compliance::answer(&app.db, &ngo, q.application_id, q.id, "Sertificēts pedagogs.", now + Duration::hours(1)).await.expect("answer");
        assert!(matches!(entities::grants::compliance::answer(&app.db, &ngo, q.application_id, q.id, "Vēlreiz", now).await, Err(Error::Refused("error-clarification-answered"))));
        entities::grants::compliance::mark_ineligible(&app.db, &coordinator, ids[3], "Nav pievienots darba plāns.", now).await.expect("ineligible");

        // Scoring: A 10+5, B 8+4, C 6+3 from both members.
        panel::set_panel(&app.db, &coordinator, &call, &[members[0].user.id, members[1].user.id], Some(members[0].user.id), now).await.expect("panel");
        let criteria = calls::criteria(&app.db, call.id).await.expect("criteria");
        for m in &members {
            for (id, points) in ids.iter().take(3).zip([["10", "5"], ["8", "4"], ["6", "3"]]) {
                panel::declare(&app.db, m, *id, false, "", now).await.expect("declare");
                panel::save_card(&app.db, m, *id, &marks(&criteria, &points), true, now).await.expect("card");
            }
            assert!(matches!(panel::declare(&app.db, m, ids[3], false, "", now).await, Err(Error::NotFound)), "an ineligible application is not scored");
        }
        let call = entities::entity::call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        let standings = decision::standings(&app.db, &call).await.expect("standings");
        assert_eq!(standings.iter().map(|s| s.app.id).collect::<Vec<_>>(), ids[..3].to_vec(), "ranked by score");

        let call = decision::lock(&app.db, &coordinator, call, now).await.expect("lock");
        let status = |id: i32| { let db = app.db.clone(); async move { application::Entity::find_by_id(id).one(&db).await.expect("q").expect("row").status } };
        assert_eq!([status(ids[0]).await, status(ids[1]).await, status(ids[2]).await, status(ids[3]).await],
            [ApplicationStatus::Funded, ApplicationStatus::Funded, ApplicationStatus::Reserve, ApplicationStatus::Ineligible]);
        let late = panel::save_card(&app.db, &members[0], ids[0], &marks(&criteria, &["1", "1"]), false, now).await;
        assert!(late.is_err(), "no scores after the lock: {late:?}");

        assert!(matches!(decision::reopen(&app.db, &coordinator, call.clone(), " ", now).await, Err(Error::Invalid(_))));
        let call = decision::reopen(&app.db, &coordinator, call, "Pārrēķins pēc komisijas sēdes", now).await.expect("reopen");
        let reopened = audit_log::Entity::find().filter(audit_log::Column::Action.eq("decision_reopen")).one(&app.db).await.expect("q").expect("audited");
        assert_eq!(reopened.details.as_deref(), Some("Pārrēķins pēc komisijas sēdes"));
        let call = decision::lock(&app.db, &coordinator, call, now).await.expect("lock again");

        // The first funded applicant declines: the reserve moves up.
        let moved = decision::decline(&app.db, &ngo, ids[0], now).await.expect("decline");
        assert_eq!(moved, vec![ids[2]]);
        assert_eq!([status(ids[0]).await, status(ids[2]).await], [ApplicationStatus::Withdrawn, ApplicationStatus::Funded]);

        let call = decision::publish(&app.db, &coordinator, call, now).await.expect("publish");
        let (_, public) = decision::public_results(&app.db, call.id).await.expect("results");
        let funded: Vec<_> = public.iter().filter(|r| r.outcome == entities::entity::award::AwardOutcome::Funded).map(|r| (r.reference.clone(), r.amount_cents)).collect();
        assert_eq!(funded.len(), 2);
        assert!(funded.iter().all(|(_, cents)| *cents == 120_000));
        let events: Vec<_> = crate::outbox_events(app).await.into_iter().filter(|e| matches!(e, entities::outbox::EmailEvent::CallResult { .. })).collect();
        assert_eq!(events.len(), 4, "every applicant is told");
        let cfg = app.worker_config();
        app.work(&cfg).await;
        let subjects: Vec<String> = app.mails().into_iter()
            .filter_map(|m| m.lines().find(|l| l.starts_with("Subject:")).map(str::to_owned))
            .collect();
        assert_eq!(subjects.iter().filter(|s| s.starts_with("Subject: Konkursa ")).count(), 4, "{subjects:?}");
    }
);
