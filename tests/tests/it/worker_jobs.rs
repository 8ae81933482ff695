//! Work that happens without anyone clicking: calls close at their deadline, and an email is
//! delivered once per event and recipient however often its job runs.

use chrono::{Duration, DurationRound, Utc};
use entities::domain::Role;
use entities::entity::call::CallStatus;
use entities::entity::delivery::DeliveryState;
use entities::entity::{call, delivery};
use entities::outbox::{self, EmailEvent};
use pumpurs_tests::{both_backends, seed};
use sea_orm::EntityTrait;

both_backends!(
    async fn a_call_closes_at_its_deadline_once_and_its_coordinators_are_told(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        seed::user(&app.db, "coord2@example.lv", Role::Coordinator, w.muni_a.id).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let deadline = (Utc::now() + Duration::hours(2)).duration_trunc(Duration::seconds(1)).expect("trunc");
        let c = seed::open_call(&app.db, &coordinator, w.muni_a.id, deadline).await;
        let draft = seed::draft(&app.db, &member, &c, &w.ngo).await;
        let txn = entities::db::write(&app.db).await.expect("begin");
        entities::grants::applications::submit(&txn, &member, draft.id, &format!("{:064x}", 1), Utc::now()).await.expect("submit");
        txn.commit().await.expect("commit");

        assert_eq!(worker::close_due_calls(&app.db, deadline - Duration::seconds(1)).await.expect("sweep"), 0);
        assert_eq!(worker::close_due_calls(&app.db, deadline).await.expect("sweep"), 1, "closed at the deadline itself");
        assert_eq!(worker::close_due_calls(&app.db, deadline + Duration::minutes(1)).await.expect("sweep"), 0, "a second sweep changes nothing");
        let stored = call::Entity::find_by_id(c.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(stored.status, CallStatus::Closed);

        let cfg = app.worker_config();
        app.work(&cfg).await;
        let closed: Vec<String> = app.mails().into_iter().filter(|m| m.contains("Subject: Konkurss ")).collect();
        assert_eq!(closed.len(), 2, "one to each coordinator");
        let body = closed[0].replace("=\r\n", "").replace("=\n", "");
        assert!(body.contains("Iesniegti pieteikumi: 1."), "{body}");
    }
);

both_backends!(
    async fn a_duplicated_event_is_delivered_once(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let b = app.browser();
        b.fill("/password/forgot", "/password/forgot", &[("email", "anna@example.lv")]).await;
        let events = crate::outbox_events(app).await;
        let [EmailEvent::ResetPassword { .. }] = events.as_slice() else { panic!("{events:?}") };
        // The same event relayed again (as a crashed relay would): a second outbox row.
        outbox::enqueue_email(&app.db, &events[0], Utc::now()).await.expect("duplicate");
        let cfg = app.worker_config();
        app.work(&cfg).await;
        app.work(&cfg).await;
        assert_eq!(app.mails().len(), 1, "sent once");
        let rows = delivery::Entity::find().all(&app.db).await.expect("deliveries");
        assert_eq!(rows.iter().map(|d| (d.recipient.as_str(), d.status)).collect::<Vec<_>>(), vec![("anna@example.lv", DeliveryState::Sent)]);
    }
);

fn standalone_config(dir: &std::path::Path) -> worker::WorkerConfig {
    worker::WorkerConfig {
        public_url: "http://127.0.0.1:8080".into(),
        mail_from: "Pumpurs <pumpurs@localhost>".into(),
        smtp_url: None,
        mail_dir: dir.join("mail"),
        secret_key: entities::tokens::SecretKey::new(b"k".repeat(32)),
        poll_interval: std::time::Duration::from_millis(100),
        heartbeat: std::time::Duration::from_secs(1),
        retry_backoff: std::time::Duration::from_millis(100),
        email_concurrency: 1,
        sweep: false,
        clock: entities::time::Clock::default(),
        documents: entities::storage::StoreConfig::Local(dir.join("documents")),
        archive: entities::storage::StoreConfig::Local(dir.join("archive")),
    }
}

#[tokio::test]
async fn email_test_sends_through_the_configured_transport() {
    let dir = tempfile::tempdir().expect("dir");
    let cfg = standalone_config(dir.path());
    worker::send_test(&cfg, "admin@example.lv", entities::domain::Lang::En)
        .await
        .expect("send");
    let files: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
        .expect("dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).expect("eml");
    assert!(
        text.contains("To: admin@example.lv") && text.contains("Subject: Pumpurs: test message"),
        "{text}"
    );
}

/// `PUMPURS_SMTP_URL` decides TLS and credentials: against a server that offers neither, TLS
/// (`smtps://`), required STARTTLS (`?tls=required`) and credentials are each refused rather
/// than mail going out unprotected; plain SMTP to it works.
#[tokio::test]
async fn the_smtp_url_settings_take_effect() {
    let dir = tempfile::tempdir().expect("dir");
    let server = pumpurs_tests::smtp::SmtpServer::start();
    let port = server.port;
    let send = |url: String| {
        let cfg = worker::WorkerConfig {
            smtp_url: Some(url),
            ..standalone_config(dir.path())
        };
        async move { worker::send_test(&cfg, "admin@example.lv", entities::domain::Lang::Lv).await }
    };
    // Each refused for its own reason: a TLS handshake, STARTTLS, authentication.
    for (url, reason) in [
        (format!("smtps://127.0.0.1:{port}"), "corrupt message"),
        (format!("smtp://127.0.0.1:{port}?tls=required"), "STARTTLS"),
        (format!("smtp://pumpurs:secret@127.0.0.1:{port}"), "authentication"),
    ] {
        let error = send(url.clone()).await.expect_err("refused").to_string();
        assert!(error.contains(reason), "{url}: {error}");
    }
    assert_eq!(server.count(), 0);
    send(format!("smtp://127.0.0.1:{port}")).await.expect("plain SMTP");
    assert_eq!(server.count(), 1);
}

both_backends!(
    async fn reminders_are_sent_once_to_the_people_they_concern(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let drafting = seed::actor(&app.db, &seed::user(&app.db, "draft@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let other_ngo = seed::ngo(&app.db, "Cita biedrība").await;
        let done = seed::actor(&app.db, &seed::user(&app.db, "done@example.lv", Role::NgoMember, other_ngo.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "panel@example.lv", Role::PanelMember, w.muni_a.id).await).await;
        let deadline = Utc::now() + Duration::days(5);
        let c = seed::open_call(&app.db, &coordinator, w.muni_a.id, deadline).await;
        seed::draft(&app.db, &drafting, &c, &w.ngo).await;
        let submitted = seed::draft(&app.db, &done, &c, &other_ngo).await;
        let txn = entities::db::write(&app.db).await.expect("begin");
        entities::grants::applications::submit(&txn, &done, submitted.id, &format!("{:064x}", 1), Utc::now()).await.expect("submit");
        txn.commit().await.expect("commit");
        entities::grants::panel::set_panel(&app.db, &coordinator, &c, &[member.user.id], Some(member.user.id), Utc::now()).await.expect("panel");

        // Earlier mail (the receipt) goes first and is cleared away.
        let cfg = app.worker_config();
        app.work(&cfg).await;
        std::fs::remove_dir_all(app.cfg.mail_dir()).expect("clear");
        std::fs::create_dir_all(app.cfg.mail_dir()).expect("mail dir");
        let now = Utc::now();
        assert_eq!(worker::queue_reminders(&app.db, now).await.expect("queue"), 1, "the 7-day reminder");
        assert_eq!(worker::queue_reminders(&app.db, now).await.expect("queue"), 0, "the schedule fires twice: nothing more");
        app.work(&cfg).await;
        let recipients = |app: &pumpurs_tests::TestApp| {
            let mut to: Vec<String> = app.mails().iter().filter_map(|m| m.lines().find(|l| l.starts_with("To: ")).map(|l| l[4..].to_owned())).collect();
            to.sort();
            to
        };
        assert_eq!(recipients(app), vec!["coord@example.lv".to_owned(), "draft@example.lv".to_owned()], "not the NGO that submitted");

        assert_eq!(worker::queue_reminders(&app.db, deadline - Duration::hours(12)).await.expect("queue"), 1, "the 24-hour reminder");
        app.work(&cfg).await;
        assert_eq!(recipients(app).len(), 4);

        // After the deadline, three days before the scoring deadline: the member who has not scored.
        let scoring = c.scoring_deadline - Duration::days(2);
        assert_eq!(worker::queue_reminders(&app.db, scoring).await.expect("queue"), 1, "the scoring reminder");
        assert_eq!(worker::queue_reminders(&app.db, scoring).await.expect("queue"), 0);
        app.work(&cfg).await;
        let all = recipients(app);
        assert_eq!(all.iter().filter(|t| *t == "panel@example.lv").count(), 1);
        assert_eq!(all.len(), 5);
    }
);

async fn archive_on_s3(app: &pumpurs_tests::TestApp, outage: bool) {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let member = seed::actor(
        &app.db,
        &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await,
    )
    .await;
    let closes = Utc::now() + Duration::hours(1);
    let c = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
    let store = entities::storage::build(&app.cfg.documents).expect("store");
    let limits = entities::attachments::Limits {
        max_file: 1 << 20,
        max_application: 1 << 22,
    };
    let mut sums = Vec::new();
    for i in 0..2u8 {
        let draft = seed::draft(&app.db, &member, &c, &w.ngo).await;
        let bytes = [b"%PDF-1.7\n".to_vec(), vec![i; 5000]].concat();
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
        let stored = entities::attachments::store_upload(
            store.clone(),
            &format!("applications/{}", draft.id),
            "plāns.pdf",
            body,
            limits,
            0,
        )
        .await
        .expect("upload");
        entities::attachments::record(&app.db, &draft, "plāns.pdf", &stored, member.user.id, Utc::now())
            .await
            .expect("record");
        sums.push(stored.sha256);
        let txn = entities::db::write(&app.db).await.expect("begin");
        entities::grants::applications::submit(&txn, &member, draft.id, &format!("{:064x}", i + 1), Utc::now())
            .await
            .expect("submit");
        txn.commit().await.expect("commit");
    }
    let c = call::Entity::find_by_id(c.id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    entities::grants::decision::lock(&app.db, &coordinator, c.clone(), closes + Duration::minutes(5))
        .await
        .expect("lock");
    let cfg = app.worker_config();
    if outage {
        archive_through_an_outage(app, &cfg).await;
    }
    app.work(&cfg).await;

    let bucket = app.s3.as_ref().expect("s3").dir.path().join("archive");
    let folder = bucket.join(format!("calls/{}-REZ", c.id));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).expect("manifest")).expect("json");
    let docs = manifest["documents"].as_array().expect("documents");
    assert_eq!(docs.len(), 2);
    for (doc, sum) in docs.iter().zip(&sums) {
        let key = doc["key"].as_str().expect("key");
        assert!(
            key.starts_with(&format!("calls/{}-REZ/REZ-", c.id)) && key.ends_with("-plans.pdf"),
            "{key}"
        );
        let bytes = std::fs::read(bucket.join(key)).expect("archived object");
        use sha2::Digest;
        assert_eq!(&entities::tokens::hex(&sha2::Sha256::digest(&bytes)), sum);
        assert_eq!(doc["sha256"].as_str(), Some(sum.as_str()));
    }
    let archived = entities::entity::attachment::Entity::find()
        .all(&app.db)
        .await
        .expect("attachments");
    assert!(archived.iter().all(|a| a.archived_at.is_some()));

    // A re-run skips what is archived: an object removed from the archive is not copied again.
    let first = bucket.join(docs[0]["key"].as_str().expect("key"));
    std::fs::remove_file(&first).expect("remove");
    entities::outbox::enqueue_for_call(&app.db, entities::outbox::OutboxKind::ArchiveCall, c.id, Utc::now())
        .await
        .expect("again");
    app.work(&cfg).await;
    assert!(!first.exists(), "archived documents are skipped");
    assert!(folder.join("manifest.json").exists());

    // A storage error: the job is tried again with backoff, then counts as failed for good; the
    // admin sees it with its error and puts it back in its queue once the cause is mended.
    let doc = archived[0].clone();
    let key = object_store::path::Path::from(doc.storage_key.as_str());
    let bytes = object_store::ObjectStoreExt::get(&*store, &key)
        .await
        .expect("document")
        .bytes()
        .await
        .expect("bytes");
    object_store::ObjectStoreExt::delete(&*store, &key)
        .await
        .expect("delete");
    let mut unarchived: entities::entity::attachment::ActiveModel = doc.clone().into();
    unarchived.archived_at = sea_orm::ActiveValue::Set(None);
    sea_orm::ActiveModelTrait::update(unarchived, &app.db)
        .await
        .expect("unarchive");
    entities::outbox::enqueue_for_call(&app.db, entities::outbox::OutboxKind::ArchiveCall, c.id, Utc::now())
        .await
        .expect("third");
    let quick = worker::WorkerConfig {
        retry_backoff: std::time::Duration::from_millis(5),
        ..cfg.clone()
    };
    app.work(&quick).await;
    let archive_queue = |depths: Vec<worker::QueueDepth>| {
        depths
            .into_iter()
            .find(|d| d.queue == worker::jobs::ARCHIVE_QUEUE)
            .expect("queue")
    };
    assert_eq!(
        archive_queue(worker::queue_depths(&app.db).await.expect("depths")).failed,
        1
    );
    let failed = worker::failed_jobs(&app.db, 10).await.expect("failed jobs");
    assert_eq!(failed.len(), 1);

    seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await;
    let b = app.browser();
    b.login("admin@example.lv", seed::PASSWORD).await;
    let page = b.get("/admin/jobs").await;
    assert!(
        page.text("main").contains(worker::jobs::ARCHIVE_QUEUE),
        "{}",
        page.text("main")
    );
    let action = format!("/admin/jobs/queue/{}/retry", failed[0].id);
    assert!(page.has_form(&action), "{}", page.text("main"));
    object_store::ObjectStoreExt::put(&*store, &key, bytes.into())
        .await
        .expect("restore");
    let retried = b.submit(&page, &action, &[]).await;
    assert_eq!(retried.text(".flash"), "Darbs ielikts rindā vēlreiz.");
    assert_eq!(
        b.submit(&page, &action, &[]).await.text(".flash"),
        "Šāda neizdevušās darba nav (varbūt tas jau ielikts rindā vēlreiz)."
    );
    app.work(&cfg).await;
    let depths = archive_queue(worker::queue_depths(&app.db).await.expect("depths"));
    // Three archive runs, plus those that found the store down and queued themselves again.
    let runs = if outage { depths.done.max(3) } else { 3 };
    assert_eq!((depths.failed, depths.done), (0, runs), "{depths:?}");
    let again = entities::entity::attachment::Entity::find_by_id(doc.id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert!(again.archived_at.is_some());
}

/// The document store is down when the archive job first runs: it is tried again, waiting
/// longer each time (never failing for good), and completes once the store is back.
async fn archive_through_an_outage(app: &pumpurs_tests::TestApp, cfg: &worker::WorkerConfig) {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let s3 = app.s3.as_ref().expect("s3");
    let target: std::net::SocketAddr = s3.endpoint.trim_start_matches("http://").parse().expect("address");
    let gate = pumpurs_tests::gate::Gate::start(target, false).await;
    let through = |bucket: &str| match s3.store(bucket) {
        entities::storage::StoreConfig::S3(mut c) => {
            c.endpoint = Some(format!("http://{}", gate.addr));
            entities::storage::StoreConfig::S3(c)
        }
        other => other,
    };
    let away = worker::WorkerConfig {
        documents: through("documents"),
        archive: through("archive"),
        ..cfg.clone()
    };
    let (stop, rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker::run(app.db.clone(), away, rx));
    let started = std::time::Instant::now();
    let later = || {
        entities::entity::outbox::Entity::find()
            .filter(entities::entity::outbox::Column::Kind.eq(entities::outbox::OutboxKind::ArchiveCall))
            .filter(entities::entity::outbox::Column::RunAt.is_not_null())
            .count(&app.db)
    };
    while later().await.expect("count") < 2 {
        assert!(
            started.elapsed().as_secs() < 60,
            "the archive was not tried again while the store was down"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        worker::failed_jobs(&app.db, 10).await.expect("failed").is_empty(),
        "nothing failed for good"
    );
    gate.open();
    let _ = stop.send(true);
    running.await.expect("worker task").expect("worker");
    // What waits in the outbox (or is scheduled) runs through the open gate once it is due.
    let back = worker::WorkerConfig {
        documents: through("documents"),
        archive: through("archive"),
        ..cfg.clone()
    };
    let (stop, rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker::run(app.db.clone(), back, rx));
    let manifest = s3.dir.path().join("archive").join("calls");
    let started = std::time::Instant::now();
    while !std::fs::read_dir(&manifest).is_ok_and(|d| d.flatten().any(|f| f.path().join("manifest.json").exists())) {
        assert!(
            started.elapsed().as_secs() < 60,
            "the archive did not complete after the store came back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    running.await.expect("worker task").expect("worker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decided_calls_documents_are_archived_with_checksums_sqlite() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Sqlite, async |app| {
        archive_on_s3(app, false).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decided_calls_documents_are_archived_with_checksums_postgres() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Postgres, async |app| {
        archive_on_s3(app, false).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_hit_by_a_store_outage_completes_once_the_store_is_back_sqlite() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Sqlite, async |app| {
        archive_on_s3(app, true).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_hit_by_a_store_outage_completes_once_the_store_is_back_postgres() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Postgres, async |app| {
        archive_on_s3(app, true).await
    })
    .await;
}

both_backends!(
    async fn an_admin_sees_failed_deliveries_and_retries_them(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await;
        let anna = seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        // An event whose delivery failed for good.
        let event = EmailEvent::AccountExists { user_id: anna.id };
        let failed = delivery::ActiveModel {
            event_key: sea_orm::ActiveValue::Set(event.key()),
            recipient: sea_orm::ActiveValue::Set("anna@example.lv".into()),
            status: sea_orm::ActiveValue::Set(DeliveryState::Failed),
            attempts: sea_orm::ActiveValue::Set(entities::outbox::MAX_DELIVERY_ATTEMPTS),
            last_error: sea_orm::ActiveValue::Set(Some("connection refused".into())),
            sent_at: sea_orm::ActiveValue::Set(None),
            updated_at: sea_orm::ActiveValue::Set(Utc::now()),
            ..Default::default()
        };
        let failed = sea_orm::ActiveModelTrait::insert(failed, &app.db).await.expect("failed delivery");
        outbox::enqueue_email(&app.db, &event, Utc::now()).await.expect("pending");

        let b = app.browser();
        b.login("admin@example.lv", seed::PASSWORD).await;
        let page = b.get("/admin/jobs").await;
        assert!(page.contains("connection refused") && page.contains("account_exists:"), "{}", page.text("main"));
        assert!(page.text("main").contains("send_email"), "the pending row is counted");
        let retried = b.submit(&page, &format!("/admin/jobs/deliveries/{}/retry", failed.id), &[]).await;
        assert_eq!(retried.text(".flash"), "Piegāde ielikta rindā vēlreiz.");
        let cfg = app.worker_config();
        app.work(&cfg).await;
        assert_eq!(app.mails().len(), 1, "sent once, though queued twice");
        let rows = delivery::Entity::find().all(&app.db).await.expect("deliveries");
        assert_eq!(rows.iter().map(|d| d.status).collect::<Vec<_>>(), vec![DeliveryState::Sent]);
        assert!(b.get("/admin/jobs").await.contains("Neizdevušos piegāžu nav."));
        seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await;
        let coordinator = app.browser();
        let landed = coordinator.login("coord@example.lv", seed::PASSWORD).await;
        assert!(!landed.path.starts_with("/login"), "logged in: {} {}", landed.path, landed.text("main"));
        assert_eq!(coordinator.get("/admin/jobs").await.status, 404);
    }
);

both_backends!(
    async fn a_job_that_fails_twice_then_succeeds_sends_one_email(app) {
        let server = pumpurs_tests::smtp::SmtpServer::start();
        server.refuse_next(2);
        let mut cfg = app.worker_config();
        cfg.smtp_url = Some(server.url());
        let w = seed::world(&app.db).await;
        let anna = seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        outbox::enqueue_email(&app.db, &EmailEvent::AccountExists { user_id: anna.id }, Utc::now()).await.expect("event");
        app.work(&cfg).await;
        assert_eq!(server.count(), 1, "one email arrived");
        let rows = delivery::Entity::find().all(&app.db).await.expect("deliveries");
        assert_eq!(rows.iter().map(|d| (d.status, d.attempts)).collect::<Vec<_>>(), vec![(DeliveryState::Sent, 2)], "two failures recorded, then sent");
        let email = worker::queue_depths(&app.db).await.expect("depths").into_iter().find(|d| d.queue == worker::jobs::EMAIL_QUEUE).expect("queue");
        assert_eq!((email.done, email.failed), (1, 0), "one job, done");
    }
);

both_backends!(
    async fn a_scheduled_closing_runs_at_the_deadline_and_moves_with_an_extension(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let first = (Utc::now() + Duration::seconds(3)).duration_trunc(Duration::seconds(1)).expect("trunc");
        let c = seed::open_call(&app.db, &coordinator, w.muni_a.id, first).await;
        let moved = first + Duration::seconds(2);
        let raw = entities::time::to_riga(moved).format("%Y-%m-%dT%H:%M:%S").to_string();
        let c = entities::grants::calls::extend_deadline(&app.db, &coordinator, c, &raw, Utc::now()).await.expect("extend");
        assert_eq!(c.closes_at, moved);

        // Only the worker runs (no sweep, no web request): the closing is the scheduled job's.
        let cfg = app.worker_config();
        let (stop, rx) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(worker::run(app.db.clone(), cfg, rx));
        let status = || async { call::Entity::find_by_id(c.id).one(&app.db).await.expect("q").expect("row").status };
        tokio::time::sleep((first - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(1200)).await;
        assert_eq!(status().await, CallStatus::Open, "the old deadline has passed, the call is still open");
        let closed_seen = loop {
            if status().await == CallStatus::Closed {
                break Utc::now();
            }
            assert!(Utc::now() < moved + Duration::seconds(10), "not closed 10 s after its deadline");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        let _ = stop.send(true);
        running.await.expect("task").expect("worker");
        let audit = entities::entity::audit_log::Entity::find().all(&app.db).await.expect("audit");
        let closing = audit.iter().find(|a| a.action == "call_close").expect("closing recorded");
        assert!(closing.at >= moved && closing.at <= closed_seen, "closed at {} for a deadline at {moved}", closing.at);
    }
);

both_backends!(
    async fn emails_reach_a_real_smtp_server_once(app) {
        let server = pumpurs_tests::smtp::SmtpServer::start();
        let mut cfg = app.worker_config();
        cfg.smtp_url = Some(server.url());
        let b = app.browser();
        let fields = [
            ("org_name", "Biedrība „Saule”"),
            ("name", "Anna Kalniņa"),
            ("email", "anna@example.lv"),
            ("password", "ilgaparole-2026"),
            ("password_confirm", "ilgaparole-2026"),
            ("lang", "lv"),
        ];
        b.fill("/register", "/register", &fields).await;
        app.work(&cfg).await;
        app.work(&cfg).await;
        let received = server.messages();
        assert_eq!(received.len(), 1, "once");
        assert_eq!(received[0].to, vec!["anna@example.lv".to_owned()]);
        let text = received[0].text.replace("=\r\n", "");
        assert!(text.contains("/confirm/") && text.contains("Content-Type: text/html"), "{text}");
        assert!(app.mails().is_empty(), "nothing went to files");
    }
);

/// Runs `ddl`, trying again should it wait for a lock longer than a few seconds (on
/// PostgreSQL a statement of the busy workers may hold the table).
async fn rename(app: &pumpurs_tests::TestApp, ddl: &str) {
    use sea_orm::ConnectionTrait;
    if app.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        app.db.execute_unprepared(ddl).await.expect(ddl);
        return;
    }
    for _ in 0..10 {
        let txn = entities::db::write(&app.db).await.expect("begin");
        txn.execute_unprepared("SET LOCAL lock_timeout = '3s'")
            .await
            .expect("lock timeout");
        match txn.execute_unprepared(ddl).await {
            Ok(_) => return txn.commit().await.expect(ddl),
            Err(e) => eprintln!("{ddl}: {e}; trying again"),
        }
    }
    panic!("{ddl}: the table stayed locked");
}

both_backends!(
    async fn the_queue_workers_start_again_after_a_database_error(app) {
        let (away, back) = match app.db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => ("ALTER TABLE Jobs RENAME TO Jobs_away", "ALTER TABLE Jobs_away RENAME TO Jobs"),
            _ => ("ALTER TABLE apalis.jobs RENAME TO jobs_away", "ALTER TABLE apalis.jobs_away RENAME TO jobs"),
        };
        let w = seed::world(&app.db).await;
        let anna = seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
        let cfg = app.worker_config();
        let (stop, rx) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(worker::run(app.db.clone(), cfg, rx));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;

        // The queue table is gone for a while: fetching fails and the queue workers stop.
        rename(app, away).await;
        outbox::enqueue_email(&app.db, &EmailEvent::AccountExists { user_id: anna.id }, Utc::now()).await.expect("event");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        rename(app, back).await;

        let started = std::time::Instant::now();
        while app.mails().is_empty() {
            assert!(started.elapsed().as_secs() < 30, "no email 30 s after the table came back");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = stop.send(true);
        running.await.expect("task").expect("worker");
        assert_eq!(app.mails().len(), 1);
        assert!(pumpurs_tests::logs::captured().contains("queue workers stopped; starting them again"));
    }
);
