//! Delivery: SMTP through lettre (TLS via rustls) or `.eml` files for the embedded default.

use lettre::message::{Mailbox, MultiPart};
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

impl Mailer {
    pub fn from_config(cfg: &WorkerConfig) -> Result<Self, WorkerError> {
        match &cfg.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Self::Smtp(b.build()))
                .map_err(|e| WorkerError::Mail(format!("PUMPURS_SMTP_URL: {e}"))),
            None => {
                std::fs::create_dir_all(&cfg.mail_dir)
                    .map_err(|e| WorkerError::Mail(format!("{}: {e}", cfg.mail_dir.display())))?;
                Ok(Self::Files(AsyncFileTransport::new(&cfg.mail_dir)))
            }
        }
    }

    pub(crate) async fn send(&self, cfg: &WorkerConfig, out: Outgoing) -> Result<(), WorkerError> {
        let from: Mailbox = cfg
            .mail_from
            .parse()
            .map_err(|e| WorkerError::Mail(format!("PUMPURS_MAIL_FROM: {e}")))?;
        let to: Mailbox = out
            .to
            .parse()
            .map_err(|e| WorkerError::Mail(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(out.rendered.subject)
            .multipart(MultiPart::alternative_plain_html(out.rendered.text, out.rendered.html))
            .map_err(|e| WorkerError::Mail(e.to_string()))?;
        match self {
            Self::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| WorkerError::Mail(e.to_string())),
            Self::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| WorkerError::Mail(e.to_string())),
        }
    }
}
