//! The JSON API keeps its contract: scope parameters that do not match answer the documented
//! 404; unknown paths and methods answer JSON (404, 405); no answer sets a cookie; integer
//! parameters are bounded in the OpenAPI document; and an external OpenAPI fuzzer
//! (schemathesis, `st`) run against the live test server finds no failure. Without `st` the
//! fuzzing test says so and passes, unless `PUMPURS_REQUIRE_SCHEMATHESIS` is set (as `.ci/run`
//! does).

use chrono::Utc;
use entities::domain::Role;
use pumpurs_tests::{Backend, TestApp, both_backends, seed};

/// An agency token, with the world it sees: one semester and a plan, a published call.
async fn token(app: &TestApp) -> (seed::World, String) {
    let w = seed::world(&app.db).await;
    let admin = seed::actor(
        &app.db,
        &seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await,
    )
    .await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    seed::open_call(
        &app.db,
        &coordinator,
        w.muni_a.id,
        Utc::now() + chrono::Duration::days(20),
    )
    .await;
    let today = Utc::now().date_naive();
    entities::plans::create_semester(
        &app.db,
        2026,
        1,
        (today - chrono::Duration::days(30), today + chrono::Duration::days(60)),
        entities::money::Eur::from_cents(50_000),
        Utc::now(),
    )
    .await
    .expect("semester");
    let (_, token) = entities::api_tokens::issue(&app.db, &admin, "Pārbaude", Some(w.agency.id), Utc::now())
        .await
        .expect("token");
    (w, token)
}

both_backends!(
    async fn the_api_answers_json_sets_no_cookie_and_bounds_its_numbers(app) {
        let (w, token) = token(app).await;
        let client = reqwest::Client::new();
        let send = |method: reqwest::Method, path: String| {
            let request = client.request(method, format!("{}{path}", app.base)).bearer_auth(&token);
            async move {
                let response = request.send().await.expect("request");
                let status = response.status().as_u16();
                let cookies = response.headers().get_all("set-cookie").iter().count();
                let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
                (status, cookies, kind, body)
            }
        };
        let get = |path: String| send(reqwest::Method::GET, path);

        // A level and an organisation that do not match: the documented 404, as JSON.
        for query in [
            format!("level=municipality&org={}", w.school_a.id),
            format!("level=school&org={}", w.muni_a.id),
            format!("level=school&org={}", w.ngo.id),
            format!("level=state&org={}", w.muni_a.id),
            "level=municipality&org=2147483647".to_owned(),
        ] {
            let (status, cookies, _, body) = get(format!("/api/v1/stats?{query}")).await;
            assert_eq!((status, body["error"].as_str(), cookies), (404, Some("not_found"), 0), "{query}: {body}");
        }
        let (status, _, _, body) = get(format!("/api/v1/stats?level=school&org={}", w.school_a.id)).await;
        assert_eq!(status, 200, "a school's scope: {body}");
        for query in ["org=0", "semester=-1", "year=1999", "year=2101", "org=99999999999"] {
            let (status, _, _, body) = get(format!("/api/v1/stats?{query}")).await;
            assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")), "{query}: outside the documented bounds");
        }

        // Unknown methods and paths: JSON too; no answer sets a cookie.
        for (method, path, expected, error) in [
            (reqwest::Method::POST, "/api/v1/calls", 405, "method_not_allowed"),
            (reqwest::Method::DELETE, "/api/v1/stats", 405, "method_not_allowed"),
            (reqwest::Method::PUT, "/api/v1/openapi.json", 405, "method_not_allowed"),
            (reqwest::Method::GET, "/api/v1/nothing-here", 404, "not_found"),
            (reqwest::Method::GET, "/api/v2/calls", 404, "not_found"),
            (reqwest::Method::GET, "/api/v1/calls/not-a-number", 404, "not_found"),
        ] {
            let (status, cookies, kind, body) = send(method.clone(), path.to_owned()).await;
            assert_eq!((status, body["error"].as_str(), cookies), (expected, Some(error), 0), "{method} {path}: {body}");
            assert!(kind.starts_with("application/json"), "{method} {path}: {kind}");
        }
        for path in ["/api/v1/calls", "/api/v1/stats", "/api/v1/openapi.json"] {
            let (status, cookies, _, _) = get(path.to_owned()).await;
            assert_eq!((status, cookies), (200, 0), "{path}");
        }
        let (_, cookies, _, _) = client.get(format!("{}/api/v1/stats", app.base)).send().await.map(|r| (r.status().as_u16(), r.headers().get_all("set-cookie").iter().count(), (), ())).expect("request");
        assert_eq!(cookies, 0, "not even when refused");
        assert!(app.browser().get("/").await.headers.get("set-cookie").is_some(), "the pages do set theirs");

        // Every integer parameter of the document is bounded.
        let (_, _, _, doc) = get("/api/v1/openapi.json".to_owned()).await;
        let mut parameters = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for parameter in item["get"]["parameters"].as_array().into_iter().flatten() {
                let schema = &parameter["schema"];
                if schema["type"] == "integer" {
                    parameters += 1;
                    assert!(schema["minimum"].is_i64() && schema["maximum"].is_i64(), "{path} {}: {schema}", parameter["name"]);
                }
            }
        }
        assert!(parameters >= 5, "{parameters} integer parameters");
    }
);

/// schemathesis (`st`, pinned in `.ci/run`) against the live test server: every documented
/// operation with generated valid and invalid input, every check; no failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openapi_fuzzer_finds_no_failure() {
    let found = std::process::Command::new("st")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("PUMPURS_REQUIRE_SCHEMATHESIS").is_none(),
            "PUMPURS_REQUIRE_SCHEMATHESIS is set but schemathesis was not found (pip install schemathesis)"
        );
        eprintln!("schemathesis (st) not found: the API fuzzing test did not run");
        return;
    }
    pumpurs_tests::run(Backend::Sqlite, async |app: &TestApp| {
        let (_, token) = token(app).await;
        let base = app.base.clone();
        let output = tokio::task::spawn_blocking(move || {
            // Its cache of found failures stays out of the repository.
            let scratch = tempfile::tempdir().expect("a scratch directory");
            std::process::Command::new("st")
                .current_dir(scratch.path())
                .args(["run", &format!("{base}/api/v1/openapi.json")])
                .args([
                    "--checks",
                    "all",
                    "--max-examples",
                    "40",
                    "--seed",
                    "20261205",
                    "--no-color",
                ])
                .args(["--header", &format!("Authorization: Bearer {token}")])
                .output()
                .expect("run schemathesis")
        })
        .await
        .expect("schemathesis");
        let report = format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "schemathesis found failures:\n{report}");
    })
    .await;
}
