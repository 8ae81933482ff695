//! The statistics at state level over a large data set: PLANS plans over six school years.

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use entities::domain::{OrgKind, Role};
use entities::entity::award::AwardOutcome;
use entities::entity::expense::ExpenseState;
use entities::entity::plan_measure::MeasureKind;
use entities::entity::{
    award, call, consultation_session, evaluation, expense, indirect_hours, measure_risk, plan, plan_measure,
    plan_risk, pupil, risk,
};
use entities::money::Eur;
use entities::{orgs, plans};
use pumpurs_tests::{TestApp, seed};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, EntityTrait};

use crate::report;

const MUNICIPALITIES: usize = 40;
const SCHOOLS_EACH: usize = 8;
const VOCATIONAL: usize = 20;
const SPECIALISTS: [&str; 4] = [
    "psychologist",
    "social_pedagogue",
    "teacher_assistant",
    "special_education_teacher",
];
const CATEGORIES: [&str; 4] = ["public_transport", "meals", "learning_materials", "accommodation"];
const OUTCOMES: [&str; 4] = ["continues", "completed", "transferred", "left_school"];

/// Inserts `rows` in statements of `chunk` rows.
async fn insert<A>(app: &TestApp, rows: Vec<A>, chunk: usize)
where
    A: ActiveModelTrait + Clone + Send,
{
    for part in rows.chunks(chunk) {
        <A::Entity as EntityTrait>::insert_many(part.to_vec())
            .exec_without_returning(&app.db)
            .await
            .expect("insert");
    }
}

/// The peak resident memory of this process in KiB since the last reset.
fn peak_kib() -> u64 {
    crate::status_kib("VmHWM")
}

/// Resets the peak (Linux: writing 5 to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub async fn run(app: &TestApp, n: usize) {
    let started = Instant::now();
    let w = seed::world(&app.db).await;
    let now = Utc::now();
    let director = seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await;
    seed::user(&app.db, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await;
    let mut schools = Vec::new();
    let mut municipalities = Vec::new();
    for m in 0..MUNICIPALITIES {
        let muni = orgs::insert(
            &app.db,
            OrgKind::Municipality,
            Some(w.agency.id),
            &format!("Novads {m:02}"),
            None,
            false,
            now,
        )
        .await
        .expect("municipality");
        for s in 0..SCHOOLS_EACH {
            let name = format!("Novada {m:02} skola {s}");
            schools.push(
                orgs::insert(&app.db, OrgKind::School, Some(muni.id), &name, None, false, now)
                    .await
                    .expect("school")
                    .id,
            );
        }
        let coordinator = seed::user(&app.db, &format!("coord{m}@example.lv"), Role::Coordinator, muni.id).await;
        municipalities.push((muni.id, seed::actor(&app.db, &coordinator).await));
    }
    for v in 0..VOCATIONAL {
        let name = format!("Tehnikums {v:02}");
        schools.push(
            orgs::insert(&app.db, OrgKind::School, Some(w.agency.id), &name, None, true, now)
                .await
                .expect("vocational")
                .id,
        );
    }
    let mut semesters = Vec::new();
    for year in 2021..2027 {
        for half in 1..=2_i16 {
            let (from, to) = if half == 1 {
                (
                    NaiveDate::from_ymd_opt(year, 9, 1),
                    NaiveDate::from_ymd_opt(year + 1, 1, 31),
                )
            } else {
                (
                    NaiveDate::from_ymd_opt(year + 1, 2, 1),
                    NaiveDate::from_ymd_opt(year + 1, 6, 30),
                )
            };
            let dates = (from.expect("date"), to.expect("date"));
            semesters.push(
                plans::create_semester(&app.db, year, half, dates, Eur::from_cents(50_000), now)
                    .await
                    .expect("semester"),
            );
        }
    }
    let risks: Vec<i32> = risk::Entity::find()
        .all(&app.db)
        .await
        .expect("risks")
        .iter()
        .map(|r| r.id)
        .collect();
    let by = director.id;

    // Every pupil has two plans, one in each half of the six years; most plans hold a risk, a
    // consultation with two sessions, a compensation with an expense and an evaluation.
    let pupils = n.div_ceil(2);
    let id = |i: usize| i32::try_from(i + 1).expect("id");
    let school_of = |p: usize| schools[p % schools.len()];
    insert(
        app,
        (0..pupils)
            .map(|p| pupil::ActiveModel {
                id: Set(id(p)),
                school_id: Set(school_of(p)),
                name: Set(format!("Skolēns {p}")),
                class_name: Set("9.a".into()),
                birth_date: Set(NaiveDate::from_ymd_opt(2011, 1, 1).expect("date")),
                created_by: Set(by),
                created_at: Set(now),
            })
            .collect(),
        2_000,
    )
    .await;
    use entities::entity::plan::PlanState;
    // Plans 2..=9 of every 20 have been evaluated.
    let evaluated = |k: usize| (2..=9).contains(&(k % 20));
    let status = |k: usize| match k % 20 {
        0 => PlanState::Draft,
        1 => PlanState::Inactive,
        _ => PlanState::InProgress,
    };
    let mut plan_rows = Vec::new();
    let (mut risk_rows, mut measure_rows, mut link_rows, mut session_rows, mut expense_rows, mut evaluation_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..n {
        let p = k % pupils;
        let semester = semesters[(p % 6) * 2 + k / pupils].id;
        plan_rows.push(plan::ActiveModel {
            id: Set(id(k)),
            pupil_id: Set(id(p)),
            semester_id: Set(semester),
            school_id: Set(school_of(p)),
            status: Set(status(k)),
            approval_step: Set(0),
            consent_at: Set(Some(now)),
            consent_by: Set(Some("Vecāks".into())),
            status_reason: Set(None),
            author_id: Set(by),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        risk_rows.push(plan_risk::ActiveModel {
            id: Set(id(k)),
            plan_id: Set(id(k)),
            risk_id: Set(risks[k % risks.len()]),
            justification: Set("Pamatojums.".into()),
        });
        let talk = k * 2;
        let money = k * 2 + 1;
        let measure =
            |m: usize, kind: MeasureKind, specialist: Option<&str>, category: Option<&str>| plan_measure::ActiveModel {
                id: Set(id(m)),
                plan_id: Set(id(k)),
                kind: Set(kind),
                specialist: Set(specialist.map(str::to_owned)),
                category: Set(category.map(str::to_owned)),
                planned_minutes: Set(specialist.map(|_| 600)),
                planned_cents: Set(category.map(|_| 10_000)),
                note: Set(None),
            };
        if k % 3 != 0 {
            measure_rows.push(measure(talk, MeasureKind::Consultation, Some(SPECIALISTS[k % 4]), None));
            link_rows.push(measure_risk::ActiveModel {
                id: Set(id(talk)),
                measure_id: Set(id(talk)),
                plan_risk_id: Set(id(k)),
            });
            for s in 0..2 {
                session_rows.push(consultation_session::ActiveModel {
                    id: Set(id(talk + s)),
                    measure_id: Set(id(talk)),
                    held_on: Set(NaiveDate::from_ymd_opt(2025, 10, 1).expect("date")),
                    minutes: Set(40 + i32::try_from(k % 30).expect("minutes")),
                    staff_id: Set(by),
                    remote: Set(false),
                    pupil_confirmed: Set(true),
                    created_at: Set(now),
                });
            }
        }
        if k % 3 != 1 {
            measure_rows.push(measure(money, MeasureKind::Compensation, None, Some(CATEGORIES[k % 4])));
            link_rows.push(measure_risk::ActiveModel {
                id: Set(id(money)),
                measure_id: Set(id(money)),
                plan_risk_id: Set(id(k)),
            });
            expense_rows.push(expense::ActiveModel {
                id: Set(id(k)),
                measure_id: Set(id(money)),
                plan_id: Set(id(k)),
                amount_cents: Set(1_000 + i64::try_from(k % 5_000).expect("cents")),
                spent_on: Set(NaiveDate::from_ymd_opt(2025, 10, 1).expect("date")),
                status: Set([
                    ExpenseState::Approved,
                    ExpenseState::Paid,
                    ExpenseState::Paid,
                    ExpenseState::Unpaid,
                ][k % 4]),
                created_by: Set(by),
                created_at: Set(now),
                ..Default::default()
            });
        }
        if evaluated(k) {
            evaluation_rows.push(evaluation::ActiveModel {
                id: Set(id(k)),
                plan_id: Set(id(k)),
                measure_id: Set(None),
                text: Set("Izvērtējums.".into()),
                result: Set("reduced".into()),
                outcome: Set(Some(OUTCOMES[k % 4].into())),
                evaluated_by: Set(by),
                at: Set(now),
            });
        }
    }
    let rows = plan_rows.len()
        + risk_rows.len()
        + measure_rows.len()
        + link_rows.len()
        + session_rows.len()
        + expense_rows.len()
        + evaluation_rows.len();
    insert(app, plan_rows, 1_000).await;
    insert(app, risk_rows, 2_000).await;
    insert(app, measure_rows, 1_000).await;
    insert(app, link_rows, 3_000).await;
    insert(app, session_rows, 1_000).await;
    insert(app, expense_rows, 1_000).await;
    insert(app, evaluation_rows, 1_000).await;
    insert(
        app,
        schools
            .iter()
            .flat_map(|school| {
                semesters.iter().map(move |s| indirect_hours::ActiveModel {
                    school_id: Set(*school),
                    semester_id: Set(s.id),
                    staff_role: Set("class_teacher".into()),
                    minutes: Set(120),
                    recorded_by: Set(by),
                    created_at: Set(now),
                    ..Default::default()
                })
            })
            .collect(),
        1_000,
    )
    .await;
    // A call per municipality and semester with ten applications, four of them funded.
    let mut calls = 0;
    for (muni, coordinator) in &municipalities {
        for s in &semesters {
            let c = seed::open_call(&app.db, coordinator, *muni, now + chrono::Duration::days(3)).await;
            let closes = Utc
                .from_local_datetime(&s.starts_on.and_hms_opt(12, 0, 0).expect("time"))
                .single()
                .expect("time")
                + chrono::Duration::days(30);
            let mut active: call::ActiveModel = c.clone().into();
            active.closes_at = Set(closes);
            active.update(&app.db).await.expect("call");
            seed::bulk_submitted(&app.db, &c, &w.ngo, by, c.id * 100, 10).await;
            calls += 1;
        }
    }
    let applications: Vec<(i32, i32)> = {
        use entities::entity::application;
        use sea_orm::QuerySelect;
        application::Entity::find()
            .select_only()
            .columns([application::Column::Id, application::Column::CallId])
            .into_tuple()
            .all(&app.db)
            .await
            .expect("applications")
    };
    insert(
        app,
        applications
            .iter()
            .enumerate()
            .map(|(i, (application, call))| award::ActiveModel {
                call_id: Set(*call),
                application_id: Set(*application),
                rank: Set(i32::try_from(i % 10).expect("rank") + 1),
                outcome: Set(if i % 10 < 4 {
                    AwardOutcome::Funded
                } else {
                    AwardOutcome::NotFunded
                }),
                amount_cents: Set(if i % 10 < 4 { 100_000 } else { 0 }),
                reserve_position: Set(None),
                ..Default::default()
            })
            .collect(),
        1_000,
    )
    .await;
    // A database in service has its planner statistics; a freshly loaded one gets them now.
    {
        use sea_orm::ConnectionTrait;
        app.db.execute_unprepared("ANALYZE").await.expect("analyze");
    }
    println!(
        "data: {n} plans of {pupils} pupils in {} schools over {} semesters, {rows} plan rows in all, {calls} calls with {} applications; made in {:.1} s",
        schools.len(),
        semesters.len(),
        applications.len(),
        started.elapsed().as_secs_f64()
    );

    // The model's parts, one at a time, at state level for the newest semester.
    {
        use entities::stats::{self, Period, Scope};
        let period = Period::Semester(semesters.last().expect("semester").id);
        let ids: Vec<i32> = semesters.iter().map(|s| s.id).collect();
        macro_rules! timed {
            ($label:expr, $body:expr) => {{
                let mut times = Vec::new();
                for _ in 0..10 {
                    let start = Instant::now();
                    $body;
                    times.push(start.elapsed());
                }
                report($label, times);
            }};
        }
        timed!(
            "model: indicators",
            stats::indicators(&app.db, Scope::State, period)
                .await
                .expect("indicators")
        );
        timed!(
            "model: trend, 12 semesters",
            stats::trend(&app.db, Scope::State, &ids).await.expect("trend")
        );
        timed!(
            "model: breakdown",
            stats::breakdown(&app.db, Scope::State, period)
                .await
                .expect("breakdown")
        );
        timed!("model: grants", {
            let days = stats::days(&semesters, period).expect("days");
            stats::grants(&app.db, Scope::State, days).await.expect("grants")
        });
    }
    let reviewer = app.browser();
    reviewer.login("reviewer@example.lv", seed::PASSWORD).await;
    let newest = semesters.last().expect("semester").id;
    let first = reviewer.get(&format!("/stats?level=state&semester={newest}")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.contains("Pa pašvaldībām"), "the breakdown is shown");
    let token = {
        let admin = seed::actor(
            &app.db,
            &seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await,
        )
        .await;
        entities::api_tokens::issue(&app.db, &admin, "bench", Some(w.agency.id), now)
            .await
            .expect("token")
            .1
    };
    let client = reqwest::Client::new();
    let samples = 20;
    let cases: [(&str, String); 6] = [
        ("state page, semester", format!("/stats?level=state&semester={newest}")),
        ("state page, school year", "/stats?level=state&year=2026".to_owned()),
        (
            "municipality page",
            format!(
                "/stats?level=municipality&org={}&semester={newest}",
                municipalities[0].0
            ),
        ),
        (
            "state CSV, one table",
            format!("/stats.csv?level=state&semester={newest}&table=parts"),
        ),
        (
            "state XLSX, all tables",
            format!("/stats.xlsx?level=state&semester={newest}"),
        ),
        ("state API JSON", format!("/api/v1/stats?level=state&semester={newest}")),
    ];
    for (label, path) in &cases {
        let fetch = async || {
            if path.starts_with("/api/") {
                let r = client
                    .get(format!("{}{path}", app.base))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("GET");
                let status = r.status().as_u16();
                r.bytes().await.expect("body");
                status
            } else {
                reviewer.download(path).await.0
            }
        };
        let (statements, status) = app.count_statements(fetch()).await;
        assert_eq!(status, 200, "{path}");
        let mut times = Vec::new();
        for _ in 0..samples {
            let start = Instant::now();
            assert_eq!(fetch().await, 200, "{path}");
            times.push(start.elapsed());
        }
        report(label, times);
        println!("{:<28} {statements} SQL statements per request", "");
    }
    // Memory while exporting: the peak resident size of the whole process (data, server and
    // client) is reset, then 20 XLSX and 20 CSV exports are made.
    let before = peak_kib();
    reset_peak();
    let baseline = peak_kib();
    for _ in 0..samples {
        reviewer.download(&cases[4].1).await;
        reviewer.download(&cases[3].1).await;
    }
    let during = peak_kib();
    println!(
        "peak RSS: {} MiB while making the data; reset to the resident {} MiB; {} MiB at most during 40 exports",
        before / 1024,
        baseline / 1024,
        during / 1024
    );
}
