//! Delivery: SMTP through lettre (TLS via rustls) or `.eml` files for the embedded default.

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use templates::email::Rendered;

use crate::{WorkerConfig, WorkerError};

/// A message ready to go: recipient and rendered content.
pub struct Outgoing {
    pub to: String,
    pub rendered: Rendered,
}

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Why `url` cannot be the SMTP server's address (`None`: it can); nothing is connected.
pub fn smtp_url_problem(url: &str) -> Option<String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .err()
        .map(|e| e.to_string())
}

impl Mailer {
    pub fn from_config(cfg: &WorkerConfig) -> Result<Self, WorkerError> {
        match &cfg.smtp_url {
            // One pooled connection for each email sent at the same time.
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| {
                    let size = u32::try_from(cfg.email_concurrency.max(1)).unwrap_or(u32::MAX);
                    Self::Smtp(b.pool_config(PoolConfig::new().max_size(size)).build())
                })
                .map_err(|e| WorkerError::Mail(format!("PUMPURS_SMTP_URL: {e}"))),
            None => {
                std::fs::create_dir_all(&cfg.mail_dir)
                    .map_err(|e| WorkerError::Mail(format!("{}: {e}", cfg.mail_dir.display())))?;
                Ok(Self::Files(AsyncFileTransport::new(&cfg.mail_dir)))
            }
        }
    }

    /// Sends one message. Its `Message-ID` is made from the event key and the recipient, so a
    /// message sent again (after a crash between the server's acceptance and our record of it)
    /// carries the same id and mail programs show it once.
    pub(crate) async fn send(&self, cfg: &WorkerConfig, key: &str, out: Outgoing) -> Result<(), WorkerError> {
        let from: Mailbox = cfg
            .mail_from
            .parse()
            .map_err(|e| WorkerError::Mail(format!("PUMPURS_MAIL_FROM: {e}")))?;
        let to: Mailbox = out
            .to
            .parse()
            .map_err(|e| WorkerError::MailRejected(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .message_id(Some(message_id(cfg, key, &out.to)))
            .header(AutoSubmitted)
            .subject(out.rendered.subject)
            .multipart(MultiPart::alternative_plain_html(out.rendered.text, out.rendered.html))
            .map_err(|e| WorkerError::Mail(e.to_string()))?;
        match self {
            // A 5xx answer is final; anything else (refused connection, 4xx, a timeout) may
            // pass, and is tried again.
            Self::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    WorkerError::MailRejected(e.to_string())
                } else {
                    WorkerError::Mail(e.to_string())
                }
            }),
            Self::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| WorkerError::Mail(e.to_string())),
        }
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): every message is sent by the portal itself, so
/// mail programs send no out-of-office answer back.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

fn message_id(cfg: &WorkerConfig, key: &str, to: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{key}\n{to}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let host = cfg
        .public_url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("pumpurs.localhost");
    format!("<{hex}.{}@{host}>", key.replace(':', "-"))
}
