//! Lists that scale: applications (the coordinator's and the applicant's), pupils with their
//! plans, calls (managed, open, past), the approval queue and the failed deliveries are shown 50
//! at a time, searched and sorted in SQL: with 2,000 rows each costs the statements it costs
//! with 120, and its page is no bigger than with 120 (beyond the longer numbers in it).

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::entity::call::{self, CallStatus};
use entities::entity::delivery::{self, DeliveryState};
use entities::entity::plan::{self, PlanState};
use entities::entity::pupil;
use pumpurs_tests::{Browser, TestApp, both_backends, seed};
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// Rows written per statement (under SQLite's limit of bound values).
const CHUNK: usize = 400;

/// What stays fixed while the lists grow.
struct Fixture {
    call: call::Model,
    pupil: pupil::Model,
    plan: plan::Model,
    ngo: entities::entity::organisation::Model,
    member: i32,
}

/// Adds rows to every list from `from` up to `to`: applications of the call, calls (every second
/// one closed), pupils each with a plan waiting for the director, failed deliveries.
async fn grow(app: &TestApp, f: &Fixture, from: usize, to: usize) {
    let n = |i: usize| i32::try_from(i).expect("small");
    for start in (from..to).step_by(CHUNK) {
        let end = (start + CHUNK).min(to);
        seed::bulk_submitted(&app.db, &f.call, &f.ngo, f.member, n(start) + 1, n(end - start)).await;
        call::Entity::insert_many((start..end).map(|i| {
            let mut c: call::ActiveModel = f.call.clone().into();
            c.id = NotSet;
            c.title = Set(format!("Konkurss {i}"));
            if i % 2 == 1 {
                c.status = Set(CallStatus::Closed);
            }
            c
        }))
        .exec(&app.db)
        .await
        .expect("calls");
        pupil::Entity::insert_many((start..end).map(|i| {
            let mut p: pupil::ActiveModel = f.pupil.clone().into();
            p.id = NotSet;
            p.name = Set(format!("Skolēns {i}"));
            p.class_name = Set(format!("{}.a", 5 + i % 8));
            p
        }))
        .exec(&app.db)
        .await
        .expect("pupils");
        let new: Vec<i32> = pupil::Entity::find()
            .filter(pupil::Column::Name.starts_with("Skolēns "))
            .order_by_desc(pupil::Column::Id)
            .all(&app.db)
            .await
            .expect("pupils")
            .into_iter()
            .take(end - start)
            .map(|p| p.id)
            .collect();
        plan::Entity::insert_many(new.into_iter().map(|pupil_id| {
            let mut p: plan::ActiveModel = f.plan.clone().into();
            p.id = NotSet;
            p.pupil_id = Set(pupil_id);
            p.status = Set(PlanState::InApproval);
            p.approval_step = Set(0);
            p
        }))
        .exec(&app.db)
        .await
        .expect("plans");
        delivery::Entity::insert_many((start..end).map(|i| delivery::ActiveModel {
            event_key: Set(format!("confirm_email-{i}")),
            recipient: Set(format!("adresats{i}@example.lv")),
            status: Set(DeliveryState::Failed),
            attempts: Set(entities::outbox::MAX_DELIVERY_ATTEMPTS),
            last_error: Set(Some("550 mailbox unavailable".into())),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }))
        .exec(&app.db)
        .await
        .expect("deliveries");
    }
}

/// Each list page as (who asks, its address, the rows it shows).
fn lists<'a>(
    f: &Fixture,
    who: [&'a Browser; 5],
    school: i32,
    semester: i32,
) -> Vec<(&'a Browser, String, &'static str)> {
    let [coordinator, member, director, admin, anyone] = who;
    vec![
        (
            coordinator,
            format!("/manage/calls/{}/applications", f.call.id),
            "tbody tr",
        ),
        (member, "/applications".to_owned(), "tbody tr"),
        (
            director,
            format!("/schools/{school}/pupils?semester={semester}"),
            "tbody tr",
        ),
        (director, "/plans/approvals".to_owned(), "tbody tr"),
        (coordinator, "/manage/calls".to_owned(), "tbody tr"),
        (anyone, "/calls".to_owned(), "tbody tr"),
        (anyone, "/calls/past".to_owned(), "tbody tr"),
        (admin, "/admin/jobs".to_owned(), "#failed-deliveries ~ table tbody tr"),
    ]
}

both_backends!(
    async fn every_long_list_costs_the_same_with_2000_rows_and_is_searched_sorted_and_paged(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::user(&app.db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
        let director = seed::actor(&app.db, &seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await).await;
        seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(10)).await;
        let today = Utc::now().date_naive();
        let semester = entities::plans::create_semester(&app.db, 2026, 1, (today - Duration::days(30), today + Duration::days(60)), entities::money::Eur::from_cents(50_000), Utc::now()).await.expect("semester");
        let born = chrono::NaiveDate::from_ymd_opt(2012, 1, 2).expect("date");
        let first = entities::plans::register_pupil(&app.db, &director, w.school_a.id, ("Anna Ābele", "6.b", born), Utc::now()).await.expect("pupil");
        let plan = entities::plans::start_plan(&app.db, &director, first.id, semester.id, Utc::now()).await.expect("plan");
        let f = Fixture { call, pupil: first, plan, ngo: w.ngo.clone(), member: member.id };
        grow(app, &f, 0, 120).await;

        let browsers: [Browser; 5] = [app.browser(), app.browser(), app.browser(), app.browser(), app.browser()];
        for (b, who) in browsers.iter().zip(["coord@example.lv", "ngo@example.lv", "dir@example.lv", "admin@example.lv"]) {
            b.login(who, seed::PASSWORD).await;
        }
        let pages = lists(&f, [&browsers[0], &browsers[1], &browsers[2], &browsers[3], &browsers[4]], w.school_a.id, semester.id);
        let mut small = Vec::new();
        for (b, path, rows) in &pages {
            let (statements, page) = app.count_statements(b.get(path)).await;
            assert_eq!(page.status, 200, "{path}");
            assert_eq!(page.texts(rows).len(), 50, "{path} shows a page of 50: {}", page.body);
            assert!(page.attrs("a[rel=next]", "href").first().is_some_and(|h| h.ends_with("page=2")), "{path} links its second page");
            small.push((statements, page.body.len()));
        }

        grow(app, &f, 120, 2_000).await;
        for ((b, path, rows), (statements, size)) in pages.iter().zip(&small) {
            let (now, page) = app.count_statements(b.get(path)).await;
            assert_eq!(page.texts(rows).len(), 50, "{path}");
            assert_eq!(now, *statements, "{path}: the same statements with 2,000 rows as with 120");
            // The same 50 rows; only their numbers are a digit or two longer.
            assert!(page.body.len() <= size + size / 20, "{path}: {} bytes with 2,000 rows, {size} with 120", page.body.len());
            println!("{path}: {now} statements; {size} bytes with 120 rows, {} with 2,000", page.body.len());
        }

        // Searched, sorted and paged in SQL.
        let c = &browsers[0];
        let base = format!("/manage/calls/{}/applications", f.call.id);
        let found = c.get(&format!("{base}?q=rez-2026-1999")).await;
        assert_eq!(found.texts("tbody td:first-child"), vec!["REZ-2026-1999"], "{}", found.body);
        assert!(found.text("p[role=status]").contains("„rez-2026-1999”: 1"), "{}", found.text("p[role=status]"));
        let none = c.get(&format!("{base}?q=%25_nav")).await;
        assert_eq!((none.texts("tbody tr").len(), none.text(".empty")), (0, "Nekas neatbilst meklētajam.".to_owned()), "% and _ taken literally");
        let second = c.get(&format!("{base}?page=2")).await;
        assert_eq!(second.texts("tbody td:first-child")[0], "REZ-2026-051", "page 2 starts after the first 50");
        let wrong = c.get(&format!("{base}?page=abc&sort=nonsense")).await;
        assert_eq!(wrong.texts("tbody td:first-child")[0], "REZ-2026-001", "a wrong page and sort mean the first page in the default order");
        let by_applicant = c.get(&format!("{base}?status=submitted&q=Projekts%20199&sort=title")).await;
        assert_eq!(by_applicant.texts("tbody td:nth-child(2)"), vec!["Projekts 199", "Projekts 1990", "Projekts 1991", "Projekts 1992", "Projekts 1993", "Projekts 1994", "Projekts 1995", "Projekts 1996", "Projekts 1997", "Projekts 1998", "Projekts 1999"]);
        assert!(by_applicant.attrs("a[rel=next]", "href").is_empty(), "one page");
        let kept = c.get(&format!("{base}?status=submitted&q=Projekts&sort=-requested")).await;
        assert!(kept.attrs("a[rel=next]", "href")[0].contains("status=submitted&q=Projekts&sort=-requested&page=2"), "the pager keeps the filter, search and sort");

        let d = &browsers[2];
        let pupils = format!("/schools/{}/pupils?semester={}", w.school_a.id, semester.id);
        let found = d.get(&format!("{pupils}&q=Skolēns%201234")).await;
        assert_eq!(found.texts("tbody td:first-child"), vec!["Skolēns 1234"]);
        let by_name = d.get(&format!("{pupils}&sort=name")).await;
        assert_eq!(by_name.texts("tbody td:first-child")[0], "Anna Ābele");
        let without = d.get(&format!("{pupils}&plan=none")).await;
        assert_eq!(without.text(".empty"), "Nekas neatbilst meklētajam.", "every pupil has a plan");
        let drafts = d.get(&format!("{pupils}&plan=draft")).await;
        assert_eq!(drafts.texts("tbody td:first-child"), vec!["Anna Ābele"]);
        let last = d.get("/plans/approvals?q=ogres&sort=-waiting&page=40").await;
        assert_eq!(last.texts("tbody tr").len(), 50, "the 40th page is the last");
        assert!(last.text("p[role=status]").starts_with("Atbilst meklētajam „ogres”: 2 000."), "{}", last.text("p[role=status]"));
        let past = d.get("/plans/approvals?q=ogres&page=41").await;
        assert_eq!((past.status, past.texts("tbody tr").len()), (200, 0), "past the last page: nothing, no error");
        assert_eq!(d.get("/plans/approvals?q=Cēsu").await.text(".empty"), "Nekas neatbilst meklētajam.", "another school's name finds none");

        let anyone = &browsers[4];
        let calls = anyone.get("/calls?q=konkurss%20100&sort=title").await;
        assert_eq!(calls.texts("tbody td:first-child"), vec!["Konkurss 100", "Konkurss 1000", "Konkurss 1002", "Konkurss 1004", "Konkurss 1006", "Konkurss 1008"]);
        let admin = &browsers[3];
        let jobs = admin.get("/admin/jobs?q=adresats1999@").await;
        assert_eq!(jobs.texts("#failed-deliveries ~ table tbody td:nth-child(2)"), vec!["adresats1999@example.lv"]);
    }
);
