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
