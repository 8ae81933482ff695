//! Pupil support plans at the model level: the approval chain for a municipal school and for a
//! state vocational school, refusals that change nothing, the funding ceiling, one audit record
//! per read, and who gets "not found".

use chrono::{NaiveDate, Utc};
use entities::Error;
use entities::domain::Role;
use entities::entity::expense::ExpenseState;
use entities::entity::plan_approval::Decision;
use entities::entity::{audit_log, plan, plan_approval, semester};
use entities::money::Eur;
use entities::plans::rules::{Level, PlanStatus};
use entities::plans::{self, Request};
use entities::policy::Actor;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

/// A name that appears nowhere else, to look for in the logs.
const PUPIL: &str = "Zigismunds Pumpurēns";

struct School {
    director: Actor,
    coordinator: Actor,
    reviewer: Actor,
    support: Actor,
    other_director: Actor,
    vocational_director: Actor,
    semester: semester::Model,
    world: seed::World,
}

async fn actor(app: &TestApp, email: &str, role: Role, org: i32) -> Actor {
    seed::actor(&app.db, &seed::user(&app.db, email, role, org).await).await
}

async fn school(app: &TestApp, cap: i64) -> School {
    let w = seed::world(&app.db).await;
    let semester = plans::create_semester(
        &app.db,
        2026,
        1,
        (date(2026, 9, 1), date(2026, 12, 31)),
        Eur::from_cents(cap),
        Utc::now(),
    )
    .await
    .expect("semester");
    School {
        director: actor(app, "director@example.lv", Role::Director, w.school_a.id).await,
        coordinator: actor(app, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
        reviewer: actor(app, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await,
        support: actor(app, "psychologist@example.lv", Role::SupportStaff, w.school_a.id).await,
        other_director: actor(app, "director-b@example.lv", Role::Director, w.school_b.id).await,
        vocational_director: actor(app, "director-v@example.lv", Role::Director, w.vocational.id).await,
        semester,
        world: w,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A draft plan with consent for a new pupil of `school_id`, written by `director`.
async fn draft(app: &TestApp, s: &School, director: &Actor, school_id: i32) -> plan::Model {
    let pupil = plans::register_pupil(
        &app.db,
        director,
        school_id,
        (PUPIL, "9.b", date(2011, 4, 2)),
        Utc::now(),
    )
    .await
    .expect("pupil");
    let p = plans::start_plan(&app.db, director, pupil.id, s.semester.id, Utc::now())
        .await
        .expect("plan");
    let low_results = seed::risk(&app.db, "low_results").await;
    plans::add_risk(&app.db, director, p.id, low_results.id, "Trīs nesekmīgi vērtējumi.")
        .await
        .expect("risk");
    plans::record_consent(
        &app.db,
        director,
        p.id,
        "Māte, Ilze Pumpurēna",
        seed::evidence(),
        Utc::now(),
    )
    .await
    .expect("consent")
    .0
}

/// The ids of a plan's risks (what a measure is linked to).
async fn risks(app: &TestApp, p: &plan::Model) -> Vec<i32> {
    entities::entity::plan_risk::Entity::find()
        .filter(entities::entity::plan_risk::Column::PlanId.eq(p.id))
        .all(&app.db)
        .await
        .expect("risks")
        .into_iter()
        .map(|r| r.id)
        .collect()
}

async fn act(app: &TestApp, who: &Actor, p: &plan::Model, request: Request) -> Result<PlanStatus, Error> {
    plans::act(&app.db, who, p.id, request, Some("Pamatojums."), Utc::now())
        .await
        .map(|p| plans::status(&p))
}

fn refused(result: Result<PlanStatus, Error>) -> &'static str {
    match result {
        Err(Error::Refused(reason)) => reason,
        other => panic!("not refused: {other:?}"),
    }
}

fn not_found(result: Result<PlanStatus, Error>) {
    assert!(matches!(result, Err(Error::NotFound)), "{result:?}");
}

both_backends!(
    async fn a_municipal_schools_plan_is_approved_by_director_municipality_and_state_in_turn(app) {
        let s = school(app, 50_000).await;
        let pupil = plans::register_pupil(&app.db, &s.director, s.world.school_a.id, (PUPIL, "9.b", date(2011, 4, 2)), Utc::now())
            .await
            .expect("pupil");
        let p = plans::start_plan(&app.db, &s.director, pupil.id, s.semester.id, Utc::now()).await.expect("plan");
        assert_eq!(refused(act(app, &s.director, &p, Request::SendForApproval).await), "plan-refused-consent");
        let (p, _) = plans::record_consent(&app.db, &s.director, p.id, "Māte", seed::evidence(), Utc::now()).await.expect("consent");
        assert_eq!(act(app, &s.director, &p, Request::SendForApproval).await.expect("allowed"), PlanStatus::InApproval { step: 0 });

        // Those later in the chain do not see the plan before it reaches them.
        not_found(act(app, &s.coordinator, &p, Request::Approve).await);
        not_found(act(app, &s.reviewer, &p, Request::Approve).await);
        assert_eq!(act(app, &s.director, &p, Request::Approve).await.expect("allowed"), PlanStatus::InApproval { step: 1 });
        not_found(act(app, &s.reviewer, &p, Request::Approve).await);
        assert_eq!(refused(act(app, &s.director, &p, Request::Approve).await), "plan-refused-not-your-step");
        assert_eq!(act(app, &s.coordinator, &p, Request::Approve).await.expect("allowed"), PlanStatus::InApproval { step: 2 });
        assert_eq!(act(app, &s.reviewer, &p, Request::Approve).await.expect("allowed"), PlanStatus::Approved);

        let steps = plan_approval::Entity::find()
            .filter(plan_approval::Column::PlanId.eq(p.id))
            .order_by_asc(plan_approval::Column::Id)
            .all(&app.db)
            .await
            .expect("steps");
        let who: Vec<(Level, Decision, i32)> = steps.iter().map(|a| (a.level, a.decision, a.user_id)).collect();
        assert_eq!(
            who,
            vec![
                (Level::School, Decision::Approved, s.director.user.id),
                (Level::Municipality, Decision::Approved, s.coordinator.user.id),
                (Level::State, Decision::Approved, s.reviewer.user.id)
            ]
        );

        // A revision needs every level again; a return goes back to revision with its comment.
        assert_eq!(act(app, &s.director, &p, Request::Start).await.expect("allowed"), PlanStatus::InProgress);
        assert_eq!(act(app, &s.director, &p, Request::Revise).await.expect("allowed"), PlanStatus::UnderRevision);
        assert_eq!(act(app, &s.director, &p, Request::SendForApproval).await.expect("allowed"), PlanStatus::InApproval { step: 0 });
        assert_eq!(act(app, &s.director, &p, Request::Approve).await.expect("allowed"), PlanStatus::InApproval { step: 1 });
        assert_eq!(act(app, &s.coordinator, &p, Request::Return).await.expect("allowed"), PlanStatus::UnderRevision);
        let returned = plan_approval::Entity::find().order_by_desc(plan_approval::Column::Id).one(&app.db).await.expect("q").expect("row");
        assert_eq!((returned.decision, returned.comment.as_deref()), (Decision::Returned, Some("Pamatojums.")));
    }
);

both_backends!(
    async fn a_state_vocational_schools_plan_skips_the_municipality(app) {
        let s = school(app, 50_000).await;
        let p = draft(app, &s, &s.vocational_director, s.world.vocational.id).await;
        assert_eq!(act(app, &s.vocational_director, &p, Request::SendForApproval).await.expect("allowed"), PlanStatus::InApproval { step: 0 });
        assert_eq!(act(app, &s.vocational_director, &p, Request::Approve).await.expect("allowed"), PlanStatus::InApproval { step: 1 });
        not_found(act(app, &s.coordinator, &p, Request::Approve).await);
        assert_eq!(act(app, &s.reviewer, &p, Request::Approve).await.expect("allowed"), PlanStatus::Approved);
        let levels = plan_approval::Entity::find().filter(plan_approval::Column::PlanId.eq(p.id)).count(&app.db).await.expect("count");
        assert_eq!(levels, 2);
    }
);

both_backends!(
    async fn forbidden_transitions_are_refused_with_a_reason_and_change_nothing(app) {
        let s = school(app, 50_000).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        assert_eq!(refused(act(app, &s.director, &p, Request::Start).await), "plan-refused-transition");
        assert_eq!(refused(act(app, &s.director, &p, Request::Resume).await), "plan-refused-transition");
        let unchanged = plan::Entity::find_by_id(p.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!((unchanged.status.as_str(), unchanged.updated_at), ("draft", p.updated_at));
        act(app, &s.director, &p, Request::SendForApproval).await.expect("send");
        for who in [&s.director, &s.coordinator, &s.reviewer] {
            act(app, who, &p, Request::Approve).await.expect("approve");
        }
        act(app, &s.director, &p, Request::Start).await.expect("start");
        let paused = plans::act(&app.db, &s.director, p.id, Request::Pause, Some("  "), Utc::now()).await;
        assert!(matches!(paused, Err(Error::Refused("plan-refused-reason-required"))), "{:?}", paused.map(|p| p.status));
        assert_eq!(act(app, &s.director, &p, Request::Pause).await.expect("allowed"), PlanStatus::Paused);
        let stored = plan::Entity::find_by_id(p.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(stored.status_reason.as_deref(), Some("Pamatojums."));
    }
);

both_backends!(
    async fn an_expense_beyond_the_ceiling_is_recorded_as_unpaid_and_blocks_deactivation(app) {
        let s = school(app, 10_000).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        let measure = plans::add_compensation(&app.db, &s.director, p.id, "public_transport", Eur::from_cents(20_000), &risks(app, &p).await).await.expect("measure");
        act(app, &s.director, &p, Request::SendForApproval).await.expect("send");
        for who in [&s.director, &s.coordinator, &s.reviewer] {
            act(app, who, &p, Request::Approve).await.expect("approve");
        }
        act(app, &s.director, &p, Request::Start).await.expect("start");

        let accountant = actor(app, "accountant@example.lv", Role::Accountant, s.world.school_a.id).await;
        let spent = async |cents| {
            let requested = plans::record_expense(&app.db, &s.director, measure.id, Eur::from_cents(cents), date(2026, 10, 1), None, Utc::now())
                .await
                .expect("recorded");
            assert_eq!(requested.status, ExpenseState::Requested);
            assert!(matches!(plans::decide_expense(&app.db, &s.support, requested.id, Utc::now()).await, Err(Error::NotFound)), "support staff do not decide");
            plans::decide_expense(&app.db, &accountant, requested.id, Utc::now()).await.expect("decided").0.status
        };
        assert_eq!(spent(6_000).await, ExpenseState::Approved);
        assert_eq!(spent(5_000).await, ExpenseState::Unpaid, "beyond the ceiling of 100 €");
        assert_eq!(spent(4_000).await, ExpenseState::Approved, "what is left still fits");
        let waiting = plans::record_expense(&app.db, &s.director, measure.id, Eur::from_cents(700), date(2026, 10, 1), None, Utc::now()).await.expect("recorded");
        let money = plans::funding(&app.db, s.world.school_a.id, s.semester.id).await.expect("funding");
        assert_eq!(
            (money.ceiling.cents(), money.committed.cents(), money.remaining.cents(), money.unpaid.cents(), money.requested.cents()),
            (10_000, 10_000, 0, 5_000, 700)
        );
        let again = plans::decide_expense(&app.db, &accountant, waiting.id, Utc::now()).await.expect("decided");
        assert_eq!(again.0.status, ExpenseState::Unpaid);
        assert!(matches!(plans::decide_expense(&app.db, &accountant, waiting.id, Utc::now()).await, Err(Error::Refused("expense-refused-decided"))));
        assert_eq!(refused(act(app, &s.director, &p, Request::Deactivate).await), "plan-refused-money-spent");
    }
);

both_backends!(
    async fn every_read_writes_one_audit_record_and_others_get_not_found(app) {
        let s = school(app, 50_000).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        let views = || async {
            audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq("plan_view"))
                .filter(audit_log::Column::ObjectId.eq(i64::from(p.id)))
                .count(&app.db)
                .await
                .expect("count")
        };
        let absences = seed::risk(&app.db, "absences").await;
        plans::add_risk(&app.db, &s.director, p.id, absences.id, "  ").await.expect_err("a justification is required");
        plans::add_risk(&app.db, &s.director, p.id, absences.id, "12 neattaisnotas stundas septembrī.").await.expect("risk");
        plans::add_risk(&app.db, &s.director, p.id, absences.id, "Vēlreiz.").await.expect_err("not twice");
        plans::add_risk(&app.db, &s.director, p.id, i32::MAX, "Nav tāda.").await.expect_err("only from the catalogue");
        let read = plans::view(&app.db, &s.director, p.id, Utc::now()).await.expect("view");
        assert_eq!(read.pupil.name, PUPIL);
        assert_eq!(read.risks.last().map(|r| r.risk_id), Some(absences.id), "after the draft's first risk");
        assert_eq!(read.risks.len(), 2);
        assert_eq!(views().await, 1);
        plans::view(&app.db, &s.director, p.id, Utc::now()).await.expect("again");
        assert_eq!(views().await, 2);

        // Another school's director, support staff not assigned, the municipality before the
        // chain reaches it: not found, and nothing recorded as read.
        for who in [&s.other_director, &s.support, &s.coordinator, &s.reviewer] {
            assert!(matches!(plans::view(&app.db, who, p.id, Utc::now()).await, Err(Error::NotFound)), "{}", who.user.email);
        }
        assert_eq!(views().await, 2);
        plans::assign(&app.db, &s.director, read.pupil.id, &s.support, Utc::now()).await.expect("assign");
        plans::view(&app.db, &s.support, p.id, Utc::now()).await.expect("assigned staff see it");
        assert_eq!(views().await, 3);

        let audit = audit_log::Entity::find().all(&app.db).await.expect("audit");
        assert!(audit.iter().all(|a| !a.details.as_deref().unwrap_or_default().contains("Pumpur")), "no names in the audit");
        assert!(!pumpurs_tests::logs::captured().contains(PUPIL), "no pupil name in the logs");
    }
);

both_backends!(
    async fn a_second_expense_waits_for_the_first_to_be_decided(app) {
        let s = school(app, 10_000).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        let measure = plans::add_compensation(&app.db, &s.director, p.id, "meals", Eur::from_cents(20_000), &risks(app, &p).await).await.expect("measure");
        act(app, &s.director, &p, Request::SendForApproval).await.expect("send");
        for who in [&s.director, &s.coordinator, &s.reviewer] {
            act(app, who, &p, Request::Approve).await.expect("approve");
        }
        act(app, &s.director, &p, Request::Start).await.expect("start");

        // The first expense is decided but not yet committed when the second's decision comes.
        let record = |cents, day| plans::record_expense(&app.db, &s.director, measure.id, Eur::from_cents(cents), date(2026, 10, day), None, Utc::now());
        let (one, two) = (record(6_000, 1).await.expect("first"), record(5_000, 2).await.expect("second"));
        let first = entities::db::write(&app.db).await.expect("begin");
        let (e, _) = plans::decide_expense(&first, &s.director, one.id, Utc::now()).await.expect("first");
        assert_eq!(e.status, ExpenseState::Approved);
        let (db, director) = (app.db.clone(), s.director.clone());
        let second = tokio::spawn(async move {
            let txn = entities::db::write(&db).await.expect("begin");
            let (e, _) = plans::decide_expense(&txn, &director, two.id, Utc::now()).await.expect("second");
            txn.commit().await.expect("commit");
            e.status
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "the second waits for the first decision");
        first.commit().await.expect("commit");
        assert_eq!(second.await.expect("task"), ExpenseState::Unpaid, "it sees the first and does not fit");
    }
);

both_backends!(
    async fn sessions_are_logged_and_the_semester_ends_with_evaluations_and_an_outcome(app) {
        let s = school(app, 50_000).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        let wrong = plans::add_consultation(&app.db, &s.director, p.id, "astrologer", 600, &risks(app, &p).await).await;
        assert!(matches!(wrong, Err(Error::Invalid(_))), "only the specialist types of the programme");
        let talks = plans::add_consultation(&app.db, &s.director, p.id, "psychologist", 600, &risks(app, &p).await).await.expect("consultation");
        let tickets = plans::add_compensation(&app.db, &s.director, p.id, "public_transport", Eur::from_cents(5_000), &risks(app, &p).await).await.expect("compensation");
        let session = |day, minutes| plans::Session { held_on: date(2026, 10, day), minutes, remote: day % 2 == 0, pupil_confirmed: true };
        let early = plans::log_session(&app.db, &s.director, talks.id, session(1, 45), Utc::now()).await;
        assert!(matches!(early, Err(Error::Refused("plan-refused-not-in-progress"))), "not before the plan is carried out");
        act(app, &s.director, &p, Request::SendForApproval).await.expect("send");
        for who in [&s.director, &s.coordinator, &s.reviewer] {
            act(app, who, &p, Request::Approve).await.expect("approve");
        }
        act(app, &s.director, &p, Request::Start).await.expect("start");

        let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").expect("time").with_timezone(&Utc);
        plans::log_session(&app.db, &s.director, talks.id, session(1, 45), at).await.expect("first session");
        plans::log_session(&app.db, &s.director, talks.id, session(8, 40), at).await.expect("second session");
        let outside = plans::log_session(&app.db, &s.director, talks.id, plans::Session { held_on: date(2027, 2, 1), ..session(1, 45) }, at).await;
        assert!(matches!(outside, Err(Error::Invalid(_))), "within the semester and not in the future");
        let on_tickets = plans::log_session(&app.db, &s.director, tickets.id, session(2, 30), at).await;
        assert!(matches!(on_tickets, Err(Error::Refused("plan-refused-not-consultation"))));
        let minutes: i32 = entities::entity::consultation_session::Entity::find().all(&app.db).await.expect("sessions").iter().map(|s| s.minutes).sum();
        assert_eq!(minutes, 85);

        plans::evaluate(&app.db, &s.director, p.id, Some(talks.id), ("Runā atklātāk.", "reduced", None), at).await.expect("measure");
        let no_outcome = plans::evaluate(&app.db, &s.director, p.id, None, ("Apmeklē skolu.", "reduced", None), at).await;
        assert!(matches!(no_outcome, Err(Error::Invalid(_))), "the plan's evaluation names the outcome");
        plans::evaluate(&app.db, &s.director, p.id, None, ("Apmeklē skolu.", "unchanged", Some("continues")), at).await.expect("plan");
        plans::evaluate(&app.db, &s.director, p.id, None, ("Apmeklē skolu regulāri.", "reduced", Some("continues")), at).await.expect("again");
        let all = entities::entity::evaluation::Entity::find().all(&app.db).await.expect("evaluations");
        let plan_level: Vec<_> = all.iter().filter(|e| e.measure_id.is_none()).collect();
        assert_eq!((all.len(), plan_level.len()), (2, 1), "written again, it replaces");
        assert_eq!((plan_level[0].result.as_str(), plan_level[0].outcome.as_deref()), ("reduced", Some("continues")));
    }
);

both_backends!(
    async fn a_new_catalogue_version_leaves_earlier_semesters_and_their_plans_alone(app) {
        let s = school(app, 50_000).await;
        let admin = actor(app, "admin@example.lv", Role::Admin, s.world.agency.id).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        let code = |c: &'static str| async move {
            entities::entity::risk::Entity::find()
                .filter(entities::entity::risk::Column::Code.eq(c))
                .order_by_desc(entities::entity::risk::Column::Id)
                .one(&app.db)
                .await
                .expect("q")
        };
        let absences = code("absences").await.expect("in version 1");
        plans::add_risk(&app.db, &s.director, p.id, absences.id, "Kavē pirmdienas.").await.expect("risk");

        let not_admin = plans::new_catalogue_version(&app.db, &s.director, &[], Utc::now()).await;
        assert!(matches!(not_admin, Err(Error::NotFound)));
        let v2 = plans::new_catalogue_version(&app.db, &admin, &[("economic", "no_internet", "Nav interneta mājās", "No internet at home")], Utc::now())
            .await
            .expect("version 2");
        assert_eq!(v2.version, 2);
        let no_internet = code("no_internet").await.expect("in version 2");

        // The autumn plan keeps version 1; the spring semester uses version 2.
        let old = plans::add_risk(&app.db, &s.director, p.id, no_internet.id, "Nav.").await;
        assert!(matches!(old, Err(Error::Invalid(_))), "not in the autumn semester's catalogue");
        let read = plans::view(&app.db, &s.director, p.id, Utc::now()).await.expect("view");
        assert!(!read.risks.iter().any(|r| r.risk_id == no_internet.id));
        assert_eq!(read.risks.last().map(|r| r.risk_id), Some(absences.id));
        let spring = plans::create_semester(&app.db, 2026, 2, (date(2027, 1, 4), date(2027, 5, 31)), Eur::from_cents(50_000), Utc::now())
            .await
            .expect("spring");
        assert_eq!(spring.catalogue_id, v2.id);
        let p2 = plans::start_plan(&app.db, &s.director, read.pupil.id, spring.id, Utc::now()).await.expect("spring plan");
        plans::add_risk(&app.db, &s.director, p2.id, no_internet.id, "Mācās tikai skolā.").await.expect("new risk");
        let risks_v2 = entities::entity::risk::Entity::find().count(&app.db).await.expect("count");
        assert_eq!(risks_v2, 16 + 17, "version 1 kept, version 2 a copy with one more");
    }
);

both_backends!(
    async fn hours_of_indirectly_involved_staff_are_recorded_by_the_school(app) {
        let s = school(app, 50_000).await;
        let school_id = s.world.school_a.id;
        plans::record_indirect_hours(&app.db, &s.director, school_id, s.semester.id, ("class_teacher", 90), Utc::now()).await.expect("hours");
        plans::record_indirect_hours(&app.db, &s.director, school_id, s.semester.id, ("accountant", 30), Utc::now()).await.expect("hours");
        let other = plans::record_indirect_hours(&app.db, &s.other_director, school_id, s.semester.id, ("other", 10), Utc::now()).await;
        assert!(matches!(other, Err(Error::NotFound)), "another school's director");
        let bad = plans::record_indirect_hours(&app.db, &s.director, school_id, s.semester.id, ("janitor", 0), Utc::now()).await;
        assert!(matches!(bad, Err(Error::Invalid(_))));
        let total: i32 = entities::entity::indirect_hours::Entity::find().all(&app.db).await.expect("rows").iter().map(|r| r.minutes).sum();
        assert_eq!(total, 120);
    }
);

both_backends!(
    async fn approvers_and_staff_are_reminded_once_and_the_email_does_not_name_the_pupil(app) {
        let s = school(app, 50_000).await;
        let p = draft(app, &s, &s.director, s.world.school_a.id).await;
        act(app, &s.director, &p, Request::SendForApproval).await.expect("send");
        let cfg = app.worker_config();

        // Three days at the director's step: the director is reminded, once.
        let later = Utc::now() + chrono::Duration::days(4);
        assert_eq!(worker::queue_reminders(&app.db, later).await.expect("queue"), 1);
        assert_eq!(worker::queue_reminders(&app.db, later).await.expect("queue"), 0, "the schedule fires twice");
        app.work(&cfg).await;
        let sent = app.mails();
        assert_eq!(sent.len(), 1);
        assert!(sent[0].contains("To: director@example.lv") && sent[0].contains("gaida j"), "{}", sent[0]);
        assert!(!sent[0].contains("Zigismunds"), "no pupil name in email");

        // In the semester's last week a plan being carried out without its evaluation.
        for who in [&s.director, &s.coordinator, &s.reviewer] {
            act(app, who, &p, Request::Approve).await.expect("approve");
        }
        act(app, &s.director, &p, Request::Start).await.expect("start");
        // A second plan, evaluated already, is not reminded.
        let done = draft(app, &s, &s.director, s.world.school_a.id).await;
        act(app, &s.director, &done, Request::SendForApproval).await.expect("send");
        for who in [&s.director, &s.coordinator, &s.reviewer] {
            act(app, who, &done, Request::Approve).await.expect("approve");
        }
        act(app, &s.director, &done, Request::Start).await.expect("start");
        plans::evaluate(&app.db, &s.director, done.id, None, ("Turpina.", "reduced", Some("continues")), Utc::now()).await.expect("evaluated");
        let last_week = chrono::DateTime::parse_from_rfc3339("2026-12-28T10:00:00Z").expect("time").with_timezone(&Utc);
        assert_eq!(worker::queue_reminders(&app.db, last_week).await.expect("queue"), 1, "only the plan without its evaluation");
        assert_eq!(worker::queue_reminders(&app.db, last_week).await.expect("queue"), 0);
        app.work(&cfg).await;
        let sent = app.mails();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().any(|m| m.contains("31.12.2026") && m.contains("izv")), "{sent:?}");
    }
);
