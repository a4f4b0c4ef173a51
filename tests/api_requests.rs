//! `/api/v1/requests` through the real HTTP stack, on both backends: another system records
//! a request received elsewhere (its clock from the real receipt, the requester mailed a
//! status link, audited under the token), lists and reads requests within its regions;
//! bad bodies answer 400/413/415/422 problem documents, never a 500. The same intake as the
//! officer page "Record a request received offline".

mod common;

use common::api::{days_ago, intake_body, json_of};
use common::{backends, csrf_in, link_token, location, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::domain::kind::RequestKind;
use rightsdesk::domain::regime::Regime;
use rightsdesk::store::schema::{audit_events, requests};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

fn parse(text: &serde_json::Value) -> OffsetDateTime {
    OffsetDateTime::parse(text.as_str().expect("a time"), &Rfc3339).unwrap()
}

/// The pointers of a 422 problem's field errors.
async fn pointers(response: reqwest::Response, backend: &str) -> Vec<String> {
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "[{backend}]"
    );
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let problem = json_of(response).await;
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("[{backend}] {problem}"))
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_system_records_a_phone_request_whose_clock_starts_at_receipt() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["requests:write", "requests:read"], &[]);
        let received =
            OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - time::Duration::days(3);
        let body = intake_body("caller@example.org", "eu", &rfc3339(received), "phone");

        let response = app
            .api_post("/api/v1/requests", Some(&system.secret), &body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "[{b}]");
        let path = location(&response);
        let created = json_of(response).await;
        let reference = created["reference"].as_str().unwrap().to_string();
        assert_eq!(path, format!("/api/v1/requests/{reference}"));
        assert_eq!(created["status"], "open", "[{b}]");
        assert_eq!(created["kind"], "access");
        assert_eq!(parse(&created["received_at"]), received, "[{b}]");
        let expected = app.ctx.settings.policy.deadlines.deadlines_for(
            Regime::Eu,
            RequestKind::Access,
            false,
            received,
        );
        assert_eq!(
            parse(&created["due_at"]),
            expected.respond_by,
            "[{b}] due from receipt"
        );
        assert_eq!(parse(&created["effective_due_at"]), expected.respond_by);

        let mail = app.wait_for_mail("caller@example.org", "/status/").await;
        assert!(
            mail.body.contains(&reference) && mail.body.contains("by phone"),
            "[{b}]"
        );
        let token = link_token(&mail.body, "/status/").expect("status link");
        let status_page = app.get(&format!("/status/{token}")).await;
        assert_eq!(status_page.status(), StatusCode::OK, "[{b}]");

        let (actor, details): (String, String) = audit_events::table
            .filter(audit_events::action.eq("request.recorded"))
            .select((audit_events::actor, audit_events::details))
            .first(&mut app.conn())
            .unwrap();
        assert_eq!(actor, format!("api_token:{}", system.id), "[{b}]");
        assert!(details.contains("\"channel\":\"phone\""), "[{b}] {details}");
        assert!(!details.contains("caller@example.org"), "[{b}]");
        let channel: Option<String> = requests::table
            .filter(requests::reference.eq(&reference))
            .select(requests::channel)
            .first(&mut app.conn())
            .unwrap();
        assert_eq!(channel.as_deref(), Some("phone"));

        let read = app
            .api_get(
                &format!("/api/v1/requests/{reference}"),
                Some(&system.secret),
            )
            .await;
        assert_eq!(read.status(), StatusCode::OK, "[{b}]");
        assert_eq!(json_of(read).await["due_at"], created["due_at"]);

        // A token of another region does not see it; nobody sees an unconfirmed request.
        let indian = app.api_token(&["requests:read", "requests:write"], &["in"]);
        let hidden = app
            .api_get(
                &format!("/api/v1/requests/{reference}"),
                Some(&indian.secret),
            )
            .await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "[{b}]");
        let listed = json_of(app.api_get("/api/v1/requests", Some(&indian.secret)).await).await;
        assert_eq!(listed["items"], serde_json::json!([]), "[{b}]");
        let outside = app
            .api_post("/api/v1/requests", Some(&indian.secret), &body)
            .await;
        assert_eq!(pointers(outside, &b).await, vec!["/regime"], "[{b}]");
        assert_eq!(
            app.submit("access", &[("region", "eu")]).await.status(),
            StatusCode::SEE_OTHER
        );
        let unverified: String = requests::table
            .filter(requests::status.eq("unverified"))
            .select(requests::reference)
            .first(&mut app.conn())
            .unwrap();
        let unseen = app
            .api_get(
                &format!("/api/v1/requests/{unverified}"),
                Some(&system.secret),
            )
            .await;
        assert_eq!(unseen.status(), StatusCode::NOT_FOUND, "[{b}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn bad_bodies_are_problems_never_server_errors() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["requests:write"], &[]);
        let post = |body: serde_json::Value| {
            let app = &app;
            let secret = system.secret.clone();
            async move { app.api_post("/api/v1/requests", Some(&secret), &body).await }
        };
        let future = (OffsetDateTime::now_utc() + time::Duration::hours(1))
            .format(&Rfc3339)
            .unwrap();
        for (received_at, channel, expected) in [
            (future.as_str(), "post", vec!["/received_at"]),
            (&days_ago(31), "post", vec!["/received_at"]),
            ("last Tuesday", "post", vec!["/received_at"]),
            (&days_ago(1), "fax", vec!["/channel"]),
        ] {
            let body = intake_body("a@example.org", "eu", received_at, channel);
            assert_eq!(
                pointers(post(body).await, &b).await,
                expected,
                "[{b}] {received_at} {channel}"
            );
        }
        let mut body = intake_body("not an email", "mars", &days_ago(1), "post");
        body["kind"] = "everything".into();
        let mut found = pointers(post(body).await, &b).await;
        found.sort();
        assert_eq!(found, vec!["/kind", "/regime", "/requester/email"], "[{b}]");

        let wrong_shape = post(serde_json::json!({"kind": 5})).await;
        assert_eq!(
            wrong_shape.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{b}]"
        );
        let malformed = app
            .api_post_raw(
                "/api/v1/requests",
                &system.secret,
                "application/json",
                b"{\"kind\":".to_vec(),
            )
            .await;
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST, "[{b}]");
        assert_eq!(
            malformed.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        let form = app
            .api_post_raw(
                "/api/v1/requests",
                &system.secret,
                "application/x-www-form-urlencoded",
                b"kind=access".to_vec(),
            )
            .await;
        assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "[{b}]");
        let mut huge = intake_body("a@example.org", "eu", &days_ago(1), "post");
        huge["details"] = "x".repeat(70 * 1024).into();
        let too_large = post(huge).await;
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE, "[{b}]");
        let unknown = app
            .api_get("/api/v1/nothing-here", Some(&system.secret))
            .await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "[{b}]");
        assert_eq!(
            unknown.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        assert_eq!(app.count("requests"), 0, "[{b}] nothing stored");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn requests_are_listed_by_due_date_a_page_at_a_time() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["requests:write", "requests:read"], &[]);
        let mut references = Vec::new();
        for (days, email) in [
            (1, "one@example.org"),
            (5, "two@example.org"),
            (3, "three@example.org"),
        ] {
            let body = intake_body(email, "eu", &days_ago(days), "post");
            let created = app
                .api_post("/api/v1/requests", Some(&system.secret), &body)
                .await;
            assert_eq!(created.status(), StatusCode::CREATED, "[{b}]");
            references.push(
                json_of(created).await["reference"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        // Soonest due first: received 5, 3, then 1 day ago.
        let expected = vec![
            references[1].clone(),
            references[2].clone(),
            references[0].clone(),
        ];
        let first = json_of(
            app.api_get("/api/v1/requests?limit=2", Some(&system.secret))
                .await,
        )
        .await;
        let cursor = first["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_string();
        let second = json_of(
            app.api_get(
                &format!("/api/v1/requests?limit=2&after={cursor}"),
                Some(&system.secret),
            )
            .await,
        )
        .await;
        assert!(second.get("next_cursor").is_none(), "[{b}] {second}");
        let listed: Vec<String> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .chain(second["items"].as_array().unwrap())
            .map(|item| item["reference"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(listed, expected, "[{b}]");
        let first_item = &first["items"][0];
        assert!(first_item.get("email").is_none() && first_item.get("full_name").is_none());

        let open = json_of(
            app.api_get(
                "/api/v1/requests?status=open&kind=access",
                Some(&system.secret),
            )
            .await,
        )
        .await;
        assert_eq!(open["items"].as_array().unwrap().len(), 3, "[{b}]");
        let none = json_of(
            app.api_get("/api/v1/requests?status=fulfilled", Some(&system.secret))
                .await,
        )
        .await;
        assert_eq!(none["items"], serde_json::json!([]), "[{b}]");
        for (query, pointer) in [
            ("status=lost", "status"),
            ("kind=all", "kind"),
            ("limit=0", "limit"),
            ("limit=ten", "limit"),
            ("after=bm90LWEtY3Vyc29y", "after"),
        ] {
            let refused = app
                .api_get(&format!("/api/v1/requests?{query}"), Some(&system.secret))
                .await;
            assert_eq!(pointers(refused, &b).await, vec![pointer], "[{b}] {query}");
        }
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn officers_record_a_request_received_offline() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let officer = app
            .signed_in("officer@example.org", "officer", &["in"])
            .await;
        let page = officer.get("/officer/intake").await;
        assert_eq!(page.status(), StatusCode::OK, "[{b}]");
        let html = page.text().await.unwrap();
        assert!(html.contains("Record a request received offline"), "[{b}]");
        let csrf = csrf_in(&html).unwrap();
        let received = (OffsetDateTime::now_utc() - time::Duration::days(2))
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]"
            ))
            .unwrap();
        let mut fields = vec![
            ("csrf_token", csrf.as_str()),
            ("kind", "erasure"),
            ("region", "in"),
            ("full_name", "Ravi Kumar"),
            ("email", "ravi@example.in"),
            ("received_at", received.as_str()),
            ("channel", "post"),
        ];
        let recorded = officer.post_form("/officer/intake", &fields).await;
        assert_eq!(recorded.status(), StatusCode::SEE_OTHER, "[{b}]");
        let target = location(&recorded);
        assert!(target.starts_with("/officer/requests/"), "[{b}] {target}");
        let shown = officer.get(&target).await;
        assert_eq!(shown.status(), StatusCode::OK, "[{b}]");
        app.wait_for_mail("ravi@example.in", "/status/").await;
        let actor: String = audit_events::table
            .filter(audit_events::action.eq("request.recorded"))
            .select(audit_events::actor)
            .first(&mut app.conn())
            .unwrap();
        assert_eq!(actor, format!("officer:{}", officer.id), "[{b}]");

        // Another region, a receipt in the future, no channel: the form again with errors.
        fields.retain(|(k, _)| !matches!(*k, "region" | "received_at" | "channel"));
        fields.extend([
            ("region", "eu"),
            ("received_at", "2999-01-01T00:00"),
            ("channel", ""),
        ]);
        let refused = officer.post_form("/officer/intake", &fields).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("not yours to record")
                || html.contains("The time of receipt is in the future"),
            "[{b}]"
        );
        assert!(
            html.contains("The time of receipt is in the future"),
            "[{b}]"
        );
        assert!(
            html.contains("Ravi Kumar"),
            "[{b}] the form keeps what was typed"
        );

        let forged = officer
            .post_form("/officer/intake", &[("csrf_token", "forged")])
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "[{b}]");
        let auditor = app.signed_in("auditor@example.org", "auditor", &[]).await;
        let csrf = auditor.csrf("/officer/intake").await;
        let mut fields = fields.clone();
        fields.retain(|(k, _)| *k != "csrf_token");
        fields.push(("csrf_token", csrf.as_str()));
        let not_theirs = auditor.post_form("/officer/intake", &fields).await;
        assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN, "[{b}]");
        assert_eq!(app.count("requests"), 1, "[{b}]");
        app.assert_no_server_errors();
    }
}
