//! Bad input gets a clear 4xx, stores nothing, and never a 5xx.

mod common;

use common::{backends, csrf_in, link_token, TestApp};
use reqwest::StatusCode;

fn valid_fields(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "access".into()),
        ("full_name", "Asha Rao".into()),
        ("email", "asha@example.in".into()),
        ("region", "in".into()),
        ("details", "Please send my data.".into()),
        ("csrf_token", csrf.into()),
    ]
}

fn with(
    fields: &[(&'static str, String)],
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut fields: Vec<_> = fields.iter().filter(|(k, _)| *k != key).cloned().collect();
    fields.push((key, value.to_string()));
    fields
}

fn without(fields: &[(&'static str, String)], key: &str) -> Vec<(&'static str, String)> {
    fields.iter().filter(|(k, _)| *k != key).cloned().collect()
}

async fn post(app: &TestApp, path: &str, fields: &[(&'static str, String)]) -> reqwest::Response {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, &borrowed).await
}

#[tokio::test]
async fn invalid_forms_are_shown_again_with_inline_errors_and_store_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let csrf = app.csrf_from("/requests/new?kind=access").await;
        let good = valid_fields(&csrf);
        let empty = app.snapshot();

        type Case = (&'static str, Vec<(&'static str, String)>, &'static str);
        let cases: Vec<Case> = vec![
            (
                "missing name",
                without(&good, "full_name"),
                "Enter your full name",
            ),
            (
                "missing email",
                without(&good, "email"),
                "Enter your email address",
            ),
            (
                "bad email",
                with(&good, "email", "not-an-email"),
                "Enter an email address like",
            ),
            (
                "unknown kind",
                with(&good, "kind", "delete_everything"),
                "Choose which right",
            ),
            (
                "unknown region",
                with(&good, "region", "mars"),
                "Choose where you live",
            ),
            (
                "rectification without correction",
                with(&good, "kind", "rectification"),
                "Tell us what the correct data is",
            ),
            (
                "withdrawal without purposes",
                with(&good, "kind", "consent_withdrawal"),
                "Choose at least one purpose",
            ),
            (
                "unknown purpose",
                with(
                    &with(&good, "kind", "consent_withdrawal"),
                    "purposes",
                    "selling",
                ),
                "Choose purposes from the list",
            ),
        ];
        for (case, fields, message) in cases {
            let response = post(&app, "/requests", &fields).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{backend}] {case}"
            );
            let html = response.text().await.unwrap();
            assert!(html.contains(message), "[{backend}] {case}: {html}");
            if case != "unknown kind" {
                // An unknown kind shows the list of kinds to choose from instead of fields.
                assert!(
                    html.contains("aria-invalid=\"true\""),
                    "[{backend}] {case}: inline error"
                );
                assert!(
                    csrf_in(&html).is_some(),
                    "[{backend}] {case}: the form is shown again"
                );
            }
            assert_eq!(app.snapshot(), empty, "[{backend}] {case} stored something");
        }

        // What was entered is kept.
        let response = post(&app, "/requests", &with(&good, "email", "nope")).await;
        let html = response.text().await.unwrap();
        assert!(
            html.contains("value=\"Asha Rao\""),
            "[{backend}] the name is kept"
        );
        assert!(
            html.contains("value=\"nope\""),
            "[{backend}] the email is kept"
        );
        assert!(
            html.contains("Please send my data."),
            "[{backend}] the details are kept"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn csrf_size_encoding_and_content_type_are_checked_before_anything_is_stored() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let csrf = app.csrf_from("/requests/new?kind=access").await;
        let good = valid_fields(&csrf);
        let empty = app.snapshot();

        let response = post(&app, "/requests", &without(&good, "csrf_token")).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] missing CSRF"
        );
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("This form has expired"));

        let response = post(&app, "/requests", &with(&good, "csrf_token", "forged")).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] wrong CSRF"
        );

        // A token from another browser's cookie does not fit this browser.
        let stranger = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let response = stranger
            .post(format!("{}/requests", app.address))
            .form(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] CSRF without its cookie"
        );

        let huge = "x".repeat(70 * 1024);
        let response = post(&app, "/requests", &with(&good, "details", &huge)).await;
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "[{backend}] oversized"
        );
        assert!(response.text().await.unwrap().contains("too much text"));

        let mut raw =
            format!("kind=access&full_name=A&email=a%40b.org&region=in&csrf_token={csrf}&details=")
                .into_bytes();
        raw.extend_from_slice(b"\xff\xfe");
        let response = app.post_raw("/requests", raw).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "[{backend}] raw invalid UTF-8"
        );
        assert!(response.text().await.unwrap().contains("not valid UTF-8"));

        let raw =
            format!("kind=access&full_name=%FF%FE&email=a%40b.org&region=in&csrf_token={csrf}")
                .into_bytes();
        let response = app.post_raw("/requests", raw).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "[{backend}] encoded invalid UTF-8"
        );

        let response = app
            .client
            .post(format!("{}/requests", app.address))
            .header("content-type", "application/json")
            .body("{\"kind\":\"access\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "[{backend}] JSON body"
        );

        assert_eq!(app.snapshot(), empty, "[{backend}] something was stored");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn unknown_and_expired_tokens_are_refused_clearly() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let csrf = app.csrf_from("/status/lookup").await;
        let unknown = "A".repeat(43);
        for path in [
            format!("/verify/{unknown}"),
            "/verify/garbage".to_string(),
            format!("/status/{unknown}"),
            "/status/..%2F..%2Fetc".to_string(),
            "/no/such/page".to_string(),
        ] {
            let response = app.get(&path).await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "[{backend}] GET {path}"
            );
            assert!(response.text().await.unwrap().contains("Page not found"));
        }
        for path in [
            format!("/verify/{unknown}"),
            format!("/status/{unknown}/reply"),
            format!("/status/{unknown}/withdraw"),
        ] {
            let response = app
                .post_form(&path, &[("csrf_token", &csrf), ("message", "hello")])
                .await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "[{backend}] POST {path}"
            );
        }

        // An expired verification link.
        let response = app.submit("access", &[("email", "late@example.org")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let mail = app.wait_for_mail("late@example.org", "/verify/").await;
        let verify = link_token(&mail.body, "/verify/").unwrap();
        app.execute("UPDATE link_tokens SET expires_at = '2000-01-01 00:00:00'");
        let snapshot = app.snapshot();
        let response = app.get(&format!("/verify/{verify}")).await;
        assert_eq!(
            response.status(),
            StatusCode::GONE,
            "[{backend}] expired verify GET"
        );
        assert!(response.text().await.unwrap().contains("expired"));
        let response = app
            .post_form(&format!("/verify/{verify}"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::GONE,
            "[{backend}] expired verify POST"
        );
        assert_eq!(
            app.snapshot(),
            snapshot,
            "[{backend}] an expired link changed something"
        );

        // An expired status link.
        let status = app
            .submit_and_verify("access", "old@example.org", "eu")
            .await;
        app.execute("UPDATE link_tokens SET expires_at = '2000-01-01 00:00:00'");
        let snapshot = app.snapshot();
        let response = app.get(&format!("/status/{status}")).await;
        assert_eq!(
            response.status(),
            StatusCode::GONE,
            "[{backend}] expired status"
        );
        assert!(response.text().await.unwrap().contains("Find my request"));
        let response = app
            .post_form(
                &format!("/status/{status}/withdraw"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::GONE,
            "[{backend}] expired withdraw"
        );
        assert_eq!(app.snapshot(), snapshot);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn lookup_answers_the_same_whether_or_not_it_matched() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.submit_and_verify("access", "found@example.org", "in")
            .await;
        let reference = {
            let html = app.get("/").await.text().await.unwrap();
            assert!(html.contains("Find my request"));
            let mail = app.wait_for_mail("found@example.org", "/status/").await;
            mail.subject
                .split_whitespace()
                .find(|w| w.starts_with("RD-"))
                .unwrap()
                .to_string()
        };
        let csrf = app.csrf_from("/status/lookup").await;
        let mails_before = app.settled_mails().await.len();

        let mut answers = Vec::new();
        for (email, reference) in [
            ("found@example.org", reference.as_str()),
            ("other@example.org", reference.as_str()),
            ("found@example.org", "RD-0000-0000"),
        ] {
            let response = app
                .post_form(
                    "/status/lookup",
                    &[
                        ("email", email),
                        ("reference", reference),
                        ("csrf_token", &csrf),
                    ],
                )
                .await;
            let status = response.status();
            let html = response.text().await.unwrap();
            answers.push((status, html));
        }
        for (status, html) in &answers {
            assert_eq!(*status, StatusCode::OK, "[{backend}]");
            assert!(
                html.contains("If the email address and reference match"),
                "[{backend}]"
            );
        }
        assert_eq!(
            answers[0], answers[1],
            "[{backend}] wrong email answered differently"
        );
        assert_eq!(
            answers[0], answers[2],
            "[{backend}] unknown reference answered differently"
        );

        // Only the match got a mail, and its fresh link works.
        let mails = app.settled_mails().await;
        assert_eq!(
            mails.len(),
            mails_before + 1,
            "[{backend}] one mail for the one match"
        );
        let fresh = mails
            .iter()
            .filter(|m| m.subject.contains("new link") || m.body.contains("new link"))
            .find_map(|m| link_token(&m.body, "/status/"))
            .expect("the lookup mail has a status link");
        assert_eq!(
            app.get(&format!("/status/{fresh}")).await.status(),
            StatusCode::OK
        );

        // Malformed input is a form error, not a hint about what exists.
        let response = app
            .post_form(
                "/status/lookup",
                &[("email", "x"), ("reference", "??"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn public_posts_are_rate_limited_per_client_with_a_clear_page() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, &[("RIGHTSDESK_RATE_LIMIT", "3")], true).await;
        let csrf = app.csrf_from("/status/lookup").await;
        let fields = [
            ("email", "a@example.org"),
            ("reference", "RD-0000-0000"),
            ("csrf_token", csrf.as_str()),
        ];
        let first = app.post_form("/status/lookup", &fields).await;
        assert_eq!(first.status(), StatusCode::OK, "[{backend}]");
        let second = app.post_form("/status/lookup", &fields).await;
        assert_eq!(
            second.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}]"
        );
        assert_eq!(second.headers().get("retry-after").unwrap(), "60");
        assert!(second.text().await.unwrap().contains("Too many attempts"));
        let submit = app.submit("access", &[]).await;
        assert_eq!(
            submit.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}] submission shares the limit"
        );
        // Pages still load.
        assert_eq!(app.get("/").await.status(), StatusCode::OK);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        for path in [
            "/",
            "/requests/new?kind=access",
            "/status/lookup",
            "/nope",
            "/static/style.css",
            "/healthz",
        ] {
            let response = app.get(path).await;
            let headers = response.headers();
            let csp = headers
                .get("content-security-policy")
                .expect("CSP")
                .to_str()
                .unwrap();
            assert!(csp.contains("default-src 'self'"), "[{backend}] {path}");
            assert!(csp.contains("frame-ancestors 'none'"), "[{backend}] {path}");
            assert_eq!(
                headers.get("x-content-type-options").unwrap(),
                "nosniff",
                "{path}"
            );
            assert_eq!(
                headers.get("referrer-policy").unwrap(),
                "no-referrer",
                "{path}"
            );
        }
        // Pages load nothing from other hosts.
        let html = app.get("/").await.text().await.unwrap();
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "[{backend}] external URL on /"
        );
        assert!(!html.contains("<script"), "[{backend}] script on /");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn readiness_fails_until_migrations_are_applied() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, &[], false).await;
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
        let response = app.get("/readyz").await;
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "[{backend}]"
        );
        app.ctx.migrate().unwrap();
        assert_eq!(
            app.get("/readyz").await.status(),
            StatusCode::OK,
            "[{backend}]"
        );
    }
}

/// Hostile values for a query parameter, path segment or form field, written as they go
/// into a URL or form body (percent-encoded where needed, `%FF` left raw on purpose).
fn hostile_values() -> Vec<String> {
    let encode = |text: &str| {
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut values: Vec<String> = [
        "9999-12-31",
        "0000-01-01",
        "-9999-01-01",
        "+2026-01-01",
        "-1",
        "99999999999999999999",
        "9223372036854775807",
        "-9223372036854775808",
        "2026-13-40",
        "2026-02-30",
        "10000-01",
        "0000-00",
        "２０２６-01-01",
        "",
        "NaN",
        "1e400",
        // Ten bytes, the first character three of them: a byte-index slice at 2 splits it.
        "€1234567",
        "RD-€€€€-€€€€",
    ]
    .into_iter()
    .map(encode)
    .collect();
    values.push("%FF".to_string());
    values.push("a%00b".to_string());
    values.push("%".to_string());
    values.push(encode(&"x".repeat(10 * 1024)));
    values.push(encode(&"é".repeat(1000)));
    values
}

/// Query strings of odd shapes, for pages whose fields are named after `q`, `to` and so on.
const MALFORMED_QUERIES: [&str; 8] = [
    "q=a&q=b",
    "to=2026-01-01&to=2026-01-02",
    "month=2026-01&month=2026-02",
    "%FF=1",
    "&&&",
    "=",
    "to",
    "q[]=1&after[x]=2",
];

/// Sends hostile input through one browser and notes every server error, and every request
/// that got no whole answer (a handler that panicked drops the connection).
struct Probe<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    failures: Vec<String>,
    sent: usize,
}

impl<'a> Probe<'a> {
    fn new(client: &'a reqwest::Client, base: &'a str) -> Probe<'a> {
        Probe {
            client,
            base,
            failures: Vec::new(),
            sent: 0,
        }
    }

    async fn get(&mut self, path: &str) -> Option<StatusCode> {
        let sent = self.client.get(format!("{}{path}", self.base)).send().await;
        self.check(format!("GET {path}"), sent).await
    }

    /// Posts `body` as it is: the pairs are already encoded.
    async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Option<StatusCode> {
        let body = pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&");
        let sent = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await;
        self.check(format!("POST {path} {body}"), sent).await
    }

    async fn check(
        &mut self,
        what: String,
        sent: reqwest::Result<reqwest::Response>,
    ) -> Option<StatusCode> {
        self.sent += 1;
        let what: String = what.chars().take(300).collect();
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                self.failures.push(format!("{what}: no answer ({error})"));
                return None;
            }
        };
        let status = response.status();
        if let Err(error) = response.bytes().await {
            self.failures
                .push(format!("{what}: {status} cut short ({error})"));
        }
        if status.is_server_error() {
            self.failures.push(format!("{what}: {status}"));
        }
        Some(status)
    }

    /// Notes a failure unless `path` is answered with `expected`.
    async fn expect_get(&mut self, path: &str, expected: StatusCode) {
        let status = self.get(path).await;
        self.expect(status, expected, &format!("GET {path}"));
    }

    fn expect(&mut self, status: Option<StatusCode>, expected: StatusCode, what: &str) {
        if status != Some(expected) {
            self.failures
                .push(format!("{what}: {status:?} where {expected} was expected"));
        }
    }

    /// What went wrong, to report with the other browsers' once the test has run.
    fn finish(self, failures: &mut Vec<String>) {
        let sent = self.sent;
        failures.extend(
            self.failures
                .into_iter()
                .map(|failure| format!("{failure} (among {sent} requests of one browser)")),
        );
    }
}

fn assert_no_failures(backend: &common::Backend, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "[{backend}] {} requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A queue cursor (`after`) as the app writes one, for an instant given in Unix nanoseconds.
fn cursor(nanos: i128) -> String {
    data_encoding::BASE64URL_NOPAD.encode(format!("{nanos}:abc").as_bytes())
}

#[tokio::test]
async fn hostile_query_values_on_officer_pages_are_refused_without_a_server_error() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let reference = app
            .verified_request("access", "asha@example.in", "in")
            .await;
        let officer = app
            .signed_in(
                "omar@example.org",
                "officer",
                &["in", "eu", "us-ca", "other"],
            )
            .await;
        let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
        let mut cursors = vec![
            cursor(
                time::PrimitiveDateTime::MIN
                    .assume_utc()
                    .unix_timestamp_nanos(),
            ),
            cursor(
                time::PrimitiveDateTime::MAX
                    .assume_utc()
                    .unix_timestamp_nanos(),
            ),
            cursor(-1),
            cursor(i128::from(i64::MAX)),
            cursor(i128::MAX),
        ];
        cursors.extend(hostile_values());

        let mut failures = Vec::new();
        let mut probe = Probe::new(&officer.client, &officer.base);
        let queue_fields = ["status", "kind", "regime", "assignee", "overdue", "q"];
        let mut pages = vec!["/officer/queue".to_string()];
        pages.extend(
            ["csv", "json", "ndjson"].map(|format| format!("/officer/exports/requests.{format}")),
        );
        for page in &pages {
            for field in queue_fields {
                for value in hostile_values() {
                    probe.get(&format!("{page}?{field}={value}")).await;
                }
            }
            for value in &cursors {
                probe.get(&format!("{page}?after={value}")).await;
            }
        }
        // Query strings of odd shapes: repeated, nameless, valueless, undecodable names.
        for page in &pages {
            for query in MALFORMED_QUERIES {
                probe.get(&format!("{page}?{query}")).await;
            }
        }
        for value in hostile_values() {
            probe
                .get(&format!("/officer/exports/requests.{value}"))
                .await;
            probe.get(&format!("/officer/requests/{value}")).await;
            probe
                .get(&format!("/officer/requests/{reference}?done={value}"))
                .await;
        }
        // A cursor before the year 1 names no due date any request can have.
        let ancient = &cursors[0];
        probe
            .expect_get(
                &format!("/officer/queue?after={ancient}"),
                StatusCode::BAD_REQUEST,
            )
            .await;
        probe
            .expect_get("/officer/queue?q=%E2%82%AC1234567", StatusCode::BAD_REQUEST)
            .await;
        probe
            .expect_get("/officer/requests/%E2%82%AC1234567", StatusCode::NOT_FOUND)
            .await;
        probe.finish(&mut failures);

        let mut probe = Probe::new(&auditor.client, &auditor.base);
        for field in ["actor", "action", "target", "from", "to", "before"] {
            for value in hostile_values() {
                probe.get(&format!("/officer/audit?{field}={value}")).await;
            }
        }
        for field in ["month", "format"] {
            for value in hostile_values() {
                probe
                    .get(&format!("/officer/reports/compliance?{field}={value}"))
                    .await;
                probe
                    .get(&format!(
                        "/officer/reports/compliance?month=9999-12&{field}={value}"
                    ))
                    .await;
            }
        }
        for value in hostile_values() {
            probe
                .get(&format!("/officer/retention?as_of={value}"))
                .await;
        }
        for page in [
            "/officer/audit",
            "/officer/reports/compliance",
            "/officer/retention",
        ] {
            for query in MALFORMED_QUERIES {
                probe.get(&format!("{page}?{query}")).await;
            }
        }
        // The last day there is means "no upper bound"; the first ones are dates all the same.
        for (query, expected) in [
            ("to=9999-12-31", StatusCode::OK),
            ("from=9999-12-31&to=9999-12-31", StatusCode::OK),
            ("from=0001-01-01", StatusCode::OK),
            ("from=0000-01-01", StatusCode::BAD_REQUEST),
            ("to=-9999-01-01", StatusCode::BAD_REQUEST),
            ("from=%2B2026-01-01", StatusCode::BAD_REQUEST),
            ("to=2026-13-40", StatusCode::BAD_REQUEST),
            (
                "to=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01",
                StatusCode::BAD_REQUEST,
            ),
            ("actor=a%00b", StatusCode::BAD_REQUEST),
            ("target=request%3Aa%0Ab", StatusCode::BAD_REQUEST),
        ] {
            probe
                .expect_get(&format!("/officer/audit?{query}"), expected)
                .await;
        }
        for (query, expected) in [
            ("month=9999-12", StatusCode::OK),
            ("month=9999-12&format=json", StatusCode::OK),
            ("month=10000-01", StatusCode::BAD_REQUEST),
            ("month=0000-01", StatusCode::BAD_REQUEST),
        ] {
            probe
                .expect_get(&format!("/officer/reports/compliance?{query}"), expected)
                .await;
        }
        probe.finish(&mut failures);
        // The last day there is filters nothing out.
        let mut rows = Vec::new();
        for path in ["/officer/audit", "/officer/audit?to=9999-12-31"] {
            let html = auditor.get(path).await.text().await.unwrap();
            rows.push(html.matches("<tr").count());
        }
        if rows[0] < 2 || rows[0] != rows[1] {
            failures.push(format!(
                "/officer/audit?to=9999-12-31 lists other events: {rows:?} rows"
            ));
        }
        assert_no_failures(&backend, &failures);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn hostile_form_fields_and_path_tokens_are_refused_without_a_server_error() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let status_token = app
            .submit_and_verify("access", "asha@example.in", "in")
            .await;
        let reference = {
            let mail = app.wait_for_mail("asha@example.in", "/status/").await;
            mail.subject
                .split_whitespace()
                .find(|w| w.starts_with("RD-"))
                .unwrap()
                .to_string()
        };
        let officer = app
            .signed_in(
                "omar@example.org",
                "officer",
                &["in", "eu", "us-ca", "other"],
            )
            .await;
        let admin = app.signed_in_admin("admin@example.org").await;

        // Workflow actions: each field hostile in turn, the others as the form sends them.
        let mut failures = Vec::new();
        let mut probe = Probe::new(&officer.client, &officer.base);
        let csrf = officer.csrf("/officer/queue").await;
        let actions = format!("/officer/requests/{reference}/actions");
        let base: [(&str, &[(&str, &str)]); 9] = [
            ("version", &[("action", "note"), ("message", "x")]),
            ("action", &[]),
            ("assignee", &[("action", "assign")]),
            ("message", &[("action", "note")]),
            ("reason", &[("action", "reject"), ("message", "x")]),
            (
                "expires_on",
                &[
                    ("action", "hold"),
                    ("order_reference", "HC-1"),
                    ("reason", "x"),
                ],
            ),
            (
                "record_id",
                &[
                    ("action", "hold"),
                    ("hold_scope", "record"),
                    ("order_reference", "HC-1"),
                    ("reason", "x"),
                ],
            ),
            ("hold_id", &[("action", "release_hold")]),
            ("correction", &[("action", "fulfil"), ("message", "x")]),
        ];
        for (field, others) in base {
            for value in hostile_values() {
                let page = officer
                    .get(&format!("/officer/requests/{reference}"))
                    .await
                    .text()
                    .await
                    .unwrap();
                let version = common::officer::version_in(&page).unwrap_or_default();
                let mut pairs = vec![("csrf_token", csrf.as_str())];
                if field != "version" {
                    pairs.push(("version", version.as_str()));
                }
                pairs.extend_from_slice(others);
                pairs.push((field, value.as_str()));
                probe.post(&actions, &pairs).await;
            }
        }
        // A hold to the last day there is stands until then; a date before the year 1 is
        // not a date the form takes.
        for (expires_on, expected) in [
            ("9999-12-31", StatusCode::SEE_OTHER),
            ("-9999-01-01", StatusCode::UNPROCESSABLE_ENTITY),
            ("0000-01-01", StatusCode::UNPROCESSABLE_ENTITY),
            ("%2B2027-03-31", StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let page = officer
                .get(&format!("/officer/requests/{reference}"))
                .await
                .text()
                .await
                .unwrap();
            let version = common::officer::version_in(&page).unwrap();
            let status = probe
                .post(
                    &actions,
                    &[
                        ("csrf_token", &csrf),
                        ("version", &version),
                        ("action", "hold"),
                        ("order_reference", "HC-2"),
                        ("reason", "x"),
                        ("expires_on", expires_on),
                    ],
                )
                .await;
            probe.expect(status, expected, &format!("hold until {expires_on}"));
        }
        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        let version = common::officer::version_in(&page).unwrap();
        let status = probe
            .post(
                &actions,
                &[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("action", "note"),
                    ("message", "a%00b"),
                ],
            )
            .await;
        probe.expect(status, StatusCode::BAD_REQUEST, "a note with a NUL");
        for value in hostile_values() {
            probe
                .post(
                    &format!("/officer/requests/{value}/actions"),
                    &[("csrf_token", &csrf), ("version", "1"), ("action", "start")],
                )
                .await;
        }
        probe.finish(&mut failures);

        // Admin pages.
        let mut probe = Probe::new(&admin.client, &admin.base);
        let csrf = admin.csrf("/officer/admin/officers").await;
        for value in hostile_values() {
            probe
                .get(&format!("/officer/admin/officers?done={value}"))
                .await;
            probe
                .get(&format!("/officer/retention?{value}={value}"))
                .await;
            probe
                .post(
                    &format!("/officer/admin/officers/{value}"),
                    &[("csrf_token", &csrf), ("action", "disable")],
                )
                .await;
            for (field, others) in [
                ("action", &[][..]),
                ("role", &[("action", "update"), ("regions", "in")][..]),
                ("regions", &[("action", "update"), ("role", "officer")][..]),
            ] {
                let mut pairs = vec![("csrf_token", csrf.as_str())];
                pairs.extend_from_slice(others);
                pairs.push((field, value.as_str()));
                probe
                    .post(&format!("/officer/admin/officers/{}", officer.id), &pairs)
                    .await;
            }
            for field in ["email", "name", "role", "regions", "password"] {
                let mut pairs = vec![
                    ("csrf_token", csrf.as_str()),
                    ("email", "new%40example.org"),
                    ("name", "New"),
                    ("role", "auditor"),
                    ("password", "a+long+test+passphrase"),
                ];
                pairs.retain(|(name, _)| *name != field);
                pairs.push((field, value.as_str()));
                probe.post("/officer/admin/officers", &pairs).await;
            }
        }
        let status = probe
            .post(
                "/officer/admin/officers/a%00b",
                &[("csrf_token", &csrf), ("action", "disable")],
            )
            .await;
        probe.expect(status, StatusCode::NOT_FOUND, "an officer id with a NUL");
        probe.finish(&mut failures);

        // Public pages: query values, link tokens in the path, and the lookup form.
        let public = app.browser();
        let mut probe = Probe::new(&public, &app.address);
        let lookup = {
            let html = public
                .get(format!("{}/status/lookup", app.address))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            common::csrf_in(&html).unwrap()
        };
        for query in ["kind=access&kind=erasure", "%FF=1", "=", "kind"] {
            probe.get(&format!("/requests/new?{query}")).await;
            probe.get(&format!("/status/{status_token}?{query}")).await;
        }
        for value in hostile_values() {
            probe.get(&format!("/requests/new?kind={value}")).await;
            probe.get(&format!("/status/{value}")).await;
            probe
                .get(&format!("/status/{status_token}?notice={value}"))
                .await;
            probe.get(&format!("/verify/{value}")).await;
            probe.get(&format!("/downloads/{value}")).await;
            probe
                .post(
                    &format!("/status/{status_token}/reply"),
                    &[("csrf_token", &lookup), ("message", &value)],
                )
                .await;
            for path in [
                format!("/verify/{value}"),
                format!("/status/{value}/reply"),
                format!("/status/{value}/withdraw"),
            ] {
                probe
                    .post(&path, &[("csrf_token", &lookup), ("message", "hello")])
                    .await;
            }
            for (field, other) in [
                ("reference", ("email", "a%40example.org")),
                ("email", ("reference", "RD-0000-0000")),
            ] {
                probe
                    .post(
                        "/status/lookup",
                        &[("csrf_token", &lookup), other, (field, &value)],
                    )
                    .await;
            }
        }
        let status = probe
            .post(
                "/status/lookup",
                &[
                    ("csrf_token", &lookup),
                    ("email", "a%40example.org"),
                    ("reference", "%E2%82%AC1234567"),
                ],
            )
            .await;
        // A reference with a multi-byte character is a form error.
        probe.expect(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "POST /status/lookup reference=€1234567",
        );
        probe.finish(&mut failures);
        assert_no_failures(&backend, &failures);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn report_months_at_the_ends_of_the_calendar_answer_in_zones_far_from_utc() {
    for backend in backends() {
        for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let app = TestApp::spawn_with(&backend, &[("RIGHTSDESK_TIME_ZONE", zone)], true).await;
            let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
            let mut failures = Vec::new();
            let mut probe = Probe::new(&auditor.client, &auditor.base);
            for month in ["2000-01", "9999-12"] {
                for format in ["html", "csv", "json"] {
                    probe
                        .expect_get(
                            &format!("/officer/reports/compliance?month={month}&format={format}"),
                            StatusCode::OK,
                        )
                        .await;
                }
            }
            probe.finish(&mut failures);
            assert_no_failures(&backend, &failures);
            app.assert_no_server_errors();
        }
    }
}
