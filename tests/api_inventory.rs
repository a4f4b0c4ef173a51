//! Inventory pushes and consent reads over the JSON API, on both backends: NDJSON bodies go
//! through the CLI's import (per-line errors, nothing stored under `strict`), audited under
//! the token; a consent withdrawal recorded over the API and fulfilled by an officer reads
//! back as withdrawn.

mod common;

use common::api::{days_ago, json_of};
use common::{backends, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::store::schema::audit_events;
use serde_json::json;

const PERSON: &str = "meera@example.org";

fn ndjson(lines: &[serde_json::Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

async fn push(app: &TestApp, token: &str, path: &str, body: Vec<u8>) -> reqwest::Response {
    app.api_post_raw(path, token, "application/x-ndjson", body)
        .await
}

#[tokio::test]
async fn pushes_import_with_per_line_errors_and_strict_stores_nothing() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["inventory:write"], &[]);
        let lines = [
            json!({"email": PERSON, "source": "crm", "source_id": 1, "category": "profile", "payload": {"name": "Meera"}}),
            json!({"email": PERSON, "source": "crm", "category": "profile", "payload": {}}),
            json!({"email": "not an email", "source": "crm", "source_id": 2, "category": "profile", "payload": {}}),
        ];
        let mut body = ndjson(&lines);
        body.extend_from_slice(b"{ not json\n");

        let strict = push(
            &app,
            &system.secret,
            "/api/v1/inventory/records?strict=true",
            body.clone(),
        )
        .await;
        assert_eq!(strict.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let problem = json_of(strict).await;
        assert_eq!(problem["errors"][0]["line"], 2, "[{b}] {problem}");
        assert_eq!(
            app.count("personal_records"),
            0,
            "[{b}] nothing half-imported"
        );

        let dry = json_of(
            push(
                &app,
                &system.secret,
                "/api/v1/inventory/records?dry_run=true",
                body.clone(),
            )
            .await,
        )
        .await;
        assert_eq!(
            (dry["valid"].as_u64(), dry["rejected"].as_u64()),
            (Some(1), Some(3)),
            "[{b}] {dry}"
        );
        assert_eq!(app.count("personal_records"), 0, "[{b}]");

        let response = push(&app, &system.secret, "/api/v1/inventory/records", body).await;
        assert_eq!(response.status(), StatusCode::OK, "[{b}]");
        let summary = json_of(response).await;
        assert_eq!(summary["inserted"], 1, "[{b}] {summary}");
        assert_eq!(summary["rejected"], 3, "[{b}]");
        let lines: Vec<u64> = summary["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, vec![2, 3, 4], "[{b}]");
        assert!(
            summary["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("source_id"),
            "[{b}]"
        );
        assert_eq!(app.count("personal_records"), 1, "[{b}]");
        let actor: String = audit_events::table
            .filter(audit_events::action.eq("inventory.imported"))
            .select(audit_events::actor)
            .first(&mut app.conn())
            .unwrap();
        assert_eq!(actor, format!("api_token:{}", system.id), "[{b}]");

        let wrong_type = app
            .api_post_raw(
                "/api/v1/inventory/records",
                &system.secret,
                "application/json",
                b"[]".to_vec(),
            )
            .await;
        assert_eq!(
            wrong_type.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "[{b}]"
        );
        let unknown = push(&app, &system.secret, "/api/v1/inventory/people", Vec::new()).await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "[{b}]");
        let bad_flag = push(
            &app,
            &system.secret,
            "/api/v1/inventory/records?strict=maybe",
            Vec::new(),
        )
        .await;
        assert_eq!(bad_flag.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let reader = app.api_token(&["requests:read"], &[]);
        let no_scope = push(
            &app,
            &reader.secret,
            "/api/v1/inventory/records",
            Vec::new(),
        )
        .await;
        assert_eq!(no_scope.status(), StatusCode::FORBIDDEN, "[{b}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn consents_read_back_as_withdrawn_after_a_withdrawal() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["inventory:write", "consents:read", "requests:write"], &[]);
        let consents = ndjson(&[
            json!({"email": PERSON, "purpose": "marketing", "granted_at": "2026-02-01T10:00:00Z", "source": "signup"}),
            json!({"email": PERSON, "purpose": "analytics", "granted_at": "2026-02-01T10:00:00Z", "source": "signup"}),
        ]);
        let pushed = push(&app, &system.secret, "/api/v1/inventory/consents", consents).await;
        assert_eq!(pushed.status(), StatusCode::OK, "[{b}]");

        let state = |email: &str| {
            let app = &app;
            let path = format!("/api/v1/consents?email={email}");
            let secret = system.secret.clone();
            async move {
                let response = app.api_get(&path, Some(&secret)).await;
                assert_eq!(response.status(), StatusCode::OK);
                let body = json_of(response).await;
                body["purposes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p["purpose"].as_str().unwrap().to_string(),
                            p["state"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect::<std::collections::BTreeMap<_, _>>()
            }
        };
        let before = state(PERSON).await;
        assert_eq!(before["marketing"], "granted", "[{b}] {before:?}");
        assert_eq!(before["analytics"], "granted", "[{b}]");
        let stranger = state("nobody@example.org").await;
        assert!(stranger.values().all(|s| s == "none"), "[{b}] {stranger:?}");

        let body = json!({
            "kind": "consent_withdrawal",
            "regime": "eu",
            "requester": {"name": "Meera", "email": PERSON},
            "purposes": ["marketing"],
            "received_at": days_ago(1),
            "channel": "email",
        });
        let created = app
            .api_post("/api/v1/requests", Some(&system.secret), &body)
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "[{b}]");
        let reference = json_of(created).await["reference"]
            .as_str()
            .unwrap()
            .to_string();
        let officer = app.signed_in_admin("admin@example.org").await;
        let fulfilled = officer
            .act(
                &reference,
                &[("action", "fulfil"), ("message", "Withdrawn.")],
            )
            .await;
        assert_eq!(fulfilled.status(), StatusCode::SEE_OTHER, "[{b}]");

        let after = state(PERSON).await;
        assert_eq!(after["marketing"], "withdrawn", "[{b}] {after:?}");
        assert_eq!(after["analytics"], "granted", "[{b}]");

        let bad = app
            .api_get("/api/v1/consents?email=nonsense", Some(&system.secret))
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        assert_eq!(json_of(bad).await["errors"][0]["pointer"], "email");
        let reads: Vec<(String, String)> = audit_events::table
            .filter(audit_events::action.eq("api.consents_read"))
            .select((audit_events::target, audit_events::details))
            .load(&mut app.conn())
            .unwrap();
        assert_eq!(reads.len(), 3, "[{b}] a refused email reads nothing");
        assert!(
            reads
                .iter()
                .all(|(t, d)| !t.contains('@') && !d.contains('@')),
            "[{b}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_large_push_streams_through_several_batches() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["inventory:write"], &[]);
        let lines: Vec<serde_json::Value> = (0..12_000)
            .map(|n| json!({"email": format!("person{}@example.org", n % 500), "source": "app", "source_id": n, "category": "contact", "payload": {"n": n}}))
            .collect();
        let response = push(
            &app,
            &system.secret,
            "/api/v1/inventory/records?strict=true",
            ndjson(&lines),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "[{b}]");
        let summary = json_of(response).await;
        assert_eq!(summary["inserted"], 12_000, "[{b}] {summary}");
        assert_eq!(app.count("personal_records"), 12_000, "[{b}]");
        assert_eq!(app.count("subjects"), 500, "[{b}]");
        app.assert_no_server_errors();
    }
}
