//! Benchmarks of the running application (release build, SQLite, loopback only, bounded).
//!
//! `cargo run --release -p pumpurs-bench -- login-timing [N]` — how long a failed login takes for
//! an existing account and for an address with no account (they should be alike), and how long
//! a registration takes for an address that has an account and for a new one (alike too).
//!
//! `cargo run --release -p pumpurs-bench -- notifications [N] [CONCURRENCY] [--postgres]` — N
//! notifications waiting in the outbox, delivered by the worker through a real SMTP server on
//! loopback: time until the last one arrived, emails per second.
//!
//! `cargo run --release -p pumpurs-bench -- closing [N] [--postgres]` — N open calls whose
//! deadlines fall over the next half minute, closed by the worker's scheduled jobs alone (no
//! sweep): how late each closing starts after its deadline.
//!
//! `cargo run --release -p pumpurs-bench -- stats [PLANS] [--postgres]` — PLANS support plans
//! (100,000 by default) over six school years in 340 schools of 40 municipalities, with risks,
//! measures, sessions, expenses, evaluations and 480 calls: how long the statistics page, the
//! API, the CSV and the XLSX take at state level, how many SQL statements a page runs, and the
//! peak memory of the process while exporting.
//!
//! `cargo run --release -p pumpurs-bench -- draft-saves [SECONDS] [--postgres]` — 8, then 32
//! clients, each logged in with its own draft, saving it as fast as the portal answers for
//! SECONDS (10 by default) while the worker runs: saves per second, p50/p99, errors.
//!
//! `cargo run --release -p pumpurs-bench -- class-list [ROWS] [--postgres]` — a school's class
//! list of ROWS pupils (1,000 by default; one in ten registered already) uploaded, previewed and
//! confirmed through the pages: the time and SQL statements of each request.
//!
//! `cargo run --release -p pumpurs-bench -- review [APPLICATIONS] [SECONDS] [--postgres]` — a
//! call of APPLICATIONS (2,000) submitted applications with a panel of 5, every scorecard
//! submitted: the panel's call page, the applications list and the results at 16 and 64
//! clients for SECONDS (10) each, beside a bare axum + maud handler of the same 50-row JOIN +
//! GROUP BY; the process's resident memory. `PUMPURS_DB_MAX_CONNECTIONS` sets the pool's size
//! as it does the server's.
//!
//! `cargo run --release -p pumpurs-bench -- exports [APPLICATIONS] [--postgres]` — the same
//! kind of call with APPLICATIONS (20,000) applications: each export (applications, results,
//! scores as CSV; results and scores as XLSX) downloaded, with its time, size and the process's
//! peak resident memory while it is made.
//!
//! `--postgres` runs on the database of `PUMPURS_TEST_POSTGRES_URL` instead of SQLite.

#![expect(
    clippy::expect_used,
    clippy::float_arithmetic,
    reason = "a benchmark: stops on a failed step; timings are floating point, not money"
)]

/// Counts the heap in use and its peak, for the exports' memory (a few atomic operations per
/// allocation, in every benchmark).
#[global_allocator]
static HEAP: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

mod exports;
mod lists;
mod review;
mod stats;
mod writes;

use std::time::{Duration, Instant};

use chrono::Utc;
use entities::domain::Role;
use entities::entity::{audit_log, call, delivery, login_failure, outbox, registration_attempt, user};
use entities::outbox::{EmailEvent, OutboxKind};
use pumpurs_tests::smtp::SmtpServer;
use pumpurs_tests::{Backend, TestApp, seed};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`); 0 where there is none.
pub(crate) fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

pub(crate) fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<28} n={:<4} p50={:>7.2} ms  p90={:>7.2} ms  min={:>7.2} ms  max={:>7.2} ms",
        samples.len(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.9)),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
    );
}

async fn login_timing(app: &TestApp, n: usize) {
    let w = seed::world(&app.db).await;
    seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await;
    let browser = app.browser();
    let form = browser.get("/login").await;
    let token = form.csrf();
    let (mut existing, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..n {
        // Interleave the two kinds, alternating which goes first, so that drift and order
        // affect both alike; clear the throttle
        // records so that every attempt is a full one.
        let mut pair = [
            ("anna@example.lv".to_owned(), &mut existing),
            (format!("nobody{i}@example.lv"), &mut unknown),
        ];
        if i % 2 == 1 {
            pair.reverse();
        }
        for (email, samples) in pair {
            login_failure::Entity::delete_many()
                .exec(&app.db)
                .await
                .expect("clear throttle");
            let start = Instant::now();
            let page = browser
                .post(
                    "/login",
                    &[("_csrf", &token), ("email", &email), ("password", "wrong password")],
                )
                .await;
            samples.push(start.elapsed());
            assert_eq!(page.status, 422, "{email}");
        }
    }
    report("wrong password, account", existing);
    report("no such account", unknown);

    // Registration: an address that has an account and one that has none, alike interleaved,
    // the registration records cleared before each (the per-address bound).
    let form = browser.get("/register").await;
    let token = form.csrf();
    let (mut taken, mut new) = (Vec::new(), Vec::new());
    for i in 0..n {
        let mut pair = [
            ("anna@example.lv".to_owned(), &mut taken),
            (format!("new{i}@example.lv"), &mut new),
        ];
        if i % 2 == 1 {
            pair.reverse();
        }
        for (email, samples) in pair {
            registration_attempt::Entity::delete_many()
                .exec(&app.db)
                .await
                .expect("clear bound");
            let fields = [
                ("_csrf", token.as_str()),
                ("org_name", "Biedrība „Mērījums”"),
                ("reg_no", ""),
                ("name", "Anna Mērītāja"),
                ("email", email.as_str()),
                ("password", "ilgaparole-2026"),
                ("password_confirm", "ilgaparole-2026"),
                ("lang", "lv"),
            ];
            let start = Instant::now();
            let page = browser.post("/register", &fields).await;
            samples.push(start.elapsed());
            assert_eq!(page.status, 200, "{email}: {}", page.body);
        }
    }
    report("register, address has account", taken);
    report("register, new address", new);
}

/// Runs the worker on `app`'s database until `done`, then stops it; returns how long it ran.
async fn with_worker<F: AsyncFn() -> bool>(app: &TestApp, cfg: worker::WorkerConfig, done: F) -> Duration {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let start = Instant::now();
    let running = tokio::spawn(worker::run(app.db.clone(), cfg, rx));
    while !done().await {
        assert!(start.elapsed() < Duration::from_secs(1800), "not done in 30 minutes");
        // Looking costs a query: often enough for the figures, not so often as to slow the worker.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = start.elapsed();
    let _ = stop.send(true);
    running.await.expect("worker task").expect("worker");
    took
}

/// The worker as `pumpurs worker` runs it (poll interval, backoff), with this app's stores.
pub(crate) fn service_config(app: &TestApp) -> worker::WorkerConfig {
    worker::WorkerConfig {
        poll_interval: worker::WorkerConfig::POLL_INTERVAL,
        retry_backoff: worker::WorkerConfig::RETRY_BACKOFF,
        heartbeat: std::time::Duration::from_secs(10),
        email_concurrency: worker::WorkerConfig::EMAIL_CONCURRENCY,
        ..app.worker_config()
    }
}

async fn notifications(app: &TestApp, n: usize, concurrency: usize) {
    let w = seed::world(&app.db).await;
    let template = seed::user(&app.db, "template@example.lv", Role::NgoMember, w.ngo.id).await;
    // N people (one password hash for all: hashing is not what is measured), one notification
    // each, written as application transactions write them.
    let now = Utc::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        user::Entity::insert_many(chunk.iter().map(|i| user::ActiveModel {
            email: Set(format!("person{i:05}@example.lv")),
            name: Set(format!("Person {i}")),
            password_hash: Set(template.password_hash.clone()),
            lang: Set(if i % 2 == 0 { "lv" } else { "en" }.to_owned()),
            email_confirmed_at: Set(Some(now)),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec(&app.db)
        .await
        .expect("people");
    }
    let people = user::Entity::find()
        .filter(user::Column::Email.starts_with("person"))
        .all(&app.db)
        .await
        .expect("people");
    for chunk in people.chunks(500) {
        outbox::Entity::insert_many(chunk.iter().map(|u| outbox::ActiveModel {
            kind: Set(OutboxKind::SendEmail),
            payload: Set(serde_json::to_string(&EmailEvent::AccountExists { user_id: u.id }).expect("json")),
            created_at: Set(now),
            relayed_at: Set(None),
            ..Default::default()
        }))
        .exec(&app.db)
        .await
        .expect("outbox");
    }
    let smtp = SmtpServer::start();
    let cfg = worker::WorkerConfig {
        smtp_url: Some(smtp.url()),
        email_concurrency: concurrency,
        ..service_config(app)
    };
    let took = with_worker(app, cfg, async || {
        smtp.count() >= n
            && delivery::Entity::find()
                .filter(delivery::Column::Status.eq("sent"))
                .count(&app.db)
                .await
                .expect("count") as usize
                >= n
    })
    .await;
    let received = smtp.count();
    assert_eq!(received, n, "each notification once");
    println!(
        "{n} notifications, email concurrency {concurrency}: {:.1} s until the last was delivered and recorded, {:.0} emails/s",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
}

async fn closing(app: &TestApp, n: usize) {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    // Deadlines at whole and fractional seconds, spread over half a minute from 20 s on (the
    // calls are made first).
    let first = Utc::now() + chrono::Duration::seconds(20);
    let mut calls = Vec::new();
    for i in 0..n {
        let at = first + chrono::Duration::milliseconds((i as i64 * 30_000) / n as i64);
        calls.push(seed::open_call(&app.db, &coordinator, w.muni_a.id, at).await);
    }
    assert!(Utc::now() < first, "calls made before the first deadline");
    let cfg = service_config(app);
    with_worker(app, cfg, async || {
        call::Entity::find()
            .filter(call::Column::Status.eq(call::CallStatus::Open))
            .count(&app.db)
            .await
            .expect("count")
            == 0
    })
    .await;
    let closings = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("call_close"))
        .all(&app.db)
        .await
        .expect("audit");
    let mut late: Vec<Duration> = calls
        .iter()
        .map(|c| {
            let at = closings
                .iter()
                .find(|a| a.object_id == Some(c.id.into()))
                .expect("closing recorded")
                .at;
            assert!(at >= c.closes_at, "never early");
            (at - c.closes_at).to_std().expect("not early")
        })
        .collect();
    late.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{n} scheduled closings: late by p50={:.0} ms  p99={:.0} ms  max={:.0} ms  min={:.0} ms",
        ms(percentile(&late, 0.5)),
        ms(percentile(&late, 0.99)),
        ms(late[late.len() - 1]),
        ms(late[0]),
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = if args.iter().any(|a| a == "--postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let number = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("login-timing") => {
            let n = number(1, 100);
            pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| login_timing(app, n).await).await;
        }
        Some("notifications") => {
            let (n, concurrency) = (number(1, 10_000), number(2, worker::WorkerConfig::EMAIL_CONCURRENCY));
            pumpurs_tests::run(backend, async |app: &TestApp| notifications(app, n, concurrency).await).await;
        }
        Some("review") => {
            let (n, seconds) = (number(1, 2000), number(2, 10));
            let n = i32::try_from(n).unwrap_or(2000);
            pumpurs_tests::run(backend, async |app: &TestApp| review::run(app, n, seconds as u64).await).await;
        }
        Some("exports") => {
            let n = i32::try_from(number(1, 20_000)).unwrap_or(20_000);
            pumpurs_tests::run(backend, async |app: &TestApp| exports::run(app, n).await).await;
        }
        Some("closing") => {
            let n = number(1, 200);
            pumpurs_tests::run(backend, async |app: &TestApp| closing(app, n).await).await;
        }
        Some("draft-saves") => {
            let seconds = number(1, 10) as u64;
            pumpurs_tests::run(backend, async |app: &TestApp| writes::run(app, seconds).await).await;
        }
        Some("class-list") => {
            let n = number(1, 1_000);
            pumpurs_tests::run(backend, async |app: &TestApp| lists::run(app, n).await).await;
        }
        Some("stats") => {
            let n = number(1, 100_000);
            pumpurs_tests::run(backend, async |app: &TestApp| stats::run(app, n).await).await;
        }
        _ => eprintln!(
            "usage: pumpurs-bench login-timing [N] | notifications [N] [CONCURRENCY] [--postgres] | closing [N] [--postgres] | stats [PLANS] [--postgres] | draft-saves [SECONDS] [--postgres] | class-list [ROWS] [--postgres] | review [APPLICATIONS] [SECONDS] [--postgres] | exports [APPLICATIONS] [--postgres]"
        ),
    }
}
