//! Statistics of the support plans: the indicators of a hand-made data set, worked out by hand,
//! at school, municipality and state level; the state is the sum of its municipalities and the
//! state vocational schools; small groups are withheld above the school.

use chrono::{NaiveDate, Utc};
use entities::domain::Role;
use entities::money::Eur;
use entities::plans::{self, Request, Session};
use entities::policy::Actor;
use entities::stats::{self, Indicators, Period, Scope};
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
    plans::record_consent(&app.db, director, p.id, "Vecāks", Utc::now())
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

both_backends!(
    async fn the_indicators_of_a_hand_made_data_set_match_the_figures_worked_out_by_hand(app) {
        let w = seed::world(&app.db).await;
        let semester = plans::create_semester(&app.db, 2026, 1, (NaiveDate::from_ymd_opt(2026, 9, 1).expect("d"), NaiveDate::from_ymd_opt(2026, 12, 31).expect("d")), Eur::from_cents(50_000), Utc::now())
            .await
            .expect("semester")
            .id;
        let reviewer = actor(app, "reviewer@example.lv", Role::StateReviewer, w.agency.id).await;
        let (dir_a, coord_a) = (actor(app, "a@example.lv", Role::Director, w.school_a.id).await, actor(app, "ca@example.lv", Role::Coordinator, w.muni_a.id).await);
        let (dir_b, coord_b) = (actor(app, "b@example.lv", Role::Director, w.school_b.id).await, actor(app, "cb@example.lv", Role::Coordinator, w.muni_b.id).await);
        let dir_v = actor(app, "v@example.lv", Role::Director, w.vocational.id).await;
        let chain_a = [&coord_a, &reviewer];
        let a = |holds| plan(app, semester, &dir_a, &chain_a, w.school_a.id, holds);
        // School A: five pupils counted (P1–P5), a draft and an inactive plan not counted.
        a(Holds { consultation: Some(("psychologist", &[45, 40])), compensation: Some(("public_transport", &[3_000])), outcome: Some("continues"), ..Default::default() }).await;
        a(Holds { consultation: Some(("social_pedagogue", &[60])), outcome: Some("completed"), ..Default::default() }).await;
        // Six approved pupils at most × 500 € = 3 000 € of ceiling at the time; 3 000 € more does not fit.
        a(Holds { compensation: Some(("meals", &[2_000, 300_000])), ..Default::default() }).await;
        a(Holds { consultation: Some(("psychologist", &[])), compensation: Some(("meals", &[])), outcome: Some("transferred"), ..Default::default() }).await;
        a(Holds { consultation: Some(("psychologist", &[30])), outcome: Some("left_school"), ..Default::default() }).await;
        a(Holds { consultation: Some(("psychologist", &[])), not_counted: Some(Request::SendForApproval), ..Default::default() }).await;
        a(Holds { consultation: Some(("psychologist", &[])), not_counted: Some(Request::Deactivate), ..Default::default() }).await;
        plans::record_indirect_hours(&app.db, &dir_a, w.school_a.id, semester, ("class_teacher", 120), Utc::now()).await.expect("hours");
        // School B (another municipality): one pupil. The vocational school: one pupil.
        plan(app, semester, &dir_b, &[&coord_b, &reviewer], w.school_b.id, Holds { consultation: Some(("psychologist", &[50])), ..Default::default() }).await;
        plan(app, semester, &dir_v, &[&reviewer], w.vocational.id, Holds { compensation: Some(("public_transport", &[1_000])), outcome: Some("continues"), ..Default::default() }).await;

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

        // Small groups are withheld above the school; the school sees its own figures.
        let muni_b = &parts[1];
        assert!(muni_b.withheld(false), "one pupil in the municipality");
        assert_eq!(muni_b.pupils_shown(false, muni_b.pupils), None);
        assert_eq!(state.pupils_shown(false, state.pupils), Some(7));
        assert_eq!(state.pupils_shown(false, 2), None, "a group of two pupils");
        assert_eq!(state.pupils_shown(false, 0), Some(0));
        assert_eq!(school_a.pupils_shown(true, 1), Some(1), "inside the school");

        // The pages: the school sees its own small groups; the state's small groups are
        // withheld; a municipality of one pupil shows nothing; nobody sees another's scope.
        let browser = |email: &'static str| async move {
            let b = app.browser();
            b.login(email, seed::PASSWORD).await;
            b
        };
        let director = browser("a@example.lv").await;
        let page = director.get("/stats").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.text("p.org-name strong"), "Ogres 1. vidusskola");
        let rows = |page: &pumpurs_tests::browser::Page| -> Vec<(String, String)> {
            page.texts("tbody th").into_iter().zip(page.texts("tbody td")).collect()
        };
        let shown = rows(&page);
        assert!(shown.contains(&("tikai konsultācijas".to_owned(), "2 (40 %)".to_owned())), "{shown:?}");
        assert!(shown.contains(&("pārgāja uz citu skolu".to_owned(), "1".to_owned())), "inside the school: {shown:?}");
        assert!(shown.contains(&("Psihologs".to_owned(), "1,9 h".to_owned())), "{shown:?}");
        assert_eq!(page.attrs("svg.chart", "role").len(), 4, "a chart per breakdown, each an image with a text title");

        // The CSV holds exactly the page's figures.
        let csv_href = page.attrs("a.button", "href").into_iter().find(|h| h.starts_with("/stats.csv")).expect("csv link");
        let (status, _, bytes) = director.download(&csv_href).await;
        assert_eq!(status, 200);
        let text = String::from_utf8(bytes).expect("utf-8");
        let from_csv: Vec<(String, String)> = text
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(|line| {
                let cells: Vec<String> = line
                    .split(';')
                    .map(|c| c.trim_matches('"').split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect();
                (cells[1].clone(), cells[2].clone())
            })
            .collect();
        assert_eq!(from_csv, shown, "the export matches the page");

        let reviewer_page = browser("reviewer@example.lv").await.get("/stats").await;
        let state_rows = rows(&reviewer_page);
        assert!(state_rows.contains(&("Plāni".to_owned(), "7".to_owned())), "{state_rows:?}");
        assert!(state_rows.contains(&("pārgāja uz citu skolu".to_owned(), "nerāda (< 5)".to_owned())), "one pupil is withheld: {state_rows:?}");
        assert!(!reviewer_page.contains("Skolēns"), "no names");
        let coordinator_b = browser("cb@example.lv").await;
        assert_eq!(coordinator_b.get("/stats").await.text("#withheld"), "Šeit ir mazāk nekā 5 skolēni, tāpēc skaitļus nerādām.");
        assert_eq!(coordinator_b.get(&format!("/stats?level=school&org={}", w.school_a.id)).await.status, 404);
        assert_eq!(coordinator_b.get("/stats?level=state").await.status, 404);
        assert_eq!(director.get(&format!("/stats?level=municipality&org={}", w.muni_a.id)).await.status, 404);
    }
);
