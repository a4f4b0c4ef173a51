//! Status links through the real HTTP stack, on both backends: the lost-link lookup
//! replaces older links and answers alike whether or not it matched; replies from a link
//! are rate-limited per link and per client.

mod common;

use diesel::prelude::*;
use reqwest::StatusCode;

use common::{backends, link_token, TestApp};

fn reference_of(app: &TestApp, email: &str) -> String {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::email_index.eq(app.email_index(email)))
        .select(dsl::reference)
        .first(&mut *app.conn())
        .unwrap()
}

/// Posts the lookup form; returns the status and the page with its CSRF token blanked
/// (each page carries a fresh one).
async fn lookup(app: &TestApp, email: &str, reference: &str) -> (StatusCode, String) {
    let csrf = app.csrf_from("/status/lookup").await;
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
    let blanked = match common::csrf_in(&html) {
        Some(token) => html.replace(&token, "CSRF"),
        None => html,
    };
    (status, blanked)
}

#[tokio::test]
async fn a_fresh_link_from_the_lookup_replaces_the_older_ones() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let first = app
            .submit_and_verify("access", "lost@example.org", "eu")
            .await;
        let reference = reference_of(&app, "lost@example.org");
        assert_eq!(app.get(&format!("/status/{first}")).await.status(), 200);
        // The confirmation mail carries the first link.
        app.wait_for_mail("lost@example.org", &format!("/status/{first}"))
            .await;

        let earlier: Vec<_> = app.mails().into_iter().map(|m| m.file).collect();
        let (status, _) = lookup(&app, "lost@example.org", &reference).await;
        assert_eq!(status, StatusCode::OK, "[{backend}]");
        let mail = app
            .wait_for_new_mail("lost@example.org", "/status/", &earlier)
            .await;
        let second = link_token(&mail.body, "/status/").unwrap();
        assert_ne!(second, first);

        // The old link answers "no longer works", for reading and for replying.
        let old = app.get(&format!("/status/{first}")).await;
        assert_eq!(old.status(), StatusCode::GONE, "[{backend}]");
        assert!(old
            .text()
            .await
            .unwrap()
            .contains("This link no longer works"));
        let csrf = app.csrf_from(&format!("/status/{second}")).await;
        let reply = app
            .post_form(
                &format!("/status/{first}/reply"),
                &[("message", "Through the old link"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(reply.status(), StatusCode::GONE, "[{backend}]");
        assert_eq!(app.count("request_messages"), 0, "[{backend}]");

        // The new one works, until a newer one replaces it in turn.
        assert_eq!(app.get(&format!("/status/{second}")).await.status(), 200);
        let earlier: Vec<_> = app.mails().into_iter().map(|m| m.file).collect();
        lookup(&app, "lost@example.org", &reference).await;
        let mail = app
            .wait_for_new_mail("lost@example.org", "/status/", &earlier)
            .await;
        let third = link_token(&mail.body, "/status/").unwrap();
        assert_eq!(
            app.get(&format!("/status/{second}")).await.status(),
            StatusCode::GONE,
            "[{backend}]"
        );
        assert_eq!(app.get(&format!("/status/{third}")).await.status(), 200);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_lookup_answers_alike_and_mails_only_on_a_match() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = app
            .submit_and_verify("access", "owner@example.org", "in")
            .await;
        let reference = reference_of(&app, "owner@example.org");
        let sent = app.wait_for_mails(2).await.len();

        // Wrong email for a real reference; a reference that does not exist.
        let before = app.snapshot();
        let wrong_email = lookup(&app, "someone.else@example.org", &reference).await;
        let unknown = lookup(&app, "owner@example.org", "RD-0000-0000").await;
        assert_eq!(app.snapshot(), before, "[{backend}] nothing stored");
        // The one that matches.
        let matched = lookup(&app, "owner@example.org", &reference).await;
        assert_eq!(matched.0, StatusCode::OK, "[{backend}]");
        assert_eq!(wrong_email, matched, "[{backend}] the same answer");
        assert_eq!(unknown, matched, "[{backend}] the same answer");
        assert!(!matched.1.contains("owner@example.org"), "[{backend}]");

        // Only the match sends mail, and only to the request's owner.
        let mails = app.wait_for_mails(sent + 1).await;
        let settled = app.settled_mails().await;
        assert_eq!(settled.len(), sent + 1, "[{backend}] one mail: {mails:?}");
        let last = settled.last().unwrap();
        assert_eq!(last.to, "owner@example.org", "[{backend}]");
        assert!(
            settled.iter().all(|m| m.to != "someone.else@example.org"),
            "[{backend}]"
        );
        // A match replaced the link the requester had.
        assert_eq!(
            app.get(&format!("/status/{token}")).await.status(),
            StatusCode::GONE
        );
        app.assert_no_server_errors();
    }
}

async fn reply(app: &TestApp, token: &str, csrf: &str, message: &str) -> reqwest::Response {
    app.post_form(
        &format!("/status/{token}/reply"),
        &[("message", message), ("csrf_token", csrf)],
    )
    .await
}

#[tokio::test]
async fn replies_from_a_status_link_are_limited_per_link() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = app
            .submit_and_verify("access", "chatty@example.org", "in")
            .await;
        let other = app
            .submit_and_verify("access", "quiet@example.org", "in")
            .await;
        let csrf = app.csrf_from(&format!("/status/{token}")).await;
        for n in 0..rightsdesk::web::reply_limit::REPLY_BURST {
            let response = reply(&app, &token, &csrf, &format!("Message {n}")).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}] {n}");
        }
        let refused = reply(&app, &token, &csrf, "One too many").await;
        assert_eq!(
            refused.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}]"
        );
        let retry_after: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry_after > 0, "[{backend}] Retry-After {retry_after}");
        let body = refused.text().await.unwrap();
        assert!(body.contains("Please wait"), "[{backend}] {body}");
        assert_eq!(
            app.count("request_messages"),
            i64::from(rightsdesk::web::reply_limit::REPLY_BURST),
            "[{backend}] the refused reply is not stored"
        );
        // Another request's link has its own budget.
        let response = reply(&app, &other, &csrf, "Hello").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn replies_from_a_status_link_are_limited_per_client() {
    for backend in backends() {
        // Three public POSTs a minute, one at a time: the submission spends this client's.
        let app = TestApp::spawn_with(&backend, &[("RIGHTSDESK_RATE_LIMIT", "3")], true).await;
        let token = app
            .submit_and_verify("access", "client@example.org", "in")
            .await;
        let csrf = app.csrf_from(&format!("/status/{token}")).await;
        let refused = reply(&app, &token, &csrf, "Hello").await;
        assert_eq!(
            refused.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}]"
        );
        assert_eq!(refused.headers()["retry-after"], "60", "[{backend}]");
        assert_eq!(app.count("request_messages"), 0, "[{backend}]");
        app.assert_no_server_errors();
    }
}
