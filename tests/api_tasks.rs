//! `/api/v1/tasks` through the real HTTP stack, on both backends: an officer fulfils an
//! erasure, each source system lists its open task with a `tasks:read` token and reports it
//! with a `tasks:write` token; the requester is told only after the last one. Finishing a
//! task twice is a conflict, a failure's reason shows to the officer, a read-only token may
//! not finish tasks, and a token of other regions sees none of them.

mod common;

use common::api::json_of;
use common::officer::OfficerBrowser;
use common::{backends, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::domain::audit::Actor;
use rightsdesk::domain::ids::ApiTokenId;
use rightsdesk::domain::import_row::ImportKind;
use rightsdesk::store::schema::audit_events;
use serde_json::{json, Value};

const ASHA: &str = "asha.rao@example.in";
const RAVI: &str = "ravi.iyer@example.in";
const OUTCOME: &str = "News about your request";

fn records_of(email: &str) -> Vec<Value> {
    ["crm", "forum", "mailer"]
        .iter()
        .enumerate()
        .map(|(n, source)| {
            json!({"email": email, "source": source, "source_id": format!("{email}-{n}"),
                   "category": "profile", "payload": {"n": n}})
        })
        .collect()
}

/// The open tasks of `source` the token sees, as listed over the API.
async fn listed(app: &TestApp, token: &str, source: &str) -> Vec<Value> {
    let response = app
        .api_get(&format!("/api/v1/tasks?source={source}"), Some(token))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "[{}]", app.backend);
    json_of(response).await["items"].as_array().unwrap().clone()
}

/// The id of the open task of `source` for the request `reference`.
async fn task_of(app: &TestApp, token: &str, source: &str, reference: &str) -> String {
    listed(app, token, source)
        .await
        .into_iter()
        .find(|t| t["reference"] == reference)
        .unwrap_or_else(|| panic!("[{}] an open {source} task", app.backend))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn outcome_mails(app: &TestApp, to: &str) -> usize {
    app.mails()
        .iter()
        .filter(|m| m.to == to && m.subject.contains(OUTCOME))
        .count()
}

/// A request of `kind` fulfilled by an officer, who is returned signed in.
async fn fulfilled(app: &TestApp, kind: &str, email: &str) -> (String, OfficerBrowser) {
    app.import_lines(ImportKind::Records, &records_of(email), true, 10);
    let officer = app.signed_in_admin("admin@example.org").await;
    let reference = app.verified_request(kind, email, "in").await;
    let response = officer
        .act(&reference, &[("action", "fulfil"), ("message", "Done.")])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "[{}]",
        app.backend
    );
    (reference, officer)
}

#[tokio::test]
async fn source_systems_complete_their_tasks_and_the_requester_is_told_after_the_last() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let (reference, _officer) = fulfilled(&app, "erasure", ASHA).await;
        let mails_before = outcome_mails(&app, ASHA);
        let reader = app.api_token(&["tasks:read"], &[]);
        let writer = app.api_token(&["tasks:write"], &[]);

        let crm = listed(&app, &reader.secret, "crm").await;
        assert_eq!(crm.len(), 1, "[{b}] one task per source");
        assert_eq!(crm[0]["reference"], reference.as_str(), "[{b}]");
        assert_eq!(crm[0]["action"], "erase", "[{b}]");
        assert_eq!(crm[0]["state"], "open", "[{b}]");
        assert!(listed(&app, &reader.secret, "nowhere").await.is_empty());

        // Paging: one a page, then nothing after the last.
        let page = json_of(
            app.api_get("/api/v1/tasks?source=crm&limit=1", Some(&reader.secret))
                .await,
        )
        .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "[{b}]");
        assert!(page.get("next_cursor").is_none(), "[{b}] {page}");
        let after = crm[0]["id"].as_str().unwrap();
        let page = json_of(
            app.api_get(
                &format!("/api/v1/tasks?source=crm&after={after}"),
                Some(&reader.secret),
            )
            .await,
        )
        .await;
        assert_eq!(page["items"], json!([]), "[{b}]");
        for bad in [
            "/api/v1/tasks",
            "/api/v1/tasks?source=crm&after=nope",
            "/api/v1/tasks?source=crm&limit=0",
        ] {
            let response = app.api_get(bad, Some(&reader.secret)).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{b}] {bad}"
            );
        }

        let crm = task_of(&app, &reader.secret, "crm", &reference).await;
        let forum = task_of(&app, &reader.secret, "forum", &reference).await;
        let mailer = task_of(&app, &reader.secret, "mailer", &reference).await;

        // A token that only reads may not finish a task.
        let refused = app
            .api_post(
                &format!("/api/v1/tasks/{crm}/complete"),
                Some(&reader.secret),
                &json!({}),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "[{b}]");
        assert_eq!(
            refused.headers().get("content-type").unwrap(),
            "application/problem+json"
        );

        for id in [&crm, &forum] {
            let done = app
                .api_post(
                    &format!("/api/v1/tasks/{id}/complete"),
                    Some(&writer.secret),
                    &json!({}),
                )
                .await;
            assert_eq!(done.status(), StatusCode::OK, "[{b}]");
            let done = json_of(done).await;
            assert_eq!(done["state"], "completed", "[{b}]");
            assert!(done["finished_at"].is_string(), "[{b}]");
        }
        assert_eq!(
            app.settled_mails()
                .await
                .iter()
                .filter(|m| m.to == ASHA && m.subject.contains(OUTCOME))
                .count(),
            mails_before,
            "[{b}] no outcome mail while a task is open"
        );

        let again = app
            .api_post(
                &format!("/api/v1/tasks/{crm}/complete"),
                Some(&writer.secret),
                &json!({}),
            )
            .await;
        assert_eq!(
            again.status(),
            StatusCode::CONFLICT,
            "[{b}] completed twice"
        );
        for unknown in ["0193a5b0-0000-7000-8000-000000000000", "not-a-task"] {
            let response = app
                .api_post(
                    &format!("/api/v1/tasks/{unknown}/complete"),
                    Some(&writer.secret),
                    &json!({}),
                )
                .await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "[{b}] {unknown}");
        }

        let last = app
            .api_post(
                &format!("/api/v1/tasks/{mailer}/complete"),
                Some(&writer.secret),
                &json!({}),
            )
            .await;
        assert_eq!(last.status(), StatusCode::OK, "[{b}]");
        let mail = app.wait_for_mail(ASHA, "New status: Completed").await;
        assert!(mail.subject.contains(&reference), "[{b}]");
        app.settled_mails().await;
        assert_eq!(outcome_mails(&app, ASHA), mails_before + 1, "[{b}] one");
        assert!(listed(&app, &reader.secret, "mailer").await.is_empty());

        let writer_id: ApiTokenId = writer.id.parse().unwrap();
        let reader_id: ApiTokenId = reader.id.parse().unwrap();
        let actors: Vec<String> = audit_events::table
            .filter(audit_events::action.eq("task.completed"))
            .select(audit_events::actor)
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(
            actors,
            vec![Actor::ApiToken(writer_id).to_audit_string(); 3],
            "[{b}] the token is the actor"
        );
        let listings: i64 = audit_events::table
            .filter(audit_events::action.eq("api.tasks_listed"))
            .filter(audit_events::actor.eq(Actor::ApiToken(reader_id).to_audit_string()))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert!(listings >= 5, "[{b}] each listing audited: {listings}");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_failure_shows_its_reason_and_other_regions_see_no_task() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let (reference, officer) = fulfilled(&app, "restriction", RAVI).await;
        let system = app.api_token(&["tasks:read", "tasks:write"], &["in"]);
        let european = app.api_token(&["tasks:read", "tasks:write"], &["eu"]);
        let forum = task_of(&app, &system.secret, "forum", &reference).await;

        // A token of other regions neither sees nor finishes the task.
        assert!(listed(&app, &european.secret, "forum").await.is_empty());
        for action in ["complete", "failed"] {
            let hidden = app
                .api_post(
                    &format!("/api/v1/tasks/{forum}/{action}"),
                    Some(&european.secret),
                    &json!({"reason": "Not ours"}),
                )
                .await;
            assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "[{b}] {action}");
        }

        let path = format!("/api/v1/tasks/{forum}/failed");
        let blank = app
            .api_post(&path, Some(&system.secret), &json!({"reason": "  "}))
            .await;
        assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        assert_eq!(json_of(blank).await["errors"][0]["pointer"], "/reason");
        let missing = app.api_post(&path, Some(&system.secret), &json!({})).await;
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let text = app
            .api_post_raw(&path, &system.secret, "text/plain", b"archived".to_vec())
            .await;
        assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "[{b}]");

        let reason = "The forum account is archived offline";
        let failed = app
            .api_post(&path, Some(&system.secret), &json!({ "reason": reason }))
            .await;
        assert_eq!(failed.status(), StatusCode::OK, "[{b}]");
        let failed = json_of(failed).await;
        assert_eq!(failed["state"], "failed", "[{b}]");
        assert_eq!(failed["failure_reason"], reason, "[{b}]");
        let again = app
            .api_post(&path, Some(&system.secret), &json!({ "reason": reason }))
            .await;
        assert_eq!(again.status(), StatusCode::CONFLICT, "[{b}]");

        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("Failed: {reason}")),
            "[{b}] the reason shows"
        );
        assert!(
            !app.mails()
                .iter()
                .any(|m| m.to == RAVI && m.subject.contains(OUTCOME)),
            "[{b}] nothing mailed yet"
        );
        app.assert_no_server_errors();
    }
}
