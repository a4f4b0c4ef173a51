//! The requester's journey through the real HTTP stack: submit, verify, follow, reply,
//! withdraw — on SQLite, and on PostgreSQL when RIGHTSDESK_TEST_POSTGRES is set.

mod common;

use common::{backends, link_token, location, TestApp};
use reqwest::StatusCode;
use rightsdesk::domain::deadline::DeadlinePolicy;
use rightsdesk::domain::kind::RequestKind;
use rightsdesk::domain::regime::Regime;
use rightsdesk::store::time::from_db;

const REGIONS: [&str; 4] = ["in", "eu", "us-ca", "other"];

#[tokio::test]
async fn every_kind_is_submitted_verified_and_given_its_regimes_due_date() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        for (n, kind) in RequestKind::ALL.into_iter().enumerate() {
            let region = REGIONS[n % REGIONS.len()];
            let email = format!("person{n}@example.org");
            let response = app
                .submit(
                    kind.as_str(),
                    &[
                        ("email", &email),
                        ("region", region),
                        ("full_name", "Zed Secretname"),
                    ],
                )
                .await;
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "[{backend}] {kind}"
            );
            let target = location(&response);
            assert_eq!(target, "/requests/submitted", "[{backend}] {kind}");

            // The verification mail: reference and link only, nothing personal.
            let mail = app.wait_for_mail(&email, "/verify/").await;
            assert!(
                mail.subject.contains("RD-"),
                "[{backend}] subject {}",
                mail.subject
            );
            assert!(
                !mail.body.contains("Secretname"),
                "[{backend}] name leaked into mail"
            );
            assert!(
                !mail.body.contains("Please act on my request"),
                "[{backend}] details leaked"
            );
            let token =
                link_token(&mail.body, "http://rightsdesk.test/verify/").expect("verify link");
            assert_eq!(token.len(), 43);
            assert!(!token.contains("person"), "token carries no personal data");

            // A GET of the link changes nothing (mail scanners prefetch links).
            let snapshot = app.snapshot();
            let page = app.get(&format!("/verify/{token}")).await;
            assert_eq!(page.status(), StatusCode::OK);
            assert_eq!(
                page.headers().get("referrer-policy").unwrap(),
                "no-referrer"
            );
            let html = page.text().await.unwrap();
            assert!(html.contains("Confirm my request"), "[{backend}] {html}");
            assert_eq!(
                app.snapshot(),
                snapshot,
                "[{backend}] GET /verify changed the database"
            );
            let request = only_request_for(&app, &email);
            assert_eq!(request.status, "unverified");

            // POST confirms, opens the request and redirects to the status page.
            let csrf = common::csrf_in(&html).unwrap();
            let response = app
                .post_form(&format!("/verify/{token}"), &[("csrf_token", &csrf)])
                .await;
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "[{backend}] {kind}"
            );
            assert!(location(&response).starts_with("/status/"));
            let request = only_request_for(&app, &email);
            assert_eq!(request.status, "open", "[{backend}] {kind}");
            assert!(request.verified_at.is_some());
            let regime: Regime = region.parse().unwrap();
            let expected = DeadlinePolicy::default().deadlines_for(
                regime,
                kind,
                request.content_removal,
                from_db(request.received_at),
            );
            assert_eq!(
                from_db(request.due_at),
                expected.respond_by,
                "[{backend}] {kind} {region}"
            );
            assert_eq!(request.content_removal, kind == RequestKind::Grievance);

            // The link is single-use.
            let again = app
                .post_form(&format!("/verify/{token}"), &[("csrf_token", &csrf)])
                .await;
            assert_eq!(again.status(), StatusCode::GONE, "[{backend}]");
        }
        assert_eq!(app.count("requests"), 8);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_status_page_shows_the_timeline_and_due_date() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = app
            .submit_and_verify("access", "status@example.org", "eu")
            .await;
        let response = app.get(&format!("/status/{token}?notice=confirmed")).await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        assert_eq!(
            response.headers().get("referrer-policy").unwrap(),
            "no-referrer"
        );
        assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
        let html = response.text().await.unwrap();
        assert!(html.contains("Request received"), "[{backend}] {html}");
        assert!(html.contains("Email address confirmed"), "[{backend}]");
        assert!(html.contains("GDPR"), "[{backend}] the regime is named");
        assert!(
            html.contains("days left"),
            "[{backend}] the due date is counted down"
        );
        assert!(
            html.contains("/withdraw"),
            "[{backend}] withdraw is offered"
        );
        assert!(html.contains("/reply"), "[{backend}] reply is offered");
        // The confirmation mail carries the status link.
        app.wait_for_mail("status@example.org", &format!("/status/{token}"))
            .await;
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn reply_and_withdraw_work_only_where_the_lifecycle_allows() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = app
            .submit_and_verify("erasure", "withdraw@example.org", "us-ca")
            .await;
        let csrf = app.csrf_from(&format!("/status/{token}")).await;

        // A reply to an open request is kept and shown.
        let response = app
            .post_form(
                &format!("/status/{token}/reply"),
                &[("message", "My username is zed."), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let html = app
            .get(&format!("/status/{token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("My username is zed."), "[{backend}]");
        assert_eq!(app.count("request_messages"), 1);

        // When an officer asked something, the reply moves the request back to them.
        app.force_status("withdraw@example.org", "awaiting_requester");
        let response = app
            .post_form(
                &format!("/status/{token}/reply"),
                &[("message", "Here is the answer."), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            only_request_for(&app, "withdraw@example.org").status,
            "in_progress"
        );

        // An empty reply is refused with a clear message.
        let response = app
            .post_form(
                &format!("/status/{token}/reply"),
                &[("message", "  "), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "[{backend}]");

        // Withdraw closes the request and tells the requester by mail.
        let response = app
            .post_form(
                &format!("/status/{token}/withdraw"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let request = only_request_for(&app, "withdraw@example.org");
        assert_eq!(request.status, "withdrawn");
        assert!(request.closed_at.is_some());
        app.wait_for_mail("withdraw@example.org", "Withdrawn").await;

        // Once closed: a clear 409 for both, and nothing changes.
        let snapshot = app.snapshot();
        for (path, fields) in [
            (
                format!("/status/{token}/reply"),
                vec![("message", "Still there?"), ("csrf_token", csrf.as_str())],
            ),
            (
                format!("/status/{token}/withdraw"),
                vec![("csrf_token", csrf.as_str())],
            ),
        ] {
            let response = app.post_form(&path, &fields).await;
            assert_eq!(
                response.status(),
                StatusCode::CONFLICT,
                "[{backend}] {path}"
            );
            let html = response.text().await.unwrap();
            assert!(
                html.contains("That is not possible now"),
                "[{backend}] {html}"
            );
            assert!(html.contains("withdrawn"), "[{backend}] the page says why");
        }
        assert_eq!(
            app.snapshot(),
            snapshot,
            "[{backend}] a refused action changed something"
        );
        let html = app
            .get(&format!("/status/{token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("/withdraw\""),
            "[{backend}] no withdraw form on a closed request"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_stale_version_loses_and_changes_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = app
            .submit_and_verify("objection", "race@example.org", "in")
            .await;
        let csrf = app.csrf_from(&format!("/status/{token}")).await;
        // Two withdrawals race: the second sees a closed request.
        let path = format!("/status/{token}/withdraw");
        let fields = [("csrf_token", csrf.as_str())];
        let (a, b) = tokio::join!(app.post_form(&path, &fields), app.post_form(&path, &fields));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "[{backend}]"
        );
        let withdrawn_events: i64 = {
            let rows = rightsdesk::store::audit::batch_after(&mut app.conn(), 0, 1000).unwrap();
            rows.iter()
                .filter(|r| r.action == "request.withdrawn")
                .count() as i64
        };
        assert_eq!(withdrawn_events, 1, "[{backend}] exactly one audit event");
        app.assert_no_server_errors();
    }
}

/// The columns of a stored request these tests look at, read straight from the table.
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = rightsdesk::store::schema::requests)]
struct StoredRequest {
    status: String,
    content_removal: bool,
    received_at: time::PrimitiveDateTime,
    verified_at: Option<time::PrimitiveDateTime>,
    due_at: time::PrimitiveDateTime,
    closed_at: Option<time::PrimitiveDateTime>,
}

fn only_request_for(app: &TestApp, email: &str) -> StoredRequest {
    use diesel::prelude::*;
    use rightsdesk::store::schema::requests::dsl;
    let mut conn = app.conn();
    let mut rows: Vec<StoredRequest> = dsl::requests
        .filter(dsl::email_index.eq(app.email_index(email)))
        .select(StoredRequest::as_select())
        .load(&mut *conn)
        .unwrap();
    assert_eq!(rows.len(), 1, "[{}] one request for {email}", app.backend);
    rows.pop().unwrap()
}
