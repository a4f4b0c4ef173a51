//! Several instances of the app as clients reach them: browsers (each with its own
//! cookies, which reach every instance on the host) that record every answer, requesters
//! who submit on one instance and confirm on another, and the mail an SMTP sink received,
//! parsed once as it arrives.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::StatusCode;

use super::officer::version_in;
use super::smtp_sink::SmtpSink;
use super::{csrf_in, link_token, location};

/// How long a mail may take to arrive.
const MAIL_WAIT: Duration = Duration::from_secs(30);

/// A mail as the sink received it.
pub struct SinkMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
}

impl SinkMail {
    pub fn parse(raw: &[u8]) -> SinkMail {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a parseable message");
        SinkMail {
            to: message
                .to()
                .and_then(|to| to.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_string(),
            subject: message.subject().unwrap_or_default().to_string(),
            body: message.body_text(0).unwrap_or_default().to_string(),
            message_id: message.message_id().unwrap_or_default().to_string(),
        }
    }
}

/// Line ends and trailing space as a transport may change them.
pub fn normalise(body: &str) -> String {
    body.replace("\r\n", "\n").trim_end().to_string()
}

/// The messages of the sink, parsed once each as they arrive.
pub struct Inbox {
    sink: SmtpSink,
    parsed: Mutex<Vec<SinkMail>>,
}

impl Inbox {
    pub fn new(sink: SmtpSink) -> Inbox {
        Inbox {
            sink,
            parsed: Mutex::new(Vec::new()),
        }
    }

    /// The subject and body of the first mail to `to` whose body holds `needle`.
    pub fn find(&self, to: &str, needle: &str) -> Option<(String, String)> {
        // Parsed first: whoever parsed last saw no more messages than are there now.
        let mut parsed = self.parsed.lock().unwrap();
        let raw = self.sink.messages.lock().unwrap().clone();
        let known = parsed.len();
        parsed.extend(raw[known..].iter().map(|m| SinkMail::parse(m)));
        parsed
            .iter()
            .find(|m| m.to == to && m.body.contains(needle))
            .map(|m| (m.subject.clone(), m.body.clone()))
    }

    pub async fn wait_for(&self, to: &str, needle: &str) -> (String, String) {
        let started = Instant::now();
        loop {
            if let Some(found) = self.find(to, needle) {
                return found;
            }
            assert!(
                started.elapsed() < MAIL_WAIT,
                "no mail to {to} containing {needle:?} within {MAIL_WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The two instances as clients reach them, the mail they send, and every answer given.
#[derive(Clone)]
pub struct Cluster {
    pub bases: Arc<[String; 2]>,
    pub mail: Arc<Inbox>,
    pub answers: Arc<Mutex<Vec<(String, StatusCode)>>>,
}

/// One answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

/// A browser with its own cookies; the same cookies reach both instances (one host).
#[derive(Clone)]
pub struct Browser {
    pub cluster: Cluster,
    pub client: reqwest::Client,
}

impl Browser {
    pub async fn get(&self, instance: usize, path: &str) -> Answer {
        let request = self
            .client
            .get(format!("{}{path}", self.cluster.bases[instance]));
        self.send(request, format!("GET {path} on {instance}"))
            .await
    }

    pub async fn post(&self, instance: usize, path: &str, fields: &[(&str, &str)]) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.cluster.bases[instance]))
            .form(fields);
        self.send(request, format!("POST {path} on {instance}"))
            .await
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: String) -> Answer {
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = response.status();
        let location = location(&response);
        self.cluster.answers.lock().unwrap().push((what, status));
        Answer {
            status,
            location,
            body: response.text().await.unwrap_or_default(),
        }
    }

    /// The CSRF token of the forms on a page.
    pub async fn csrf(&self, instance: usize, path: &str) -> String {
        let page = self.get(instance, path).await;
        assert_eq!(page.status, StatusCode::OK, "GET {path} on {instance}");
        csrf_in(&page.body).unwrap_or_else(|| panic!("no csrf_token in {path}"))
    }

    /// One workflow action on a request through `instance`, with the version its page shows.
    pub async fn act(&self, instance: usize, reference: &str, fields: &[(&str, &str)]) -> Answer {
        let path = format!("/officer/requests/{reference}");
        let page = self.get(instance, &path).await;
        assert_eq!(page.status, StatusCode::OK, "GET {path} on {instance}");
        let csrf = csrf_in(&page.body).expect("csrf");
        let version = version_in(&page.body).expect("version");
        let mut all = vec![("csrf_token", csrf.as_str()), ("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post(instance, &format!("{path}/actions"), &all).await
    }
}

/// A verified request and how its requester follows it.
pub struct Requester {
    /// Which request of the run it is.
    pub n: usize,
    pub reference: String,
    pub status_token: String,
    pub browser: Browser,
    /// The token of the browser's forms (its cookie stays the same throughout).
    pub csrf: String,
}

impl Requester {
    /// Opens the status page through `instance`, then answers the officer from it.
    pub async fn reply(&self, instance: usize, message: &str) -> StatusCode {
        let path = format!("/status/{}", self.status_token);
        self.browser.get(instance, &path).await;
        let fields = [("message", message), ("csrf_token", self.csrf.as_str())];
        self.browser
            .post(instance, &format!("{path}/reply"), &fields)
            .await
            .status
    }

    /// Opens the status page through `instance`, then withdraws the request from it.
    pub async fn withdraw(&self, instance: usize) -> StatusCode {
        let path = format!("/status/{}", self.status_token);
        self.browser.get(instance, &path).await;
        let fields = [("csrf_token", self.csrf.as_str())];
        self.browser
            .post(instance, &format!("{path}/withdraw"), &fields)
            .await
            .status
    }
}

impl Cluster {
    /// Clients of the instances at `bases` (`http://IP:PORT`), whose mail goes to `sink`.
    pub fn new(bases: [String; 2], sink: SmtpSink) -> Cluster {
        Cluster {
            bases: Arc::new(bases),
            mail: Arc::new(Inbox::new(sink)),
            answers: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn browser(&self) -> Browser {
        Browser {
            cluster: self.clone(),
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .cookie_store(true)
                .build()
                .expect("client"),
        }
    }

    /// A browser signed in through `instance` as an officer without two-step sign-in.
    pub async fn signed_in_officer(&self, instance: usize, email: &str, password: &str) -> Browser {
        let browser = self.browser();
        let csrf = browser.csrf(instance, "/officer/login").await;
        let answer = browser
            .post(
                instance,
                "/officer/login",
                &[
                    ("email", email),
                    ("password", password),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "sign in on {instance}"
        );
        assert_eq!(answer.location, "/officer/queue", "sign in on {instance}");
        browser
    }

    /// Submits request `n` (its kind and region chosen by `n`) on one instance and confirms
    /// it from the mail on the other. The form tokens one instance issues are posted to
    /// the other throughout: they share the secret key.
    pub async fn submit_and_verify(&self, n: usize) -> Requester {
        let (here, other) = (n % 2, 1 - n % 2);
        let kind = ["access", "erasure", "portability"][n % 3];
        let region = ["in", "eu"][n / 2 % 2];
        let email = format!("requester{n}@example.org");
        let browser = self.browser();
        let csrf = browser
            .csrf(here, &format!("/requests/new?kind={kind}"))
            .await;
        let fields = [
            ("kind", kind),
            ("full_name", "Asha Rao"),
            ("email", email.as_str()),
            ("region", region),
            ("account_ref", "ACC-1"),
            ("details", "Please act on my request."),
            ("csrf_token", csrf.as_str()),
        ];
        let answer = browser.post(here, "/requests", &fields).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "submit {n}: {}",
            answer.body
        );

        let (_, body) = self.mail.wait_for(&email, "/verify/").await;
        let token = link_token(&body, "/verify/").expect("a verify link");
        let path = format!("/verify/{token}");
        let csrf = browser.csrf(other, &path).await;
        let answer = browser.post(other, &path, &[("csrf_token", &csrf)]).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "confirm {n}: {}",
            answer.body
        );
        let status_token = answer
            .location
            .strip_prefix("/status/")
            .and_then(|rest| rest.split('?').next())
            .expect("redirect to the status page")
            .to_string();
        let csrf = browser.csrf(here, &format!("/status/{status_token}")).await;
        let (subject, _) = self.mail.wait_for(&email, "/status/").await;
        let reference = subject
            .split_whitespace()
            .find(|w| w.starts_with("RD-"))
            .expect("the reference in the subject")
            .to_string();
        Requester {
            n,
            reference,
            status_token,
            browser,
            csrf,
        }
    }
}
