//! A class list of ROWS pupils imported by a school's director through the pages: the upload
//! with its preview, then the confirmation that writes them, each one request.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use entities::domain::Role;
use entities::entity::pupil;
use pumpurs_tests::{TestApp, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::report;

/// A diary system's export: `rows` pupils, one in ten already registered at the school.
fn class_list(rows: usize) -> String {
    let mut csv = String::from("\u{feff}Nr.;Vārds;Uzvārds;Klase;Dzimšanas datums\r\n");
    for i in 0..rows {
        let born = NaiveDate::from_ymd_opt(2008, 1, 1).expect("date") + chrono::Duration::days((i % 3000) as i64);
        // The class a pupil of that age is in (grades 5 to 12), so that the birth date fits it.
        let age = Utc::now().date_naive().years_since(born).unwrap_or(12);
        csv.push_str(&format!(
            "{};Skolēns{i};Uzvārdiņš{};{}.{};{}\r\n",
            i + 1,
            i / 7,
            age.saturating_sub(6).clamp(5, 12),
            ["a", "b", "c"][i % 3],
            born.format("%d.%m.%Y")
        ));
    }
    csv
}

pub(crate) async fn run(app: &TestApp, rows: usize) {
    let w = seed::world(&app.db).await;
    let director = seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await;
    let actor = seed::actor(&app.db, &director).await;
    // One pupil in ten of the list is registered already (matched on name and birth date).
    for i in (0..rows).step_by(10) {
        let born = NaiveDate::from_ymd_opt(2008, 1, 1).expect("date") + chrono::Duration::days((i % 3000) as i64);
        let name = format!("Skolēns{i} Uzvārdiņš{}", i / 7);
        entities::plans::register_pupil(&app.db, &actor, w.school_a.id, (&name, "1.a", born), Utc::now())
            .await
            .expect("pupil");
    }
    let before = pupil::Entity::find()
        .filter(pupil::Column::SchoolId.eq(w.school_a.id))
        .count(&app.db)
        .await
        .expect("count");
    let browser = app.browser();
    browser.login("dir@example.lv", seed::PASSWORD).await;
    let import = format!("/schools/{}/pupils/import", w.school_a.id);
    let upload = format!("{import}?_csrf={}", browser.get(&import).await.csrf());
    let csv = class_list(rows);
    println!("class list: {rows} rows, {} kB as CSV", csv.len() / 1024);
    let mut previews = Vec::new();
    let mut page = None;
    for _ in 0..10 {
        let started = Instant::now();
        let p = browser.upload(&upload, "klase.csv", csv.clone().into_bytes()).await;
        previews.push(started.elapsed());
        assert_eq!(p.status, 200);
        page = Some(p);
    }
    let page = page.expect("a preview");
    let (statements, _) = app
        .count_statements(browser.upload(&upload, "klase.csv", csv.clone().into_bytes()))
        .await;
    report("preview (upload + read)", previews);
    println!("preview statements: {statements}");
    let started = Instant::now();
    let (statements, done) = app
        .count_statements(browser.submit(&page, &format!("{import}/confirm"), &[]))
        .await;
    let confirm: Duration = started.elapsed();
    assert_eq!(done.status, 200, "{}", done.body);
    let after = pupil::Entity::find()
        .filter(pupil::Column::SchoolId.eq(w.school_a.id))
        .count(&app.db)
        .await
        .expect("count");
    println!(
        "confirm: {:.1} ms, {statements} statements, {} pupils written (of {rows} rows; {before} were registered)",
        confirm.as_secs_f64() * 1000.0,
        after - before
    );
}
