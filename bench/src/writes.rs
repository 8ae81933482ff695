//! Write throughput: clients saving their application drafts as fast as the portal answers,
//! each with its own session and draft, while the worker runs in the same process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use entities::domain::Role;
use pumpurs_tests::{Browser, TestApp, seed};

use crate::{percentile, service_config};

/// One client's form: the draft's fields with a text that changes with each save.
fn fields(csrf: &str, n: usize) -> Vec<(String, String)> {
    [
        ("_csrf", csrf.to_owned()),
        ("title", format!("Skolas podkāsts, versija {n}")),
        ("summary", "Skolēni veido podkāstu par savu skolu un novadu.".to_owned()),
        ("target_group", "7.–9. klašu skolēni".to_owned()),
        ("activities", "Darbnīcas, ieraksti, montāža un publicēšana.".to_owned()),
        ("timeline", "2027. gada februāris–maijs".to_owned()),
        ("requested", "1200".to_owned()),
        ("cofinancing", "200".to_owned()),
        ("line_category", "equipment".to_owned()),
        ("line_description", "Mikrofoni".to_owned()),
        ("line_quantity", "4".to_owned()),
        ("line_unit_cost", "150".to_owned()),
        ("line_category", "services".to_owned()),
        ("line_description", "Montāža".to_owned()),
        ("line_quantity", "1".to_owned()),
        ("line_unit_cost", "600".to_owned()),
        ("action", "save".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

pub(crate) async fn run(app: &TestApp, seconds: u64) {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "c@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let call = seed::open_call(
        &app.db,
        &coordinator,
        w.muni_a.id,
        Utc::now() + chrono::Duration::days(7),
    )
    .await;
    let mut clients = Vec::new();
    for i in 0..32 {
        let ngo = seed::ngo(&app.db, &format!("Biedrība {i}")).await;
        let email = format!("n{i}@example.lv");
        let member = seed::actor(&app.db, &seed::user(&app.db, &email, Role::NgoMember, ngo.id).await).await;
        let draft = seed::draft(&app.db, &member, &call, &ngo).await;
        let browser = Browser::manual(&app.base);
        browser.login(&email, seed::PASSWORD).await;
        let csrf = browser.get(&format!("/applications/{}", draft.id)).await.csrf();
        clients.push((browser, format!("/applications/{}", draft.id), csrf));
    }
    let clients = Arc::new(clients);
    let (stop, rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker::run(app.db.clone(), service_config(app), rx));
    println!("draft saves for {seconds} s per run, the worker running in the same process");
    for n in [8, 32] {
        let until = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..n {
            let clients = clients.clone();
            tasks.push(tokio::spawn(async move {
                let (browser, path, csrf) = &clients[i];
                let (mut samples, mut errors, mut k) = (Vec::new(), 0usize, 0usize);
                while Instant::now() < until {
                    k += 1;
                    let form = fields(csrf, k);
                    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                    let start = Instant::now();
                    let page = browser.post(path, &pairs).await;
                    samples.push(start.elapsed());
                    if page.status != 303 {
                        errors += 1;
                    }
                }
                (samples, errors)
            }));
        }
        let (mut samples, mut errors) = (Vec::new(), 0);
        for task in tasks {
            let (s, e) = task.await.expect("client");
            samples.extend(s);
            errors += e;
        }
        let took = started.elapsed().as_secs_f64();
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{n:>2} clients: {:>6.0} saves/s  p50={:>6.2} ms  p99={:>7.2} ms  max={:>7.2} ms  errors={errors} of {}",
            samples.len() as f64 / took,
            ms(percentile(&samples, 0.5)),
            ms(percentile(&samples, 0.99)),
            ms(samples[samples.len() - 1]),
            samples.len(),
        );
    }
    let _ = stop.send(true);
    worker.await.expect("worker task").expect("worker");
}
