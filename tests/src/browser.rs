//! A browser-like HTTP client: keeps cookies, sends `Origin` on POST like browsers do, and
//! submits forms with the hidden fields (the CSRF token among them) that the page carried.

use reqwest::header::HeaderMap;
use scraper::{Html, Selector};

#[derive(Clone)]
pub struct Browser {
    client: reqwest::Client,
    base: String,
}

/// A response as a person would see it.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    /// The final URL after redirects, without the host.
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
        Self {
            client,
            base: base.to_owned(),
        }
    }

    /// A browser whose requests come from the loopback address `local` (127.0.0.2 is another
    /// place than 127.0.0.1), with an `X-Forwarded-For` header when `forwarded_for` is given.
    pub fn from(base: &str, local: std::net::IpAddr, forwarded_for: Option<&str>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(v) = forwarded_for {
            headers.insert("x-forwarded-for", v.parse().expect("header value"));
        }
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .local_address(local)
            .default_headers(headers)
            .build()
            .expect("client");
        Self {
            client,
            base: base.to_owned(),
        }
    }

    /// The HTTP client with this browser's cookies (its session), for many requests at once.
    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }

    /// A browser that does not follow redirects, to look at the redirect responses themselves.
    pub fn manual(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            client,
            base: base.to_owned(),
        }
    }

    async fn page(&self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let path = format!(
            "{}{}",
            response.url().path(),
            response.url().query().map(|q| format!("?{q}")).unwrap_or_default()
        );
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Page {
            status,
            path,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        self.page(response).await
    }

    /// POSTs exactly `fields` (no token added) from this site's origin.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_from(&self.base, path, fields).await
    }

    /// POSTs `fields` with the given `Origin` header.
    pub async fn post_from(&self, origin: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("origin", origin)
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.page(response).await
    }

    /// Submits the form of `page` whose action is `action`: its hidden fields plus `fields`.
    pub async fn submit(&self, page: &Page, action: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(String, String)> = page.hidden_fields(action);
        assert!(
            !all.is_empty() || page.has_form(action),
            "no form with action {action} on {}",
            page.path
        );
        // Fields given replace hidden ones of the same name; a name given twice is sent twice.
        all.retain(|(name, _)| !fields.iter().any(|(k, _)| k == name));
        all.extend(fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(action, &pairs).await
    }

    /// Opens `path` and submits its form with action `action`.
    pub async fn fill(&self, path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "GET {path}: {}", page.body);
        self.submit(&page, action, fields).await
    }

    /// Uploads `bytes` as the file field `file` named `name` to `path` (a multipart POST).
    pub async fn upload(&self, path: &str, name: &str, bytes: Vec<u8>) -> Page {
        self.upload_with(path, &[], name, bytes).await
    }

    /// Submits a multipart form to `path` (its action, with the CSRF token in the query): text
    /// `fields` first, then `bytes` as the file field `file` named `name`.
    pub async fn upload_with(&self, path: &str, fields: &[(&str, &str)], name: &str, bytes: Vec<u8>) -> Page {
        self.upload_as(path, fields, "file", name, bytes).await
    }

    /// As `upload_with`, the file sent as the field `field`.
    pub async fn upload_as(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        let form = form.part(
            field.to_owned(),
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        self.page(response).await
    }

    /// The status, headers and raw bytes of a GET (for downloads).
    pub async fn download(&self, path: &str) -> (u16, HeaderMap, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.expect("body").to_vec())
    }

    /// Logs in through the login form and returns the page landed on. For a role that needs the
    /// second factor it plays the authenticator app: it keeps the secret the set-up page shows
    /// and enters the current code (the next one, if this one was used already).
    pub async fn login(&self, email: &str, password: &str) -> Page {
        let page = self
            .fill("/login", "/login", &[("email", email), ("password", password)])
            .await;
        self.second_factor(page, email).await
    }

    /// From `page` — the second step of logging in, or any other page, which is returned as it
    /// is — enters the code of `email`'s authenticator, setting it up when the page shows a new
    /// secret.
    pub async fn second_factor(&self, page: Page, email: &str) -> Page {
        if !page.path.starts_with(SECOND_FACTOR) {
            return page;
        }
        let key = (self.base.clone(), email.to_owned());
        let shown = page.text("#totp-secret");
        let secret = {
            let mut secrets = SECRETS.lock().expect("secrets");
            if !shown.is_empty() {
                secrets.insert(key.clone(), shown);
            }
            secrets
                .get(&key)
                .cloned()
                .expect("the secret was shown when it was set up")
        };
        let mut landed = page;
        for ahead in [0, 30, 60] {
            let at = chrono::Utc::now() + chrono::Duration::seconds(ahead);
            let code = entities::second_factor::code_at(&secret, at).expect("code");
            landed = self.submit(&landed, SECOND_FACTOR, &[("code", &code)]).await;
            // Set up just now: the recovery codes are shown once; keep them and go on.
            let codes = landed.texts("#recovery-codes code");
            if !codes.is_empty() {
                RECOVERY.lock().expect("recovery codes").insert(key.clone(), codes);
                let next = landed
                    .attrs("main a.button", "href")
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "/".to_owned());
                landed = self.get(&next).await;
            }
            if !landed.path.starts_with(SECOND_FACTOR) {
                break;
            }
        }
        landed
    }

    /// The recovery codes shown to `email` when `login` set up their authenticator.
    pub fn recovery_codes_of(&self, email: &str) -> Vec<String> {
        RECOVERY
            .lock()
            .ok()
            .and_then(|r| r.get(&(self.base.clone(), email.to_owned())).cloned())
            .unwrap_or_default()
    }

    /// The code an authenticator app set up by `login` shows now for `email`.
    pub fn code_for(&self, email: &str) -> Option<String> {
        let secrets = SECRETS.lock().ok()?;
        let secret = secrets.get(&(self.base.clone(), email.to_owned()))?;
        entities::second_factor::code_at(secret, chrono::Utc::now())
    }
}

const SECOND_FACTOR: &str = "/login/second-factor";

/// The authenticator app's secrets, by site and account.
static SECRETS: std::sync::Mutex<std::collections::BTreeMap<(String, String), String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The recovery codes shown when an authenticator was set up, by site and account.
static RECOVERY: std::sync::Mutex<std::collections::BTreeMap<(String, String), Vec<String>>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"))
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The trimmed text of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html()
            .select(&selector(css))
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The text of the first element matching `css`, or "".
    pub fn text(&self, css: &str) -> String {
        self.texts(css).into_iter().next().unwrap_or_default()
    }

    pub fn h1(&self) -> String {
        self.text("h1")
    }

    /// The values of attribute `attr` on elements matching `css`.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.html()
            .select(&selector(css))
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    pub fn has_form(&self, action: &str) -> bool {
        !self.attrs(&format!("form[action=\"{action}\"]"), "action").is_empty()
    }

    /// Hidden inputs of the form with this action.
    pub fn hidden_fields(&self, action: &str) -> Vec<(String, String)> {
        let doc = self.html();
        let css = format!("form[action=\"{action}\"] input[type=hidden]");
        doc.select(&selector(&css))
            .filter_map(|e| {
                Some((
                    e.value().attr("name")?.to_owned(),
                    e.value().attr("value").unwrap_or("").to_owned(),
                ))
            })
            .collect()
    }

    /// The value a visible input of this name shows (what the user typed, kept after an error).
    pub fn input_value(&self, name: &str) -> Option<String> {
        self.attrs(&format!("input[name=\"{name}\"]"), "value")
            .into_iter()
            .next()
    }

    /// The error message tied to a field (`<p id="NAME-error">`).
    pub fn field_error(&self, name: &str) -> String {
        self.text(&format!("#{name}-error"))
    }

    pub fn contains(&self, s: &str) -> bool {
        self.body.contains(s)
    }

    /// The CSRF token any form on the page carries.
    pub fn csrf(&self) -> String {
        self.attrs("input[name=\"_csrf\"]", "value")
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// The `Set-Cookie` header that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
}
