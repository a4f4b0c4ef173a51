//! A form's CSRF token is bound to what only the browser that loaded the page holds: its
//! officer session on officer pages, a per-browser secret (a cookie) elsewhere. Over https
//! (here: behind a trusted proxy that says so) the cookies are `__Host-` cookies.

mod common;

use common::journey::browser;
use common::officer::PASSWORD;
use common::{backends, csrf_in, location, TestApp};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Response, StatusCode};

async fn lookup(app: &TestApp, client: &reqwest::Client, csrf: &str) -> Response {
    client
        .post(format!("{}/status/lookup", app.address))
        .form(&[
            ("email", "a@example.org"),
            ("reference", "RD-0000-0000"),
            ("csrf_token", csrf),
        ])
        .send()
        .await
        .expect("POST /status/lookup")
}

async fn token_of(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let page = client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), StatusCode::OK, "GET {path}");
    csrf_in(&page.text().await.unwrap()).expect("a form with a CSRF token")
}

#[tokio::test]
async fn a_public_form_token_is_accepted_only_from_the_browser_it_was_issued_to() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let (a, b, fresh) = (browser(), browser(), browser());
        let token_a = token_of(&app, &a, "/status/lookup").await;
        let token_b = token_of(&app, &b, "/status/lookup").await;
        assert_ne!(token_a, token_b, "[{backend}]");

        for (who, client, token) in [
            ("A's token in B", &b, &token_a),
            ("B's token in A", &a, &token_b),
            (
                "A's token in a browser without the cookie",
                &fresh,
                &token_a,
            ),
        ] {
            assert_eq!(
                lookup(&app, client, token).await.status(),
                StatusCode::FORBIDDEN,
                "[{backend}] {who}"
            );
        }
        assert_eq!(
            lookup(&app, &a, &token_a).await.status(),
            StatusCode::OK,
            "[{backend}] A's own token"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn an_officer_form_token_is_accepted_only_in_the_session_it_was_issued_to() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let first = app.signed_in("one@example.org", "officer", &["in"]).await;
        let second = app.signed_in("two@example.org", "officer", &["in"]).await;
        let token_1 = first.csrf("/officer/queue").await;
        let token_2 = second.csrf("/officer/queue").await;
        assert_ne!(token_1, token_2, "[{backend}]");

        // Another officer's token, or this browser's public-page token, does not sign out.
        let refused = second
            .post_form("/officer/logout", &[("csrf_token", &token_1)])
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] other session"
        );
        let public = first.csrf("/status/lookup").await;
        let refused = first
            .post_form("/officer/logout", &[("csrf_token", &public)])
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] public token"
        );
        assert_eq!(
            second.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}] still signed in"
        );

        // A token outlives neither its session nor a new sign-in in the same browser.
        let out = first
            .post_form("/officer/logout", &[("csrf_token", &token_1)])
            .await;
        assert_eq!(out.status(), StatusCode::SEE_OTHER, "[{backend}] own token");
        assert_eq!(location(&out), "/officer/login", "[{backend}]");
        let again = app
            .sign_in_with(&first.client, "one@example.org", PASSWORD)
            .await;
        assert_eq!(location(&again), "/officer/queue", "[{backend}]");
        let stale = first
            .post_form("/officer/logout", &[("csrf_token", &token_1)])
            .await;
        assert_eq!(
            stale.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] old session's token"
        );
        let fresh = first.csrf("/officer/queue").await;
        let out = first
            .post_form("/officer/logout", &[("csrf_token", &fresh)])
            .await;
        assert_eq!(
            out.status(),
            StatusCode::SEE_OTHER,
            "[{backend}] new session's token"
        );
        app.assert_no_server_errors();
    }
}

/// The `Set-Cookie` line for `name`.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// `name=value` from a `Set-Cookie` line.
fn pair(line: &str) -> String {
    line.split(';').next().unwrap().to_string()
}

fn assert_host_only(line: &str, what: &str) {
    assert!(line.contains("; Secure"), "{what}: {line}");
    assert!(
        line.contains("; Path=/;") || line.ends_with("; Path=/"),
        "{what}: {line}"
    );
    assert!(
        !line.to_ascii_lowercase().contains("domain="),
        "{what}: {line}"
    );
}

#[tokio::test]
async fn behind_a_trusted_https_proxy_cookies_are_host_only_and_sign_in_works() {
    const HTTPS_BEHIND_PROXY: &[(&str, &str)] = &[
        ("RIGHTSDESK_PUBLIC_URL", "https://rightsdesk.test"),
        ("RIGHTSDESK_TRUSTED_PROXIES", "127.0.0.1/32"),
    ];
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, HTTPS_BEHIND_PROXY, true).await;
        app.create_officer("proxied@example.org", "officer", &["in"]);
        // Cookies by hand: the client speaks plain http to the "proxy" side.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let url = |path: &str| format!("{}{path}", app.address);
        let https = ("X-Forwarded-Proto", "https");

        let page = client
            .get(url("/officer/login"))
            .header(https.0, https.1)
            .send()
            .await
            .unwrap();
        let csrf_cookie = set_cookie(&page, "__Host-rd_csrf").expect("a __Host- CSRF cookie");
        assert_host_only(&csrf_cookie, &format!("[{backend}] CSRF cookie"));
        assert!(
            set_cookie(&page, "rd_csrf").is_none(),
            "[{backend}] no plain name"
        );
        let csrf = csrf_in(&page.text().await.unwrap()).unwrap();

        let form = [
            ("email", "proxied@example.org"),
            ("password", PASSWORD),
            ("csrf_token", csrf.as_str()),
        ];
        // The same secret under the plain name (as plain http or a sibling host could plant
        // it) is not what an https form is checked against.
        let planted = pair(&csrf_cookie).trim_start_matches("__Host-").to_string();
        let refused = client
            .post(url("/officer/login"))
            .header(https.0, https.1)
            .header(COOKIE, planted)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] plain-named cookie"
        );

        let signed_in = client
            .post(url("/officer/login"))
            .header(https.0, https.1)
            .header(COOKIE, pair(&csrf_cookie))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            signed_in.status(),
            StatusCode::SEE_OTHER,
            "[{backend}] sign-in"
        );
        assert_eq!(location(&signed_in), "/officer/queue", "[{backend}]");
        let session = set_cookie(&signed_in, "__Host-rd_session").expect("a __Host- session");
        assert_host_only(&session, &format!("[{backend}] session cookie"));
        assert!(session.contains("HttpOnly"), "[{backend}] {session}");

        let queue = client
            .get(url("/officer/queue"))
            .header(https.0, https.1)
            .header(COOKIE, pair(&session))
            .send()
            .await
            .unwrap();
        assert_eq!(queue.status(), StatusCode::OK, "[{backend}] queue");
        let plain_named = pair(&session).trim_start_matches("__Host-").to_string();
        let queue = client
            .get(url("/officer/queue"))
            .header(https.0, https.1)
            .header(COOKIE, plain_named)
            .send()
            .await
            .unwrap();
        assert_eq!(
            location(&queue),
            "/officer/login",
            "[{backend}] a plain-named session cookie over https"
        );

        // Plain http to the same app keeps today's names.
        let plain = client.get(url("/officer/login")).send().await.unwrap();
        assert!(
            set_cookie(&plain, "rd_csrf").is_some(),
            "[{backend}] plain http"
        );
        app.assert_no_server_errors();
    }
}
