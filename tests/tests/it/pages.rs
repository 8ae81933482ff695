//! Every page of the demo, as every demo account sees it: no `id` is used twice on a page (a
//! label would tick another form's box, a summary link would jump to the wrong field).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pumpurs_tests::{TestApp, both_backends};

/// Pages looked at per account, at most (the demo has fewer for most roles).
const PAGES_PER_ACCOUNT: usize = 80;

/// Links a crawl does not follow: leaving, downloads, machine answers, the mailbox.
fn followed(href: &str) -> bool {
    href.starts_with('/')
        && !href.starts_with("//")
        && !href.starts_with("/api/")
        && !href.starts_with("/dev/mail/")
        && !href.starts_with("/static/")
        && !href.contains("/attachments/")
        && !href.contains("/document")
        && ![".csv", ".xlsx", ".pdf"]
            .iter()
            .any(|end| href.split('?').next().unwrap_or(href).ends_with(end))
}

/// The ids a page uses more than once, with how often.
fn duplicated_ids(page: &pumpurs_tests::Page) -> BTreeMap<String, usize> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for id in page.attrs("[id]", "id") {
        *seen.entry(id).or_default() += 1;
    }
    seen.retain(|_, n| *n > 1);
    seen
}

async fn crawl(app: &TestApp, email: &str) -> (usize, Vec<String>) {
    let b = app.browser();
    let home = b.login(email, web::demo::DEMO_PASSWORD).await;
    assert_eq!(home.status, 200, "{email} logs in");
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_owned(), home.path.clone()]);
    let mut visited = BTreeSet::new();
    let mut problems = Vec::new();
    while let Some(path) = queue.pop_front() {
        if visited.len() >= PAGES_PER_ACCOUNT || !visited.insert(path.clone()) {
            continue;
        }
        let page = b.get(&path).await;
        if !page.header("content-type").starts_with("text/html") {
            continue;
        }
        assert!(page.status < 500, "{email} {path}: {}", page.status);
        for (id, n) in duplicated_ids(&page) {
            problems.push(format!("{email} {path}: id {id:?} × {n}"));
        }
        for href in page.attrs("a[href]", "href") {
            let href = href.split('#').next().unwrap_or_default().to_owned();
            if followed(&href) && !visited.contains(&href) {
                queue.push_back(href);
            }
        }
    }
    (visited.len(), problems)
}

both_backends!(
    async fn no_page_of_the_demo_uses_an_id_twice_for_any_account(app) {
        web::demo::load(&app.cfg, &app.db).await.expect("demo");
        let mut problems = Vec::new();
        let mut pages = 0;
        for (email, ..) in web::demo::DEMO_USERS {
            let (seen, found) = crawl(app, email).await;
            pages += seen;
            problems.extend(found);
        }
        // The public pages too.
        let (seen, found) = {
            let b = app.browser();
            let mut found = Vec::new();
            for path in ["/", "/calls", "/login", "/register", "/password/forgot"] {
                let page = b.get(path).await;
                found.extend(duplicated_ids(&page).into_iter().map(|(id, n)| format!("public {path}: id {id:?} × {n}")));
            }
            (5, found)
        };
        pages += seen;
        problems.extend(found);
        assert!(pages > 100, "the crawl saw {pages} pages");
        assert!(problems.is_empty(), "{} duplicated ids:\n{}", problems.len(), problems.join("\n"));
    }
);
