//! The requester's journey over the network, as a browser and a mailbox make it: the form,
//! the submission, the verification mail, the confirmation, the confirmation mail and the
//! status page. It works against any base URL (http or https, in-process or the binary) and
//! any mail source (an SMTP sink or the mail directory).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use super::smtp_sink::SmtpSink;
use super::{csrf_in, link_token, location, try_parse_mail, ReceivedMail};

/// How long a mail may take to arrive (the sender polls every 50 ms in tests; a debug build
/// on a busy machine is slow).
pub const MAIL_TIMEOUT: Duration = Duration::from_secs(20);

/// Where the requester's mail ends up.
pub enum MailSource<'a> {
    /// Delivered over SMTP to a test sink.
    Sink(&'a SmtpSink),
    /// Written as `.eml` files to a directory (no SMTP server configured).
    Files(PathBuf),
}

impl MailSource<'_> {
    /// Every mail received so far, in arrival order.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        match self {
            MailSource::Sink(sink) => sink
                .messages
                .lock()
                .unwrap()
                .iter()
                .enumerate()
                .filter_map(|(i, raw)| try_parse_mail(raw, format!("sink message {i}").into()))
                .collect(),
            MailSource::Files(dir) => {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    return Vec::new();
                };
                let mut mails: Vec<_> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| {
                        let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                        let bytes = std::fs::read(e.path()).ok()?;
                        Some((modified, try_parse_mail(&bytes, e.path())?))
                    })
                    .collect();
                mails.sort_by_key(|(modified, _)| *modified);
                mails.into_iter().map(|(_, mail)| mail).collect()
            }
        }
    }

    /// Waits for a mail to `to` whose body contains `needle`.
    pub async fn wait_for(&self, to: &str, needle: &str) -> ReceivedMail {
        let started = Instant::now();
        loop {
            if let Some(mail) = self
                .mails()
                .into_iter()
                .find(|m| m.to == to && m.body.contains(needle))
            {
                return mail;
            }
            assert!(
                started.elapsed() < MAIL_TIMEOUT,
                "no mail to {to} containing {needle:?} within {MAIL_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A browser: it keeps cookies and shows redirects to the test instead of following them.
pub fn browser() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

/// A browser that trusts the certificate authority in `ca_pem` (and no other).
pub fn browser_trusting(ca_pem: &str) -> Client {
    Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM"))
        .build()
        .expect("client")
}

/// What the requester holds at the end of the journey.
#[derive(Debug, Clone)]
pub struct Journey {
    pub email: String,
    pub reference: String,
    pub verify_token: String,
    pub status_token: String,
}

/// The whole journey for a new access request from `email`.
pub async fn requester_journey(
    client: &Client,
    base: &str,
    mail: &MailSource<'_>,
    email: &str,
) -> Journey {
    submit_request(client, base, email).await;
    confirm_by_mail(client, base, mail, email).await
}

/// The form and the submission: `GET /requests/new?kind=access`, then `POST /requests`
/// with the form's CSRF token; answered 303.
pub async fn submit_request(client: &Client, base: &str, email: &str) {
    let form = client
        .get(format!("{base}/requests/new?kind=access"))
        .send()
        .await
        .expect("GET the request form");
    assert_eq!(form.status(), StatusCode::OK, "GET /requests/new");
    let csrf = csrf_in(&form.text().await.unwrap()).expect("a CSRF token in the form");
    let submitted = client
        .post(format!("{base}/requests"))
        .form(&[
            ("kind", "access"),
            ("full_name", "Asha Rao"),
            ("email", email),
            ("region", "in"),
            ("details", "Please send me a copy of my data."),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("POST /requests");
    assert_eq!(
        submitted.status(),
        StatusCode::SEE_OTHER,
        "POST /requests: {}",
        submitted.text().await.unwrap_or_default()
    );
}

/// The rest of the journey once the request is submitted: the verification mail's link,
/// its confirm form, the confirmation mail's status link and the status page.
pub async fn confirm_by_mail(
    client: &Client,
    base: &str,
    mail: &MailSource<'_>,
    email: &str,
) -> Journey {
    let verification = mail.wait_for(email, "/verify/").await;
    let verify_token = link_token(&verification.body, "/verify/").expect("a verify link");
    let confirm_page = client
        .get(format!("{base}/verify/{verify_token}"))
        .send()
        .await
        .expect("GET /verify");
    assert_eq!(
        confirm_page.status(),
        StatusCode::OK,
        "GET /verify/{{token}}"
    );
    let html = confirm_page.text().await.unwrap();
    assert!(html.contains("<form"), "a confirm form: {html}");
    let csrf = csrf_in(&html).expect("a CSRF token on the confirm page");
    let confirmed = client
        .post(format!("{base}/verify/{verify_token}"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("POST /verify");
    assert_eq!(
        confirmed.status(),
        StatusCode::SEE_OTHER,
        "POST /verify/{{token}}"
    );
    assert!(location(&confirmed).starts_with("/status/"));

    let confirmation = mail.wait_for(email, "/status/").await;
    let status_token = link_token(&confirmation.body, "/status/").expect("a status link");
    let reference = confirmation
        .subject
        .split_whitespace()
        .find(|w| w.starts_with("RD-"))
        .expect("the reference in the subject")
        .to_string();
    let status = client
        .get(format!("{base}/status/{status_token}"))
        .send()
        .await
        .expect("GET /status");
    assert_eq!(status.status(), StatusCode::OK, "GET /status/{{token}}");
    let page = status.text().await.unwrap();
    assert!(
        page.contains(&reference),
        "the status page shows {reference}"
    );
    Journey {
        email: email.to_string(),
        reference,
        verify_token,
        status_token,
    }
}
