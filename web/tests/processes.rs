//! The `pumpurs` binary as operators run it: worker processes killed mid-batch and restarted,
//! several side by side, and SIGTERM letting running jobs finish. Mail goes to a real SMTP
//! server on loopback; the database is the test's own (SQLite file or PostgreSQL).
#![expect(
    clippy::expect_used,
    reason = "test support: a failed set-up step must stop the test at once"
)]

use entities::entity::delivery::DeliveryState;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use entities::domain::Role;
use entities::entity::delivery;
use entities::outbox::{self, EmailEvent};
use pumpurs_tests::smtp::SmtpServer;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A started `pumpurs` process, killed when dropped: a test that fails leaves none behind
/// (one would hold the test's output open and keep working on a database that is gone).
struct Proc(Child);

impl std::ops::Deref for Proc {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Proc {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `pumpurs ARGS` on the test's database and data directory, mailing through `smtp`.
fn pumpurs(app: &TestApp, smtp: &SmtpServer, args: &[&str]) -> Proc {
    pumpurs_mailing(app, &smtp.url(), args)
}

/// As `pumpurs`, mailing through the SMTP server at `smtp_url`.
fn pumpurs_mailing(app: &TestApp, smtp_url: &str, args: &[&str]) -> Proc {
    pumpurs_with(app, smtp_url, &[], args)
}

/// `pumpurs ARGS` on the test's database and data directory, mailing through `smtp_url`, with
/// no setting of the test's own environment.
fn command(app: &TestApp, smtp_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pumpurs"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PUMPURS_")) {
        command.env_remove(key);
    }
    command
        .args(args)
        .env("PUMPURS_DATABASE_URL", app.cfg.database_url.expose())
        .env("PUMPURS_DATA_DIR", &app.cfg.data_dir)
        .env("PUMPURS_SMTP_URL", smtp_url)
        .env("PUMPURS_JOB_HEARTBEAT_SECONDS", "1");
    command
}

/// As `pumpurs_mailing`, with `env` set over the defaults (another database URL, S3 storage).
fn pumpurs_with(app: &TestApp, smtp_url: &str, env: &[(&str, String)], args: &[&str]) -> Proc {
    command(app, smtp_url, args)
        // PUMPURS_TEST_CHILD_LOG (e.g. `info,worker=debug`) to see what the processes do.
        .env(
            "PUMPURS_LOG",
            std::env::var("PUMPURS_TEST_CHILD_LOG").unwrap_or_else(|_| "warn".to_owned()),
        )
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .spawn()
        .map(Proc)
        .expect("start pumpurs")
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
}

async fn exit_within(child: &mut Child, limit: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(started.elapsed() < limit, "still running after {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `done` holds, checking every 50 ms, for at most `limit`.
async fn until<F: AsyncFn() -> bool>(limit: Duration, what: &str, done: F) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn deliveries_in(app: &TestApp, status: DeliveryState) -> u64 {
    delivery::Entity::find()
        .filter(delivery::Column::Status.eq(status))
        .count(&app.db)
        .await
        .expect("count")
}

/// `n` users, each with one notification waiting in the outbox.
async fn notifications(app: &TestApp, n: usize) -> Vec<String> {
    let w = seed::world(&app.db).await;
    let mut addresses = Vec::new();
    for i in 0..n {
        let email = format!("person{i:03}@example.lv");
        let user = seed::user(&app.db, &email, Role::NgoMember, w.ngo.id).await;
        outbox::enqueue_email(
            &app.db,
            &EmailEvent::AccountExists { user_id: user.id },
            chrono::Utc::now(),
        )
        .await
        .expect("event");
        addresses.push(email);
    }
    addresses
}

both_backends!(
    async fn a_worker_killed_mid_batch_and_restarted_delivers_every_notification_exactly_once(app) {
        const N: usize = 40;
        let addresses = notifications(app, N).await;
        let smtp = SmtpServer::start();
        let mut first = pumpurs(app, &smtp, &["worker"]);

        // Mid-batch: some messages have arrived; then the server holds every new one at DATA,
        // so the jobs sending them are running (their deliveries claimed) when the kill comes.
        until(Duration::from_secs(60), "the first messages", async || smtp.count() >= 10).await;
        smtp.hold(true);
        tokio::time::sleep(Duration::from_millis(500)).await;
        first.kill().expect("SIGKILL");
        first.wait().expect("reaped");
        let arrived = smtp.count();
        assert!(arrived < N, "the kill came mid-batch ({arrived} of {N} had arrived)");
        assert!(deliveries_in(app, DeliveryState::Sending).await > 0, "messages were in flight at the kill");
        smtp.hold(false);

        // Restarted, as two processes side by side.
        let mut second = pumpurs(app, &smtp, &["worker"]);
        let mut third = pumpurs(app, &smtp, &["worker"]);
        until(Duration::from_secs(90), "every notification delivered", async || {
            deliveries_in(app, DeliveryState::Sent).await == N as u64 && worker::pending_work(&app.db).await.expect("pending") == 0
        })
        .await;
        // Nothing more arrives afterwards.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut received: Vec<String> = smtp.messages().into_iter().flat_map(|m| m.to).collect();
        received.sort();
        assert_eq!(received, addresses, "each notification reached the SMTP server exactly once");

        terminate(&second);
        terminate(&third);
        assert!(exit_within(&mut second, Duration::from_secs(40)).await.success());
        assert!(exit_within(&mut third, Duration::from_secs(40)).await.success());
    }
);

both_backends!(
    async fn sigterm_lets_the_running_job_finish_then_stops_web_and_worker(app) {
        let addresses = notifications(app, 1).await;
        let smtp = SmtpServer::start();
        smtp.hold(true);
        let mut serve = pumpurs(app, &smtp, &["serve", "--addr", "127.0.0.1:0"]);
        until(Duration::from_secs(60), "the job running", async || deliveries_in(app, DeliveryState::Sending).await == 1).await;

        terminate(&serve);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(serve.try_wait().expect("wait").is_none(), "waits for its running job");
        smtp.hold(false);
        let status = exit_within(&mut serve, Duration::from_secs(40)).await;
        assert!(status.success(), "{status}");
        let received: Vec<String> = smtp.messages().into_iter().flat_map(|m| m.to).collect();
        assert_eq!(received, addresses, "the running job finished");
        let statuses = (deliveries_in(app, DeliveryState::Sending).await, deliveries_in(app, DeliveryState::Failed).await);
        assert_eq!(deliveries_in(app, DeliveryState::Sent).await, 1, "and recorded its delivery (sending, failed: {statuses:?})");
    }
);

/// PostgreSQL goes away for 12 s under two worker processes (a gate in front of it cuts every
/// connection and refuses new ones), while more notifications are written: when it is back,
/// the workers deliver everything, each message once, without being restarted. The cut comes
/// while messages are at the mail server's door: the server takes them once the database is
/// gone, so their sends cannot be recorded until it is back, far past their claims' lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_come_back_by_themselves_after_the_database_was_away_postgres() {
    pumpurs_tests::run(pumpurs_tests::Backend::Postgres, async |app: &TestApp| {
        let url = app.cfg.database_url.expose().to_owned();
        let target: std::net::SocketAddr = "127.0.0.1:5432".parse().expect("address");
        let (host_port, name) = url
            .trim_start_matches("postgres://")
            .split_once('@')
            .and_then(|(_, rest)| rest.split_once('/'))
            .expect("a postgres URL with user@host:port/name");
        assert!(host_port.ends_with(":5432") || !host_port.contains(':'), "{host_port}");
        let gate = pumpurs_tests::gate::Gate::start(target, true).await;
        let through = url.replace(host_port, &gate.addr.to_string());
        assert!(through.ends_with(name));
        let mut addresses = notifications(app, 5).await;
        let smtp = SmtpServer::start();
        smtp.hold(true);
        let env = [("PUMPURS_DATABASE_URL", through.clone())];
        let start = |smtp: &SmtpServer| pumpurs_with(app, &smtp.url(), &env, &["worker"]);
        let mut one = start(&smtp);
        let mut two = start(&smtp);
        until(
            Duration::from_secs(60),
            "two messages claimed for sending",
            async || deliveries_in(app, DeliveryState::Sending).await >= 2,
        )
        .await;
        // Their sends reach the server's door, then the database goes and the server takes them.
        tokio::time::sleep(Duration::from_secs(1)).await;
        gate.close();
        smtp.hold(false);
        let w = entities::entity::organisation::Entity::find()
            .one(&app.db)
            .await
            .expect("q")
            .expect("an organisation");
        for i in 0..5 {
            let email = format!("later{i}@example.lv");
            let user = seed::user(&app.db, &email, Role::NgoMember, w.id).await;
            outbox::enqueue_email(
                &app.db,
                &EmailEvent::AccountExists { user_id: user.id },
                chrono::Utc::now(),
            )
            .await
            .expect("event");
            addresses.push(email);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let taken = smtp.count();
        assert!(taken >= 2, "the messages at the door were taken: {taken}");
        assert_eq!(
            deliveries_in(app, DeliveryState::Sent).await,
            0,
            "none could be recorded"
        );
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            smtp.count(),
            taken,
            "nothing more can be sent while the database is away"
        );
        gate.open();

        until(
            Duration::from_secs(90),
            "the rest delivered after the database came back",
            async || smtp.count() >= 10,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut received: Vec<String> = smtp.messages().into_iter().flat_map(|m| m.to).collect();
        received.sort();
        addresses.sort();
        assert_eq!(
            received, addresses,
            "each notification reached the SMTP server exactly once"
        );
        until(Duration::from_secs(30), "every send recorded", async || {
            deliveries_in(app, DeliveryState::Sent).await == 10
        })
        .await;
        terminate(&one);
        terminate(&two);
        exit_within(&mut one, Duration::from_secs(40)).await;
        exit_within(&mut two, Duration::from_secs(40)).await;
    })
    .await;
}

both_backends!(
    async fn an_smtp_outage_longer_than_a_run_of_tries_loses_and_repeats_nothing(app) {
        let addresses = notifications(app, 3).await;
        let smtp = SmtpServer::start();
        let gate = pumpurs_tests::gate::Gate::start(smtp.addr(), false).await;
        let mut one = pumpurs_mailing(app, &format!("smtp://{}", gate.addr), &["worker"]);
        let mut two = pumpurs_mailing(app, &format!("smtp://{}", gate.addr), &["worker"]);
        // Away for longer than a run's five tries (waits of 2, 4, 8 and 16 s): each delivery has
        // failed at least five times, and none has been given up.
        until(Duration::from_secs(120), "five failed tries of every delivery", async || {
            delivery::Entity::find()
                .filter(delivery::Column::Status.eq(DeliveryState::Failed))
                .filter(delivery::Column::Attempts.gte(5))
                .count(&app.db)
                .await
                .expect("count")
                == 3
        })
        .await;
        assert_eq!(smtp.count(), 0);
        assert!(worker::failed_jobs(&app.db, 10).await.expect("failed jobs").is_empty(), "no job failed for good");
        gate.open();
        until(Duration::from_secs(120), "every notification after the server is back", async || {
            deliveries_in(app, DeliveryState::Sent).await == 3
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut received: Vec<String> = smtp.messages().into_iter().flat_map(|m| m.to).collect();
        received.sort();
        assert_eq!(received, addresses, "each notification reached the SMTP server exactly once");
        terminate(&one);
        terminate(&two);
        assert!(exit_within(&mut one, Duration::from_secs(40)).await.success());
        assert!(exit_within(&mut two, Duration::from_secs(40)).await.success());
    }
);

/// A decided call's archive, made by two `pumpurs worker` processes whose S3 store is down
/// (a gate in front of the real S3 server) when the job first runs: it is tried again, never
/// given up, and complete once the store is back.
async fn archive_through_a_store_outage(app: &TestApp) {
    use entities::entity::{attachment, outbox as outbox_row};
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
    let closes = chrono::Utc::now() + chrono::Duration::hours(1);
    let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
    let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
    let store = entities::storage::build(&app.cfg.documents).expect("store");
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"%PDF-1.7\nplan\n"))]);
    let limits = entities::attachments::Limits {
        max_file: 1 << 20,
        max_application: 1 << 22,
    };
    let stored = entities::attachments::store_upload(
        store,
        &format!("applications/{}", draft.id),
        "plans.pdf",
        body,
        limits,
        0,
    )
    .await
    .expect("upload");
    entities::attachments::record(
        &app.db,
        &draft,
        "plans.pdf",
        &stored,
        member.user.id,
        chrono::Utc::now(),
    )
    .await
    .expect("record");
    let txn = entities::db::write(&app.db).await.expect("begin");
    entities::grants::applications::submit(&txn, &member, draft.id, &format!("{:064x}", 1), chrono::Utc::now())
        .await
        .expect("submit");
    txn.commit().await.expect("commit");
    let call = entities::entity::call::Entity::find_by_id(call.id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("call");
    entities::grants::decision::lock(&app.db, &coordinator, call, closes + chrono::Duration::minutes(5))
        .await
        .expect("lock");

    let s3 = app.s3.as_ref().expect("s3");
    let target: std::net::SocketAddr = s3.endpoint.trim_start_matches("http://").parse().expect("address");
    let gate = pumpurs_tests::gate::Gate::start(target, false).await;
    let smtp = SmtpServer::start();
    let env = [
        ("PUMPURS_STORAGE", "s3".to_owned()),
        ("PUMPURS_S3_ENDPOINT", format!("http://{}", gate.addr)),
        ("PUMPURS_S3_BUCKET", "documents".to_owned()),
        ("PUMPURS_S3_ARCHIVE_BUCKET", "archive".to_owned()),
        ("PUMPURS_S3_ACCESS_KEY_ID", pumpurs_tests::s3::ACCESS_KEY.to_owned()),
        ("PUMPURS_S3_SECRET_ACCESS_KEY", pumpurs_tests::s3::SECRET_KEY.to_owned()),
    ];
    let start = || pumpurs_with(app, &smtp.url(), &env, &["worker"]);
    let mut one = start();
    let mut two = start();
    until(
        Duration::from_secs(120),
        "the archive queued again while the store is down",
        async || {
            outbox_row::Entity::find()
                .filter(outbox_row::Column::Kind.eq(outbox::OutboxKind::ArchiveCall))
                .filter(outbox_row::Column::RunAt.is_not_null())
                .count(&app.db)
                .await
                .expect("count")
                >= 1
        },
    )
    .await;
    assert!(
        worker::failed_jobs(&app.db, 10).await.expect("failed jobs").is_empty(),
        "nothing failed for good"
    );
    gate.open();
    // The manifest is the archive's last write.
    let calls = s3.dir.path().join("archive").join("calls");
    until(
        Duration::from_secs(120),
        "the archive complete once the store is back",
        async || std::fs::read_dir(&calls).is_ok_and(|d| d.flatten().any(|f| f.path().join("manifest.json").exists())),
    )
    .await;
    let archived = attachment::Entity::find()
        .filter(attachment::Column::ArchivedAt.is_not_null())
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(archived, 1);
    terminate(&one);
    terminate(&two);
    assert!(exit_within(&mut one, Duration::from_secs(40)).await.success());
    assert!(exit_within(&mut two, Duration::from_secs(40)).await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_made_through_a_store_outage_completes_sqlite() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Sqlite, archive_through_a_store_outage).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_made_through_a_store_outage_completes_postgres() {
    pumpurs_tests::run_with_s3(pumpurs_tests::Backend::Postgres, archive_through_a_store_outage).await;
}

/// `pumpurs ARGS` with the JSON log format at `info`, its standard output and error kept.
fn json_pumpurs(app: &TestApp, smtp_url: &str, args: &[&str]) -> Proc {
    command(app, smtp_url, args)
        .env("PUMPURS_LOG", "info,sqlx=warn,sea_orm=warn")
        .env("PUMPURS_LOG_FORMAT", "json")
        .env("PUMPURS_HEADER_TIMEOUT_SECONDS", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(Proc)
        .expect("start pumpurs")
}

/// Every line an exited process wrote, standard output then standard error.
fn written(proc: &mut Proc) -> Vec<String> {
    use std::io::Read as _;
    let mut text = String::new();
    if let Some(mut out) = proc.stdout.take() {
        out.read_to_string(&mut text).expect("stdout");
    }
    if let Some(mut err) = proc.stderr.take() {
        err.read_to_string(&mut text).expect("stderr");
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// The lines are JSON objects, none with a terminal colour; their messages.
fn json_messages(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            assert!(!line.contains('\u{1b}'), "a terminal colour in {line:?}");
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            value["fields"]["message"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

async fn ready(base: &str) -> Option<(u16, serde_json::Value)> {
    let response = reqwest::get(format!("{base}/ready")).await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

both_backends!(
    async fn operators_get_named_settings_json_logs_readiness_and_a_bounded_shutdown(app) {
        // A bad mail setting stops start-up at once, naming the variable, in JSON.
        let mut bad = json_pumpurs(app, "smtp://mail.example.lv:not-a-port", &["serve", "--addr", "127.0.0.1:0"]);
        let status = exit_within(&mut bad, Duration::from_secs(30)).await;
        assert!(!status.success());
        let messages = json_messages(&written(&mut bad));
        assert!(messages.iter().any(|m| m.contains("PUMPURS_SMTP_URL")), "{messages:?}");

        // The web alone: alive, but not ready while no worker reports.
        let smtp = SmtpServer::start();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let addr = format!("127.0.0.1:{port}");
        let mut web = json_pumpurs(app, &smtp.url(), &["serve", "--no-worker", "--addr", &addr]);
        until(Duration::from_secs(60), "the web answering", async || reqwest::get(format!("{base}/health")).await.is_ok_and(|r| r.status() == 200)).await;
        let (status, body) = ready(&base).await.expect("ready");
        assert_eq!((status, body["database"].as_str(), body["documents"].as_str(), body["worker"].as_str()), (503, Some("ok"), Some("ok"), Some("none")), "{body}");
        terminate(&web);
        assert!(exit_within(&mut web, Duration::from_secs(30)).await.success());
        drop(web);

        // Web and worker: ready. A client stalled in the middle of its headers does not hold up
        // SIGTERM.
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let addr = format!("127.0.0.1:{port}");
        let mut serve = json_pumpurs(app, &smtp.url(), &["serve", "--addr", &addr]);
        until(Duration::from_secs(60), "ready", async || ready(&base).await.is_some_and(|(s, _)| s == 200)).await;
        // Headers that do not arrive within the limit (2 s here): the connection is closed.
        let mut slow = std::net::TcpStream::connect(&addr).expect("connect");
        std::io::Write::write_all(&mut slow, b"GET /health HTTP/1.1\r\nHost: pumpurs\r\n").expect("half a request");
        slow.set_read_timeout(Some(Duration::from_secs(8))).expect("read timeout");
        let waited = Instant::now();
        let mut answer = Vec::new();
        let read = std::io::Read::read_to_end(&mut slow, &mut answer);
        assert!(read.is_ok(), "the server closed the connection rather than wait on: {read:?}");
        assert!(waited.elapsed() < Duration::from_secs(7), "cut after {:?}", waited.elapsed());
        let mut stalled = std::net::TcpStream::connect(&addr).expect("connect");
        std::io::Write::write_all(&mut stalled, b"GET /home HTTP/1.1\r\nHost: pumpurs\r\n").expect("half a request");
        tokio::time::sleep(Duration::from_millis(300)).await;
        terminate(&serve);
        let status = exit_within(&mut serve, Duration::from_secs(25)).await;
        assert!(status.success(), "{status}");
        let messages = json_messages(&written(&mut serve));
        assert!(messages.iter().any(|m| m.starts_with("Pumpurs is running")), "the banner is a JSON line: {messages:?}");
        drop(stalled);
    }
);
