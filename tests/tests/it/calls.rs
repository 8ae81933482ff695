//! Calls and applications over HTTP: the deadline as the server's clock sees it, the
//! coordinator's list and CSV, the JSON API, documents on S3, deadlines across DST changes.

use chrono::{Duration, DurationRound, TimeZone, Utc};
use entities::domain::Role;
use entities::entity::application::ApplicationStatus;
use entities::entity::{application, attachment};
use pumpurs_tests::{Backend, TestApp, both_backends, seed};
use sea_orm::EntityTrait;

/// A coordinator and an NGO member with a published call closing at `closes_at`.
async fn setup(
    app: &TestApp,
    closes_at: chrono::DateTime<Utc>,
) -> (seed::World, entities::entity::call::Model, entities::policy::Actor) {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let member = seed::actor(
        &app.db,
        &seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await,
    )
    .await;
    let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, closes_at).await;
    (w, call, member)
}

both_backends!(
    async fn over_http_a_submit_a_second_before_the_deadline_counts_and_at_it_does_not(app) {
        let deadline = (Utc::now() + Duration::hours(3)).duration_trunc(Duration::seconds(1)).expect("trunc");
        let (w, call, member) = setup(app, deadline).await;
        let first = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let second = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let b = app.browser();
        b.login("anna@example.lv", seed::PASSWORD).await;

        app.clock.hold(Some(deadline - Duration::seconds(1)));
        let path = format!("/applications/{}", first.id);
        let page = b.get(&path).await;
        let done = b.submit(&page, &path, &draft_fields(&page, "submit").pairs()).await;
        assert_eq!(done.text(".flash"), "Pieteikums iesniegts. Apstiprinājumu nosūtījām uz jūsu e-pastu.", "{}", done.body);

        // The form was opened before the deadline and sent at it: refused, shown read-only.
        let path = format!("/applications/{}", second.id);
        let page = b.get(&path).await;
        app.clock.hold(Some(deadline));
        let late = b.submit(&page, &path, &draft_fields(&page, "submit").pairs()).await;
        assert_eq!(late.status, 409);
        assert!(late.text(".notice").contains("termiņš ir beidzies"), "{}", late.body);
        assert!(!late.has_form(&path), "no Save or Submit past the deadline");
        let shown = b.get(&path).await;
        assert!(shown.text(".notice").contains("Šo melnrakstu vairs nevar labot vai iesniegt"), "{}", shown.body);
        assert!(!shown.has_form(&path) && !shown.contains("Iesniegt pieteikumu"), "{}", shown.body);
        let second = application::Entity::find_by_id(second.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!((second.status, second.ref_no), (ApplicationStatus::Draft, None));
        let public = b.get(&format!("/calls/{}", call.id)).await;
        assert!(public.contains("Šobrīd pieteikumus nepieņem."), "the call shows as closed without any worker");
        app.clock.hold(None);
    }
);

/// The visible fields of a draft form as they stand, plus the button.
fn draft_fields(page: &pumpurs_tests::Page, action: &'static str) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = ["title", "requested", "cofinancing"]
        .into_iter()
        .map(|k| (k, page.input_value(k).unwrap_or_default()))
        .collect();
    for k in ["summary", "target_group", "activities", "timeline"] {
        fields.push((k, page.text(&format!("textarea#{k}"))));
    }
    for (k, css) in [
        ("line_description", "input[name=line_description]"),
        ("line_quantity", "input[name=line_quantity]"),
        ("line_unit_cost", "input[name=line_unit_cost]"),
    ] {
        for v in page.attrs(css, "value") {
            fields.push((k, v));
        }
    }
    for v in page.attrs("select[name=line_category] option[selected]", "value") {
        fields.push(("line_category", v));
    }
    fields.push(("action", action.to_owned()));
    fields
}

trait AsPairs {
    fn pairs(&self) -> Vec<(&str, &str)>;
}

impl AsPairs for Vec<(&'static str, String)> {
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

both_backends!(
    async fn the_coordinator_lists_filters_and_exports_applications_safely(app) {
        let (w, call, member) = setup(app, Utc::now() + Duration::days(5)).await;
        let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let mut active: application::ActiveModel = draft.clone().into();
        active.title = sea_orm::ActiveValue::Set("=HYPERLINK(\"http://evil.example\",\"x\")".to_owned());
        sea_orm::ActiveModelTrait::update(active, &app.db).await.expect("title");
        let unsubmitted = seed::draft(&app.db, &member, &call, &w.ngo).await;
        let txn = entities::db::write(&app.db).await.expect("begin");
        entities::grants::applications::submit(&txn, &member, draft.id, &format!("{:064x}", 1), Utc::now()).await.expect("submit");
        txn.commit().await.expect("commit");

        let b = app.browser();
        b.login("coord@example.lv", seed::PASSWORD).await;
        let list = b.get(&format!("/manage/calls/{}/applications", call.id)).await;
        assert_eq!(list.text("#status option:first-child"), "Jebkurš statuss", "the filter reads as a sentence, not \"Statuss: Visi\"");
        assert_eq!(list.status, 200);
        assert_eq!(list.texts("tbody tr").len(), 1, "drafts are the applicant's own");
        assert!(list.text(".stats").contains("1 200,00 €"), "{}", list.text(".stats"));
        let withdrawn = b.get(&format!("/manage/calls/{}/applications?status=withdrawn", call.id)).await;
        assert!(withdrawn.contains("Vēl nav iesniegts neviens pieteikums."));
        assert_eq!(b.get(&format!("/applications/{}", unsubmitted.id)).await.status, 404, "a draft is not the coordinator's to read");

        let (status, headers, body) = b.download(&format!("/manage/calls/{}/applications.csv", call.id)).await;
        assert_eq!(status, 200);
        assert!(headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").starts_with("text/csv"));
        let csv = String::from_utf8(body).expect("utf-8");
        let line = csv.lines().nth(1).expect("a row");
        assert!(line.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""), "{line}");
        assert!(line.contains("\"1200,00\";\"200,00\""), "{line}");

        // Another municipality's coordinator reaches none of it.
        seed::user(&app.db, "coord.b@example.lv", Role::Coordinator, w.muni_b.id).await;
        let other = app.browser();
        other.login("coord.b@example.lv", seed::PASSWORD).await;
        for path in [format!("/manage/calls/{}", call.id), format!("/manage/calls/{}/applications", call.id), format!("/manage/calls/{}/applications.csv", call.id), format!("/applications/{}", draft.id)] {
            assert_eq!(other.get(&path).await.status, 404, "{path}");
        }
    }
);

both_backends!(
    async fn the_json_api_lists_published_calls_with_offsets_and_decimal_strings(app) {
        let (w, call, _) = setup(app, Utc::now() + Duration::days(5)).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c2@example.lv", Role::Coordinator, w.muni_b.id).await).await;
        let input = seed::call_form(Utc::now() + Duration::days(9)).parse().expect("form");
        let draft = entities::grants::calls::create(&app.db, &coordinator, w.muni_b.id, &input, Utc::now()).await.expect("draft");

        let b = app.browser();
        let (status, headers, body) = b.download("/api/v1/calls").await;
        assert_eq!(status, 200);
        assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
        let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let calls = json["calls"].as_array().expect("calls");
        assert_eq!(calls.len(), 1, "drafts are not published");
        assert_eq!(calls[0]["status"], "open");
        assert_eq!(calls[0]["budget"], "10000.00");
        assert_eq!(calls[0]["cofinancing_share_percent"], "10.00");
        let closes = calls[0]["closes_at"].as_str().expect("closes_at");
        let parsed = chrono::DateTime::parse_from_rfc3339(closes).expect("RFC 3339");
        assert_eq!(parsed.with_timezone(&Utc), call.closes_at);
        assert!(closes.ends_with("+02:00") || closes.ends_with("+03:00"), "{closes}");

        let (status, _, body) = b.download(&format!("/api/v1/calls/{}", call.id)).await;
        let one: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!((status, one["criteria"][0]["weight"].as_str()), (200, Some("2.00")));
        assert_eq!(one["requirements"][0], "Budžets atbilst nolikumam");
        let (status, _, body) = b.download(&format!("/api/v1/calls/{}", draft.id)).await;
        let missing: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!((status, missing["error"].as_str()), (404, Some("not_found")));
        assert_eq!(b.download("/api/v1/calls/abc").await.0, 404);

        let (status, _, body) = b.download("/api/v1/openapi.json").await;
        let doc: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.1.0")));
        assert!(doc["paths"]["/calls/{id}"]["get"].is_object());
        assert!(doc["paths"]["/calls/{id}/results"]["get"].is_object());
        let statuses = doc["components"]["schemas"]["CallSummary"]["properties"]["status"]["enum"].as_array().expect("enum");
        assert!(statuses.iter().any(|s| s == "results_published"));
    }
);

async fn documents_on_s3(app: &TestApp) {
    let (w, call, member) = setup(app, Utc::now() + Duration::days(5)).await;
    let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
    let b = app.browser();
    b.login("anna@example.lv", seed::PASSWORD).await;
    let page = b.get(&format!("/applications/{}", draft.id)).await;
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..3_000_000u32).map(|i| (i % 251) as u8));
    let added = b
        .upload(
            &format!("/applications/{}/attachments?_csrf={}", draft.id, page.csrf()),
            "plāns.pdf",
            bytes.clone(),
        )
        .await;
    assert_eq!(added.text(".flash"), "Dokuments pievienots.", "{}", added.body);
    let doc = attachment::Entity::find().one(&app.db).await.expect("q").expect("row");
    let server = app.s3.as_ref().expect("s3");
    let on_disk =
        std::fs::read(server.dir.path().join("documents").join(&doc.storage_key)).expect("object in the bucket");
    assert_eq!(on_disk, bytes);
    use sha2::Digest;
    assert_eq!(doc.sha256, entities::tokens::hex(&sha2::Sha256::digest(&bytes)));
    assert_eq!(doc.size_bytes, bytes.len() as i64);
    let (status, _, body) = b
        .download(&format!("/applications/{}/attachments/{}", draft.id, doc.id))
        .await;
    assert_eq!((status, body.len()), (200, bytes.len()));
    let deleted = b
        .submit(
            &b.get(&format!("/applications/{}", draft.id)).await,
            &format!("/applications/{}/attachments/{}/delete", draft.id, doc.id),
            &[],
        )
        .await;
    assert_eq!(deleted.text(".flash"), "Dokuments dzēsts.");
    assert!(
        !server.dir.path().join("documents").join(&doc.storage_key).exists(),
        "the object is gone too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_stream_to_a_real_s3_server_sqlite() {
    pumpurs_tests::run_with_s3(Backend::Sqlite, documents_on_s3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_stream_to_a_real_s3_server_postgres() {
    pumpurs_tests::run_with_s3(Backend::Postgres, documents_on_s3).await;
}

#[test]
fn deadlines_around_the_last_sundays_of_march_and_october_are_riga_time() {
    let mut form = seed::call_form(Utc::now() + Duration::days(5));
    // 29 March 2026: 03:00 becomes 04:00 — 03:30 does not exist in Riga.
    form.opens_at = "2026-03-29T02:30".into();
    form.closes_at = "2026-03-29T03:30".into();
    form.scoring_deadline = "2026-04-30T12:00".into();
    let Err(entities::Error::Invalid(errors)) = form.parse() else {
        panic!("a time in the gap is refused")
    };
    assert_eq!(errors.get("closes_at"), Some("error-datetime-gap"));

    form.closes_at = "2026-03-29T04:30".into();
    let input = form.parse().expect("valid");
    assert_eq!(
        input.opens_at,
        Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).single().expect("t"),
        "02:30 EET"
    );
    assert_eq!(
        input.closes_at,
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).single().expect("t"),
        "04:30 EEST: only an hour later"
    );

    // 25 October 2026: 04:00 becomes 03:00 — 03:30 happens twice; the later one counts.
    form.opens_at = "2026-10-24T12:00".into();
    form.closes_at = "2026-10-25T03:30".into();
    form.scoring_deadline = "2026-11-30T12:00".into();
    let input = form.parse().expect("valid");
    assert_eq!(
        input.opens_at,
        Utc.with_ymd_and_hms(2026, 10, 24, 9, 0, 0).single().expect("t"),
        "summer: +03:00"
    );
    assert_eq!(
        input.closes_at,
        Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).single().expect("t")
    );
    assert_eq!(
        entities::time::to_riga(input.closes_at)
            .format("%d.%m.%Y %H:%M %:z")
            .to_string(),
        "25.10.2026 03:30 +02:00"
    );
}

both_backends!(
    async fn a_calls_files_are_offered_once_published_and_the_call_is_copied_into_a_new_draft(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        seed::user(&app.db, "other@example.lv", Role::Coordinator, w.muni_b.id).await;
        let input = seed::call_form(Utc::now() + Duration::days(20)).parse().expect("form");
        let call = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, Utc::now()).await.expect("call");
        let pdf = |text: &str| format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes();
        let c = app.browser();
        c.login("coord@example.lv", seed::PASSWORD).await;
        let files = format!("/manage/calls/{}/files", call.id);
        let page = c.get(&files).await;
        assert_eq!(page.status, 200);
        let upload = format!("{files}?_csrf={}", page.csrf());
        let untitled = c.upload_with(&upload, &[("title", " ")], "nolikums.pdf", pdf("nolikums")).await;
        assert_eq!((untitled.status, untitled.field_error("title").is_empty()), (422, false));
        let program = c.upload_with(&upload, &[("title", "Nolikums")], "nolikums.pdf", b"MZ\x90\x00 program".to_vec()).await;
        assert_eq!((program.status, program.input_value("title").as_deref()), (422, Some("Nolikums")));
        assert!(!program.field_error("file").is_empty(), "{}", program.body);
        let added = c.upload_with(&upload, &[("title", "Nolikums")], "nolikums.pdf", pdf("nolikums")).await;
        assert_eq!(added.text(".flash"), "Dokuments pievienots konkursam.", "{}", added.body);
        let annex = c.upload_with(&upload, &[("title", "1. pielikums")], "veidlapa.pdf", pdf("veidlapa")).await;
        assert_eq!(annex.texts("#call-files a"), vec!["Nolikums", "1. pielikums"]);
        let hrefs = annex.attrs("#call-files a", "href");

        // A draft's files are its coordinators' only; one is removed while a draft.
        assert_eq!(app.browser().download(&hrefs[0]).await.0, 404, "not public before publishing");
        assert_eq!(c.download(&hrefs[0]).await.2, pdf("nolikums"));
        let other = app.browser();
        other.login("other@example.lv", seed::PASSWORD).await;
        assert_eq!(other.get(&files).await.status, 404);
        let removed = c.submit(&annex, &format!("{files}/{}/delete", hrefs[1].rsplit('/').next().expect("id")), &[]).await;
        assert_eq!(removed.texts("#call-files a"), vec!["Nolikums"]);

        // Published: on the public page and in the API; no longer removable.
        entities::grants::calls::publish(&app.db, &coordinator, call.clone(), Utc::now()).await.expect("publish");
        let anyone = app.browser();
        let public = anyone.get(&format!("/calls/{}", call.id)).await;
        assert_eq!(public.texts("#call-files a"), vec!["Nolikums"], "{}", public.body);
        assert_eq!(anyone.download(&hrefs[0]).await.2, pdf("nolikums"));
        let api = anyone.get(&format!("/api/v1/calls/{}", call.id)).await;
        let json: serde_json::Value = serde_json::from_str(&api.body).expect("json");
        assert_eq!((json["files"][0]["title"].as_str(), json["files"][0]["name"].as_str()), (Some("Nolikums"), Some("nolikums.pdf")));
        assert!(json["files"][0]["url"].as_str().is_some_and(|u| u.ends_with(&hrefs[0])));
        let page = c.get(&files).await;
        assert!(!page.has_form(&format!("{files}/{}/delete", hrefs[0].rsplit('/').next().expect("id"))), "no removal once published");

        // Copied into a new draft: the same texts, requirements and criteria, opening in a week;
        // not by another municipality's coordinator.
        let manage = c.get(&format!("/manage/calls/{}", call.id)).await;
        let copy = format!("/manage/calls/{}/copy", call.id);
        assert_eq!(other.post(&copy, &[("_csrf", &other.get("/manage/calls").await.csrf())]).await.status, 404);
        let copied = c.submit(&manage, &copy, &[]).await;
        assert!(copied.text(".flash").starts_with("Izveidots jauns konkursa melnraksts"), "{}", copied.body);
        let new_id: i32 = copied.path.trim_start_matches("/manage/calls/").parse().expect("the new call's page");
        assert_ne!(new_id, call.id);
        let new = entities::entity::call::Entity::find_by_id(new_id).one(&app.db).await.expect("q").expect("row");
        assert_eq!((new.status, new.title.as_str(), new.budget_cents), (entities::entity::call::CallStatus::Draft, call.title.as_str(), call.budget_cents));
        assert!(new.opens_at > Utc::now() + Duration::days(6) && new.closes_at - new.opens_at == call.closes_at - call.opens_at);
        let count = |id| async move {
            (
                entities::grants::calls::requirements(&app.db, id).await.expect("q").len(),
                entities::grants::calls::criteria(&app.db, id).await.expect("q").into_iter().map(|k| (k.name, k.max_points, k.weight_x100)).collect::<Vec<_>>(),
            )
        };
        assert_eq!(count(new_id).await, count(call.id).await);
        assert!(entities::grants::calls::files(&app.db, new_id).await.expect("q").is_empty(), "the files stay with their call");
    }
);

both_backends!(
    async fn a_published_call_before_its_opening_is_announced_not_open(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let now = Utc::now();
        let mut form = seed::call_form(now + Duration::days(30));
        form.opens_at = entities::time::to_riga(now + Duration::days(3)).format("%Y-%m-%dT%H:%M:%S").to_string();
        let input = form.parse().expect("valid call form");
        let call = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, now).await.expect("create");
        let call = entities::grants::calls::publish(&app.db, &coordinator, call, now).await.expect("publish");

        let anyone = app.browser();
        let page = anyone.get(&format!("/calls/{}", call.id)).await;
        assert_eq!(page.status, 200);
        assert!(page.texts("dd").contains(&"Izsludināts".to_owned()), "{:?}", page.texts("dd"));
        let api: serde_json::Value = reqwest::get(format!("{}/api/v1/calls/{}", app.base, call.id)).await.expect("GET").json().await.expect("json");
        assert_eq!(api["status"], "announced");
        let list = anyone.get("/calls").await;
        assert!(list.texts("td").contains(&"Izsludināts".to_owned()), "the list says so too: {:?}", list.texts("td"));
        let listed: serde_json::Value = reqwest::get(format!("{}/api/v1/calls", app.base)).await.expect("GET").json().await.expect("json");
        assert!(listed.to_string().contains("\"announced\""), "{listed}");
        let doc: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base)).await.expect("GET").json().await.expect("json");
        assert!(doc.to_string().contains("\"announced\""), "the document lists the status");

        // Once its opening time has come, it is open.
        app.clock.hold(Some(now + Duration::days(4)));
        let page = anyone.get(&format!("/calls/{}", call.id)).await;
        assert!(page.texts("dd").contains(&"Atvērts".to_owned()), "{:?}", page.texts("dd"));
        let api: serde_json::Value = reqwest::get(format!("{}/api/v1/calls/{}", app.base, call.id)).await.expect("GET").json().await.expect("json");
        assert_eq!(api["status"], "open");
        app.clock.hold(None);
    }
);
