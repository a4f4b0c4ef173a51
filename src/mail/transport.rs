//! Delivery: `.eml` files in the mail directory when no SMTP server is set, SMTP otherwise.

use std::path::Path;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
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
    #[error("SMTP: no answer within {0} seconds")]
    TimedOut(u64),
}

impl MailError {
    /// Whether the mail can never be delivered as it stands: the server refused the
    /// recipient for good, or the stored address is not an address. Everything else (the
    /// server down, slow, refusing our credentials, a TLS problem, a full mailbox) may pass
    /// on a later try, so it is retried.
    pub fn is_rejection(&self) -> bool {
        match self {
            MailError::Address(_) => true,
            // 550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed.
            // Other 5xx replies (530/535 authentication, 554 at the greeting, 500-504 syntax)
            // say more about our settings than about this recipient.
            MailError::Smtp(error) => error
                .status()
                .is_some_and(|code| matches!(u16::from(code), 550 | 551 | 553)),
            _ => false,
        }
    }

    /// What the log may say about the failure: its class and SMTP code, never the server's
    /// text, which often repeats the recipient's address.
    pub fn log_summary(&self) -> String {
        match self {
            MailError::Config(_) => "configuration".to_string(),
            MailError::Address(_) => "invalid recipient address".to_string(),
            MailError::Build(_) => "message could not be built".to_string(),
            MailError::File(_) => "mail file could not be written".to_string(),
            MailError::TimedOut(seconds) => format!("no answer from the SMTP server within {seconds} s"),
            MailError::Smtp(error) => match error.status() {
                Some(code) => match u16::from(code) {
                    530 | 534 | 535 | 538 => format!(
                        "SMTP {code}: the server refused the credentials (check RIGHTSDESK_SMTP_URL)"
                    ),
                    550 | 551 | 553 => format!("SMTP {code}: the server refused the recipient"),
                    _ if error.is_permanent() => format!("SMTP {code}: refused"),
                    _ => format!("SMTP {code}: temporarily refused"),
                },
                None if error.is_timeout() => "SMTP: timed out".to_string(),
                None if error.is_tls() || caused_by_tls(error) => "SMTP: TLS failed (check the server's certificate and RIGHTSDESK_SMTP_CA)".to_string(),
                None => "SMTP: connection failed or closed".to_string(),
            },
        }
    }
}

/// Whether a TLS failure lies under the error: lettre reports a refused certificate as a
/// connection error with the rustls error inside an I/O error.
fn caused_by_tls(error: &lettre::transport::smtp::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<rustls::Error>() {
            return true;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
            {
                return true;
            }
        }
        source = cause.source();
    }
    false
}

enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends mail through the configured transport.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// The longest one delivery may take, whatever the server does.
    send_timeout: Duration,
}

impl Mailer {
    /// Builds the transport. The SMTP transport's connection pool spawns a task, so this must
    /// run inside the Tokio runtime.
    pub fn from_settings(settings: &Settings) -> Result<Mailer, MailError> {
        let from = settings
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| MailError::Config(format!("RIGHTSDESK_MAIL_FROM: {e}")))?;
        let timeout = Duration::from_secs(settings.smtp_timeout_secs);
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                smtp_builder(url, settings.smtp_ca_file.as_deref())?
                    .timeout(Some(timeout))
                    .build(),
            ),
            None => {
                let dir = settings.mail_dir();
                create_dir(&dir)?;
                Transport::File(AsyncFileTransport::new(dir))
            }
        };
        Ok(Mailer {
            transport,
            from,
            // Connecting, TLS, authentication and the dialogue each get `timeout`; the whole
            // delivery gets a few of them.
            send_timeout: timeout * 4,
        })
    }

    /// The longest [`Mailer::send`] takes before it gives up.
    pub fn send_timeout(&self) -> Duration {
        self.send_timeout
    }

    /// Sends one outbox mail. Its Message-ID is made from the outbox id and the sender's
    /// domain, so a mail sent again (after a crash between sending and recording it) carries
    /// the same Message-ID and the receiving side can tell it is the same mail.
    pub async fn send(
        &self,
        outbox_id: &str,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), MailError> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| MailError::Address(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            // A Message-ID also keeps spam filters from marking the mail down.
            .message_id(Some(format!("<{outbox_id}@{}>", self.from.email.domain())))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())?;
        let delivery = async {
            match &self.transport {
                Transport::File(transport) => transport.send(message).await.map(|_| ())?,
                Transport::Smtp(transport) => transport.send(message).await.map(|_| ())?,
            }
            Ok(())
        };
        tokio::time::timeout(self.send_timeout, delivery)
            .await
            .unwrap_or(Err(MailError::TimedOut(self.send_timeout.as_secs())))
    }
}

/// The SMTP transport the URL describes (`smtp://`, `smtp://...?tls=required`,
/// `smtps://`, credentials in the user part), trusting the certificates in `ca_file` besides
/// the public roots when one is given (a private mail relay). Errors never repeat the URL,
/// which may hold a password.
fn smtp_builder(url: &str, ca_file: Option<&Path>) -> Result<AsyncSmtpTransportBuilder, MailError> {
    let invalid =
        |e: &dyn std::fmt::Display| MailError::Config(format!("RIGHTSDESK_SMTP_URL: {e}"));
    let parsed = url::Url::parse(url).map_err(|e| invalid(&e))?;
    let host = parsed
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| invalid(&"no host; expected smtp://HOST:PORT or smtps://HOST:PORT"))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let mode = parsed
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    // Checked here because lettre's own message blames the scheme.
    if let Some(other) = mode
        .as_deref()
        .filter(|m| !matches!(*m, "required" | "opportunistic"))
    {
        return Err(invalid(&format!(
            "tls={other} is not a TLS mode; use tls=required (STARTTLS), tls=opportunistic, or smtps:// for TLS from the first byte"
        )));
    }
    // Without TLS, lettre would send the password in the clear: refused unless the server is
    // on this host, where it crosses no network.
    let on_this_host = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if parsed.password().is_some() && parsed.scheme() == "smtp" && mode.is_none() && !on_this_host {
        return Err(invalid(
            &"a password would cross the network unencrypted; add ?tls=required (STARTTLS) or use smtps://",
        ));
    }
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| invalid(&e))?;
    let Some(ca_file) = ca_file else {
        return Ok(builder);
    };
    let pem = std::fs::read(ca_file).map_err(|e| {
        MailError::Config(format!(
            "RIGHTSDESK_SMTP_CA: cannot read {}: {e}",
            ca_file.display()
        ))
    })?;
    let certificate = Certificate::from_pem(&pem).map_err(|_| {
        MailError::Config(format!(
            "RIGHTSDESK_SMTP_CA: {} holds no PEM certificate",
            ca_file.display()
        ))
    })?;
    let parameters = TlsParameters::builder(host)
        .add_root_certificate(certificate)
        .build_rustls()
        .map_err(|e| MailError::Config(format!("RIGHTSDESK_SMTP_CA: {e}")))?;
    let tls = match (parsed.scheme(), mode.as_deref()) {
        ("smtps", _) => Tls::Wrapper(parameters),
        ("smtp", Some("required")) => Tls::Required(parameters),
        ("smtp", Some("opportunistic")) => Tls::Opportunistic(parameters),
        _ => {
            return Err(MailError::Config(
                "RIGHTSDESK_SMTP_CA is set, but RIGHTSDESK_SMTP_URL uses no TLS: use smtps:// or smtp://...?tls=required".to_string(),
            ))
        }
    };
    Ok(builder.tls(tls))
}

fn create_dir(dir: &Path) -> Result<(), MailError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        MailError::Config(format!(
            "cannot create mail directory {}: {e}",
            dir.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_for(url: &str) -> String {
        match smtp_builder(url, None) {
            Ok(_) => panic!("{url} was accepted"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_bad_smtp_url_is_named_in_one_line_without_its_password() {
        for (url, expected) in [
            ("smtp://", "RIGHTSDESK_SMTP_URL: no host"),
            ("smtp://:25", "RIGHTSDESK_SMTP_URL: empty host"),
            (
                "smtp://user:pa55word@mail.example.org?tls=bogus",
                "RIGHTSDESK_SMTP_URL: tls=bogus is not a TLS mode",
            ),
            (
                "smtps://user:pa55word@mail.example.org?tls=yes",
                "RIGHTSDESK_SMTP_URL: tls=yes is not a TLS mode",
            ),
            (
                "smtp://user:pa55word@mail.example.org:587",
                "RIGHTSDESK_SMTP_URL: a password would cross the network unencrypted",
            ),
        ] {
            let error = error_for(url);
            assert!(error.contains(expected), "{url}: {error}");
            assert!(
                !error.contains("pa55word") && !error.contains('\n'),
                "{error}"
            );
        }
        for url in [
            "smtp://mail.example.org",
            "smtp://user:pa55word@mail.example.org:587?tls=required",
            "smtp://mail.example.org?tls=opportunistic",
            "smtps://mail.example.org",
            "smtp://user:pa55word@127.0.0.1:2525",
            "smtp://user:pa55word@localhost:25",
            "smtp://user:pa55word@[::1]:25",
        ] {
            assert!(smtp_builder(url, None).is_ok(), "{url}");
        }
    }
}
