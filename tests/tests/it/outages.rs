//! The worker outlives outages of what it talks to. A mail server that is away (or answers 4xx)
//! is tried again, waiting longer each time, until it takes the message — once; one that rejects
//! a message for good (5xx) is not asked again. A delivery claimed by a worker that died waits
//! for the claim to lapse instead of running out of tries; one whose worker was only cut off
//! from the database, and records its send when it is back, is not sent again. A document store that is down is
//! tried again until the archive is complete. The admin can retry every failure at once.
//! Outages are played by a gate in front of the real server (`pumpurs_tests::gate`).

use entities::entity::delivery::DeliveryState;
use std::time::{Duration, Instant};

use chrono::Utc;
use entities::domain::Role;
use entities::entity::{delivery, outbox as outbox_row};
use entities::outbox::{self, EmailEvent, MAX_DELIVERY_ATTEMPTS};
use pumpurs_tests::gate::Gate;
use pumpurs_tests::smtp::SmtpServer;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// Runs the worker until `done` holds (at most `secs` seconds, then the test fails), then stops it.
async fn work_until<F: AsyncFn() -> bool>(app: &TestApp, cfg: worker::WorkerConfig, secs: u64, what: &str, done: F) {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker::run(app.db.clone(), cfg, rx));
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed().as_secs() < secs, "not within {secs} s: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    running.await.expect("worker task").expect("worker");
}

async fn deliveries(app: &TestApp) -> Vec<delivery::Model> {
    delivery::Entity::find().all(&app.db).await.expect("deliveries")
}

async fn tried_again_later(app: &TestApp) -> u64 {
    outbox_row::Entity::find()
        .filter(outbox_row::Column::RunAt.is_not_null())
        .count(&app.db)
        .await
        .expect("count")
}

/// A claim on anna's message of `event` left by another run at `at`.
async fn claim_left(app: &TestApp, event: &EmailEvent, at: chrono::DateTime<Utc>) {
    let claim = delivery::ActiveModel {
        event_key: sea_orm::ActiveValue::Set(event.key()),
        recipient: sea_orm::ActiveValue::Set("anna@example.lv".into()),
        status: sea_orm::ActiveValue::Set(DeliveryState::Sending),
        attempts: sea_orm::ActiveValue::Set(0),
        last_error: sea_orm::ActiveValue::Set(None),
        sent_at: sea_orm::ActiveValue::Set(None),
        updated_at: sea_orm::ActiveValue::Set(at),
        claimed_by: sea_orm::ActiveValue::Set(Some("a-dead-run".into())),
        ..Default::default()
    };
    sea_orm::ActiveModelTrait::insert(claim, &app.db).await.expect("claim");
}

async fn one_event(app: &TestApp) -> EmailEvent {
    let w = seed::world(&app.db).await;
    let anna = seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
    let event = EmailEvent::AccountExists { user_id: anna.id };
    outbox::enqueue_email(&app.db, &event, Utc::now()).await.expect("event");
    event
}

both_backends!(
    async fn a_mail_server_away_is_tried_again_until_it_is_back_and_the_message_arrives_once(app) {
        let server = SmtpServer::start();
        let gate = Gate::start(server.addr(), false).await;
        let mut cfg = app.worker_config();
        cfg.smtp_url = Some(format!("smtp://{}", gate.addr));
        one_event(app).await;
        // Away: a run's tries are spent, and the work is queued again for later, not given up.
        work_until(app, cfg.clone(), 30, "tried while the server is away", async || {
            tried_again_later(app).await >= 2
        })
        .await;
        let rows = deliveries(app).await;
        assert_eq!(rows.len(), 1);
        assert!(rows[0].status == DeliveryState::Failed && rows[0].attempts >= 10 && rows[0].attempts < MAX_DELIVERY_ATTEMPTS, "{rows:?}");
        assert_eq!(server.count(), 0);
        assert!(worker::failed_jobs(&app.db, 10).await.expect("failed").is_empty(), "nothing failed for good");
        // Back: the next try sends it, once.
        gate.open();
        work_until(app, cfg, 60, "the message arrives after the server is back", async || server.count() >= 1).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(server.count(), 1, "once");
        assert_eq!(deliveries(app).await.iter().map(|d| d.status).collect::<Vec<_>>(), vec![DeliveryState::Sent]);
        assert!(worker::failed_jobs(&app.db, 10).await.expect("failed").is_empty());
    }
);

both_backends!(
    async fn a_message_the_server_rejects_for_good_is_not_sent_again(app) {
        let server = SmtpServer::start();
        server.reject_next(1);
        let mut cfg = app.worker_config();
        cfg.smtp_url = Some(server.url());
        one_event(app).await;
        work_until(app, cfg, 20, "the rejection is recorded", async || {
            deliveries(app).await.iter().any(|d| d.status == DeliveryState::Failed)
        })
        .await;
        let rows = deliveries(app).await;
        assert_eq!(rows[0].attempts, MAX_DELIVERY_ATTEMPTS, "given up at once: {rows:?}");
        assert!(rows[0].last_error.as_deref().unwrap_or("").contains("550"), "{rows:?}");
        assert_eq!((server.count(), tried_again_later(app).await), (0, 0), "not tried again");
    }
);

both_backends!(
    async fn a_delivery_claimed_by_a_dead_worker_waits_for_the_claim_to_lapse(app) {
        // A worker that died mid-send left its claim; its lease is three heartbeats (9 s), and it
        // is taken over a lease after it was found lapsed: longer than one run's tries with their
        // waits (~1.5 s) times the runs a job gets (5).
        let mut cfg = app.worker_config();
        cfg.heartbeat = Duration::from_secs(3);
        let event = one_event(app).await;
        claim_left(app, &event, Utc::now()).await;
        work_until(app, cfg, 60, "sent once the claim lapsed", async || !app.mails().is_empty()).await;
        assert_eq!(app.mails().len(), 1);
        assert_eq!(deliveries(app).await.iter().map(|d| d.status).collect::<Vec<_>>(), vec![DeliveryState::Sent]);
        assert!(tried_again_later(app).await >= 1, "it waited in the outbox");
        assert!(worker::failed_jobs(&app.db, 10).await.expect("failed").is_empty(), "no try was wasted");
    }
);

both_backends!(
    async fn a_message_the_server_keeps_at_its_door_is_not_sent_again_by_a_second_run(app) {
        // The server holds the message far longer than a claim's lease (3 s) while a second
        // job of the same event runs: the sending run renews its claim, the second one waits.
        let server = SmtpServer::start();
        server.hold(true);
        let mut cfg = app.worker_config();
        cfg.smtp_url = Some(server.url());
        cfg.heartbeat = Duration::from_secs(1);
        let event = one_event(app).await;
        let started = Instant::now();
        let again = std::cell::Cell::new(false);
        work_until(app, cfg, 40, "the message arrives after the hold", async || {
            if !again.get() && deliveries(app).await.iter().any(|d| d.status == DeliveryState::Sending) {
                outbox::enqueue_email(&app.db, &event, Utc::now()).await.expect("a second job of the event");
                again.set(true);
            }
            if started.elapsed() > Duration::from_secs(10) {
                server.hold(false);
            }
            server.count() >= 1 && started.elapsed() > Duration::from_secs(14)
        })
        .await;
        assert!(again.get());
        assert_eq!(server.count(), 1, "once");
        assert_eq!(deliveries(app).await.iter().map(|d| d.status).collect::<Vec<_>>(), vec![DeliveryState::Sent]);
    }
);

both_backends!(
    async fn a_claim_whose_owner_records_its_send_late_is_not_sent_again(app) {
        // The owner sent the message and lost the database before recording it; an hour on,
        // another run finds the claim lapsed and marks it suspect. The owner, back, records the
        // send: the other run, a lease later, finds it sent and sends nothing.
        let mut cfg = app.worker_config();
        cfg.heartbeat = Duration::from_secs(1);
        let event = one_event(app).await;
        claim_left(app, &event, Utc::now() - chrono::Duration::hours(1)).await;
        let started = Instant::now();
        let recorded = std::cell::Cell::new(false);
        work_until(app, cfg, 30, "two leases past the owner's record", async || {
            if !recorded.get() && deliveries(app).await.iter().any(|d| d.status == DeliveryState::Suspect) {
                delivery::Entity::update_many()
                    .col_expr(delivery::Column::Status, sea_orm::sea_query::Expr::value(DeliveryState::Sent))
                    .exec(&app.db)
                    .await
                    .expect("the owner records");
                recorded.set(true);
            }
            recorded.get() && started.elapsed() > Duration::from_secs(10)
        })
        .await;
        assert!(app.mails().is_empty(), "not sent again");
        assert_eq!(deliveries(app).await.iter().map(|d| d.status).collect::<Vec<_>>(), vec![DeliveryState::Sent]);
        assert!(worker::failed_jobs(&app.db, 10).await.expect("failed").is_empty(), "no try was wasted");
    }
);

both_backends!(
    async fn the_admin_retries_every_failure_at_once(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await;
        for i in 0..2 {
            let u = seed::user(&app.db, &format!("p{i}@example.lv"), Role::NgoMember, w.ngo.id).await;
            let event = EmailEvent::AccountExists { user_id: u.id };
            let failed = delivery::ActiveModel {
                event_key: sea_orm::ActiveValue::Set(event.key()),
                recipient: sea_orm::ActiveValue::Set(u.email.clone()),
                status: sea_orm::ActiveValue::Set(DeliveryState::Failed),
                attempts: sea_orm::ActiveValue::Set(MAX_DELIVERY_ATTEMPTS),
                last_error: sea_orm::ActiveValue::Set(Some("connection refused".into())),
                sent_at: sea_orm::ActiveValue::Set(None),
                updated_at: sea_orm::ActiveValue::Set(Utc::now()),
                ..Default::default()
            };
            sea_orm::ActiveModelTrait::insert(failed, &app.db).await.expect("failed delivery");
        }
        let b = app.browser();
        b.login("admin@example.lv", seed::PASSWORD).await;
        let page = b.get("/admin/jobs").await;
        let done = b.submit(&page, "/admin/jobs/retry-all", &[]).await;
        assert_eq!(done.text(".flash"), "Visas neizdevušās piegādes un darbi ielikti rindā vēlreiz.");
        app.work(&app.worker_config()).await;
        assert_eq!(app.mails().len(), 2);
        assert!(b.get("/admin/jobs").await.contains("Neizdevušos piegāžu nav."));
        let audited = entities::entity::audit_log::Entity::find()
            .filter(entities::entity::audit_log::Column::Action.eq("retry"))
            .all(&app.db)
            .await
            .expect("audit");
        assert_eq!(audited.iter().filter_map(|a| a.details.clone()).collect::<Vec<_>>(), vec!["deliveries=2 jobs=0".to_owned()]);
    }
);
