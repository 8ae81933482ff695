//! The exports of a large call: APPLICATIONS submitted applications (20,000) with a panel of
//! 5, every scorecard submitted. Each export is downloaded and read as it arrives; the heap in
//! use before it, at its peak while it is made and after (counted by the benchmark's
//! allocator: the resident memory still holds what building the call freed) is set beside its
//! time and size, and the resident memory beside that.

use std::time::Instant;

use pumpurs_tests::{TestApp, seed};

const MEMBERS: usize = 5;

fn mib(field: &str) -> u64 {
    crate::status_kib(field) / 1024
}

fn heap_mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
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
    println!("| export | time | size | heap before | heap peak | heap after | resident after |");
    println!("|---|---|---|---|---|---|---|");
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
        let before = crate::HEAP.current_usage();
        crate::HEAP.reset_peak_usage();
        let took = Instant::now();
        let mut response = client.get(format!("{}{path}", app.base)).send().await.expect("export");
        assert!(response.status().is_success(), "{label}: {}", response.status());
        let mut size = 0_usize;
        while let Some(chunk) = response.chunk().await.expect("chunk") {
            size += chunk.len();
        }
        println!(
            "| {label} | {:.1} s | {:.1} MB | {} | {} | {} | {} MiB |",
            took.elapsed().as_secs_f64(),
            size as f64 / 1e6,
            heap_mib(before),
            heap_mib(crate::HEAP.peak_usage()),
            heap_mib(crate::HEAP.current_usage()),
            mib("VmRSS"),
        );
    }
}
