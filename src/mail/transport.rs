//! Delivery: `.eml` files in the mail directory when no SMTP server is set, SMTP otherwise.

use std::path::Path;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Settings;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("bad address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("file transport: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends mail through the configured transport.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> Result<Mailer, MailError> {
        let from = settings
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| MailError::Config(format!("RIGHTSDESK_MAIL_FROM: {e}")))?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::Config(format!("RIGHTSDESK_SMTP_URL: {e}")))?
                    .build(),
            ),
            None => {
                let dir = settings.mail_dir();
                create_dir(&dir)?;
                Transport::File(AsyncFileTransport::new(dir))
            }
        };
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| MailError::Address(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            // A Message-ID (from this host's name) keeps spam filters from marking it down.
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())?;
        match &self.transport {
            Transport::File(transport) => {
                transport.send(message).await?;
            }
            Transport::Smtp(transport) => {
                transport.send(message).await?;
            }
        }
        Ok(())
    }
}

fn create_dir(dir: &Path) -> Result<(), MailError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        MailError::Config(format!(
            "cannot create mail directory {}: {e}",
            dir.display()
        ))
    })
}
