//! The review pages at the scale of a real call: 2,000 submitted applications, a panel of 5,
//! every scorecard submitted. Each page is measured at 16 and 64 clients (req/s, p50, p99,
//! response size, SQL statements) beside a bare axum + maud handler of the same 50-row JOIN +
//! GROUP BY on the same database, in the same process and run; the process's resident memory
//! after start and after the load.

use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use pumpurs_tests::{TestApp, seed};
use sea_orm::{DatabaseConnection, FromQueryResult, Statement};

use crate::percentile;

const MEMBERS: usize = 5;

/// The resident memory of this process in MiB.
fn rss_mib() -> u64 {
    crate::status_kib("VmRSS") / 1024
}

#[derive(FromQueryResult)]
struct BareRow {
    id: i32,
    title: String,
    ref_no: Option<String>,
    cards: i64,
    points: Option<i64>,
}

#[derive(serde::Deserialize)]
struct BareQuery {
    rows: Option<u64>,
}

/// The bare page: one JOIN + GROUP BY of a page of the call's applications (`rows`, 50 by
/// default, taken first) with their scorecards and scores, as an HTML table.
async fn bare(State((db, call)): State<(DatabaseConnection, i32)>, Query(q): Query<BareQuery>) -> maud::Markup {
    let rows = q.rows.unwrap_or(50).min(10_000);
    let sql = format!(
        "SELECT a.id, a.title, a.ref_no, COUNT(DISTINCT c.id) AS cards, CAST(SUM(s.points) AS BIGINT) AS points \
         FROM (SELECT id, title, ref_no FROM applications WHERE call_id = {call} ORDER BY id LIMIT {rows}) a \
         LEFT JOIN scorecards c ON c.application_id = a.id \
         LEFT JOIN scores s ON s.scorecard_id = c.id \
         GROUP BY a.id, a.title, a.ref_no ORDER BY a.id"
    );
    let found = BareRow::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .all(&db)
        .await
        .unwrap_or_default();
    maud::html! {
        (maud::DOCTYPE)
        html { body { table {
            thead { tr { th { "Nr." } th { "Projekts" } th { "Vērtējumi" } th { "Punkti" } } }
            tbody { @for r in &found { tr {
                td { (r.ref_no.clone().unwrap_or_default()) } td { a href={ "/applications/" (r.id) } { (r.title) } }
                td { (r.cards) } td { (r.points.unwrap_or(0)) }
            } } }
        } } }
    }
}

/// `clients` clients asking for `url` as fast as answered for `seconds`: (req/s, p50, p99,
/// bytes of one answer, failed requests).
async fn load(
    client: &reqwest::Client,
    url: &str,
    clients: usize,
    seconds: u64,
) -> (f64, Duration, Duration, usize, usize) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url) = (client.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let (mut samples, mut failed, mut size) = (Vec::new(), 0usize, 0usize);
            while Instant::now() < until {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        size = r.bytes().await.map(|b| b.len()).unwrap_or(0);
                        samples.push(t.elapsed());
                    }
                    _ => failed += 1,
                }
            }
            (samples, failed, size)
        }));
    }
    let (mut all, mut failed, mut size) = (Vec::new(), 0, 0);
    for t in tasks {
        let (s, f, b) = t.await.expect("client");
        all.extend(s);
        failed += f;
        size = size.max(b);
    }
    let took = started.elapsed().as_secs_f64();
    all.sort();
    if all.is_empty() {
        return (0.0, Duration::ZERO, Duration::ZERO, size, failed);
    }
    (
        all.len() as f64 / took,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        size,
        failed,
    )
}

pub(crate) async fn run(app: &TestApp, n: i32, seconds: u64) {
    let memory_at_start = rss_mib();
    let started = Instant::now();
    let built = seed::scored_call(app, n, MEMBERS).await;
    let (call, apps) = (&built.call, &built.applications);
    println!(
        "call of {} applications, {} members, {} scorecards, {} scores: built in {:.1} s; pool of {} connections",
        apps.len(),
        MEMBERS,
        built.scorecards,
        built.scores,
        started.elapsed().as_secs_f64(),
        app.cfg.db_max_connections
    );

    // The bare handler, in this process, on the same database.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let bare_base = format!("http://{}", listener.local_addr().expect("address"));
    let router = axum::Router::new()
        .route("/bare", axum::routing::get(bare))
        .with_state((app.db.clone(), call.id));
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });

    let member = app.browser();
    member.login("m0@example.lv", seed::PASSWORD).await;
    let coord = app.browser();
    coord.login("coord@example.lv", seed::PASSWORD).await;
    let memory_before_load = rss_mib();
    let pages: Vec<(&str, Option<&pumpurs_tests::Browser>, String)> = vec![
        ("bare, 50 rows", None, format!("{bare_base}/bare")),
        ("bare, 2000 rows", None, format!("{bare_base}/bare?rows=2000")),
        ("panel call page", Some(&member), format!("/panel/calls/{}", call.id)),
        (
            "panel call page 40",
            Some(&member),
            format!("/panel/calls/{}?page=40", call.id),
        ),
        (
            "scorecard",
            Some(&member),
            format!("/panel/applications/{}", apps[apps.len() / 2].app.id),
        ),
        (
            "applications list",
            Some(&coord),
            format!("/manage/calls/{}/applications", call.id),
        ),
        ("results", Some(&coord), format!("/manage/calls/{}/results", call.id)),
        (
            "results 40",
            Some(&coord),
            format!("/manage/calls/{}/results?page=40", call.id),
        ),
    ];
    println!("| page | clients | req/s | p50 | p99 | size | statements | failed |");
    println!("|---|---|---|---|---|---|---|---|");
    let plain = reqwest::Client::new();
    for (label, browser, path) in &pages {
        let (client, url, statements) = match browser {
            Some(b) => {
                let (statements, _) = app.count_statements(b.get(path)).await;
                (b.client(), format!("{}{path}", app.base), statements.to_string())
            }
            None => (plain.clone(), path.clone(), "1".to_owned()),
        };
        for clients in [16, 64] {
            let (rps, p50, p99, size, failed) = load(&client, &url, clients, seconds).await;
            println!(
                "| {label} | {clients} | {rps:.0} | {:.1} ms | {:.1} ms | {} kB | {statements} | {failed} |",
                p50.as_secs_f64() * 1000.0,
                p99.as_secs_f64() * 1000.0,
                size / 1024
            );
        }
    }
    println!(
        "resident memory: {memory_at_start} MiB at start, {memory_before_load} MiB with the data loaded, {} MiB after the load",
        rss_mib()
    );
}
