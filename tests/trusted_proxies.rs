//! Behind a trusted reverse proxy each client is counted by the address the proxy names;
//! from anyone else the forwarding headers change nothing. The test client connects from
//! 127.0.0.1, which these tests trust or not.

mod common;

use common::{backends, Backend, TestApp};
use reqwest::{Response, StatusCode};

const BEHIND_PROXY: &[(&str, &str)] = &[
    ("RIGHTSDESK_TRUSTED_PROXIES", "127.0.0.1/32"),
    ("RIGHTSDESK_RATE_LIMIT", "3"),
];
const NO_PROXY: &[(&str, &str)] = &[("RIGHTSDESK_RATE_LIMIT", "3")];

/// The lost-link form's POST, carrying `headers`; at a rate limit of 3 a minute each
/// client's burst is one request.
async fn lookup(app: &TestApp, csrf: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = app
        .client
        .post(format!("{}/status/lookup", app.address))
        .form(&[
            ("email", "a@example.org"),
            ("reference", "RD-0000-0000"),
            ("csrf_token", csrf),
        ]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("POST /status/lookup")
}

fn assert_limited(response: &Response, backend: &Backend, what: &str) {
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "[{backend}] {what}"
    );
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("60"),
        "[{backend}] {what}"
    );
}

fn assert_accepted(response: &Response, backend: &Backend, what: &str) {
    assert_eq!(response.status(), StatusCode::OK, "[{backend}] {what}");
}

#[tokio::test]
async fn each_forwarded_client_gets_its_own_budget() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, BEHIND_PROXY, true).await;
        let csrf = app.csrf_from("/status/lookup").await;
        let a = [("X-Forwarded-For", "198.51.100.1")];
        let b = [("X-Forwarded-For", "198.51.100.2")];

        assert_accepted(&lookup(&app, &csrf, &a).await, &backend, "A's first");
        assert_limited(&lookup(&app, &csrf, &a).await, &backend, "A's second");
        assert_accepted(&lookup(&app, &csrf, &b).await, &backend, "B's first");
        // A cannot escape its budget by writing another address to the left: the proxy
        // appends the address it saw, and the right-most untrusted entry counts.
        let spoofing_a = [("X-Forwarded-For", "203.0.113.77, 198.51.100.1")];
        assert_limited(
            &lookup(&app, &csrf, &spoofing_a).await,
            &backend,
            "A, spoofing a left-hand entry",
        );
        // The proxy's own requests (no header) have a budget of their own too.
        assert_accepted(
            &lookup(&app, &csrf, &[]).await,
            &backend,
            "the proxy itself",
        );

        // Submissions share the client's budget with lookups.
        let submit = |forwarded_for: &'static str| {
            let app = &app;
            async move {
                let csrf = app.csrf_from("/requests/new?kind=access").await;
                app.client
                    .post(format!("{}/requests", app.address))
                    .header("X-Forwarded-For", forwarded_for)
                    .form(&[
                        ("kind", "access"),
                        ("full_name", "Asha Rao"),
                        ("email", "asha.rao@example.in"),
                        ("region", "in"),
                        ("details", "Please act on my request."),
                        ("csrf_token", csrf.as_str()),
                    ])
                    .send()
                    .await
                    .expect("POST /requests")
            }
        };
        assert_limited(&submit("198.51.100.2").await, &backend, "B submits");
        let c = submit("198.51.100.3").await;
        assert_eq!(c.status(), StatusCode::SEE_OTHER, "[{backend}] C submits");
        assert_eq!(app.count("requests"), 1, "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn ipv6_clients_share_a_budget_per_64() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, BEHIND_PROXY, true).await;
        let csrf = app.csrf_from("/status/lookup").await;
        let first = [("Forwarded", "for=\"[2001:db8:1:2::1]\";proto=https")];
        let same_64 = [("Forwarded", "for=\"[2001:db8:1:2::99]:4711\"")];
        let next_64 = [("Forwarded", "for=\"[2001:db8:1:3::1]\"")];

        assert_accepted(&lookup(&app, &csrf, &first).await, &backend, "::1");
        assert_limited(&lookup(&app, &csrf, &same_64).await, &backend, "::99");
        assert_accepted(&lookup(&app, &csrf, &next_64).await, &backend, "next /64");
        // The same client by X-Forwarded-For: Forwarded is not needed to be counted.
        let same_by_xff = [("X-Forwarded-For", "2001:db8:1:2::abcd")];
        assert_limited(
            &lookup(&app, &csrf, &same_by_xff).await,
            &backend,
            "::abcd by X-Forwarded-For",
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn without_trusted_proxies_forwarding_headers_change_nothing() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, NO_PROXY, true).await;
        let csrf = app.csrf_from("/status/lookup").await;
        assert_accepted(
            &lookup(&app, &csrf, &[("X-Forwarded-For", "198.51.100.1")]).await,
            &backend,
            "first, claiming A",
        );
        for (what, headers) in [
            ("claiming B", [("X-Forwarded-For", "198.51.100.2")]),
            (
                "claiming C by Forwarded",
                [("Forwarded", "for=198.51.100.3")],
            ),
            (
                "claiming an IPv6 client",
                [("Forwarded", "for=\"[2001:db8:1:3::1]\"")],
            ),
        ] {
            assert_limited(&lookup(&app, &csrf, &headers).await, &backend, what);
        }
        assert_limited(&lookup(&app, &csrf, &[]).await, &backend, "no header");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_malformed_forwarded_falls_back_to_x_forwarded_for_then_the_proxy() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, BEHIND_PROXY, true).await;
        let csrf = app.csrf_from("/status/lookup").await;
        // Forwarded is unusable, so X-Forwarded-For names the client: 198.51.100.5.
        let broken_with_xff = [
            ("Forwarded", "for=\"[2001:db8::1"),
            ("X-Forwarded-For", "198.51.100.5"),
        ];
        assert_accepted(
            &lookup(&app, &csrf, &broken_with_xff).await,
            &backend,
            "malformed Forwarded, good X-Forwarded-For",
        );
        assert_limited(
            &lookup(&app, &csrf, &[("X-Forwarded-For", "198.51.100.5")]).await,
            &backend,
            "the same client by X-Forwarded-For alone",
        );
        // Nothing usable at all: the proxy's own address, one budget for every such request.
        assert_accepted(
            &lookup(&app, &csrf, &[("Forwarded", "for=")]).await,
            &backend,
            "malformed Forwarded alone",
        );
        for (what, headers) in [
            (
                "another malformed Forwarded",
                [("Forwarded", "for=198.51.100.6;for=198.51.100.7")],
            ),
            (
                "a malformed X-Forwarded-For",
                [("X-Forwarded-For", "198.51.100.8 not-an-address")],
            ),
            // A hidden hop right behind the proxy names nobody either.
            ("an obfuscated hop", [("Forwarded", "for=_hidden")]),
        ] {
            assert_limited(&lookup(&app, &csrf, &headers).await, &backend, what);
        }
        assert_limited(
            &lookup(&app, &csrf, &[]).await,
            &backend,
            "the proxy itself",
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn sign_in_reads_the_forwarded_client() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, BEHIND_PROXY, true).await;
        let csrf = app.csrf_from("/officer/login").await;
        let response = app
            .client
            .post(format!("{}/officer/login", app.address))
            .header("Forwarded", "for=\"[2001:db8:1:2::1]\"")
            .form(&[
                ("email", "nobody@example.org"),
                ("password", "not the password"),
                ("csrf_token", csrf.as_str()),
            ])
            .send()
            .await
            .expect("POST /officer/login");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "[{backend}] a failed sign-in, counted for the forwarded client"
        );
        app.assert_no_server_errors();
    }
}
