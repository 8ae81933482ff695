//! The one typed configuration, read once at start-up from flags and `PUMPURS_*` variables.
//! A bad value stops start-up with a message naming the variable; secrets never print.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::Duration;
use entities::storage::{S3Config, StoreConfig};
use entities::tokens::SecretKey;

/// The key used when none is configured. Fine on a developer's machine, refused in production.
const DEV_SECRET_KEY: &str = "pumpurs-development-key-not-for-production-use!!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    Development,
    Production,
}

/// A value that must not be printed (a URL with a password, say).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("**redacted**")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub env: Env,
    pub addr: SocketAddr,
    pub database_url: Secret,
    pub db_max_connections: u32,
    pub data_dir: PathBuf,
    pub secret_key: SecretKey,
    /// The address people reach the portal at, for links in emails; no trailing slash.
    pub public_url: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Largest request body accepted, in bytes (uploads have their own limits).
    pub max_body_bytes: usize,
    pub mail_from: String,
    /// SMTP server (`smtp://`, `smtps://` or `smtp://…?tls=starttls`); `.eml` files when unset.
    pub smtp_url: Option<Secret>,
    pub log_json: bool,
    /// How often a worker process tells it is alive; one silent for three is taken for dead and
    /// its running jobs go to the others.
    pub job_heartbeat: std::time::Duration,
    /// Emails one process sends at the same time (over as many SMTP connections).
    pub email_concurrency: usize,
    /// Largest single document, and all documents of one application together, in bytes.
    pub max_file_bytes: u64,
    pub max_application_bytes: u64,
    /// Where uploaded documents live.
    pub documents: StoreConfig,
    /// Where decided calls and closed semesters are archived.
    pub archive: StoreConfig,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none: the header is ignored).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long a client may take to send a request's headers.
    pub header_timeout: std::time::Duration,
}

impl Config {
    /// The embedded default: SQLite under `data_dir`, development key, `.eml` mail.
    pub fn development(data_dir: PathBuf) -> Self {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        Self {
            env: Env::Development,
            addr,
            database_url: Secret::new(sqlite_url(&data_dir)),
            db_max_connections: 8,
            data_dir: data_dir.clone(),
            secret_key: SecretKey::new(DEV_SECRET_KEY.as_bytes()),
            public_url: format!("http://{addr}"),
            session_idle: Duration::minutes(60),
            session_absolute: Duration::hours(12),
            max_body_bytes: 2 * 1024 * 1024,
            mail_from: "Pumpurs <pumpurs@localhost>".to_owned(),
            smtp_url: None,
            log_json: false,
            job_heartbeat: std::time::Duration::from_secs(10),
            email_concurrency: worker::WorkerConfig::EMAIL_CONCURRENCY,
            max_file_bytes: 20 * 1024 * 1024,
            max_application_bytes: 100 * 1024 * 1024,
            documents: StoreConfig::Local(data_dir.join("documents")),
            archive: StoreConfig::Local(data_dir.join("archive")),
            trusted_proxies: Vec::new(),
            header_timeout: std::time::Duration::from_secs(30),
        }
    }

    pub fn is_production(&self) -> bool {
        self.env == Env::Production
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose().starts_with("sqlite:")
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Cookies get `Secure` when people reach the portal over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Reads every setting from `get` (the environment, or flags that override it). `get`
    /// returns the raw text of a `PUMPURS_*` variable.
    pub fn load(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = match get("PUMPURS_ENV").as_deref().map(str::trim) {
            None | Some("") | Some("development") => Env::Development,
            Some("production") => Env::Production,
            Some(other) => return Err(ConfigError::new("PUMPURS_ENV", other, "use development or production")),
        };
        let data_dir = PathBuf::from(get("PUMPURS_DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let mut cfg = Self::development(data_dir);
        cfg.env = env;
        if let Some(v) = get("PUMPURS_ADDR") {
            cfg.addr = v
                .trim()
                .parse()
                .map_err(|_| ConfigError::new("PUMPURS_ADDR", &v, "expected an address like 127.0.0.1:8080"))?;
            cfg.public_url = format!("http://{}", cfg.addr);
        }
        if let Some(v) = get("PUMPURS_DATABASE_URL") {
            if !(v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://")) {
                return Err(ConfigError::new(
                    "PUMPURS_DATABASE_URL",
                    "(hidden)",
                    "expected sqlite:… or postgres://…",
                ));
            }
            cfg.database_url = Secret::new(v);
        }
        if let Some(v) = get("PUMPURS_DB_MAX_CONNECTIONS") {
            cfg.db_max_connections = parse_num(&v, "PUMPURS_DB_MAX_CONNECTIONS", 2, 200)?;
        }
        match get("PUMPURS_SECRET_KEY") {
            Some(v) if v.len() < 32 => {
                return Err(ConfigError::new(
                    "PUMPURS_SECRET_KEY",
                    "(hidden)",
                    "must be at least 32 characters",
                ));
            }
            Some(v) if v == DEV_SECRET_KEY && env == Env::Production => {
                return Err(ConfigError::new(
                    "PUMPURS_SECRET_KEY",
                    "(hidden)",
                    "the development key is refused in production",
                ));
            }
            Some(v) => cfg.secret_key = SecretKey::new(v.into_bytes()),
            None if env == Env::Production => {
                return Err(ConfigError::new(
                    "PUMPURS_SECRET_KEY",
                    "(unset)",
                    "production needs a secret key of at least 32 random characters",
                ));
            }
            None => {}
        }
        if let Some(v) = get("PUMPURS_PUBLIC_URL") {
            let v = v.trim().trim_end_matches('/').to_owned();
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(ConfigError::new(
                    "PUMPURS_PUBLIC_URL",
                    &v,
                    "expected http://… or https://…",
                ));
            }
            cfg.public_url = v;
        }
        if let Some(v) = get("PUMPURS_JOB_HEARTBEAT_SECONDS") {
            cfg.job_heartbeat = std::time::Duration::from_secs(parse_num(&v, "PUMPURS_JOB_HEARTBEAT_SECONDS", 1, 300)?);
        }
        if let Some(v) = get("PUMPURS_EMAIL_CONCURRENCY") {
            cfg.email_concurrency = parse_num(&v, "PUMPURS_EMAIL_CONCURRENCY", 1, 256)?;
        }
        if let Some(v) = get("PUMPURS_SESSION_IDLE_MINUTES") {
            cfg.session_idle = Duration::minutes(parse_num(&v, "PUMPURS_SESSION_IDLE_MINUTES", 5, 24 * 60)?);
        }
        if let Some(v) = get("PUMPURS_SESSION_MAX_HOURS") {
            cfg.session_absolute = Duration::hours(parse_num(&v, "PUMPURS_SESSION_MAX_HOURS", 1, 24 * 30)?);
        }
        if let Some(v) = get("PUMPURS_HEADER_TIMEOUT_SECONDS") {
            cfg.header_timeout =
                std::time::Duration::from_secs(parse_num(&v, "PUMPURS_HEADER_TIMEOUT_SECONDS", 1, 300)?);
        }
        if let Some(v) = get("PUMPURS_TRUSTED_PROXIES") {
            cfg.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    a.parse().map_err(|_| {
                        ConfigError::new(
                            "PUMPURS_TRUSTED_PROXIES",
                            a,
                            "expected IP addresses separated by commas",
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("PUMPURS_MAX_BODY_KB") {
            cfg.max_body_bytes = parse_num::<usize>(&v, "PUMPURS_MAX_BODY_KB", 16, 1024 * 1024)? * 1024;
        }
        if let Some(v) = get("PUMPURS_MAX_FILE_MB") {
            cfg.max_file_bytes = parse_num::<u64>(&v, "PUMPURS_MAX_FILE_MB", 1, 1024)? * 1024 * 1024;
        }
        if let Some(v) = get("PUMPURS_MAX_APPLICATION_MB") {
            cfg.max_application_bytes = parse_num::<u64>(&v, "PUMPURS_MAX_APPLICATION_MB", 1, 10 * 1024)? * 1024 * 1024;
        }
        if let Some(v) = get("PUMPURS_MAIL_FROM") {
            if !v.contains('@') {
                return Err(ConfigError::new(
                    "PUMPURS_MAIL_FROM",
                    &v,
                    "expected an address like Pumpurs <pumpurs@example.lv>",
                ));
            }
            cfg.mail_from = v;
        }
        if let Some(v) = get("PUMPURS_SMTP_URL") {
            if !(v.starts_with("smtp://") || v.starts_with("smtps://")) {
                return Err(ConfigError::new(
                    "PUMPURS_SMTP_URL",
                    "(hidden)",
                    "expected smtp://… or smtps://…",
                ));
            }
            if worker::smtp_url_problem(&v).is_some() {
                return Err(ConfigError::new(
                    "PUMPURS_SMTP_URL",
                    "(hidden)",
                    "not a usable SMTP address: expected smtp://user:password@host:port or smtps://…, with ?tls=required or ?tls=opportunistic",
                ));
            }
            cfg.smtp_url = Some(Secret::new(v));
        }
        cfg.log_json = match get("PUMPURS_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => return Err(ConfigError::new("PUMPURS_LOG_FORMAT", other, "use text or json")),
        };
        match get("PUMPURS_STORAGE").as_deref() {
            None | Some("local") => {}
            Some("s3") => {
                let required = |var: &'static str| {
                    get(var)
                        .filter(|v| !v.trim().is_empty())
                        .ok_or_else(|| ConfigError::new(var, "(unset)", "required when PUMPURS_STORAGE=s3"))
                };
                let s3 = S3Config {
                    bucket: required("PUMPURS_S3_BUCKET")?,
                    endpoint: get("PUMPURS_S3_ENDPOINT").map(|e| e.trim_end_matches('/').to_owned()),
                    region: get("PUMPURS_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
                    access_key_id: required("PUMPURS_S3_ACCESS_KEY_ID")?,
                    secret_access_key: required("PUMPURS_S3_SECRET_ACCESS_KEY")?,
                };
                let archive = S3Config {
                    bucket: required("PUMPURS_S3_ARCHIVE_BUCKET")?,
                    ..s3.clone()
                };
                cfg.documents = StoreConfig::S3(s3);
                cfg.archive = StoreConfig::S3(archive);
            }
            Some(other) => return Err(ConfigError::new("PUMPURS_STORAGE", other, "use local or s3")),
        }
        if cfg.is_production() && cfg.smtp_url.is_none() {
            return Err(ConfigError::new(
                "PUMPURS_SMTP_URL",
                "(unset)",
                "production sends email through SMTP",
            ));
        }
        Ok(cfg)
    }
}

pub fn sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("pumpurs.db").display())
}

fn parse_num<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    v: &str,
    var: &'static str,
    min: T,
    max: T,
) -> Result<T, ConfigError> {
    match v.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(ConfigError::new(
            var,
            v,
            &format!("expected a whole number from {min} to {max}"),
        )),
    }
}

/// A setting that stops start-up: which variable, what it held, what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem} (got {value:?})")]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &'static str, value: &str, problem: &str) -> Self {
        Self {
            variable,
            value: value.to_owned(),
            problem: problem.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::load(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let cfg = load(&[]).map_err(|e| e.to_string());
        let cfg = cfg
            .as_ref()
            .map(|c| (c.addr.to_string(), c.is_sqlite(), c.public_url.clone()));
        assert_eq!(
            cfg,
            Ok(("127.0.0.1:8080".to_owned(), true, "http://127.0.0.1:8080".to_owned()))
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = load(&[("PUMPURS_ADDR", "nowhere")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("PUMPURS_ADDR: expected an address"), "{err}");
        let err = load(&[("PUMPURS_SESSION_IDLE_MINUTES", "0")]).err().map(|e| e.variable);
        assert_eq!(err, Some("PUMPURS_SESSION_IDLE_MINUTES"));
        for smtp in [
            "smtp://mail.example.lv:not-a-port",
            "smtp://mail.example.lv?tls=sometimes",
        ] {
            let err = load(&[("PUMPURS_SMTP_URL", smtp)]).err().map(|e| e.variable);
            assert_eq!(err, Some("PUMPURS_SMTP_URL"), "{smtp}");
        }
        assert!(load(&[("PUMPURS_SMTP_URL", "smtp://u:p@mail.example.lv:587?tls=required")]).is_ok());
        let err = load(&[("PUMPURS_HEADER_TIMEOUT_SECONDS", "0")])
            .err()
            .map(|e| e.variable);
        assert_eq!(err, Some("PUMPURS_HEADER_TIMEOUT_SECONDS"));
        let err = load(&[("PUMPURS_TRUSTED_PROXIES", "10.0.0.1, proxy")])
            .err()
            .map(|e| e.variable);
        assert_eq!(err, Some("PUMPURS_TRUSTED_PROXIES"));
    }

    #[test]
    fn production_refuses_missing_short_and_default_keys() {
        let smtp = ("PUMPURS_SMTP_URL", "smtp://mail.example.lv");
        let prod = ("PUMPURS_ENV", "production");
        assert_eq!(
            load(&[prod, smtp]).err().map(|e| e.variable),
            Some("PUMPURS_SECRET_KEY")
        );
        assert_eq!(
            load(&[prod, smtp, ("PUMPURS_SECRET_KEY", "short")])
                .err()
                .map(|e| e.variable),
            Some("PUMPURS_SECRET_KEY")
        );
        assert_eq!(
            load(&[prod, smtp, ("PUMPURS_SECRET_KEY", DEV_SECRET_KEY)])
                .err()
                .map(|e| e.variable),
            Some("PUMPURS_SECRET_KEY")
        );
        let key = ("PUMPURS_SECRET_KEY", "0123456789abcdef0123456789abcdef-real");
        assert!(load(&[prod, smtp, key]).is_ok());
    }

    #[test]
    fn s3_storage_needs_its_buckets_and_keys() {
        let err = load(&[("PUMPURS_STORAGE", "s3"), ("PUMPURS_S3_BUCKET", "docs")])
            .err()
            .map(|e| e.variable);
        assert_eq!(err, Some("PUMPURS_S3_ACCESS_KEY_ID"));
        let cfg = load(&[
            ("PUMPURS_STORAGE", "s3"),
            ("PUMPURS_S3_BUCKET", "docs"),
            ("PUMPURS_S3_ARCHIVE_BUCKET", "archive"),
            ("PUMPURS_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("PUMPURS_S3_ACCESS_KEY_ID", "AK"),
            ("PUMPURS_S3_SECRET_ACCESS_KEY", "very-secret-key"),
        ]);
        let printed = format!("{cfg:?}");
        assert!(
            printed.contains("bucket=archive") && !printed.contains("very-secret-key"),
            "{printed}"
        );
    }

    #[test]
    fn secrets_never_print() {
        let cfg = load(&[
            ("PUMPURS_SECRET_KEY", "0123456789abcdef0123456789abcdef-real"),
            ("PUMPURS_SMTP_URL", "smtp://u:pw@mail.example.lv"),
        ]);
        let printed = format!("{cfg:?}");
        assert!(
            !printed.contains("0123456789abcdef") && !printed.contains("pw@"),
            "{printed}"
        );
    }
}
