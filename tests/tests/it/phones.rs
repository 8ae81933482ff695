//! Phones: the pages people use on a phone, laid out by a real browser (headless Chromium) in a
//! frame 390 px wide. Nothing is wider than the screen, every table fits or has become labelled
//! cards (each cell with its column's name, none past the edge), budget lines keep their field
//! names, charts are drawn at their own size (their labels unscaled) and the header is one line.
//! A screenshot of each page is kept under `target/phone-shots/`.
//!
//! Without Chromium the test says so and passes, unless `PUMPURS_REQUIRE_BROWSER` is set (as
//! `.ci/run` sets it, after installing Chromium when it is missing).

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use entities::domain::Role;
use pumpurs_tests::{Backend, TestApp, seed};

/// Measures the page in the frame once it is laid out, and writes what it found into the
/// wrapping document as JSON (`<pre id="layout">`), which `--dump-dom` prints.
const PROBE: &str = r#"
document.getElementById('f').addEventListener('load', () => {
  const f = document.getElementById('f'), d = f.contentDocument, win = f.contentWindow;
  const w = d.documentElement.clientWidth;
  const header = d.querySelector('header.site');
  const out = { width: w, scroll_width: d.documentElement.scrollWidth,
    header: Math.round(header ? header.getBoundingClientRect().height : 0),
    tables: [], cells: [], labels: [], charts: [] };
  d.querySelectorAll('main table').forEach((t, i) => {
    if (t.scrollWidth > t.clientWidth + 1) out.tables.push(`table ${i + 1}: ${t.scrollWidth} px in ${t.clientWidth}`);
  });
  d.querySelectorAll('table.stack td').forEach(td => {
    const r = td.getBoundingClientRect();
    const named = td.dataset.label && win.getComputedStyle(td, '::before').content !== 'none';
    if (!named || r.right > w + 1) out.cells.push(`${td.dataset.label || '(no label)'}: ${td.textContent.trim()}`);
  });
  d.querySelectorAll('table.budget .cell-label').forEach(l => {
    if (l.getBoundingClientRect().width < 2) out.labels.push(l.textContent.trim());
  });
  d.querySelectorAll('svg.chart').forEach(s => {
    const drawn = s.getBoundingClientRect().width, own = s.viewBox.baseVal.width;
    if (drawn + 1 < own) out.charts.push(`${Math.round(drawn)} of ${own}`);
  });
  const pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
"#;

#[derive(Debug)]
struct Layout {
    width: u32,
    scroll_width: u32,
    header: u32,
    tables: Vec<String>,
    cells: Vec<String>,
    labels: Vec<String>,
    charts: Vec<String>,
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PUMPURS_CHROMIUM") {
        return Some(path.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The page `html` (from `base`) in a frame 390 px wide, as Chromium lays it out; its screenshot
/// saved as `shots/{name}.png`.
fn lay_out(chromium: &Path, shots: &Path, name: &str, html: &str, base: &str) -> Layout {
    let page = html.replacen("<head>", &format!("<head><base href=\"{base}/\">"), 1);
    let escaped = page.replace('&', "&amp;").replace('"', "&quot;");
    let wrapper = format!(
        "<!doctype html><html><body style=\"margin:0\"><iframe id=\"f\" width=\"390\" height=\"2400\" \
         style=\"border:0\" srcdoc=\"{escaped}\"></iframe><script>{PROBE}</script></body></html>"
    );
    let file = shots.join(format!("{name}.html"));
    std::fs::write(&file, wrapper).expect("write the page");
    let url = format!("file://{}", file.display());
    let run = |extra: &[&str]| {
        std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=390,2400",
            ])
            .arg("--virtual-time-budget=5000")
            .arg(format!("--user-data-dir={}", shots.join("profile").display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs")
    };
    let dumped = run(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dumped.stdout);
    let json = dom
        .split_once("<pre id=\"layout\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(json, _)| {
            json.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
        })
        .unwrap_or_else(|| {
            panic!(
                "{name}: no layout from Chromium: {}",
                String::from_utf8_lossy(&dumped.stderr)
            )
        });
    let shot = shots.join(format!("{name}.png"));
    run(&[&format!("--screenshot={}", shot.display())]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}: {json}"));
    let number = |key: &str| v[key].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(u32::MAX);
    let list = |key: &str| {
        v[key]
            .as_array()
            .map(|a| a.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    };
    Layout {
        width: number("width"),
        scroll_width: number("scroll_width"),
        header: number("header"),
        tables: list("tables"),
        cells: list("cells"),
        labels: list("labels"),
        charts: list("charts"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_people_use_on_a_phone_fit_390_px() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("PUMPURS_REQUIRE_BROWSER").is_none(),
            "PUMPURS_REQUIRE_BROWSER is set but Chromium was not found (apt-get install chromium)"
        );
        eprintln!("skipped: Chromium not found (apt-get install chromium, or set PUMPURS_CHROMIUM)");
        return;
    };
    pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| {
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/phone-shots");
        std::fs::create_dir_all(&shots).expect("shots directory");
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
        let director = seed::actor(
            &app.db,
            &seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await,
        )
        .await;
        let form = seed::call_form(Utc::now() + Duration::days(10));
        let (call, submitted) =
            seed::call_with_submitted(&app.db, &coordinator, w.muni_a.id, &form, (&member, &w.ngo), 3).await;
        let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let today = Utc::now().date_naive();
        let semester = entities::plans::create_semester(
            &app.db,
            2026,
            1,
            (today - Duration::days(30), today + Duration::days(60)),
            entities::money::Eur::from_cents(50_000),
            Utc::now(),
        )
        .await
        .expect("semester");
        let born = chrono::NaiveDate::from_ymd_opt(2012, 1, 2).expect("date");
        for (name, class) in [("Anna Ābele", "6.b"), ("Kristaps Bērziņš-Ozoliņš", "8.a")] {
            let pupil =
                entities::plans::register_pupil(&app.db, &director, w.school_a.id, (name, class, born), Utc::now())
                    .await
                    .expect("pupil");
            entities::plans::start_plan(&app.db, &director, pupil.id, semester.id, Utc::now())
                .await
                .expect("plan");
        }

        let (c, n, d, anyone) = (app.browser(), app.browser(), app.browser(), app.browser());
        c.login("coord@example.lv", seed::PASSWORD).await;
        n.login("ngo@example.lv", seed::PASSWORD).await;
        d.login("dir@example.lv", seed::PASSWORD).await;
        let pages = [
            ("calls", &anyone, "/calls".to_owned()),
            ("call", &anyone, format!("/calls/{}", call.id)),
            ("manage-calls", &c, "/manage/calls".to_owned()),
            (
                "call-applications",
                &c,
                format!("/manage/calls/{}/applications", call.id),
            ),
            ("applications", &n, "/applications".to_owned()),
            ("draft", &n, format!("/applications/{}", draft.id)),
            ("submitted", &n, format!("/applications/{}", submitted[0])),
            (
                "pupils",
                &d,
                format!("/schools/{}/pupils?semester={}", w.school_a.id, semester.id),
            ),
            ("approvals", &d, "/plans/approvals".to_owned()),
            ("stats", &d, "/stats".to_owned()),
        ];
        for (name, who, path) in pages {
            let page = who.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            let layout = lay_out(&chromium, &shots, name, &page.body, &app.base);
            assert!(
                layout.width > 350 && layout.width <= 390,
                "{name}: laid out {} px wide",
                layout.width
            );
            assert!(
                layout.scroll_width <= layout.width,
                "{name}: {} px of content on a {} px screen",
                layout.scroll_width,
                layout.width
            );
            assert!(
                layout.tables.is_empty(),
                "{name}: tables wider than the screen: {:?}",
                layout.tables
            );
            assert!(
                layout.cells.is_empty(),
                "{name}: card cells without their column's name or past the edge: {:?}",
                layout.cells
            );
            assert!(
                layout.labels.is_empty(),
                "{name}: budget fields without a visible name: {:?}",
                layout.labels
            );
            assert!(
                layout.charts.is_empty(),
                "{name}: charts drawn smaller than their own size: {:?}",
                layout.charts
            );
            assert!(
                layout.header <= 60,
                "{name}: the header takes {} px (one line is under 60)",
                layout.header
            );
            if name == "stats" {
                assert!(
                    page.body.contains("<svg class=\"chart\""),
                    "the statistics draw a chart: {}",
                    page.body
                );
            }
        }

        // The probe sees what it looks for: a plain eight-column table does not fit a phone.
        let page = c.get("/manage/calls").await;
        let wide: String = (0..8)
            .map(|i| format!("<td>Kolonna ar garu nosaukumu {i}</td>"))
            .collect();
        let html = page
            .body
            .replacen("</main>", &format!("<table><tr>{wide}</tr></table></main>"), 1);
        let layout = lay_out(&chromium, &shots, "control", &html, &app.base);
        assert_eq!(layout.tables.len(), 1, "the wide table is found: {layout:?}");
    })
    .await;
}
