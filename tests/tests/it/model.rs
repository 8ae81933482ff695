//! Rules the database itself keeps: money sums exact in integer cents, an append-only audit log.

use chrono::Utc;
use entities::audit;
use entities::money::Eur;
use pumpurs_tests::both_backends;
use sea_orm::{ConnectionTrait, Statement};

both_backends!(
    async fn money_sums_in_sql_are_exact(app) {
        // Amounts that floating point cannot hold exactly (0.1, 0.2, …) summed in SQL as cents.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut cents = Vec::new();
        for _ in 0..500 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            cents.push((seed % 10_000_000) as i64 + 10);
        }
        let txn = entities::db::write(&app.db).await.expect("begin");
        txn.execute_unprepared("CREATE TEMPORARY TABLE money_probe (cents BIGINT NOT NULL)").await.expect("create");
        let values: Vec<String> = cents.iter().map(|c| format!("({c})")).collect();
        txn.execute_unprepared(&format!("INSERT INTO money_probe (cents) VALUES {}", values.join(","))).await.expect("insert");
        let backend = txn.get_database_backend();
        let row = txn
            .query_one_raw(Statement::from_string(backend, "SELECT CAST(SUM(cents) AS BIGINT) AS total FROM money_probe"))
            .await
            .expect("sum")
            .expect("row");
        let total: i64 = row.try_get("", "total").expect("total");
        txn.rollback().await.expect("rollback");
        let expected: Eur = cents.iter().map(|c| Eur::from_cents(*c)).sum();
        assert_eq!(Eur::from_cents(total), expected);
        assert_eq!(Eur::from_cents(total).to_plain(), expected.to_plain());
    }
);

both_backends!(
    async fn the_audit_log_refuses_updates_and_deletes(app) {
        let entry = audit::Entry { action: "test", object_type: "thing", object_id: Some(1), ..Default::default() };
        audit::record(&app.db, entry, Utc::now()).await.expect("insert");
        assert!(app.db.execute_unprepared("UPDATE audit_log SET action = 'changed'").await.is_err());
        assert!(app.db.execute_unprepared("DELETE FROM audit_log").await.is_err());
        let backend = app.db.get_database_backend();
        let row = app
            .db
            .query_one_raw(Statement::from_string(backend, "SELECT action FROM audit_log"))
            .await
            .expect("select")
            .expect("row");
        assert_eq!(row.try_get::<String>("", "action").expect("action"), "test");
    }
);

#[tokio::test]
async fn the_embedded_sqlite_database_is_set_up_for_concurrent_use() {
    let dir = tempfile::tempdir().expect("dir");
    let cfg = web::config::Config::development(dir.path().join("data"));
    let db = web::startup::connect(&cfg).await.expect("connect");
    assert!(
        dir.path().join("data/pumpurs.db").exists(),
        "data/ and the database are created"
    );
    let pragma = |name: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    format!("PRAGMA {name}"),
                ))
                .await
                .expect("pragma")
                .expect("row");
            row.try_get_by_index::<i64>(0)
                .map(|v| v.to_string())
                .or_else(|_| row.try_get_by_index::<String>(0))
                .expect("value")
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("busy_timeout").await, "10000");
    assert!(cfg.db_max_connections > 1);
    let pool = db.get_sqlite_connection_pool();
    let (a, b) = (
        pool.acquire().await.expect("first"),
        pool.acquire().await.expect("second"),
    );
    drop((a, b));
}

#[tokio::test]
async fn the_demo_has_every_role_and_is_refused_in_production() {
    use entities::entity::membership;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let dir = tempfile::tempdir().expect("dir");
    let mut cfg = web::config::Config::development(dir.path().to_path_buf());
    let db = web::startup::connect(&cfg).await.expect("connect");
    web::startup::migrate(&db).await.expect("migrate");
    web::demo::load(&cfg, &db).await.expect("demo");
    web::demo::load(&cfg, &db).await.expect("a second run changes nothing");
    // Support plans in every status, across two semesters (the earlier one closed).
    {
        use entities::entity::{plan, semester};
        use sea_orm::EntityTrait;
        let plans = plan::Entity::find().all(&db).await.expect("plans");
        let statuses: std::collections::BTreeSet<(String, i16)> = plans
            .iter()
            .map(|p| (p.status.as_str().to_owned(), p.approval_step))
            .collect();
        for wanted in [
            ("draft", 0),
            ("in_approval", 0),
            ("in_approval", 1),
            ("in_approval", 2),
            ("approved", 0),
            ("in_progress", 0),
            ("paused", 0),
            ("under_revision", 0),
            ("inactive", 0),
        ] {
            assert!(
                statuses.contains(&(wanted.0.to_owned(), wanted.1)),
                "no demo plan {wanted:?}"
            );
        }
        // A status the model does not know is an error when read, never taken for a draft.
        {
            use sea_orm::ConnectionTrait;
            let txn = entities::db::write(&db).await.expect("begin");
            txn.execute_unprepared(&format!(
                "UPDATE plans SET status = 'finished' WHERE id = {}",
                plans[0].id
            ))
            .await
            .expect("update");
            assert!(
                plan::Entity::find_by_id(plans[0].id).one(&txn).await.is_err(),
                "an unknown status is an error"
            );
            drop(txn);
        }
        let semesters = semester::Entity::find().all(&db).await.expect("semesters");
        assert_eq!(semesters.len(), 2);
        assert_eq!(semesters.iter().filter(|s| s.closed_at.is_some()).count(), 1);
        let schools: std::collections::BTreeSet<i32> = plans.iter().map(|p| p.school_id).collect();
        assert_eq!(
            schools.len(),
            3,
            "plans in three schools, one of them a state vocational school"
        );
        let pupils: std::collections::BTreeSet<i32> = plans.iter().map(|p| p.pupil_id).collect();
        assert!(pupils.len() < plans.len(), "some pupils have a plan in both semesters");
    }
    let roles: std::collections::BTreeSet<_> = membership::Entity::find()
        .all(&db)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles.len(), entities::domain::Role::ALL.len());
    assert_eq!(
        membership::Entity::find().count(&db).await.expect("count"),
        web::demo::DEMO_USERS.len() as u64
    );
    use entities::entity::application::{self, ApplicationStatus};
    use entities::entity::call::{self, CallStatus};
    use sea_orm::{ColumnTrait, QueryFilter};
    let calls = call::Entity::find().all(&db).await.expect("calls");
    let stages: Vec<(CallStatus, bool)> = calls
        .iter()
        .map(|c| {
            (
                entities::grants::calls::effective_status(c, chrono::Utc::now()),
                c.closes_at > chrono::Utc::now(),
            )
        })
        .collect();
    assert!(stages.contains(&(CallStatus::Open, true)), "an open call: {stages:?}");
    assert!(
        stages.contains(&(CallStatus::Closed, false)),
        "a closed call in review: {stages:?}"
    );
    assert!(
        stages.contains(&(CallStatus::ResultsPublished, false)),
        "a call with published results: {stages:?}"
    );
    // Funded projects at each stage after the decision.
    let agreements: Vec<_> = entities::entity::agreement::Entity::find()
        .all(&db)
        .await
        .expect("agreements")
        .into_iter()
        .map(|a| a.status)
        .collect();
    use entities::entity::agreement::AgreementState;
    for stage in [AgreementState::Sent, AgreementState::Signed, AgreementState::InForce] {
        assert!(agreements.contains(&stage), "an agreement {stage:?}: {agreements:?}");
    }
    let projects = entities::entity::project::Entity::find()
        .all(&db)
        .await
        .expect("projects");
    assert_eq!(
        projects.iter().filter(|p| p.closed_at.is_some()).count(),
        2,
        "two projects closed"
    );
    let reports = entities::entity::project_report::Entity::find()
        .all(&db)
        .await
        .expect("reports");
    use entities::entity::project_report::ReportState;
    for state in [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Accepted,
    ] {
        assert!(reports.iter().any(|r| r.status == state), "a report {state:?}");
    }
    let refunds = entities::entity::project_refund::Entity::find()
        .all(&db)
        .await
        .expect("refunds");
    assert!(refunds.iter().any(|r| r.returned_on.is_some()), "a refund returned");
    let open = calls
        .iter()
        .find(|c| c.closes_at > chrono::Utc::now())
        .expect("open call");
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(open.id))
        .all(&db)
        .await
        .expect("applications");
    let submitted = apps.iter().filter(|a| a.status == ApplicationStatus::Submitted).count();
    let drafts = apps.iter().filter(|a| a.status == ApplicationStatus::Draft).count();
    assert_eq!((submitted, drafts), (3, 2));
    let funded = application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Funded))
        .all(&db)
        .await
        .expect("funded");
    assert!(!funded.is_empty(), "the published call funded someone");
    let drafts_in_review = entities::entity::scorecard::Entity::find()
        .filter(entities::entity::scorecard::Column::SubmittedAt.is_null())
        .all(&db)
        .await
        .expect("cards");
    assert_eq!(
        drafts_in_review.len(),
        1,
        "one member has not finished in the review stage"
    );
    let docs = entities::entity::attachment::Entity::find()
        .all(&db)
        .await
        .expect("attachments");
    assert_eq!(
        docs.len(),
        16,
        "the four written applications of each of the four calls carry their work plan"
    );
    for doc in docs {
        let bytes = std::fs::read(dir.path().join("documents").join(&doc.storage_key)).expect("stored file");
        assert!(
            bytes.starts_with(b"%PDF-1.4") && bytes.ends_with(b"%%EOF\n"),
            "a real PDF"
        );
        use sha2::Digest;
        assert_eq!(doc.sha256, entities::tokens::hex(&sha2::Sha256::digest(&bytes)));
    }
    cfg.env = web::config::Env::Production;
    let err = web::demo::load(&cfg, &db)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("refused"), "{err}");
}
