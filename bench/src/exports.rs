//! The exports of a large call: APPLICATIONS submitted applications (20,000) with a panel of
//! 5, every scorecard submitted. Each export is downloaded and read as it arrives, and the
//! process's peak resident memory during it (VmHWM, reset before each by
//! `/proc/self/clear_refs`) is set beside its memory before, with the time and size.

use std::time::Instant;

use pumpurs_tests::{TestApp, seed};

const MEMBERS: usize = 5;

fn mib(field: &str) -> u64 {
    crate::status_kib(field) / 1024
}

/// Makes VmHWM this process's current resident memory.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
}

pub(crate) async fn run(app: &TestApp, n: i32) {
    let at_start = mib("VmRSS");
    let started = Instant::now();
    let built = seed::scored_call(app, n, MEMBERS).await;
    println!(
        "call of {} applications, {MEMBERS} members, {} scorecards, {} scores: built in {:.1} s",
        built.applications.len(),
        built.scorecards,
        built.scores,
        started.elapsed().as_secs_f64()
    );
    let id = built.call.id;
    drop(built);
    let coord = app.browser();
    coord.login("coord@example.lv", seed::PASSWORD).await;
    let client = coord.client();
    println!(
        "resident memory: {at_start} MiB at start, {} MiB with the call built",
        mib("VmRSS")
    );
    println!();
    println!("| export | time | size | memory before | peak during | after |");
    println!("|---|---|---|---|---|---|");
    let exports = [
        ("applications CSV", format!("/manage/calls/{id}/applications.csv")),
        (
            "results CSV (ranking worked out)",
            format!("/manage/calls/{id}/export.csv"),
        ),
        ("results CSV (ranking kept)", format!("/manage/calls/{id}/export.csv")),
        ("scores CSV", format!("/manage/calls/{id}/scores.csv")),
        ("results XLSX (2 sheets)", format!("/manage/calls/{id}/export.xlsx")),
    ];
    for (label, path) in exports {
        let before = mib("VmRSS");
        reset_peak();
        let took = Instant::now();
        let mut response = client.get(format!("{}{path}", app.base)).send().await.expect("export");
        assert!(response.status().is_success(), "{label}: {}", response.status());
        let mut size = 0_usize;
        while let Some(chunk) = response.chunk().await.expect("chunk") {
            size += chunk.len();
        }
        println!(
            "| {label} | {:.1} s | {:.1} MB | {before} MiB | {} MiB | {} MiB |",
            took.elapsed().as_secs_f64(),
            size as f64 / 1e6,
            mib("VmHWM"),
            mib("VmRSS"),
        );
    }
}
