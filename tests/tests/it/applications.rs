//! Submitting applications: the deadline in the submit transaction, reference numbers under
//! concurrency, idempotent double submits.

use chrono::{Duration, DurationRound, Utc};
use entities::Error;
use entities::domain::Role;
use entities::entity::application::ApplicationStatus;
use entities::entity::{application, call};
use entities::grants::applications::{self, Submitted};
use pumpurs_tests::{both_backends, seed};
use sea_orm::EntityTrait;

fn key(n: u32) -> String {
    format!("{n:064x}")
}

async fn submit(
    app: &pumpurs_tests::TestApp,
    member: &entities::policy::Actor,
    id: i32,
    key: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Submitted, Error> {
    let txn = entities::db::write(&app.db).await.expect("begin");
    let result = applications::submit(&txn, member, id, key, now).await;
    if result.is_ok() {
        txn.commit().await.expect("commit");
    }
    result
}

both_backends!(
    async fn a_submit_one_second_before_the_deadline_is_accepted_and_one_at_it_refused(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let deadline = (Utc::now() + Duration::hours(2)).duration_trunc(Duration::seconds(1)).expect("trunc");
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, deadline).await;
        let first = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let second = seed::draft(&app.db, &member, &call, &w.ngo).await;

        let accepted = submit(app, &member, first.id, &key(1), deadline - Duration::seconds(1)).await;
        let Ok(Submitted::Now(submitted)) = accepted else { panic!("{accepted:?}") };
        assert_eq!(submitted.ref_no.as_deref(), Some(format!("REZ-{}-001", entities::time::to_riga(call.opens_at).format("%Y")).as_str()));
        assert_eq!(submitted.status, ApplicationStatus::Submitted);

        let refused = submit(app, &member, second.id, &key(2), deadline).await;
        assert!(matches!(refused, Err(Error::Refused("error-deadline-passed"))), "{refused:?}");
        let second = application::Entity::find_by_id(second.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!((second.status, second.ref_no), (ApplicationStatus::Draft, None));
        let call = call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(call.last_ref_seq, 1, "the refused submit took no number");
        assert_eq!(call.status, entities::entity::call::CallStatus::Open, "no worker closed it");
    }
);

both_backends!(
    async fn twenty_concurrent_submits_get_twenty_consecutive_numbers(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(3)).await;
        let mut drafts = Vec::new();
        for i in 0..20 {
            let ngo = seed::ngo(&app.db, &format!("Biedrība {i}")).await;
            let member = seed::actor(&app.db, &seed::user(&app.db, &format!("n{i}@example.lv"), Role::NgoMember, ngo.id).await).await;
            let draft = seed::draft(&app.db, &member, &call, &ngo).await;
            drafts.push((member, draft.id));
        }
        let mut tasks = Vec::new();
        for (i, (member, id)) in drafts.into_iter().enumerate() {
            let db = app.db.clone();
            tasks.push(tokio::spawn(async move {
                let txn = entities::db::write(&db).await.expect("begin");
                let result = applications::submit(&txn, &member, id, &key(i as u32), Utc::now()).await;
                txn.commit().await.expect("commit");
                match result {
                    Ok(Submitted::Now(app)) => app.ref_seq.expect("seq"),
                    other => panic!("{other:?}"),
                }
            }));
        }
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await.expect("task"));
        }
        seqs.sort();
        assert_eq!(seqs, (1..=20).collect::<Vec<i32>>());
        let call = call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(call.last_ref_seq, 20);
    }
);

both_backends!(
    async fn a_double_submit_with_the_same_key_submits_once(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(3)).await;
        let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let same = key(7);
        let (a, b) = tokio::join!(
            submit(app, &member, draft.id, &same, Utc::now()),
            submit(app, &member, draft.id, &same, Utc::now())
        );
        let kinds = [&a, &b].map(|r| match r {
            Ok(Submitted::Now(_)) => "now",
            Ok(Submitted::Already(_)) => "already",
            Err(_) => "error",
        });
        assert!(kinds.contains(&"now") && kinds.contains(&"already"), "{a:?} {b:?}");
        let again = submit(app, &member, draft.id, &key(8), Utc::now()).await;
        assert!(matches!(again, Err(Error::Refused("error-application-read-only"))), "another key: {again:?}");
        let events = crate::outbox_events(app).await;
        assert_eq!(events, vec![entities::outbox::EmailEvent::ApplicationReceipt { application_id: draft.id }]);
    }
);

both_backends!(
    async fn every_problem_of_a_draft_is_reported_at_once(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(3)).await;
        let draft = applications::start(&app.db, &member, &call, &w.ngo, Utc::now()).await.expect("start");
        let form = applications::DraftForm {
            requested: "5000".into(),
            cofinancing: "10".into(),
            lines: vec![applications::LineForm { category: "travel".into(), description: "Autobuss".into(), quantity: "2".into(), unit_cost: "100".into() }],
            ..Default::default()
        };
        let (input, problems) = form.parse(&Default::default());
        assert!(problems.is_empty());
        applications::save_draft(&app.db, draft.clone(), &input, Utc::now()).await.expect("save");
        let result = submit(app, &member, draft.id, &key(1), Utc::now()).await;
        let Err(Error::Invalid(problems)) = result else { panic!("{result:?}") };
        let fields: Vec<&str> = problems.0.keys().map(String::as_str).collect();
        assert_eq!(fields, vec!["activities", "cofinancing", "lines", "requested", "summary", "target_group", "timeline", "title"]);
        assert_eq!(problems.get("lines"), Some("error-budget-total"));
        assert_eq!(problems.get("requested"), Some("error-requested-range"));
        let call = call::Entity::find_by_id(call.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(call.last_ref_seq, 0);
    }
);

both_backends!(
    async fn an_applicant_without_a_complete_profile_cannot_submit(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let bare = entities::orgs::insert(&app.db, entities::domain::OrgKind::Ngo, None, "Jauna biedrība", None, false, Utc::now()).await.expect("ngo");
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, bare.id).await).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(3)).await;
        let draft = seed::draft(&app.db, &member, &call, &bare).await;
        let result = submit(app, &member, draft.id, &key(1), Utc::now()).await;
        assert!(matches!(result, Err(Error::Refused("error-profile-incomplete"))), "{result:?}");
    }
);
