//! Benchmarks of the running application (release build, SQLite, loopback only, bounded).
//!
//! `cargo run --release -p pumpurs-bench -- login-timing [N]` — how long a failed login takes for
//! an existing account and for an address with no account (they should be alike).

#![expect(
    clippy::expect_used,
    clippy::float_arithmetic,
    reason = "a benchmark: stops on a failed step; timings are floating point, not money"
)]

use std::time::{Duration, Instant};

use entities::domain::Role;
use entities::entity::login_failure;
use pumpurs_tests::{Backend, TestApp, seed};
use sea_orm::EntityTrait;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

fn report(label: &str, mut samples: Vec<Duration>) {
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
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("login-timing") => {
            let n = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100);
            pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| login_timing(app, n).await).await;
        }
        _ => eprintln!("usage: pumpurs-bench login-timing [N]"),
    }
}
