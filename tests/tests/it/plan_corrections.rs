//! Corrections of a plan while it is a draft (or under revision): a risk's justification
//! corrected, a measure's hours and risks corrected, each refused with its message when wrong;
//! a risk that a measure addresses alone is not removed; a measure removed behind its box;
//! every change audited with ids only; an approved plan shows no corrections and refuses them;
//! another school's director gets "not found".

use chrono::Utc;
use entities::domain::Role;
use entities::entity::plan::PlanState;
use entities::entity::{audit_log, measure_risk, plan, plan_measure, plan_risk};
use entities::money::Eur;
use entities::plans;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn audited(app: &TestApp, action: &str) -> Vec<Option<String>> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.details)
        .collect()
}

/// A semester open now (30 days in, 60 to go, 500 € a pupil).
async fn open_semester(app: &TestApp) -> entities::entity::semester::Model {
    let today = Utc::now().date_naive();
    plans::create_semester(
        &app.db,
        2026,
        1,
        (today - chrono::Duration::days(30), today + chrono::Duration::days(60)),
        Eur::from_cents(50_000),
        Utc::now(),
    )
    .await
    .expect("semester")
}

/// The director of school A ("dir@example.lv") and a pupil of the school they registered.
async fn director_and_pupil(
    app: &TestApp,
    w: &seed::World,
) -> (entities::policy::Actor, entities::entity::pupil::Model) {
    seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await;
    let actor = seed::actor_of(&app.db, "dir@example.lv").await;
    let kid = plans::register_pupil(
        &app.db,
        &actor,
        w.school_a.id,
        (
            "Pēteris Kalns",
            "7.a",
            chrono::NaiveDate::from_ymd_opt(2012, 1, 2).expect("date"),
        ),
        Utc::now(),
    )
    .await
    .expect("pupil");
    (actor, kid)
}

async fn links_of(app: &TestApp, measure: i32) -> Vec<i32> {
    let mut ids: Vec<i32> = measure_risk::Entity::find()
        .filter(measure_risk::Column::MeasureId.eq(measure))
        .all(&app.db)
        .await
        .expect("links")
        .into_iter()
        .map(|l| l.plan_risk_id)
        .collect();
    ids.sort_unstable();
    ids
}

both_backends!(
    async fn a_draft_plans_risks_and_measures_are_corrected_and_removed_with_an_audit(app) {
        let w = seed::world(&app.db).await;
        let s = open_semester(app).await;
        let (actor, kid) = director_and_pupil(app, &w).await;
        let p = plans::start_plan(&app.db, &actor, kid.id, s.id, Utc::now()).await.expect("plan");
        let absences = plans::add_risk(&app.db, &actor, p.id, seed::risk(&app.db, "absences").await.id, "12 kavētas dienas.").await.expect("risk");
        let results = plans::add_risk(&app.db, &actor, p.id, seed::risk(&app.db, "low_results").await.id, "Vērtējumi zem 4.").await.expect("risk");
        let talk = plans::add_consultation(&app.db, &actor, p.id, "psychologist", 360, &[absences.id]).await.expect("consultation");
        let bus = plans::add_compensation(&app.db, &actor, p.id, "public_transport", Eur::from_cents(12_000), &[results.id]).await.expect("compensation");

        let b = app.browser();
        b.login("dir@example.lv", seed::PASSWORD).await;
        let path = format!("/plans/{}", p.id);
        let page = b.get(&path).await;
        assert_eq!(page.texts("#plan-risks details.correct summary").len(), 2);
        let justification = format!("justification-r{}", absences.id);
        assert_eq!(page.text(&format!("#{justification}")), "12 kavētas dienas.", "the correction starts from what is written");
        assert_eq!(page.attrs(&format!("#hours-x{}", talk.id), "value"), vec!["6"], "{}", page.body);

        // A risk's justification: empty refused at its field, then corrected.
        let risk_path = format!("{path}/risks/{}", absences.id);
        let empty = b.submit(&page, &risk_path, &[("justification", " ")]).await;
        assert_eq!((empty.status, empty.field_error(&justification).as_str()), (422, "Šis lauks ir obligāts."));
        let done = b.submit(&page, &risk_path, &[("justification", "14 kavētas dienas oktobrī.")]).await;
        assert_eq!(done.text(".flash"), "Riska pamatojums labots.");
        let stored = plan_risk::Entity::find_by_id(absences.id).one(&app.db).await.expect("read").expect("risk");
        assert_eq!(stored.justification, "14 kavētas dienas oktobrī.");
        assert_eq!(audited(app, "plan_risk_edit").await, vec![Some(format!("risk {}", absences.id))]);

        // The consultation addresses the absences alone: that risk cannot go yet.
        let remove_absences = format!("{path}/risks/{}/remove", absences.id);
        let refused = b.submit(&done, &remove_absences, &[("confirm", "yes")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.text(".error-summary").contains("pasākums risina tikai to"), "{}", refused.body);
        assert!(plan_risk::Entity::find_by_id(absences.id).one(&app.db).await.expect("read").is_some());

        // The consultation corrected: wrong hours and no risk refused at their fields; then 10 h
        // against both risks.
        let measure_path = format!("{path}/measures/{}", talk.id);
        let wrong = b.submit(&done, &measure_path, &[("specialist", "psychologist"), ("hours", "daudz")]).await;
        assert_eq!(wrong.status, 422);
        assert_eq!(wrong.field_error(&format!("hours-x{}", talk.id)), "Norādiet stundas (skaitlis, lielāks par nulli, piemēram, 1,5).");
        let no_risk = b.submit(&done, &measure_path, &[("specialist", "psychologist"), ("hours", "10")]).await;
        assert!(!no_risk.field_error(&format!("risks-x{}", talk.id)).is_empty(), "{}", no_risk.body);
        let corrected = b.submit(&done, &measure_path, &[("specialist", "social_pedagogue"), ("hours", "10"), ("risk", &absences.id.to_string()), ("risk", &results.id.to_string())]).await;
        assert_eq!(corrected.text(".flash"), "Pasākums labots.", "{}", corrected.body);
        let stored = plan_measure::Entity::find_by_id(talk.id).one(&app.db).await.expect("read").expect("measure");
        assert_eq!((stored.specialist.as_deref(), stored.planned_minutes), (Some("social_pedagogue"), Some(600)));
        assert_eq!(links_of(app, talk.id).await, { let mut v = vec![absences.id, results.id]; v.sort_unstable(); v });

        // Now the absences go, and out of the consultation's risks with them.
        let removed = b.submit(&corrected, &remove_absences, &[("confirm", "yes")]).await;
        assert_eq!(removed.text(".flash"), "Risks noņemts.");
        assert_eq!(links_of(app, talk.id).await, vec![results.id]);
        assert_eq!(audited(app, "plan_risk_remove").await.len(), 1);

        // A measure is removed only with its box ticked.
        let remove_bus = format!("{path}/measures/{}/remove", bus.id);
        assert_eq!(b.submit(&removed, &remove_bus, &[]).await.status, 400);
        let gone = b.submit(&removed, &remove_bus, &[("confirm", "yes")]).await;
        assert_eq!(gone.text(".flash"), "Pasākums noņemts.");
        assert!(plan_measure::Entity::find_by_id(bus.id).one(&app.db).await.expect("read").is_none());
        assert_eq!(audited(app, "plan_measure_remove").await, vec![Some(format!("measure {}", bus.id))]);
        assert_eq!(audited(app, "plan_measure_edit").await.len(), 1);
        for details in audited(app, "plan_risk_edit").await.into_iter().chain(audited(app, "plan_measure_edit").await) {
            assert!(!details.unwrap_or_default().contains("Kalns"), "no names in the audit");
        }

        // Another school's director: not found.
        let other = app.browser();
        seed::user(&app.db, "dir-b@example.lv", Role::Director, w.school_b.id).await;
        let home = other.login("dir-b@example.lv", seed::PASSWORD).await;
        let csrf = home.csrf();
        assert_eq!(other.post(&measure_path, &[("_csrf", &csrf), ("specialist", "psychologist"), ("hours", "2"), ("risk", &results.id.to_string())]).await.status, 404);

        // An approved plan is changed only through revision: no corrections shown, none taken.
        let mut approved: plan::ActiveModel = plan::Entity::find_by_id(p.id).one(&app.db).await.expect("read").expect("plan").into();
        approved.status = Set(PlanState::Approved);
        approved.update(&app.db).await.expect("approve");
        let page = b.get(&path).await;
        assert!(page.texts("details.correct").is_empty(), "{}", page.body);
        let late = b.post(&measure_path, &[("_csrf", &page.csrf()), ("specialist", "psychologist"), ("hours", "2"), ("risk", &results.id.to_string())]).await;
        assert_eq!(late.status, 422);
        assert!(late.text(".error-summary").contains("Plānu var mainīt tikai"), "{}", late.body);
        assert_eq!(plan_measure::Entity::find_by_id(talk.id).one(&app.db).await.expect("read").expect("measure").planned_minutes, Some(600));
    }
);

both_backends!(
    async fn a_plan_and_its_consent_form_print_without_controls_and_download_as_pdf(app) {
        let w = seed::world(&app.db).await;
        let s = open_semester(app).await;
        let (actor, kid) = director_and_pupil(app, &w).await;
        let p = plans::start_plan(&app.db, &actor, kid.id, s.id, Utc::now()).await.expect("plan");
        let absences = plans::add_risk(&app.db, &actor, p.id, seed::risk(&app.db, "absences").await.id, "12 kavetas dienas.").await.expect("risk");
        plans::add_consultation(&app.db, &actor, p.id, "psychologist", 360, &[absences.id]).await.expect("consultation");
        plans::add_compensation(&app.db, &actor, p.id, "public_transport", Eur::from_cents(12_000), &[absences.id]).await.expect("compensation");

        let b = app.browser();
        b.login("dir@example.lv", seed::PASSWORD).await;
        let path = format!("/plans/{}", p.id);
        let page = b.get(&path).await;
        for link in [format!("{path}/print"), format!("{path}/consent-form")] {
            assert!(!page.attrs(&format!("a[href=\"{link}\"]"), "href").is_empty(), "{link} linked from the plan");
        }
        let controls = |page: &pumpurs_tests::Page| page.html().select(&scraper::Selector::parse("main form, main input, main select, main textarea, main button").expect("css")).count();

        let printed = b.get(&format!("{path}/print")).await;
        assert_eq!(printed.status, 200);
        assert_eq!(controls(&printed), 0, "no form controls: {}", printed.body);
        let fields = printed.texts("article.document dd");
        for expected in ["Ogres 1. vidusskola", "Pēteris Kalns", "7.a", "12 kavetas dienas."] {
            assert!(fields.iter().any(|f| f == expected), "{expected} in {fields:?}");
        }
        assert_eq!(printed.texts("article.document tbody tr").len(), 3, "two measures and the total");
        let cells = printed.texts("article.document tbody td");
        assert!(cells.contains(&"6,0".to_owned()) && cells.contains(&"120,00 €".to_owned()), "{cells:?}");
        let signatures = printed.texts(".signature span:last-child");
        assert_eq!(signatures[..3], ["Vecāks (aizbildnis) vai pilngadīgais skolēns".to_owned(), "Plāna autors User dir@example.lv".to_owned(), "Direktors User dir@example.lv".to_owned()]);
        assert_eq!(printed.text(".running"), format!("Atbalsta plāns Nr. {} · Pēteris Kalns", p.id));

        let form = b.get(&format!("{path}/consent-form")).await;
        assert_eq!((form.status, controls(&form)), (200, 0));
        assert!(form.text("article.document").contains("Lūdzu iekļaut Pēteris Kalns"), "{}", form.body);

        for (pdf_path, name) in [(format!("{path}/plan.pdf"), "atbalsta-plans"), (format!("{path}/consent-form.pdf"), "iesniegums")] {
            let (status, headers, bytes) = b.download(&pdf_path).await;
            assert_eq!((status, headers["content-type"].to_str().ok()), (200, Some("application/pdf")));
            assert!(headers["content-disposition"].to_str().unwrap_or("").contains(&format!("{name}-{}.pdf", p.id)));
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let pages: Vec<&str> = text.split(">>\nstream\n").skip(1).collect();
            assert!(!pages.is_empty());
            for page in pages {
                assert!(page.contains(&format!("Nr. {} \\267 P", p.id)), "the plan's number on every page");
            }
            assert!(text.contains("Ogres 1. vidusskola"));
        }

        // The school's documents: another school's director and the municipality's approver get
        // "not found".
        for (email, role, org) in [("dir-b@example.lv", Role::Director, w.school_b.id), ("coord@example.lv", Role::Coordinator, w.muni_a.id)] {
            seed::user(&app.db, email, role, org).await;
            let other = app.browser();
            other.login(email, seed::PASSWORD).await;
            assert_eq!(other.get(&format!("{path}/print")).await.status, 404, "{email}");
            assert_eq!(other.download(&format!("{path}/consent-form.pdf")).await.0, 404, "{email}");
        }
    }
);

both_backends!(
    async fn a_plan_is_carried_into_the_next_semester_as_a_new_draft_and_the_old_one_stays(app) {
        let w = seed::world(&app.db).await;
        let today = Utc::now().date_naive();
        let autumn = plans::create_semester(&app.db, 2026, 1, (today - chrono::Duration::days(120), today - chrono::Duration::days(1)), Eur::from_cents(50_000), Utc::now()).await.expect("semester");
        let spring = plans::create_semester(&app.db, 2026, 2, (today, today + chrono::Duration::days(120)), Eur::from_cents(50_000), Utc::now()).await.expect("semester");
        let (actor, kid) = director_and_pupil(app, &w).await;
        let p = plans::start_plan(&app.db, &actor, kid.id, autumn.id, Utc::now()).await.expect("plan");
        let absences = plans::add_risk(&app.db, &actor, p.id, seed::risk(&app.db, "absences").await.id, "12 kavētas dienas.").await.expect("risk");
        let results = plans::add_risk(&app.db, &actor, p.id, seed::risk(&app.db, "low_results").await.id, "Vērtējumi zem 4.").await.expect("risk");
        plans::add_consultation(&app.db, &actor, p.id, "psychologist", 360, &[absences.id, results.id]).await.expect("consultation");
        plans::add_compensation(&app.db, &actor, p.id, "public_transport", Eur::from_cents(12_000), &[results.id]).await.expect("compensation");
        plans::add_supervision(&app.db, &actor, p.id, 120).await.expect("supervision");
        plans::record_consent(&app.db, &actor, p.id, "Māte", seed::evidence(), Utc::now()).await.expect("consent");
        let mut running: plan::ActiveModel = plan::Entity::find_by_id(p.id).one(&app.db).await.expect("read").expect("plan").into();
        running.status = Set(PlanState::InProgress);
        running.update(&app.db).await.expect("in progress");

        let b = app.browser();
        b.login("dir@example.lv", seed::PASSWORD).await;
        let path = format!("/plans/{}", p.id);
        let page = b.get(&path).await;
        assert_eq!(page.attrs("#carry select option", "value"), vec![spring.id.to_string()], "only the open semester without a plan");
        let carried = b.submit(&page, &format!("{path}/carry"), &[("carry_semester", &spring.id.to_string())]).await;
        assert!(carried.text(".flash").starts_with("Plāns pārnests"), "{}", carried.body);
        let new_id: i32 = carried.path.trim_start_matches("/plans/").parse().expect("the new plan's page");
        assert_ne!(new_id, p.id);
        assert_eq!(carried.attrs(&format!("a[href=\"{path}\"]"), "href").len(), 1, "it says where it came from");
        assert!(carried.text(".notice").contains("augšupielādēts"), "a fresh consent is needed");

        let new = plan::Entity::find_by_id(new_id).one(&app.db).await.expect("read").expect("plan");
        assert_eq!((new.semester_id, new.status, new.consent_at, new.carried_from_id), (spring.id, PlanState::Draft, None, Some(p.id)));
        let risks = plan_risk::Entity::find().filter(plan_risk::Column::PlanId.eq(new_id)).order_by_asc(plan_risk::Column::Id).all(&app.db).await.expect("risks");
        assert_eq!(risks.iter().map(|r| r.justification.as_str()).collect::<Vec<_>>(), vec!["12 kavētas dienas.", "Vērtējumi zem 4."]);
        let measures = plan_measure::Entity::find().filter(plan_measure::Column::PlanId.eq(new_id)).order_by_asc(plan_measure::Column::Id).all(&app.db).await.expect("measures");
        assert_eq!(measures.iter().map(|m| (m.planned_minutes, m.planned_cents)).collect::<Vec<_>>(), vec![(Some(360), None), (None, Some(12_000)), (Some(120), None)]);
        let mut both: Vec<i32> = risks.iter().map(|r| r.id).collect();
        both.sort_unstable();
        assert_eq!(links_of(app, measures[0].id).await, both, "the consultation addresses the new plan's risks");
        assert_eq!(links_of(app, measures[1].id).await, vec![risks[1].id]);

        // The earlier plan and its history stay.
        let old = plan::Entity::find_by_id(p.id).one(&app.db).await.expect("read").expect("plan");
        assert_eq!((old.status, old.consent_by.as_deref()), (PlanState::InProgress, Some("Māte")));
        assert_eq!(plan_risk::Entity::find().filter(plan_risk::Column::PlanId.eq(p.id)).all(&app.db).await.expect("risks").len(), 2);
        assert_eq!(audited(app, "plan_carry").await, vec![Some(format!("from plan {}", p.id))]);

        // Not twice into the same semester.
        let csrf = page.csrf();
        let twice = b.post(&format!("{path}/carry"), &[("_csrf", &csrf), ("carry_semester", &spring.id.to_string())]).await;
        assert_eq!(twice.status, 422);
        assert_eq!(twice.texts(".error-summary li"), vec!["Šim skolēnam šajā semestrī plāns jau ir."]);
        assert_eq!(twice.attrs(".error-summary a", "href"), vec!["#plan-status"]);
        assert_eq!(plan::Entity::find().filter(plan::Column::PupilId.eq(kid.id)).all(&app.db).await.expect("plans").len(), 2);
    }
);

both_backends!(
    async fn the_funding_page_forecasts_the_ceiling_from_the_approved_plans(app) {
        use entities::entity::plan_approval::{self, ApprovalLevel, Decision};
        let w = seed::world(&app.db).await;
        let s = open_semester(app).await;
        seed::user(&app.db, "dir@example.lv", Role::Director, w.school_a.id).await;
        let actor = seed::actor_of(&app.db, "dir@example.lv").await;
        let born = chrono::NaiveDate::from_ymd_opt(2012, 1, 2).expect("date");
        let mut tickets = Vec::new();
        // Two approved plans (a ceiling of 2 × 500 €) planning 300 € and 500 €; a draft planning
        // 900 € that does not count.
        for (i, (cents, approved)) in [(30_000, true), (50_000, true), (90_000, false)].into_iter().enumerate() {
            let kid = plans::register_pupil(&app.db, &actor, w.school_a.id, (&format!("Skolēns {i}"), "7.a", born), Utc::now()).await.expect("pupil");
            let p = plans::start_plan(&app.db, &actor, kid.id, s.id, Utc::now()).await.expect("plan");
            let r = plans::add_risk(&app.db, &actor, p.id, seed::risk(&app.db, "travel_costs").await.id, "Tālu no skolas.").await.expect("risk");
            tickets.push(plans::add_compensation(&app.db, &actor, p.id, "public_transport", Eur::from_cents(cents), &[r.id]).await.expect("compensation"));
            if approved {
                let mut running: plan::ActiveModel = p.clone().into();
                running.status = Set(PlanState::InProgress);
                running.update(&app.db).await.expect("in progress");
                plan_approval::ActiveModel { plan_id: Set(p.id), level: Set(ApprovalLevel::State), decision: Set(Decision::Approved), comment: Set(None), user_id: Set(actor.user.id), at: Set(Utc::now()), ..Default::default() }
                    .insert(&app.db)
                    .await
                    .expect("approved");
            }
        }
        let b = app.browser();
        b.login("dir@example.lv", seed::PASSWORD).await;
        let funding = format!("/schools/{}/funding?semester={}", w.school_a.id, s.id);
        let page = b.get(&funding).await;
        let numbers = page.texts("#funding .number");
        assert_eq!((numbers[0].as_str(), numbers[5].as_str()), ("1 000,00 €", "800,00 €"), "ceiling and planned");
        assert_eq!(page.text("#outlook"), "Apstiprinātie plāni paredz mazāk, nekā atļauj griesti: vēl 200,00 € nav ieplānoti.");
        assert!(page.attrs("#outlook", "class").iter().all(|c| !c.contains("notice")), "no warning yet");

        // The second plan planned more (a revision would do it): 950 € of 1 000 € is tight...
        let set_planned = async |cents: i64| {
            let mut m: plan_measure::ActiveModel = tickets[1].clone().into();
            m.planned_cents = Set(Some(cents));
            m.update(&app.db).await.expect("planned");
        };
        set_planned(65_000).await;
        let page = b.get(&funding).await;
        assert_eq!(page.text("#outlook.notice"), "Uzmanību: apstiprinātie plāni paredz gandrīz visus griestus — neieplānoti palikuši tikai 50,00 €. Jauniem izdevumiem vai plāniem var nepietikt naudas.");
        // ...and 1 100 € is more than the ceiling: said before any expense is refused.
        set_planned(80_000).await;
        let page = b.get(&funding).await;
        assert!(page.text("#outlook.notice").starts_with("Uzmanību: apstiprinātie plāni paredz par 100,00 € vairāk, nekā atļauj griesti."), "{}", page.body);
        assert_eq!(page.attrs("#outlook", "role"), vec!["alert"]);
    }
);
