//! A real browser for the journeys: Debian's Chromium driven headless through its WebDriver
//! (chromium-driver) with `thirtyfour`, against the application on port 0. Every step is
//! photographed under `target/journeys/{journey}/` (kept as the CI artifact of a failed run),
//! and every page a step reaches is checked by axe-core (`tests/browser`, pinned, injected into
//! the page): a violation of impact "serious" or "critical" fails the journey, the others are
//! listed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use thirtyfour::prelude::*;

/// What the journeys need: Chromium, its driver and axe-core. `None`, saying which is missing,
/// when one is not there.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub axe: Arc<str>,
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Tools {
    pub fn find() -> Result<Tools, String> {
        let chromium = std::env::var_os("PUMPURS_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| on_path(&["chromium", "chromium-browser", "google-chrome"]))
            .ok_or("Chromium not found (apt-get install chromium)")?;
        let chromedriver =
            on_path(&["chromedriver"]).ok_or("chromedriver not found (apt-get install chromium-driver)")?;
        let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path)
            .map_err(|_| format!("{} not found (npm ci --prefix tests/browser)", axe_path.display()))?;
        Ok(Tools {
            chromium,
            chromedriver,
            axe: axe.into(),
        })
    }
}

/// A chromedriver process, stopped when dropped.
struct DriverProcess(Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One axe finding: the rule, its impact, what it asks for and where.
#[derive(Debug, Clone)]
pub struct Finding {
    pub page: String,
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {} on {}: {} ({})",
            self.impact,
            self.rule,
            self.page,
            self.help,
            self.targets.join(", ")
        )
    }
}

/// Runs axe on the page and answers its violations as JSON (rule, impact, help, targets). The
/// rules are axe's defaults and the one that compares a control's name with its visible text.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { rules: { 'label-content-name-mismatch': { enabled: true } }, resultTypes: ['violations'] })
  .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact || 'minor', help: v.help,
     targets: v.nodes.map(n => n.target.join(' ')) })))))
  .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }])));
"#;

/// The contrast of the focus ring of the element `arguments[0]` (focused first) against what is
/// around it: the first opaque background up its ancestors. Answers `[ratio, style]`.
const FOCUS_RING: &str = r#"
const el = arguments[0];
el.focus();
const parse = c => (c.match(/[\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const style = getComputedStyle(el);
let bg = [255, 255, 255], n = el.parentElement;
while (n) { const c = parse(getComputedStyle(n).backgroundColor); if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c; break; } n = n.parentElement; }
const ring = parse(style.outlineColor);
const [a, b] = [lum(ring), lum(bg)].sort((x, y) => y - x);
return [(a + 0.05) / (b + 0.05), style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor + ' on ' + bg.join(',')];
"#;

/// A browser window of one width, going through one journey.
pub struct Journey {
    pub driver: WebDriver,
    _process: DriverProcess,
    base: String,
    dir: PathBuf,
    step: usize,
    axe: Option<Arc<str>>,
    pub width: u32,
    /// Violations of impact "serious" or "critical"; the journey fails on any.
    pub serious: Vec<Finding>,
    /// The others, listed.
    pub minor: Vec<Finding>,
}

impl Journey {
    /// A headless Chromium `width` px wide (JavaScript off unless `javascript`) at the application
    /// `base`; its steps' screenshots go to `target/journeys/{name}/`.
    pub async fn start(tools: &Tools, base: &str, name: &str, width: u32, javascript: bool) -> Journey {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(DriverProcess)
            .expect("start chromedriver");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&tools.chromium.to_string_lossy()).expect("binary");
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--lang=lv",
            "--hide-scrollbars",
        ] {
            caps.add_arg(arg).expect("argument");
        }
        caps.add_arg(&format!("--window-size={width},900"))
            .expect("window size");
        if !javascript {
            caps.add_experimental_option(
                "prefs",
                serde_json::json!({ "profile.managed_default_content_settings.javascript": 2 }),
            )
            .expect("no javascript");
        }
        let url = format!("http://127.0.0.1:{port}");
        let mut driver = None;
        for _ in 0..100 {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(d) => {
                    driver = Some(d);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let driver = driver.expect("a WebDriver session");
        driver.set_window_rect(0, 0, width, 900).await.expect("window size");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/journeys")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        Journey {
            driver,
            _process: process,
            base: base.to_owned(),
            dir,
            step: 0,
            axe: javascript.then(|| tools.axe.clone()),
            width,
            serious: Vec::new(),
            minor: Vec::new(),
        }
    }

    /// Where the browser is: path and query.
    pub async fn path(&self) -> String {
        let url = self.driver.current_url().await.expect("url");
        format!(
            "{}{}",
            url.path(),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        )
    }

    /// Opens `path` and looks at it as step `label`.
    pub async fn open(&mut self, path: &str, label: &str) {
        self.driver.goto(format!("{}{path}", self.base)).await.expect("open");
        self.seen(label).await;
    }

    /// The screenshot of the step, and axe's findings on the page.
    pub async fn seen(&mut self, label: &str) {
        self.step += 1;
        let file = self.dir.join(format!("{:02}-{label}.png", self.step));
        self.driver.screenshot(&file).await.expect("screenshot");
        let Some(axe) = self.axe.clone() else { return };
        let page = format!("{} ({label}, {} px)", self.path().await, self.width);
        self.driver.execute(&*axe, Vec::new()).await.expect("inject axe");
        self.driver
            .set_script_timeout(Duration::from_secs(30))
            .await
            .expect("timeout");
        let found = self.driver.execute_async(RUN_AXE, Vec::new()).await.expect("run axe");
        let text = found.json().as_str().unwrap_or("[]").to_owned();
        let violations: Vec<serde_json::Value> = serde_json::from_str(&text).expect("axe's answer");
        for v in violations {
            let finding = Finding {
                page: page.clone(),
                rule: v["id"].as_str().unwrap_or_default().to_owned(),
                impact: v["impact"].as_str().unwrap_or_default().to_owned(),
                help: v["help"].as_str().unwrap_or_default().to_owned(),
                targets: v["targets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
            };
            if matches!(finding.impact.as_str(), "serious" | "critical") {
                self.serious.push(finding);
            } else {
                self.minor.push(finding);
            }
        }
    }

    /// The element `css` (the first), or the journey stops saying what was missing where.
    pub async fn find(&self, css: &str) -> WebElement {
        match self.driver.find(By::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("{css} not found on {} ({} px): {e}", self.path().await, self.width),
        }
    }

    /// Types `value` into the `index`th field named `name` (emptied first); a `select` is set to
    /// the option whose value is `value`.
    pub async fn fill_nth(&self, name: &str, index: usize, value: &str) {
        let mut fields = Vec::new();
        for f in self
            .driver
            .find_all(By::Css(format!("[name=\"{name}\"]")))
            .await
            .expect("fields")
        {
            if f.is_displayed().await.unwrap_or(false) {
                fields.push(f);
            }
        }
        let Some(field) = fields.get(index) else {
            panic!("no field {name} #{index} on {} ({} px)", self.path().await, self.width)
        };
        if field.tag_name().await.expect("tag") == "select" {
            field
                .find(By::Css(format!("option[value=\"{value}\"]")))
                .await
                .unwrap_or_else(|e| panic!("{name}: no option {value}: {e}"))
                .click()
                .await
                .expect("choose");
        } else {
            field.clear().await.expect("clear");
            field.send_keys(value).await.expect("type");
        }
    }

    pub async fn fill(&self, name: &str, value: &str) {
        self.fill_nth(name, 0, value).await;
    }

    /// Sets the field `css` to `value` as a script would (a date field, whose typing depends on
    /// the browser's locale).
    pub async fn set(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1]",
                vec![field.to_json().expect("element"), serde_json::json!(value)],
            )
            .await
            .expect("set the value");
    }

    /// Opens the first collapsed section (`details`) whose summary is `text`.
    pub async fn unfold(&self, text: &str) {
        for summary in self
            .driver
            .find_all(By::Css("main details > summary"))
            .await
            .expect("summaries")
        {
            if summary.text().await.unwrap_or_default().trim() == text {
                summary.scroll_into_view().await.ok();
                summary.click().await.expect("unfold");
                return;
            }
        }
        panic!("no section “{text}” on {} ({} px)", self.path().await, self.width);
    }

    /// Follows the first link `css` and looks at where it leads as step `label`.
    pub async fn follow(&mut self, css: &str, label: &str) {
        let link = self.find(css).await;
        let page = self.driver.find(By::Tag("html")).await.expect("the page");
        link.click().await.expect("follow");
        self.loaded(&page).await;
        self.seen(label).await;
    }

    /// The session's cookies as a `Cookie` header, for fetching what the page links to.
    pub async fn cookie_header(&self) -> String {
        self.driver
            .get_all_cookies()
            .await
            .expect("cookies")
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Ticks the checkbox `css`.
    pub async fn tick(&self, css: &str) {
        let b = self.find(css).await;
        b.scroll_into_view().await.ok();
        if !b.is_selected().await.expect("checked") {
            b.click().await.expect("tick");
        }
    }

    /// Attaches the file at `path` to the file field named `name`.
    pub async fn attach(&self, name: &str, path: &Path) {
        let path = std::fs::canonicalize(path).expect("the file to attach");
        self.find(&format!("input[type=file][name=\"{name}\"]"))
            .await
            .send_keys(path.to_string_lossy().as_ref())
            .await
            .expect("attach");
    }

    /// Presses the button (or follows the link) whose text is `text`, within `scope` (a CSS
    /// selector; `main` for the page's content), and looks at where it leads as step `label`.
    pub async fn press_in(&mut self, scope: &str, text: &str, label: &str) {
        let candidates = self
            .driver
            .find_all(By::Css(format!(
                "{scope} button, {scope} a, {scope} input[type=submit]"
            )))
            .await
            .expect("buttons");
        let mut target = None;
        for c in candidates {
            let shown = c.text().await.unwrap_or_default();
            let value = c.value().await.ok().flatten().unwrap_or_default();
            if (shown.trim() == text || value.trim() == text) && c.is_displayed().await.unwrap_or(false) {
                target = Some(c);
                break;
            }
        }
        let Some(target) = target else {
            let file = self.dir.join(format!("{:02}-missing-{label}.png", self.step + 1));
            let _ = self.driver.screenshot(&file).await;
            panic!(
                "no button or link “{text}” in {scope} on {} ({} px)",
                self.path().await,
                self.width
            );
        };
        target.scroll_into_view().await.ok();
        let page = self.driver.find(By::Tag("html")).await.expect("the page");
        target.click().await.expect("press");
        self.loaded(&page).await;
        self.seen(label).await;
    }

    /// Waits until the page `before` has been replaced by the next and that one has loaded.
    async fn loaded(&self, before: &WebElement) {
        for _ in 0..200 {
            if before.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        for _ in 0..200 {
            let state = self.driver.execute("return document.readyState", Vec::new()).await;
            if state.is_ok_and(|s| s.json() == "complete") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn press(&mut self, text: &str, label: &str) {
        self.press_in("main", text, label).await;
    }

    /// How many elements `css` the page has.
    pub async fn find_all_count(&self, css: &str) -> usize {
        self.driver
            .find_all(By::Css(css))
            .await
            .map(|all| all.len())
            .unwrap_or(0)
    }

    /// The text of the first element `css`, whitespace collapsed ("" when there is none).
    pub async fn text(&self, css: &str) -> String {
        match self.driver.find(By::Css(css)).await {
            Ok(e) => e
                .text()
                .await
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            Err(_) => String::new(),
        }
    }

    /// The contrast of the focus ring of the first element `css` against its surroundings.
    pub async fn focus_ring(&self, css: &str) -> (f64, String) {
        let element = self.find(css).await;
        let answer = self
            .driver
            .execute(FOCUS_RING, vec![element.to_json().expect("element")])
            .await
            .expect("focus ring");
        let v = answer.json();
        (
            v[0].as_f64().unwrap_or(0.0),
            v[1].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// The active element's `name` and how many fields of that name come before it.
    pub async fn focused(&self) -> (String, i64) {
        let answer = self
            .driver
            .execute(
                "const a = document.activeElement; const same = [...document.getElementsByName(a.name || '')]; \
                 return [a.name || a.tagName, same.indexOf(a)];",
                Vec::new(),
            )
            .await
            .expect("active element");
        let v = answer.json();
        (
            v[0].as_str().unwrap_or_default().to_owned(),
            v[1].as_i64().unwrap_or(-1),
        )
    }

    /// Ends the session; answers the findings (serious, minor).
    pub async fn finish(self) -> (Vec<Finding>, Vec<Finding>) {
        let Journey {
            driver, serious, minor, ..
        } = self;
        driver.quit().await.ok();
        (serious, minor)
    }
}
