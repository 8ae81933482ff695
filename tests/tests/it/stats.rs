//! Statistics: the indicators of a hand-made data set (support plans and grants), worked out by
//! hand, at school, municipality and state level; the state is the sum of its municipalities
//! and the state vocational schools; small groups are withheld above the school; the page, its
//! CSV and XLSX exports and the JSON API hold the same figures.

use chrono::{NaiveDate, TimeZone, Utc};
use entities::domain::Role;
use entities::entity::award::AwardOutcome;
use entities::money::Eur;
use entities::plans::{self, Request, Session};
use entities::policy::Actor;
use entities::stats::{self, Grants, Indicators, Period, Scope};
use pumpurs_tests::browser::{Browser, Page};
use pumpurs_tests::{TestApp, both_backends, seed};

async fn actor(app: &TestApp, email: &str, role: Role, org: i32) -> Actor {
    seed::actor(&app.db, &seed::user(&app.db, email, role, org).await).await
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).expect("date")
}

/// What one pupil's plan holds.
#[derive(Default)]
struct Holds {
    /// (specialist, minutes of each logged session)
    consultation: Option<(&'static str, &'static [i32])>,
    /// (category, cents of each expense)
    compensation: Option<(&'static str, &'static [i64])>,
    outcome: Option<&'static str>,
    /// Left as a draft, or made inactive: not counted.
    not_counted: Option<Request>,
}

/// A plan approved along the school's chain, carried out and evaluated as `holds` says.
async fn plan(app: &TestApp, semester: i32, director: &Actor, approvers: &[&Actor], school: i32, holds: Holds) {
    let pupil = plans::register_pupil(
        &app.db,
        director,
        school,
        ("Skolēns", "9.a", NaiveDate::from_ymd_opt(2011, 1, 1).expect("date")),
        Utc::now(),
    )
    .await
    .expect("pupil");
    let p = plans::start_plan(&app.db, director, pupil.id, semester, Utc::now())
        .await
        .expect("plan");
    let absences = seed::risk(&app.db, "absences").await;
    let risk = plans::add_risk(&app.db, director, p.id, absences.id, "Pamatojums.")
        .await
        .expect("risk");
    let talks = match holds.consultation {
        Some((specialist, _)) => Some(
            plans::add_consultation(&app.db, director, p.id, specialist, 600, &[risk.id])
                .await
                .expect("consultation"),
        ),
        None => None,
    };
    let costs = match holds.compensation {
        Some((category, _)) => Some(
            plans::add_compensation(&app.db, director, p.id, category, Eur::from_cents(100_000), &[risk.id])
                .await
                .expect("compensation"),
        ),
        None => None,
    };
    if holds.not_counted == Some(Request::SendForApproval) {
        return;
    }
    plans::record_consent(&app.db, director, p.id, "Vecāks", seed::evidence(), Utc::now())
        .await
        .expect("consent");
    plans::act(&app.db, director, p.id, Request::SendForApproval, None, Utc::now())
        .await
        .expect("send");
    for who in std::iter::once(director).chain(approvers.iter().copied()) {
        plans::act(&app.db, who, p.id, Request::Approve, None, Utc::now())
            .await
            .expect("approve");
    }
    if holds.not_counted == Some(Request::Deactivate) {
        plans::act(
            &app.db,
            director,
            p.id,
            Request::Deactivate,
            Some("Pārgāja."),
            Utc::now(),
        )
        .await
        .expect("inactive");
        return;
    }
    plans::act(&app.db, director, p.id, Request::Start, None, Utc::now())
        .await
        .expect("start");
    if let (Some(m), Some((_, sessions))) = (&talks, holds.consultation) {
        for minutes in sessions {
            let session = Session {
                held_on: day(5),
                minutes: *minutes,
                remote: false,
                pupil_confirmed: true,
            };
            plans::log_session(&app.db, director, m.id, session, Utc::now())
                .await
                .expect("session");
        }
    }
    if let (Some(m), Some((_, expenses))) = (&costs, holds.compensation) {
        for cents in expenses {
            let e = plans::record_expense(
                &app.db,
                director,
                m.id,
                Eur::from_cents(*cents),
                day(6),
                None,
                Utc::now(),
            )
            .await
            .expect("expense");
            plans::decide_expense(&app.db, director, e.id, Utc::now())
                .await
                .expect("decided");
        }
    }
    if let Some(outcome) = holds.outcome {
        plans::evaluate(
            &app.db,
            director,
            p.id,
            None,
            ("Izvērtējums.", "reduced", Some(outcome)),
            Utc::now(),
        )
        .await
        .expect("evaluation");
    }
}

fn pairs(v: &[(&str, i64)]) -> Vec<(String, i64)> {
    v.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

/// The hand-made data set: school A (municipality A) with five counted pupils, a draft and an
/// inactive plan; school B (municipality B) with one pupil; the vocational school with one; a
/// call in each municipality closing in the semester (3 and 2 applications, a withdrawn one
/// left out; 800 € + 1 000 € and 500 € granted), a draft call and a call closing after the
/// semester (neither counted).
struct DataSet {
    w: seed::World,
    semester: i32,
}

async fn data_set(app: &TestApp) -> DataSet {
    let w = seed::world(&app.db).await;
    let semester = plans::create_semester(
        &app.db,
        2026,
        1,
        (
            NaiveDate::from_ymd_opt(2026, 9, 1).expect("d"),
            NaiveDate::from_ymd_opt(2026, 12, 31).expect("d"),
        ),
        Eur::from_cents(50_000),
        Utc::now(),
    )
    .await
    .expect("semester")
    .id;
    let reviewer = actor(app, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await;
    let (dir_a, coord_a) = (
        actor(app, "a@example.lv", Role::Director, w.school_a.id).await,
        actor(app, "ca@example.lv", Role::Coordinator, w.muni_a.id).await,
    );
    let (dir_b, coord_b) = (
        actor(app, "b@example.lv", Role::Director, w.school_b.id).await,
        actor(app, "cb@example.lv", Role::Coordinator, w.muni_b.id).await,
    );
    let dir_v = actor(app, "v@example.lv", Role::Director, w.vocational.id).await;
    actor(app, "admin@example.lv", Role::Admin, w.agency.id).await;
    let chain_a = [&coord_a, &reviewer];
    let a = |holds| plan(app, semester, &dir_a, &chain_a, w.school_a.id, holds);
    // School A: five pupils counted (P1–P5), a draft and an inactive plan not counted.
    a(Holds {
        consultation: Some(("psychologist", &[45, 40])),
        compensation: Some(("public_transport", &[3_000])),
        outcome: Some("continues"),
        ..Default::default()
    })
    .await;
    a(Holds {
        consultation: Some(("social_pedagogue", &[60])),
        outcome: Some("completed"),
        ..Default::default()
    })
    .await;
    // Six approved pupils at most × 500 € = 3 000 € of ceiling at the time; 3 000 € more does not fit.
    a(Holds {
        compensation: Some(("meals", &[2_000, 300_000])),
        ..Default::default()
    })
    .await;
    a(Holds {
        consultation: Some(("psychologist", &[])),
        compensation: Some(("meals", &[])),
        outcome: Some("transferred"),
        ..Default::default()
    })
    .await;
    a(Holds {
        consultation: Some(("psychologist", &[30])),
        outcome: Some("left_school"),
        ..Default::default()
    })
    .await;
    a(Holds {
        consultation: Some(("psychologist", &[])),
        not_counted: Some(Request::SendForApproval),
        ..Default::default()
    })
    .await;
    a(Holds {
        consultation: Some(("psychologist", &[])),
        not_counted: Some(Request::Deactivate),
        ..Default::default()
    })
    .await;
    plans::record_indirect_hours(
        &app.db,
        &dir_a,
        w.school_a.id,
        semester,
        ("class_teacher", 120),
        Utc::now(),
    )
    .await
    .expect("hours");
    // School B (another municipality): one pupil. The vocational school: one pupil.
    plan(
        app,
        semester,
        &dir_b,
        &[&coord_b, &reviewer],
        w.school_b.id,
        Holds {
            consultation: Some(("psychologist", &[50])),
            ..Default::default()
        },
    )
    .await;
    plan(
        app,
        semester,
        &dir_v,
        &[&reviewer],
        w.vocational.id,
        Holds {
            compensation: Some(("public_transport", &[1_000])),
            outcome: Some("continues"),
            ..Default::default()
        },
    )
    .await;

    let in_semester = Utc.with_ymd_and_hms(2026, 11, 15, 10, 0, 0).single().expect("t");
    let after = Utc.with_ymd_and_hms(2027, 2, 1, 10, 0, 0).single().expect("t");
    call_with(app, &coord_a, w.muni_a.id, &w.ngo, in_semester, 3, &[80_000, 100_000]).await;
    call_with(app, &coord_b, w.muni_b.id, &w.ngo, in_semester, 2, &[50_000]).await;
    call_with(app, &coord_b, w.muni_b.id, &w.ngo, after, 4, &[100_000]).await;
    let draft_call = seed::open_call(&app.db, &coord_a, w.muni_a.id, Utc::now() + chrono::Duration::days(3)).await;
    set_call(
        app,
        draft_call.id,
        in_semester,
        Some(entities::entity::call::CallStatus::Draft),
    )
    .await;
    DataSet { w, semester }
}

async fn set_call(
    app: &TestApp,
    id: i32,
    closes_at: chrono::DateTime<Utc>,
    status: Option<entities::entity::call::CallStatus>,
) {
    use entities::entity::call;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let mut c: call::ActiveModel = call::ActiveModel {
        id: Set(id),
        ..Default::default()
    };
    c.closes_at = Set(closes_at);
    if let Some(status) = status {
        c.status = Set(status);
    }
    c.update(&app.db).await.expect("call");
}

/// A published call of `municipality` closing at `closes_at` with `submitted` applications of
/// 1 000 € each (and one withdrawn), the first ones funded with `granted` cents, one not funded.
async fn call_with(
    app: &TestApp,
    coordinator: &Actor,
    municipality: i32,
    ngo: &entities::entity::organisation::Model,
    closes_at: chrono::DateTime<Utc>,
    submitted: i32,
    granted: &[i64],
) {
    use entities::entity::{application, award};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let c = seed::open_call(
        &app.db,
        coordinator,
        municipality,
        Utc::now() + chrono::Duration::days(3),
    )
    .await;
    set_call(app, c.id, closes_at, None).await;
    seed::bulk_submitted(&app.db, &c, ngo, coordinator.user.id, c.id * 100, submitted + 1).await;
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(c.id))
        .order_by_asc(application::Column::Id)
        .all(&app.db)
        .await
        .expect("apps");
    let withdrawn = apps.last().expect("one").clone();
    let mut w: application::ActiveModel = withdrawn.into();
    w.status = Set(application::ApplicationStatus::Withdrawn);
    w.update(&app.db).await.expect("withdrawn");
    for (i, a) in apps.iter().take(granted.len() + 1).enumerate() {
        let (outcome, cents) = granted
            .get(i)
            .map_or((AwardOutcome::NotFunded, 0), |c| (AwardOutcome::Funded, *c));
        award::ActiveModel {
            call_id: Set(c.id),
            application_id: Set(a.id),
            rank: Set(i32::try_from(i).expect("rank") + 1),
            outcome: Set(outcome),
            amount_cents: Set(cents),
            reserve_position: Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("award");
    }
}

both_backends!(
    async fn the_indicators_of_a_hand_made_data_set_match_the_figures_worked_out_by_hand(app) {
        let DataSet { w, semester } = data_set(app).await;
        let of = |scope| stats::indicators(&app.db, scope, Period::Semester(semester));
        let school_a = of(Scope::School(w.school_a.id)).await.expect("school a");
        assert_eq!(
            school_a,
            Indicators {
                plans: 5,
                pupils: 5,
                consultations_only: 2,
                compensations_only: 1,
                both: 2,
                neither: 0,
                cents_by_category: pairs(&[("meals", 2_000), ("public_transport", 3_000)]),
                minutes_by_specialist: pairs(&[("psychologist", 115), ("social_pedagogue", 60)]),
                indirect_minutes: 120,
                unpaid_cents: 300_000,
                measures_by_group: pairs(&[("learning", 7)]),
                outcomes: pairs(&[("completed", 1), ("continues", 1), ("left_school", 1), ("transferred", 1)]),
            }
        );
        let shares = school_a.consultations_only + school_a.compensations_only + school_a.both + school_a.neither;
        assert_eq!(shares, school_a.pupils, "the shares make up every pupil: 100 %");
        assert_eq!(of(Scope::Municipality(w.muni_a.id)).await.expect("muni a"), school_a, "the municipality of one school");
        let year = stats::indicators(&app.db, Scope::School(w.school_a.id), Period::SchoolYear(2026)).await.expect("year");
        assert_eq!(year, school_a, "the school year of one semester");

        // The state is the sum of its municipalities and the state vocational schools.
        let state = of(Scope::State).await.expect("state");
        let parts = [
            school_a.clone(),
            of(Scope::Municipality(w.muni_b.id)).await.expect("muni b"),
            of(Scope::School(w.vocational.id)).await.expect("vocational"),
        ];
        let sum = |f: fn(&Indicators) -> i64| parts.iter().map(f).sum::<i64>();
        assert_eq!(
            (state.plans, state.pupils, state.consultations_only, state.compensations_only, state.both, state.unpaid_cents, state.indirect_minutes),
            (sum(|i| i.plans), sum(|i| i.pupils), sum(|i| i.consultations_only), sum(|i| i.compensations_only), sum(|i| i.both), sum(|i| i.unpaid_cents), sum(|i| i.indirect_minutes))
        );
        assert_eq!((state.plans, state.pupils), (7, 7));
        assert_eq!(state.cents_by_category, pairs(&[("meals", 2_000), ("public_transport", 4_000)]));
        assert_eq!(state.minutes_by_specialist, pairs(&[("psychologist", 165), ("social_pedagogue", 60)]));

        // The breakdown of the state: its municipalities and vocational school, adding up.
        let breakdown = stats::breakdown(&app.db, Scope::State, Period::Semester(semester)).await.expect("breakdown");
        let named: Vec<(&str, i32, i64, i64, i64)> = breakdown.iter().map(|(n, p)| (n.as_str(), p.part, p.plans, p.pupils, p.cents)).collect();
        assert_eq!(
            named,
            vec![
                ("Cēsu novads", w.muni_b.id, 1, 1, 0),
                ("Ogres novads", w.muni_a.id, 5, 5, 5_000),
                ("Rīgas tehnikums", w.vocational.id, 1, 1, 1_000),
            ]
        );
        assert_eq!(breakdown.iter().map(|(_, p)| p.plans).sum::<i64>(), state.plans);
        assert_eq!(breakdown.iter().map(|(_, p)| p.pupils).sum::<i64>(), state.pupils);
        let school_parts = stats::breakdown(&app.db, Scope::Municipality(w.muni_a.id), Period::Semester(semester)).await.expect("schools");
        assert_eq!(school_parts.len(), 1);
        assert_eq!((school_parts[0].1.part, school_parts[0].1.plans), (w.school_a.id, 5));
        let trend = stats::trend(&app.db, Scope::State, &[semester, semester + 100]).await.expect("trend");
        assert_eq!((trend[0].plans, trend[0].pupils, trend[0].cents), (7, 7, 6_000));
        assert_eq!((trend[1].part, trend[1].plans), (semester + 100, 0), "a semester without plans has zeros");

        // Grants: the calls closing in the semester, not the draft nor the later one.
        let semesters = entities::plans::queries::semesters(&app.db).await.expect("semesters");
        let days = stats::days(&semesters, Period::Semester(semester)).expect("days");
        assert_eq!(days, (NaiveDate::from_ymd_opt(2026, 9, 1).expect("d"), NaiveDate::from_ymd_opt(2026, 12, 31).expect("d")));
        let grants = stats::grants(&app.db, Scope::State, days).await.expect("grants");
        let figures: Vec<(&str, i64, i64, i64, i64, i64)> = grants.iter().map(|g| (g.name.as_str(), g.calls, g.applications, g.requested_cents, g.funded, g.granted_cents)).collect();
        assert_eq!(figures, vec![("Cēsu novads", 1, 2, 200_000, 1, 50_000), ("Ogres novads", 1, 3, 300_000, 2, 180_000)]);
        let total = Grants::total(&grants);
        assert_eq!((total.calls, total.applications, total.requested_cents, total.funded, total.granted_cents), (2, 5, 500_000, 3, 230_000));
        let muni_a = stats::grants(&app.db, Scope::Municipality(w.muni_a.id), days).await.expect("muni a");
        assert_eq!(muni_a, vec![grants[1].clone()], "a municipality's own calls");
        assert!(stats::grants(&app.db, Scope::School(w.school_a.id), days).await.expect("school").is_empty());

        // Small groups are withheld above the school; the school sees its own figures.
        let muni_b = &parts[1];
        assert!(muni_b.withheld(false), "one pupil in the municipality");
        assert!(!school_a.withheld(true), "inside the school");
        let (shown, _) = stats::disclosure(&app.db, Period::Semester(semester), &[]).await.expect("disclosure");
        assert!(!shown.shown(Scope::Municipality(w.muni_b.id), stats::PUPILS), "one pupil");
        assert!(shown.shown(Scope::State, stats::PUPILS), "seven pupils");
        assert!(!shown.shown(Scope::State, "outcome:transferred"), "a group of one pupil");
        assert!(!shown.shown(Scope::State, "outcome:continues"), "a group of two pupils");
    }
);

async fn browser(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    b.login(email, seed::PASSWORD).await;
    b
}

/// A table of the page: per row, its label, the figures as shown and their plain values.
fn table(page: &Page, key: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    let html = page.html();
    let tr = scraper::Selector::parse(&format!("#table-{key} tbody tr")).expect("selector");
    let (th, td) = (
        scraper::Selector::parse("th").expect("th"),
        scraper::Selector::parse("td").expect("td"),
    );
    let text = |e: scraper::ElementRef| {
        e.text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    html.select(&tr)
        .map(|row| {
            let label = row.select(&th).next().map(text).unwrap_or_default();
            let cells: Vec<_> = row.select(&td).collect();
            let shown = cells.iter().map(|c| text(*c)).collect();
            let plain = cells
                .iter()
                .map(|c| c.value().attr("data-value").unwrap_or_default().to_owned())
                .collect();
            (label, shown, plain)
        })
        .collect()
}

/// Label and first figure as shown, of every row of the page.
fn rows(page: &Page) -> Vec<(String, String)> {
    page.attrs("section[id^=table-]", "id")
        .iter()
        .flat_map(|id| table(page, id.trim_start_matches("table-")))
        .map(|(label, shown, _)| (label, shown.first().cloned().unwrap_or_default()))
        .collect()
}

/// Every table of the page equals its CSV: the labels, and the plain figures with a decimal
/// comma ("nerāda (< 5)" where withheld).
async fn csv_matches_page(b: &Browser, page: &Page) {
    let keys: Vec<String> = page
        .attrs("section[id^=table-]", "id")
        .iter()
        .map(|id| id.trim_start_matches("table-").to_owned())
        .collect();
    assert!(!keys.is_empty());
    for key in keys {
        let Some(href) = page.attrs(&format!("#table-{key} a.export"), "href").into_iter().next() else {
            assert!(table(page, &key).is_empty(), "a table with rows has a CSV link");
            continue;
        };
        let (status, headers, bytes) = b.download(&href).await;
        assert_eq!(status, 200, "{href}");
        assert!(headers["content-type"].to_str().expect("type").starts_with("text/csv"));
        let text = String::from_utf8(bytes).expect("utf-8");
        let from_csv: Vec<(String, Vec<String>)> = text
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(|line| {
                let cells: Vec<String> = line.split(';').map(|c| c.trim_matches('"').to_owned()).collect();
                (cells[0].clone(), cells[1..].to_vec())
            })
            .collect();
        let from_page: Vec<(String, Vec<String>)> = table(page, &key)
            .into_iter()
            .map(|(l, _, plain)| {
                let shown = plain.iter().map(|p| {
                    if p.is_empty() {
                        "nerāda (< 5)".to_owned()
                    } else {
                        p.replace('.', ",")
                    }
                });
                (l, shown.collect())
            })
            .collect();
        assert_eq!(from_csv, from_page, "the CSV of {key} matches the page");
    }
}

/// The cells of every sheet of an XLSX workbook, as text, sheet by sheet and row by row.
fn sheets(bytes: Vec<u8>) -> Vec<Vec<Vec<String>>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = Vec::new();
    for n in 1.. {
        let Ok(mut file) = zip.by_name(&format!("xl/worksheets/sheet{n}.xml")) else {
            break;
        };
        let mut xml = String::new();
        file.read_to_string(&mut xml).expect("xml");
        let rows = xml
            .split("<row ")
            .skip(1)
            .map(|row| {
                row.split("<c ")
                    .skip(1)
                    .map(|cell| {
                        let inner = |tag: &str| {
                            let open = cell.split(&format!("<{tag}")).nth(1)?;
                            let text = open.split_once('>')?.1;
                            text.split(&format!("</{tag}>")).next().map(str::to_owned)
                        };
                        inner("v")
                            .or_else(|| inner("t"))
                            .unwrap_or_default()
                            .replace("&amp;", "&")
                    })
                    .collect()
            })
            .collect();
        out.push(rows);
    }
    out
}

both_backends!(
    async fn the_pages_and_their_csv_and_xlsx_exports_hold_the_same_figures(app) {
        let DataSet { w, semester } = data_set(app).await;
        // The school sees its own small groups.
        let director = browser(app, "a@example.lv").await;
        let page = director.get("/stats").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.text("p.org-name strong"), "Ogres 1. vidusskola");
        assert_eq!(page.texts("nav a[aria-current=page]"), vec!["2026./2027. m. g., 1. semestris"], "the period shown is marked");
        let shown = rows(&page);
        assert!(shown.contains(&("tikai konsultācijas".to_owned(), "2 (40 %)".to_owned())), "{shown:?}");
        assert!(shown.contains(&("pārgāja uz citu skolu".to_owned(), "1".to_owned())), "inside the school: {shown:?}");
        assert!(shown.contains(&("Psihologs".to_owned(), "1,9 h".to_owned())), "{shown:?}");
        let trend = table(&page, "trend");
        assert_eq!(trend.len(), 1);
        assert_eq!(trend[0].2, vec!["5", "5", "50.00"], "plans, pupils, euros of the semester");
        assert_eq!(page.attrs("svg.chart", "role"), vec!["img"; 5], "categories, specialists, groups, outcomes, trend");
        assert_eq!(page.texts("svg.chart title").len(), 5, "each chart has a text title");
        assert!(page.attrs("#table-grants", "id").is_empty(), "no grants at a school");
        csv_matches_page(&director, &page).await;

        // The whole workbook: a sheet per table, the same figures as numbers.
        let xlsx = page.attrs("a.button", "href").into_iter().find(|h| h.starts_with("/stats.xlsx")).expect("xlsx link");
        let (status, headers, bytes) = director.download(&xlsx).await;
        assert_eq!(status, 200);
        assert!(headers["content-disposition"].to_str().expect("cd").ends_with(".xlsx\""));
        let workbook = sheets(bytes);
        let keys = page.attrs("section[id^=table-]", "id");
        assert_eq!(workbook.len(), keys.len() + 1, "a sheet describing the file, then a sheet per table");
        let about: Vec<(String, String)> = workbook[0].iter().map(|r| (r[0].clone(), r[1].clone())).collect();
        assert_eq!(&about[..3], &[("Līmenis".to_owned(), "Skola".to_owned()), ("Kam".to_owned(), page.text(".scope-label")), ("Periods".to_owned(), page.text(".period-label"))], "{about:?}");
        let workbook = &workbook[1..];
        let pupils_sheet = &workbook[0];
        assert_eq!(pupils_sheet[0], vec!["Rādītājs", "Vērtība"]);
        let page_pupils = table(&page, "pupils");
        for (row, (_, _, plain)) in pupils_sheet[1..].iter().zip(&page_pupils) {
            assert_eq!(&row[1], &plain[0], "the sheet's number is the page's figure");
        }
        assert_eq!(pupils_sheet.len(), page_pupils.len() + 1);
        assert_eq!(workbook[1][1][1], "20", "meals: 20.00 € as a number");

        // The state: small groups withheld, the breakdown and the grants.
        let reviewer = browser(app, "reviewer@example.lv").await;
        let state = reviewer.get("/stats").await;
        let state_rows = rows(&state);
        assert!(state_rows.contains(&("Plāni".to_owned(), "7".to_owned())), "{state_rows:?}");
        assert!(state_rows.contains(&("pārgāja uz citu skolu".to_owned(), "nerāda (< 5)".to_owned())), "one pupil is withheld: {state_rows:?}");
        let parts = table(&state, "parts");
        assert_eq!(
            parts.iter().map(|(l, _, p)| (l.as_str(), p.clone())).collect::<Vec<_>>(),
            vec![
                ("Cēsu novads", vec![String::new(); 3]),
                ("Ogres novads", vec!["5".to_owned(), "5".to_owned(), "50.00".to_owned()]),
                ("Rīgas tehnikums", vec![String::new(); 3]),
            ],
            "a part of one pupil is withheld"
        );
        let grants: Vec<String> = table(&state, "grants").into_iter().map(|(_, _, p)| p[0].clone()).collect();
        assert_eq!(grants, vec!["2", "5", "5000.00", "3", "2300.00", "0.00", "0.00", "0"], "calls, applications, requested, funded, granted, paid, returned, pupils reached");
        assert_eq!(table(&state, "grants-by-municipality").len(), 2);
        assert!(!state.contains("Skolēns"), "no names");
        csv_matches_page(&reviewer, &state).await;

        // The page's SQL statements do not grow with the data: three more plans, the same count.
        let (before, _) = app.count_statements(reviewer.get("/stats")).await;
        let by_email = |email: &'static str| async move {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let u = entities::entity::user::Entity::find().filter(entities::entity::user::Column::Email.eq(email)).one(&app.db).await.expect("user").expect("exists");
            seed::actor(&app.db, &u).await
        };
        let (dir_v, state_reviewer) = (by_email("v@example.lv").await, by_email("reviewer@example.lv").await);
        for _ in 0..3 {
            plan(app, semester, &dir_v, &[&state_reviewer], w.vocational.id, Holds { consultation: Some(("psychologist", &[30])), compensation: Some(("meals", &[500])), outcome: Some("completed"), ..Default::default() }).await;
        }
        let (after, grown) = app.count_statements(reviewer.get("/stats")).await;
        assert_eq!(table(&grown, "pupils")[0].2, vec!["10"], "ten plans now");
        assert_eq!(before, after, "the same statements whatever the data");

        // A municipality of one pupil: the period's figures withheld, the grants still shown.
        let coordinator_b = browser(app, "cb@example.lv").await;
        let muni_b = coordinator_b.get("/stats").await;
        assert_eq!(muni_b.text("#withheld"), "Šeit ir mazāk nekā 5 skolēni vai no šiem skaitļiem kopā ar citiem varētu izrēķināt mazāku grupu, tāpēc skaitļus nerādām.");
        assert!(muni_b.attrs("#table-pupils", "id").is_empty());
        assert_eq!(table(&muni_b, "grants")[0].2, vec!["1"], "one call of municipality B closed in the semester");
        assert_eq!(table(&muni_b, "trend")[0].2, vec![String::new(); 3], "one pupil: withheld in the trend too");
        let csv = format!("/stats.csv?level=municipality&org={}&table=pupils", w.muni_b.id);
        assert_eq!(coordinator_b.download(&csv).await.0, 404, "no CSV of a withheld table");

        // Nobody sees another's scope; nonsense in the query changes nothing.
        assert_eq!(coordinator_b.get(&format!("/stats?level=school&org={}", w.school_a.id)).await.status, 404);
        assert_eq!(coordinator_b.get("/stats?level=state").await.status, 404);
        assert_eq!(coordinator_b.download("/stats.xlsx?level=state").await.0, 404);
        assert_eq!(director.get(&format!("/stats?level=municipality&org={}", w.muni_a.id)).await.status, 404);
        assert_eq!(director.get("/stats?level=school").await.status, 404);
        assert_eq!(director.get("/stats?year=1999").await.status, 404);
        assert_eq!(director.get("/stats?semester=abc").await.status, 400);
        assert_eq!(director.download("/stats.csv?table=nonsense").await.0, 404);
    }
);

both_backends!(
    async fn the_statistics_api_answers_a_token_an_administrator_issued(app) {
        let DataSet { w, semester } = data_set(app).await;
        let client = reqwest::Client::new();
        let get = |path: String, token: Option<String>| {
            let request = client.get(format!("{}{path}", app.base));
            let request = match token {
                Some(t) => request.bearer_auth(t),
                None => request,
            };
            async move {
                let response = request.send().await.expect("GET");
                let status = response.status().as_u16();
                let auth = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap_or("").to_owned());
                (status, auth, response.json::<serde_json::Value>().await.expect("json"))
            }
        };
        let (status, auth, body) = get("/api/v1/stats".into(), None).await;
        assert_eq!((status, auth.as_deref(), body["error"].as_str()), (401, Some("Bearer"), Some("unauthorized")));
        let (status, _, _) = get("/api/v1/stats".into(), Some("pumpurs_0000".into())).await;
        assert_eq!(status, 401, "a made-up token");

        // The administrator issues tokens: bad input changes nothing; the token is shown once.
        let admin = browser(app, "admin@example.lv").await;
        let form = admin.get("/admin/api-tokens").await;
        assert_eq!(form.status, 200, "{}", form.body);
        assert_eq!(form.text(".empty"), "Vēl nav izsniegta neviena atslēga.");
        let refused = admin.submit(&form, "/admin/api-tokens", &[("name", " "), ("org", &w.school_a.id.to_string())]).await;
        assert_eq!(refused.status, 422);
        assert_eq!(refused.field_error("name"), "Ierakstiet, kam atslēga paredzēta (līdz 100 zīmēm).");
        assert_eq!(refused.field_error("org"), "Izvēlieties valsts aģentūru vai pašvaldību.");
        let issued = admin.submit(&form, "/admin/api-tokens", &[("name", "VIAA pārskati"), ("org", &w.agency.id.to_string())]).await;
        assert_eq!(issued.status, 200, "{}", issued.body);
        let agency_token = issued.text("#issued-token code");
        assert!(agency_token.starts_with("pumpurs_"), "{agency_token}");
        let muni_token = admin.submit(&form, "/admin/api-tokens", &[("name", "Cēsu portāls"), ("org", &w.muni_b.id.to_string())]).await.text("#issued-token code");
        let listed = admin.get("/admin/api-tokens").await;
        assert!(!listed.contains(&agency_token), "never shown again");
        assert_eq!(listed.texts("tbody tr").len(), 2);
        assert_eq!(admin.get("/admin/api-tokens").await.status, 200);
        assert_eq!(browser(app, "a@example.lv").await.get("/admin/api-tokens").await.status, 404, "administrators only");

        // The state agency's token: the same figures as the page, small groups null.
        let (status, _, body) = get(format!("/api/v1/stats?level=state&semester={semester}"), Some(agency_token.clone())).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["level"].as_str(), body["withheld"].as_bool()), (Some("state"), Some(false)));
        let table = |key: &str| body["tables"].as_array().expect("tables").iter().find(|t| t["key"] == key).cloned().expect(key);
        let value = |key: &str, row: &str| table(key)["rows"].as_array().expect("rows").iter().find(|r| r["key"] == row).map(|r| r["values"][0].clone()).expect(row);
        assert_eq!(value("pupils", "plans"), serde_json::json!(7));
        assert_eq!(value("outcomes", "transferred"), serde_json::Value::Null, "one pupil: withheld");
        assert_eq!(value("categories", "public_transport"), serde_json::json!("40.00"), "money is a decimal string");
        assert_eq!(value("specialists", "psychologist"), serde_json::json!(165), "minutes");
        assert_eq!(value("grants", "granted"), serde_json::json!("2300.00"));
        let reviewer = browser(app, "reviewer@example.lv").await;
        let page = reviewer.get(&format!("/stats?level=state&semester={semester}")).await;
        let page_tables = page.attrs("section[id^=table-]", "id");
        let api_tables: Vec<String> = body["tables"].as_array().expect("tables").iter().map(|t| format!("table-{}", t["key"].as_str().unwrap_or(""))).collect();
        assert_eq!(api_tables, page_tables, "the API has the page's tables");
        let (status, _, school) = get(format!("/api/v1/stats?level=school&org={}&semester={semester}", w.school_a.id), Some(agency_token.clone())).await;
        assert_eq!(status, 200);
        assert_eq!(school["tables"][0]["rows"][0]["values"][0], serde_json::json!(5), "school A's plans, seen from outside");

        {
            use entities::entity::api_token;
            use sea_orm::{EntityTrait, QueryOrder};
            let used: Vec<bool> = api_token::Entity::find().order_by_asc(api_token::Column::Id).all(&app.db).await.expect("tokens").iter().map(|t| t.last_used_at.is_some()).collect();
            assert_eq!(used, vec![true, false], "the agency's token notes its use; the unused one does not");
        }
        // A municipality's token: its own scope only, withheld when small.
        let (status, _, own) = get("/api/v1/stats".into(), Some(muni_token.clone())).await;
        assert_eq!((status, own["level"].as_str(), own["withheld"].as_bool()), (200, Some("municipality"), Some(true)));
        assert_eq!(get("/api/v1/stats?level=state".into(), Some(muni_token.clone())).await.0, 404);
        let (status, _, bad) = get("/api/v1/stats?semester=first".into(), Some(muni_token.clone())).await;
        assert_eq!((status, bad["error"].as_str()), (400, Some("bad_request")), "a malformed query gets a JSON error");
        assert_eq!(get(format!("/api/v1/stats?level=school&org={}", w.school_a.id), Some(muni_token.clone())).await.0, 404);

        // Revoked: refused at once; the audit says who issued and revoked it.
        let token_id = listed.attrs("form[action$=\"/revoke\"]", "action").into_iter().last().expect("revoke form");
        let unconfirmed = admin.submit(&listed, &token_id, &[]).await;
        assert_eq!(unconfirmed.status, 400);
        assert_eq!(get("/api/v1/stats".into(), Some(agency_token.clone())).await.0, 200, "unconfirmed: still works");
        let revoked = admin.submit(&listed, &token_id, &[("confirm", "yes")]).await;
        assert_eq!(revoked.text(".flash"), "Atslēga atsaukta. Tā vairs nedarbojas.");
        assert_eq!(get("/api/v1/stats".into(), Some(agency_token)).await.0, 401);
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let audited = entities::entity::audit_log::Entity::find().filter(entities::entity::audit_log::Column::Action.is_in(["api_token_issued", "api_token_revoked"])).count(&app.db).await.expect("audit");
        assert_eq!(audited, 3);

        // The OpenAPI document describes it behind the bearer scheme.
        let (_, _, doc) = get("/api/v1/openapi.json".into(), None).await;
        assert_eq!(doc["paths"]["/stats"]["get"]["security"][0]["bearerAuth"], serde_json::json!([]));
        assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
    }
);

/// Every count the state agency's API gives of (scope, period, measure); `None`: withheld.
type Known = std::collections::BTreeMap<(String, String, String), Option<i64>>;

fn learn(known: &mut Known, key: (&str, &str, &str), value: Option<i64>) {
    let key = (key.0.to_owned(), key.1.to_owned(), key.2.to_owned());
    let was = known.entry(key.clone()).or_insert(value);
    match (*was, value) {
        (Some(a), Some(b)) => assert_eq!(a, b, "{key:?} is shown as two figures"),
        (None, Some(_)) => *was = value,
        _ => {}
    }
}

both_backends!(
    async fn no_withheld_count_is_a_shown_total_minus_shown_parts_on_any_page(app) {
        // Municipality A: school A (9 pupils: 5 with consultations only, 4 with nothing) and school
        // A2 (5); municipality B: school B (4); the vocational school: none. Spring: school A, 6.
        let w = seed::world(&app.db).await;
        let a2 = entities::orgs::insert(&app.db, entities::domain::OrgKind::School, Some(w.muni_a.id), "Skola A2", None, false, Utc::now()).await.expect("school");
        let semester = |half: i16, from: (i32, u32), to: (i32, u32)| {
            let d = |(y, m): (i32, u32), day: u32| NaiveDate::from_ymd_opt(y, m, day).expect("d");
            plans::create_semester(&app.db, 2026, half, (d(from, 1), d(to, 28)), Eur::from_cents(500_000), Utc::now())
        };
        let autumn = semester(1, (2026, 9), (2026, 12)).await.expect("autumn").id;
        let spring = semester(2, (2027, 1), (2027, 5)).await.expect("spring").id;
        let reviewer = actor(app, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await;
        let coord_a = actor(app, "ca@example.lv", Role::Coordinator, w.muni_a.id).await;
        let coord_b = actor(app, "cb@example.lv", Role::Coordinator, w.muni_b.id).await;
        let admin = actor(app, "admin@example.lv", Role::Admin, w.agency.id).await;
        let schools = [(w.school_a.id, "a", &coord_a), (a2.id, "a2", &coord_a), (w.school_b.id, "b", &coord_b)];
        let mut directors = Vec::new();
        for (id, name, _) in &schools {
            directors.push(actor(app, &format!("{name}@example.lv"), Role::Director, *id).await);
        }
        let talks = || Holds { consultation: Some(("psychologist", &[30])), ..Default::default() };
        let pupils = [(0, autumn, 5, true), (0, autumn, 4, false), (1, autumn, 5, false), (2, autumn, 4, false), (0, spring, 6, false)];
        for (school, semester, n, consulted) in pupils {
            let (id, _, coordinator) = schools[school];
            for _ in 0..n {
                let holds = if consulted { talks() } else { Holds::default() };
                plan(app, semester, &directors[school], &[coordinator, &reviewer], id, holds).await;
            }
        }
        let (_, token) = entities::api_tokens::issue(&app.db, &admin, "Pārskati", Some(w.agency.id), Utc::now()).await.expect("token");

        // Everything the agency can read, page by page.
        let scopes = [
            ("state", "level=state".to_owned()),
            ("muni-a", format!("level=municipality&org={}", w.muni_a.id)),
            ("muni-b", format!("level=municipality&org={}", w.muni_b.id)),
            ("school-a", format!("level=school&org={}", w.school_a.id)),
            ("school-a2", format!("level=school&org={}", a2.id)),
            ("school-b", format!("level=school&org={}", w.school_b.id)),
            ("vocational", format!("level=school&org={}", w.vocational.id)),
        ];
        let name_of = |id: &str| {
            let id: i32 = id.parse().expect("org id");
            [(w.muni_a.id, "muni-a"), (w.muni_b.id, "muni-b"), (w.school_a.id, "school-a"), (a2.id, "school-a2"), (w.school_b.id, "school-b"), (w.vocational.id, "vocational")]
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| *n)
                .expect("a known organisation")
        };
        let children = |scope: &str| -> &'static [&'static str] {
            match scope {
                "state" => &["muni-a", "muni-b", "vocational"],
                "muni-a" => &["school-a", "school-a2"],
                "muni-b" => &["school-b"],
                _ => &[],
            }
        };
        let (autumn_s, spring_s) = (autumn.to_string(), spring.to_string());
        let periods = [(autumn_s.as_str(), format!("semester={autumn}")), (spring_s.as_str(), format!("semester={spring}")), ("2026", "year=2026".to_owned())];
        let client = reqwest::Client::new();
        let mut known = Known::new();
        for (scope, scope_query) in &scopes {
            for (period, period_query) in &periods {
                let response = client.get(format!("{}/api/v1/stats?{scope_query}&{period_query}", app.base)).bearer_auth(&token).send().await.expect("GET");
                assert_eq!(response.status(), 200, "{scope} {period}");
                let body: serde_json::Value = response.json().await.expect("json");
                if body["withheld"] == serde_json::json!(true) {
                    for measure in ["plans", "pupils", "10", "01", "11", "00"] {
                        learn(&mut known, (scope, period, measure), None);
                    }
                }
                for table in body["tables"].as_array().expect("tables") {
                    let rows = table["rows"].as_array().expect("rows");
                    let cell = |row: &serde_json::Value, i: usize| row["values"][i].as_i64();
                    for row in rows {
                        let key = row["key"].as_str().expect("key");
                        match table["key"].as_str().expect("table key") {
                            "pupils" => {
                                let measure = match key {
                                    "consultations-only" => "10",
                                    "compensations-only" => "01",
                                    "both" => "11",
                                    "neither" => "00",
                                    other => other,
                                };
                                learn(&mut known, (scope, period, measure), cell(row, 0));
                            }
                            "parts" => {
                                learn(&mut known, (name_of(key), period, "plans"), cell(row, 0));
                                learn(&mut known, (name_of(key), period, "pupils"), cell(row, 1));
                            }
                            "trend" => {
                                learn(&mut known, (scope, key, "plans"), cell(row, 0));
                                learn(&mut known, (scope, key, "pupils"), cell(row, 1));
                            }
                            _ => {}
                        }
                    }
                    // A part missing from a shown breakdown has no pupils.
                    if table["key"] == "parts" {
                        for child in children(scope) {
                            if !rows.iter().any(|r| name_of(r["key"].as_str().expect("key")) == *child) {
                                learn(&mut known, (child, period, "plans"), Some(0));
                                learn(&mut known, (child, period, "pupils"), Some(0));
                            }
                        }
                    }
                }
            }
        }
        let get = |scope: &str, period: &str, measure: &str| known.get(&(scope.to_owned(), period.to_owned(), measure.to_owned())).copied().flatten();

        // What the data holds is read: the state's total, a withheld municipality of 4.
        assert_eq!(get("state", &autumn_s, "pupils"), Some(18));
        assert_eq!(get("muni-b", &autumn_s, "pupils"), None, "four pupils");
        assert_eq!(get("school-a", &autumn_s, "pupils"), Some(9), "not everything is withheld");
        // Every total of shown parts: never exactly one of them unknown.
        let mut equations: Vec<(String, Vec<String>, String)> = Vec::new();
        for (scope, _) in &scopes {
            for (period, _) in &periods {
                for measure in ["plans", "pupils"] {
                    let parts = children(scope).iter().map(|c| format!("{c}|{period}|{measure}")).collect();
                    equations.push((format!("{scope}|{period}|{measure}"), parts, "a scope and its parts".into()));
                }
                let mix = ["10", "01", "11", "00"].iter().map(|m| format!("{scope}|{period}|{m}")).collect();
                equations.push((format!("{scope}|{period}|pupils"), mix, "pupils by their support".into()));
            }
            let semesters = [&autumn_s, &spring_s].iter().map(|s| format!("{scope}|{s}|plans")).collect();
            equations.push((format!("{scope}|2026|plans"), semesters, "a school year and its semesters".into()));
        }
        let value = |key: &str| {
            let k: Vec<&str> = key.split('|').collect();
            get(k[0], k[1], k[2])
        };
        let mut checked = 0;
        for (total, parts, what) in &equations {
            if parts.is_empty() || value(total).is_none() {
                continue;
            }
            checked += 1;
            let unknown: Vec<&String> = parts.iter().filter(|p| value(p).is_none()).collect();
            assert_ne!(unknown.len(), 1, "{what}: {} is {total} minus the shown {parts:?}", unknown[0]);
        }
        assert!(checked > 20, "{checked} totals checked");

        // The page and its CSV withhold the same: municipality A beside municipality B.
        let b = browser(app, "reviewer@example.lv").await;
        let page = b.get(&format!("/stats?level=state&semester={autumn}")).await;
        let parts = table(&page, "parts");
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts.iter().all(|(_, shown, _)| shown[1] == "nerāda (< 5)"), "{parts:?}");
        csv_matches_page(&b, &page).await;
    }
);
