//! The portal as people use it, in a real browser: Debian's Chromium, headless, driven through
//! chromium-driver (`pumpurs_tests::webdriver`) against the application on port 0. Each journey
//! runs 1366 px and 390 px wide (the NGO's also with JavaScript off); every page a step reaches
//! is photographed under `target/journeys/` and checked by axe-core, and a violation of impact
//! "serious" or "critical" fails the journey (the others are listed).
//!
//! Without Chromium, chromium-driver or axe-core (`npm ci --prefix tests/browser`) the journeys
//! say so and pass, unless `PUMPURS_REQUIRE_BROWSER` is set (as `.ci/run` sets it, after
//! installing them).

use std::path::Path;

use chrono::{Duration, Utc};
use entities::domain::Role;
use pumpurs_tests::webdriver::{Finding, Journey, Tools};
use pumpurs_tests::{Backend, TestApp, seed};

fn tools() -> Option<Tools> {
    match Tools::find() {
        Ok(tools) => Some(tools),
        Err(missing) => {
            assert!(
                std::env::var_os("PUMPURS_REQUIRE_BROWSER").is_none(),
                "PUMPURS_REQUIRE_BROWSER is set but {missing}"
            );
            eprintln!("skipped: {missing}");
            None
        }
    }
}

/// Fails on the serious findings of all the journeys, and lists the minor ones (in the output
/// and in `target/journeys/axe-minor-{name}.txt`).
fn judge(name: &str, findings: Vec<(Vec<Finding>, Vec<Finding>)>) {
    let (serious, minor): (Vec<Finding>, Vec<Finding>) =
        findings
            .into_iter()
            .fold((Vec::new(), Vec::new()), |(mut s, mut m), (a, b)| {
                s.extend(a);
                m.extend(b);
                (s, m)
            });
    let mut rules: Vec<String> = minor.iter().map(|f| format!("{} ({})", f.rule, f.impact)).collect();
    rules.sort();
    rules.dedup();
    eprintln!("axe: {} minor or moderate findings: {}", minor.len(), rules.join(", "));
    for f in minor.iter().take(20) {
        eprintln!("  {f}");
    }
    let list: String = minor.iter().map(|f| format!("{f}\n")).collect();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../target/journeys/axe-minor-{name}.txt"));
    std::fs::write(&file, list).expect("the list of minor findings");
    assert!(
        serious.is_empty(),
        "axe found {} serious or critical violations:\n{}",
        serious.len(),
        serious.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

/// The emailed link to `to` that starts with `prefix` (sent by the worker just now).
async fn emailed_link(app: &TestApp, to: &str, prefix: &str) -> String {
    app.work(&app.worker_config()).await;
    let mails = app.mails();
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.contains(&format!("To: {to}")))
        .unwrap_or_else(|| panic!("no email to {to}"));
    let start = mail
        .find(&format!("{}{prefix}", app.base))
        .expect("a link in the email");
    mail[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<' && *c != '"')
        .collect()
}

/// (a) An NGO registers, confirms its address by the emailed link, completes its profile,
/// writes an application with budget lines and a PDF, sees an error, submits and receives the
/// receipt.
async fn ngo_applies(
    app: &TestApp,
    tools: &Tools,
    call: i32,
    width: u32,
    javascript: bool,
) -> (Vec<Finding>, Vec<Finding>) {
    let name = format!("a-ngo-{width}{}", if javascript { "" } else { "-nojs" });
    let email = format!("{name}@example.lv");
    let mut j = Journey::start(tools, &app.base, &name, width, javascript).await;

    j.open("/register", "register").await;
    j.fill("org_name", &format!("Biedrība „Jaunie pumpuri {name}”")).await;
    j.fill("reg_no", "40008123456").await;
    j.fill("name", "Anna Kalniņa").await;
    j.fill("email", &email).await;
    j.fill("password", "ilgaparole-2026").await;
    j.fill("password_confirm", "ilgaparole-2026").await;
    j.press("Reģistrēties", "registered").await;
    assert_eq!(j.text("h1").await, "Pārbaudiet e-pastu");

    let link = emailed_link(app, &email, "/confirm/").await;
    j.driver.goto(&link).await.expect("open the link");
    j.seen("confirm-page").await;
    j.press("Apstiprināt adresi", "confirmed").await;
    assert_eq!(j.text("h1").await, "E-pasts apstiprināts");

    j.open("/login", "login").await;
    j.fill("email", &email).await;
    j.fill("password", "ilgaparole-2026").await;
    j.press_in("main form", "Pieslēgties", "home").await;
    assert!(j.path().await.starts_with("/home"), "{}", j.path().await);

    // The profile: what an application needs.
    let org = {
        use entities::entity::organisation;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        organisation::Entity::find()
            .filter(organisation::Column::Name.eq(format!("Biedrība „Jaunie pumpuri {name}”")))
            .one(&app.db)
            .await
            .expect("query")
            .expect("the registered NGO")
    };
    j.open(&format!("/orgs/{}/profile", org.id), "profile").await;
    j.fill("address", "Brīvības iela 1, Ogre").await;
    j.fill("contact_name", "Anna Kalniņa").await;
    j.fill("contact_email", &email).await;
    j.fill("contact_phone", "+371 2000 0000").await;
    j.press("Saglabāt profilu", "profile-saved").await;
    assert_eq!(j.text(".flash").await, "Profils saglabāts.");

    // The application: two budget lines (focus goes to the new one), a PDF.
    j.open(&format!("/calls/{call}"), "call").await;
    j.press("Sākt pieteikumu", "draft").await;
    for (field, value) in [
        ("title", "Skolas podkāsts"),
        ("summary", "Skolēni veido podkāstu par mācībām."),
        ("target_group", "7.–9. klašu skolēni"),
        ("activities", "Darbnīcas, ieraksti, publicēšana."),
        ("timeline", "2027. gada februāris–maijs"),
        ("requested", "5000"),
        ("cofinancing", "200"),
    ] {
        j.fill(field, value).await;
    }
    for (i, (what, quantity, cost)) in [("Mikrofoni", "4", "150"), ("Montāža", "1", "600,00")]
        .into_iter()
        .enumerate()
    {
        j.press("Pievienot pozīciju", &format!("line-{i}-added")).await;
        if javascript {
            assert_eq!(
                j.focused().await,
                ("line_category".to_owned(), i as i64),
                "focus is on the new line"
            );
        }
        j.fill_nth("line_description", i, what).await;
        j.fill_nth("line_quantity", i, quantity).await;
        j.fill_nth("line_unit_cost", i, cost).await;
    }
    // A line added by mistake and removed: the page opens on the line before it.
    j.press("Pievienot pozīciju", "line-2-added").await;
    j.press_in("table.budget tbody tr:nth-child(3)", "Noņemt", "line-2-removed")
        .await;
    assert_eq!(
        j.find_all_count("select[name=line_category]").await,
        2,
        "the line is gone"
    );
    if javascript {
        assert_eq!(
            j.focused().await,
            ("line_category".to_owned(), 1),
            "focus is on the line before the removed one"
        );
    }
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/journeys")
        .join(format!("{name}-budžets.pdf"));
    std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").expect("a PDF");
    j.attach("file", &pdf).await;
    j.press("Augšupielādēt", "uploaded").await;
    assert_eq!(j.text(".flash").await, "Dokuments pievienots.");

    // An error: more than the call's largest grant; then put right and submitted.
    j.press("Iesniegt pieteikumu", "refused").await;
    assert!(!j.text(".error-summary").await.is_empty(), "the problem is listed");
    let focus = j.focused().await.0;
    if javascript {
        assert_eq!(focus, "DIV", "the error summary takes the focus");
    } else {
        assert_ne!(focus, "DIV", "our script did not run: JavaScript is off");
    }
    j.fill("requested", "1200").await;
    j.press("Iesniegt pieteikumu", "submitted").await;
    assert_eq!(
        j.text(".flash").await,
        "Pieteikums iesniegts. Apstiprinājumu nosūtījām uz jūsu e-pastu."
    );
    app.work(&app.worker_config()).await;
    assert!(
        app.mails()
            .iter()
            .any(|m| m.contains(&format!("To: {email}")) && m.contains("Skolas podk")),
        "the receipt arrived"
    );
    if javascript {
        let (ratio, ring) = j.focus_ring("main a, main button").await;
        assert!(ratio >= 3.0, "the focus ring has {ratio:.2}:1 contrast ({ring})");
        let (ratio, ring) = j.focus_ring("header.site a").await;
        assert!(
            ratio >= 3.0,
            "the header's focus ring has {ratio:.2}:1 contrast ({ring})"
        );
    }
    j.finish().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ngo_registers_applies_and_gets_its_receipt_in_a_real_browser() {
    let Some(tools) = tools() else { return };
    pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(
            &app.db,
            &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
        )
        .await;
        let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(20)).await;
        let mut findings = Vec::new();
        for (width, javascript) in [(1366, true), (390, true), (1366, false)] {
            findings.push(ngo_applies(app, &tools, call.id, width, javascript).await);
        }
        judge("ngo", findings);
    })
    .await;
}

/// Logs `email` in through the pages, with the authenticator's code computed here when the
/// role asks for a second factor (set up on the first login).
async fn log_in(j: &mut Journey, email: &str) {
    j.open("/login", "login").await;
    j.fill("email", email).await;
    j.fill("password", seed::PASSWORD).await;
    j.press_in("main form", "Pieslēgties", "logged-in").await;
    if !j.path().await.starts_with("/login/second-factor") {
        return;
    }
    let shown = j.text("#totp-secret").await;
    let first = !shown.is_empty();
    if first {
        SECRETS.lock().expect("secrets").insert(email.to_owned(), shown);
    }
    let secret = SECRETS
        .lock()
        .expect("secrets")
        .get(email)
        .cloned()
        .expect("the secret, shown at the first login");
    // A code is accepted once: a second login within its 30 s takes the next one.
    for ahead in [0, 30, 60] {
        let code = entities::second_factor::code_at(&secret, Utc::now() + Duration::seconds(ahead)).expect("code");
        j.fill("code", &code).await;
        j.press_in("main form", "Apstiprināt", "second-factor").await;
        if !j.path().await.starts_with("/login/second-factor") || !j.text("#recovery-codes").await.is_empty() {
            break;
        }
    }
    if first {
        j.press("Esmu saglabājis kodus — turpināt", "recovery-codes-kept").await;
    }
}

/// The authenticators' secrets, by email, as they were shown at the first login.
static SECRETS: std::sync::Mutex<std::collections::BTreeMap<String, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// (b) A panel member declares no conflict, scores and submits; the coordinator locks the
/// decision and publishes the results; the NGO sees its result.
async fn panel_decides(app: &TestApp, tools: &Tools, w: &seed::World, width: u32) -> (Vec<Finding>, Vec<Finding>) {
    let name = format!("b-panel-{width}");
    let coordinator_email = format!("coord-{width}@example.lv");
    let member_email = format!("member-{width}@example.lv");
    let ngo_email = format!("ngo-{width}@example.lv");
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, &coordinator_email, Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let member = seed::user(&app.db, &member_email, Role::PanelMember, w.muni_a.id).await;
    let ngo_user = seed::user(&app.db, &ngo_email, Role::NgoMember, w.ngo.id).await;
    let closes = Utc::now() + Duration::minutes(1);
    let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes).await;
    seed::bulk_submitted(&app.db, &call, &w.ngo, ngo_user.id, 1, 1).await;
    entities::grants::panel::set_panel(&app.db, &coordinator, &call, &[member.id], Some(member.id), Utc::now())
        .await
        .expect("panel");
    app.clock.hold(Some(closes + Duration::minutes(1)));
    let application = entities::grants::applications::of_call(&app.db, call.id, None)
        .await
        .expect("applications")
        .0[0]
        .app
        .id;

    let mut j = Journey::start(tools, &app.base, &name, width, true).await;
    log_in(&mut j, &member_email).await;
    j.open(&format!("/panel/calls/{}", call.id), "panel-call").await;
    j.press("Projekts 1", "declaration").await;
    j.press("Apliecinu, ka interešu konflikta nav", "scorecard").await;
    j.fill_nth("points", 0, "9").await;
    j.fill_nth("points", 1, "4").await;
    j.fill_nth("comment", 0, "Skaidrs plāns.").await;
    j.press("Iesniegt vērtējumu", "unconfirmed").await;
    assert!(
        !j.text(".error-summary").await.is_empty(),
        "not without the confirmation"
    );
    j.tick("input[name=confirm]").await;
    j.press("Iesniegt vērtējumu", "scored").await;
    assert_eq!(j.text(".flash").await, "Vērtējums iesniegts.");
    j.driver.delete_all_cookies().await.expect("log out");

    log_in(&mut j, &coordinator_email).await;
    j.open(&format!("/manage/calls/{}/results", call.id), "results").await;
    j.tick("#lock_confirm").await;
    j.press("Apstiprināt lēmumu", "locked").await;
    assert_eq!(j.text(".flash").await, "Lēmums apstiprināts.");
    j.tick("#publish_confirm").await;
    j.press("Publicēt rezultātus", "published").await;
    assert_eq!(
        j.text(".flash").await,
        "Rezultāti publicēti; pieteicējiem tiek sūtīti e-pasti."
    );
    j.driver.delete_all_cookies().await.expect("log out");

    log_in(&mut j, &ngo_email).await;
    j.open(&format!("/applications/{application}"), "ngo-result").await;
    let page = j.text("main").await;
    assert!(page.contains("Atbalstīt"), "the NGO sees that it is funded: {page}");
    app.clock.hold(None);
    j.finish().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_scores_the_coordinator_decides_and_the_ngo_sees_its_result_in_a_real_browser() {
    let Some(tools) = tools() else { return };
    pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| {
        let w = seed::world(&app.db).await;
        let mut findings = Vec::new();
        for width in [1366, 390] {
            findings.push(panel_decides(app, &tools, &w, width).await);
        }
        judge("panel", findings);
    })
    .await;
}

/// (c) Support staff write a plan; the director, the municipality and the state approve it
/// through their queues (each with the second factor computed here); a session and an expense
/// are logged; the state reviewer opens the statistics and downloads the XLSX.
async fn a_plan_goes_round(app: &TestApp, tools: &Tools, width: u32) -> (Vec<Finding>, Vec<Finding>) {
    use entities::plans;
    let w = seed::world(&app.db).await;
    let today = Utc::now().date_naive();
    plans::create_semester(
        &app.db,
        2026,
        1,
        (today - Duration::days(30), today + Duration::days(60)),
        entities::money::Eur::from_cents(50_000),
        Utc::now(),
    )
    .await
    .expect("semester");
    let director = seed::actor(
        &app.db,
        &seed::user(&app.db, "direktore@example.lv", Role::Director, w.school_a.id).await,
    )
    .await;
    let staff = seed::actor(
        &app.db,
        &seed::user(&app.db, "psihologe@example.lv", Role::SupportStaff, w.school_a.id).await,
    )
    .await;
    seed::user(&app.db, "koordinators@example.lv", Role::Coordinator, w.muni_a.id).await;
    seed::user(&app.db, "vertetajs@example.lv", Role::StateReviewer, w.agency.id).await;
    let pupil = plans::register_pupil(
        &app.db,
        &director,
        w.school_a.id,
        (
            "Pēteris Kalniņš",
            "8.a",
            chrono::NaiveDate::from_ymd_opt(2012, 3, 4).expect("date"),
        ),
        Utc::now(),
    )
    .await
    .expect("pupil");
    plans::assign(&app.db, &director, pupil.id, &staff, Utc::now())
        .await
        .expect("assign");
    let absences = seed::risk(&app.db, "absences").await;
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/journeys/c-plan.pdf");
    std::fs::create_dir_all(pdf.parent().expect("folder")).expect("folder");
    std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").expect("a PDF");

    let mut j = Journey::start(tools, &app.base, &format!("c-plan-{width}"), width, true).await;
    log_in(&mut j, "psihologe@example.lv").await;
    j.open(&format!("/pupils/{}", pupil.id), "pupil").await;
    j.press("Sākt plānu", "plan-started").await;
    let plan = j.path().await;
    j.fill("risk_id", &absences.id.to_string()).await;
    j.fill("justification", "Kavē pirmdienas.").await;
    j.press("Pievienot risku", "risk-added").await;
    assert_eq!(j.text(".flash").await, "Risks pievienots.");
    j.fill("hours", "10").await;
    j.tick("form[action$='/consultations'] input[type=checkbox]").await;
    j.press_in(
        "form[action$='/consultations']",
        "Pievienot pasākumu",
        "consultation-added",
    )
    .await;
    j.fill("category", "public_transport").await;
    j.fill("planned", "100").await;
    j.tick("form[action$='/compensations'] input[type=checkbox]").await;
    j.press_in(
        "form[action$='/compensations']",
        "Pievienot pasākumu",
        "compensation-added",
    )
    .await;
    j.fill("consent_by", "Māte, Anna Kalniņa").await;
    j.attach("file", &pdf).await;
    j.press("Reģistrēt piekrišanu", "consent").await;
    assert_eq!(j.text(".flash").await, "Piekrišana reģistrēta.");
    j.press("Nosūtīt apstiprināšanai", "sent").await;

    for approver in [
        "direktore@example.lv",
        "koordinators@example.lv",
        "vertetajs@example.lv",
    ] {
        j.driver.delete_all_cookies().await.expect("log out");
        log_in(&mut j, approver).await;
        j.open("/plans/approvals", "queue").await;
        j.follow("main tbody a", "queued-plan").await;
        j.press("Apstiprināt", "approved").await;
    }
    j.driver.delete_all_cookies().await.expect("log out");
    log_in(&mut j, "psihologe@example.lv").await;
    j.open(&plan, "approved-plan").await;
    j.press("Sākt īstenošanu", "in-progress").await;
    j.unfold("Reģistrēt konsultāciju").await;
    j.set("input[name=held_on]", &today.to_string()).await;
    j.fill("minutes", "45").await;
    j.press("Reģistrēt konsultāciju", "session").await;
    assert_eq!(j.text(".flash").await, "Konsultācija reģistrēta.");
    j.unfold("Reģistrēt izdevumu").await;
    j.fill("amount", "12,50").await;
    j.set("input[name=spent_on]", &today.to_string()).await;
    j.attach("file", &pdf).await;
    j.press("Reģistrēt izdevumu", "expense").await;
    assert_eq!(j.text(".flash").await, "Izdevums reģistrēts.");

    j.driver.delete_all_cookies().await.expect("log out");
    log_in(&mut j, "vertetajs@example.lv").await;
    j.open("/stats?level=state", "statistics").await;
    let xlsx = j
        .find("a[href^='/stats.xlsx']")
        .await
        .attr("href")
        .await
        .expect("href")
        .expect("the XLSX link");
    let response = reqwest::Client::new()
        .get(format!("{}{xlsx}", app.base))
        .header("cookie", j.cookie_header().await)
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.expect("the workbook");
    assert!(body.starts_with(b"PK\x03\x04"), "an XLSX file");
    j.finish().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_is_written_approved_carried_out_and_counted_in_a_real_browser() {
    let Some(tools) = tools() else { return };
    // Each width on a database of its own (the journey sets its people up).
    for width in [1366, 390] {
        pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| {
            judge(
                &format!("plan-{width}"),
                vec![a_plan_goes_round(app, &tools, width).await],
            );
        })
        .await;
    }
}
