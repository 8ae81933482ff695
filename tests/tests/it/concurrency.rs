//! Writes that hold under load: ninety form posts of three kinds at the same moment (NGO
//! invitations, clarification questions, pupil registrations), with the worker relaying and
//! sending in the same process, all answered without a server error and all stored.

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::entity::{clarification, invitation, pupil};
use entities::money::Eur;
use pumpurs_tests::{Browser, TestApp, both_backends, seed};
use sea_orm::{EntityTrait, PaginatorTrait};

const EACH: usize = 30;

async fn logged_in(app: &TestApp, email: &str, role: Role, org: i32) -> Browser {
    seed::user(&app.db, email, role, org).await;
    let b = app.browser();
    let home = b.login(email, seed::PASSWORD).await;
    assert_eq!(home.status, 200, "{email}: {}", home.body);
    b
}

both_backends!(
    async fn ninety_concurrent_writes_of_three_kinds_with_the_worker_running_all_succeed(app) {
        let w = seed::world(&app.db).await;
        let today = Utc::now().date_naive();
        entities::plans::create_semester(&app.db, 2026, 1, (today - Duration::days(30), today + Duration::days(60)), Eur::from_cents(50_000), Utc::now())
            .await
            .expect("semester");
        // A closed call with one submitted application to ask about.
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await).await;
        let closes = Utc::now() + Duration::hours(1);
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
        let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let txn = entities::db::write(&app.db).await.expect("begin");
        entities::grants::applications::submit(&txn, &member, draft.id, &format!("{:064x}", 1), Utc::now()).await.expect("submit");
        txn.commit().await.expect("commit");
        app.clock.hold(Some(closes + Duration::minutes(1)));

        let ngo = app.browser();
        ngo.login("ngo@example.lv", seed::PASSWORD).await;
        let coord = app.browser();
        coord.login("coord@example.lv", seed::PASSWORD).await;
        let director = logged_in(app, "director@example.lv", Role::Director, w.school_a.id).await;
        let org_page = ngo.get(&format!("/orgs/{}", w.ngo.id)).await;
        let app_page = coord.get(&format!("/applications/{}", draft.id)).await;
        let pupils_path = format!("/schools/{}/pupils", w.school_a.id);
        let pupils_page = director.get(&pupils_path).await;
        let deadline = entities::time::to_riga(closes + Duration::days(3)).format("%Y-%m-%dT%H:%M").to_string();

        let (stop, rx) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(worker::run(app.db.clone(), app.worker_config(), rx));
        let mut tasks = Vec::new();
        for i in 0..EACH {
            let (b, page) = (ngo.clone(), org_page.clone());
            let action = format!("/orgs/{}/invitations", w.ngo.id);
            tasks.push(tokio::spawn(async move {
                let email = format!("member{i}@example.lv");
                b.submit(&page, &action, &[("name", "Jānis"), ("email", &email), ("role", "ngo_member")]).await.status
            }));
            let (b, page, deadline) = (coord.clone(), app_page.clone(), deadline.clone());
            let action = format!("/manage/applications/{}/clarifications", draft.id);
            tasks.push(tokio::spawn(async move {
                let question = format!("Jautājums {i}?");
                b.submit(&page, &action, &[("question", &question), ("deadline", &deadline)]).await.status
            }));
            let (b, page, action) = (director.clone(), pupils_page.clone(), pupils_path.clone());
            tasks.push(tokio::spawn(async move {
                let name = format!("Skolēns {i}");
                b.submit(&page, &action, &[("name", &name), ("class_name", "8.a"), ("birth_date", "2012-03-04")]).await.status
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.expect("request"));
        }
        let _ = stop.send(true);
        worker.await.expect("worker task").expect("worker");

        let failed: Vec<u16> = statuses.iter().copied().filter(|s| *s >= 400).collect();
        assert!(failed.is_empty(), "{} of {} writes failed: {failed:?}", failed.len(), statuses.len());
        assert_eq!(invitation::Entity::find().count(&app.db).await.expect("count"), EACH as u64);
        assert_eq!(clarification::Entity::find().count(&app.db).await.expect("count"), EACH as u64);
        assert_eq!(pupil::Entity::find().count(&app.db).await.expect("count"), EACH as u64);
    }
);

both_backends!(
    /// A caller dropped while its transaction begins (a client that hung up mid-request)
    /// leaves no pooled connection inside a transaction: every later autocommit write on the
    /// same pool is committed and seen from another pool. The drop is tried at every point of
    /// the begin, on a pool of one connection so that the next write takes the same one.
    async fn a_request_dropped_while_its_transaction_begins_leaves_no_transaction_open(app) {
        use futures_util::FutureExt as _;
        use sea_orm::{ConnectionTrait, Statement};
        let mut cfg = app.cfg.clone();
        cfg.db_max_connections = 1;
        let db = web::startup::connect(&cfg).await.expect("a pool of one");
        let backend = db.get_database_backend();
        let sql = |s: &str| Statement::from_string(backend, s.to_owned());
        db.execute_raw(sql("CREATE TABLE cut_probe (n INTEGER)")).await.expect("table");
        for polls in 0..200_i64 {
            {
                let mut begin = std::pin::pin!(entities::db::write(&db));
                for _ in 0..polls {
                    if begin.as_mut().now_or_never().is_some() {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }
            db.execute_raw(sql(&format!("INSERT INTO cut_probe (n) VALUES ({polls})"))).await.expect("insert");
            let row = app.db.query_one_raw(sql("SELECT COUNT(*) AS n FROM cut_probe")).await.expect("count").expect("a row");
            assert_eq!(row.try_get::<i64>("", "n").expect("n"), polls + 1, "the write after a begin dropped after {polls} polls is committed");
        }
    }
);
