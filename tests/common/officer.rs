//! Officers in tests: created through the app, signed in through the real HTTP forms, each
//! in their own browser (cookie jar).

use reqwest::{Response, StatusCode};
use rightsdesk::app::officers::{self, NewOfficerInput, Requester};
use rightsdesk::domain::totp::TotpSecret;
use rightsdesk::store::officers as officer_rows;

use super::{csrf_in, location, TestApp};

pub const PASSWORD: &str = "a long test passphrase";

pub struct OfficerBrowser {
    pub client: reqwest::Client,
    pub base: String,
    pub id: String,
    pub email: String,
}

impl OfficerBrowser {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{}", self.base, path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// The CSRF token of a page's forms.
    pub async fn csrf(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        csrf_in(&response.text().await.unwrap()).expect("a form with a CSRF token")
    }

    /// Posts one workflow action on a request, with the version the page shows now.
    pub async fn act(&self, reference: &str, fields: &[(&str, &str)]) -> Response {
        let path = format!("/officer/requests/{reference}");
        let html = self.get(&path).await.text().await.unwrap();
        let csrf = csrf_in(&html).expect("csrf");
        let version = version_in(&html).unwrap_or_else(|| "0".to_string());
        let mut all = vec![("csrf_token", csrf.as_str()), ("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post_form(&format!("{path}/actions"), &all).await
    }
}

/// Fetches the sign-in form at `base` in `client` and posts it; returns the response.
pub async fn sign_in_at(
    base: &str,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> Response {
    let page = client
        .get(format!("{base}/officer/login"))
        .send()
        .await
        .expect("GET /officer/login");
    let csrf = csrf_in(&page.text().await.unwrap()).expect("login csrf");
    client
        .post(format!("{base}/officer/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("POST /officer/login")
}

pub fn version_in(html: &str) -> Option<String> {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

impl TestApp {
    /// Creates an officer directly through the app (as `rightsdesk officer create` does).
    pub fn create_officer(&self, email: &str, role: &str, regions: &[&str]) -> String {
        officers::create(
            &self.ctx,
            Requester::Operator,
            &NewOfficerInput {
                email: email.to_string(),
                name: format!("{role} {email}"),
                role: role.to_string(),
                regions: regions.iter().map(|r| r.to_string()).collect(),
                password: PASSWORD.to_string(),
            },
        )
        .expect("create officer")
    }

    /// Posts the sign-in form in `client`; returns the response.
    pub async fn sign_in_with(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> Response {
        sign_in_at(&self.address, client, email, password).await
    }

    /// An officer or auditor (no second step required), signed in.
    pub async fn signed_in(&self, email: &str, role: &str, regions: &[&str]) -> OfficerBrowser {
        let id = self.create_officer(email, role, regions);
        let client = self.browser();
        let response = self.sign_in_with(&client, email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{}] sign in {email}",
            self.backend
        );
        assert_eq!(location(&response), "/officer/queue");
        OfficerBrowser {
            client,
            base: self.address.clone(),
            id,
            email: email.to_string(),
        }
    }

    /// An admin, signed in through enrolment of two-step sign-in.
    pub async fn signed_in_admin(&self, email: &str) -> OfficerBrowser {
        let id = self.create_officer(email, "admin", &[]);
        let client = self.browser();
        let response = self.sign_in_with(&client, email, PASSWORD).await;
        assert_eq!(
            location(&response),
            "/officer/mfa",
            "[{}] admins enrol first",
            self.backend
        );
        let browser = OfficerBrowser {
            client,
            base: self.address.clone(),
            id,
            email: email.to_string(),
        };
        let csrf = browser.csrf("/officer/mfa").await;
        let secret = self.totp_secret(&browser.id);
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        let response = browser
            .post_form(
                "/officer/mfa",
                &[("code", &secret.code_at(now)), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{}] enrol",
            self.backend
        );
        browser
    }

    pub fn totp_secret(&self, officer_id: &str) -> TotpSecret {
        let row = officer_rows::find_by_id(&mut self.conn(), officer_id)
            .unwrap()
            .expect("officer");
        let stored = row.totp_secret.expect("a TOTP secret");
        assert!(
            stored.starts_with("v1:"),
            "[{}] the TOTP secret is sealed at rest",
            self.backend
        );
        let base32 = self
            .ctx
            .keyring
            .open_text(&stored, &format!("officer totp {officer_id}"))
            .expect("sealed")
            .expect("opens");
        TotpSecret::from_base32(&base32).unwrap()
    }

    /// A verified request of `kind` in `region`; returns its reference.
    pub async fn verified_request(&self, kind: &str, email: &str, region: &str) -> String {
        self.submit_and_verify(kind, email, region).await;
        let mail = self.wait_for_mail(email, "/status/").await;
        mail.subject
            .split_whitespace()
            .find(|w| w.starts_with("RD-"))
            .expect("reference in subject")
            .to_string()
    }

    /// The audit events that record changes. Officers' views of request pages
    /// (`request.viewed`) are left out: every `act` opens the page before it posts.
    pub fn audit_count(&self) -> i64 {
        self.count(super::CHANGE_EVENTS)
    }
}

/// Signs an admin in through the real forms of any server (`base`), and sets up two-step
/// sign-in as a person does: with the key the enrolment page shows, typed into an
/// authenticator (here [`TotpSecret`]). The officer's id is not known this way (`id` is
/// empty).
pub async fn sign_in_new_admin(base: &str, email: &str, password: &str) -> OfficerBrowser {
    let browser = OfficerBrowser {
        client: super::journey::browser(),
        base: base.to_string(),
        id: String::new(),
        email: email.to_string(),
    };
    let csrf = browser.csrf("/officer/login").await;
    let response = browser
        .post_form(
            "/officer/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign in {email}");
    assert_eq!(location(&response), "/officer/mfa", "admins enrol first");
    let page = browser.get("/officer/mfa").await;
    assert_eq!(page.status(), StatusCode::OK, "GET /officer/mfa");
    let html = page.text().await.unwrap();
    let csrf = csrf_in(&html).expect("a CSRF token on the enrolment page");
    let secret = shown_secret(&html).expect("the key shown under the QR code");
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let response = browser
        .post_form(
            "/officer/mfa",
            &[("code", &secret.code_at(now)), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "enrol {email}");
    browser
}

/// The two-step sign-in key an enrolment page shows, in groups of four.
fn shown_secret(html: &str) -> Option<TotpSecret> {
    let marker = "<code class=\"secret\">";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find("</code>")? + start;
    let key: String = html[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    TotpSecret::from_base32(&key)
}
