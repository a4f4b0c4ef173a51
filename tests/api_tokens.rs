//! API tokens through the real HTTP stack, on both backends: bearer tokens only; missing,
//! junk, expired and revoked tokens answer 401 and a token without the scope 403, as
//! problem documents; each token has its own rate (429 with Retry-After); each use is
//! audited under the token's id and the secret is stored nowhere; admins make tokens on a
//! page that shows the secret once, and revoke them.

mod common;

use common::api::json_of;
use common::{backends, csrf_in, location, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::app::api::tokens;
use rightsdesk::app::officers::Requester;
use rightsdesk::store::schema::{api_tokens, audit_events};

async fn assert_problem(
    response: reqwest::Response,
    status: StatusCode,
    backend: &str,
) -> serde_json::Value {
    assert_eq!(response.status(), status, "[{backend}]");
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/problem+json",
        "[{backend}]"
    );
    let problem = json_of(response).await;
    assert_eq!(problem["status"], status.as_u16(), "[{backend}] {problem}");
    assert!(problem["title"].is_string(), "[{backend}] {problem}");
    problem
}

#[tokio::test]
async fn tokens_are_checked_scoped_limited_and_audited() {
    for backend in backends() {
        let b = backend.to_string();
        let app =
            TestApp::spawn_with(&backend, &[("RIGHTSDESK_API_RATE_PER_MINUTE", "4")], true).await;
        let reader = app.api_token(&["requests:read"], &[]);

        let none = app.api_get("/api/v1/requests", None).await;
        assert_eq!(
            none.headers().get("www-authenticate").unwrap(),
            "Bearer realm=\"rightsdesk\""
        );
        assert_problem(none, StatusCode::UNAUTHORIZED, &b).await;
        let junk = app.api_get("/api/v1/requests", Some("rdk_junk")).await;
        assert_problem(junk, StatusCode::UNAUTHORIZED, &b).await;
        // The secret in any other scheme, or in the query string, is no token.
        let basic = app
            .client
            .get(format!("{}/api/v1/requests", app.address))
            .header("authorization", format!("Basic {}", reader.secret))
            .send()
            .await
            .unwrap();
        assert_problem(basic, StatusCode::UNAUTHORIZED, &b).await;
        let query = app
            .api_get(
                &format!("/api/v1/requests?access_token={}", reader.secret),
                None,
            )
            .await;
        assert_problem(query, StatusCode::UNAUTHORIZED, &b).await;

        let ok = app.api_get("/api/v1/requests", Some(&reader.secret)).await;
        assert_eq!(ok.status(), StatusCode::OK, "[{b}]");
        assert_eq!(json_of(ok).await["items"], serde_json::json!([]));

        let body =
            common::api::intake_body("a@example.org", "eu", &common::api::days_ago(1), "post");
        let wrong_scope = app
            .api_post("/api/v1/requests", Some(&reader.secret), &body)
            .await;
        let problem = assert_problem(wrong_scope, StatusCode::FORBIDDEN, &b).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("requests:write"),
            "[{b}] {problem}"
        );

        // Expired: the day after its last day.
        let expiring = app.api_token(&["requests:read"], &[]);
        app.execute(&format!(
            "UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00' WHERE id = '{}'",
            expiring.id
        ));
        let expired = app
            .api_get("/api/v1/requests", Some(&expiring.secret))
            .await;
        assert_problem(expired, StatusCode::UNAUTHORIZED, &b).await;

        // Revoked: at once.
        let revoked = app.api_token(&["requests:read"], &[]);
        tokens::revoke(&app.ctx, Requester::Operator, &revoked.id).unwrap();
        let refused = app.api_get("/api/v1/requests", Some(&revoked.secret)).await;
        assert_problem(refused, StatusCode::UNAUTHORIZED, &b).await;
        assert!(
            tokens::revoke(&app.ctx, Requester::Operator, &revoked.id).is_err(),
            "[{b}] revoked twice"
        );

        // The rate is per token: a busy token is refused, another is not.
        let busy = app.api_token(&["requests:read"], &[]);
        let mut statuses = Vec::new();
        let mut retry_after = None;
        for _ in 0..6 {
            let response = app.api_get("/api/v1/requests", Some(&busy.secret)).await;
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                retry_after = response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                assert_problem(response, StatusCode::TOO_MANY_REQUESTS, &b).await;
                statuses.push(429);
            } else {
                statuses.push(response.status().as_u16());
            }
        }
        assert_eq!(statuses, vec![200, 200, 200, 200, 429, 429], "[{b}]");
        assert!(
            retry_after.is_some_and(|s| (1..=60).contains(&s)),
            "[{b}] {retry_after:?}"
        );
        let other = app.api_get("/api/v1/requests", Some(&reader.secret)).await;
        assert_eq!(other.status(), StatusCode::OK, "[{b}]");

        // Each use is audited under the token's id; no secret is stored anywhere.
        let actors: Vec<String> = audit_events::table
            .filter(audit_events::action.eq("api.requests_listed"))
            .select(audit_events::actor)
            .load(&mut app.conn())
            .unwrap();
        assert_eq!(actors.len(), 6, "[{b}] {actors:?}");
        assert!(
            actors.contains(&format!("api_token:{}", reader.id)),
            "[{b}]"
        );
        let details: Vec<String> = audit_events::table
            .select(audit_events::details)
            .load(&mut app.conn())
            .unwrap();
        let hashes: Vec<String> = api_tokens::table
            .select(api_tokens::token_hash)
            .load(&mut app.conn())
            .unwrap();
        for secret in [&reader.secret, &busy.secret, &revoked.secret] {
            assert!(
                !details.iter().any(|d| d.contains(secret.as_str())),
                "[{b}]"
            );
            assert!(!hashes.contains(secret), "[{b}]");
        }
        let last_used: Option<time::PrimitiveDateTime> = api_tokens::table
            .filter(api_tokens::id.eq(&reader.id))
            .select(api_tokens::last_used_at)
            .first(&mut app.conn())
            .unwrap();
        assert!(last_used.is_some(), "[{b}]");
        app.assert_no_server_errors();
    }
}

/// The secret in a page: `rdk_` and what follows up to the markup.
fn secret_in(html: &str) -> Option<String> {
    let start = html.find("rdk_")?;
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_string())
}

#[tokio::test]
async fn admins_make_tokens_see_the_secret_once_and_revoke_them() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let page = "/officer/admin/api-tokens";
        let csrf = admin.csrf(page).await;

        let missing = admin
            .post_form(
                page,
                &[
                    ("csrf_token", &csrf),
                    ("name", "CRM"),
                    ("expires", "2001-01-01"),
                ],
            )
            .await;
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let html = missing.text().await.unwrap();
        assert!(html.contains("Choose at least one scope"), "[{b}]");
        assert!(html.contains("The expiry date is in the past"), "[{b}]");

        let forged = admin
            .post_form(
                page,
                &[
                    ("csrf_token", "forged"),
                    ("name", "CRM"),
                    ("scopes", "requests:read"),
                ],
            )
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "[{b}]");

        let created = admin
            .post_form(
                page,
                &[
                    ("csrf_token", &csrf),
                    ("name", "CRM"),
                    ("scopes", "requests:read"),
                    ("scopes", "requests:write"),
                    ("regions", "eu"),
                    ("expires", "2099-12-31"),
                ],
            )
            .await;
        assert_eq!(created.status(), StatusCode::OK, "[{b}]");
        assert_eq!(created.headers().get("cache-control").unwrap(), "no-store");
        let html = created.text().await.unwrap();
        let secret = secret_in(&html).expect("the secret on the answer");
        assert!(
            html.contains("requests:read, requests:write"),
            "[{b}] {html}"
        );

        let listed = admin.get(page).await.text().await.unwrap();
        assert!(
            secret_in(&listed).is_none(),
            "[{b}] the secret is shown once"
        );
        assert!(listed.contains("CRM") && listed.contains("Active"), "[{b}]");
        assert!(
            listed.contains("1 January 2100"),
            "[{b}] works through its last day"
        );

        let ok = app.api_get("/api/v1/requests", Some(&secret)).await;
        assert_eq!(ok.status(), StatusCode::OK, "[{b}]");
        let listed = admin.get(page).await.text().await.unwrap();
        assert!(!listed.contains(">Never<"), "[{b}] last use shown");

        let marker = "/officer/admin/api-tokens/";
        let start = listed.find(marker).unwrap() + marker.len();
        let id = &listed[start..start + 36];
        let revoked = admin
            .post_form(&format!("{marker}{id}/revoke"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(revoked.status(), StatusCode::SEE_OTHER, "[{b}]");
        assert_eq!(location(&revoked), "/officer/admin/api-tokens?done=revoked");
        let after = app.api_get("/api/v1/requests", Some(&secret)).await;
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "[{b}]");
        let listed = admin.get(page).await.text().await.unwrap();
        assert!(listed.contains("Revoked"), "[{b}]");
        assert!(csrf_in(&listed).is_some());

        let events: Vec<(String, String)> = audit_events::table
            .filter(audit_events::action.like("api_token.%"))
            .select((audit_events::action, audit_events::target))
            .order(audit_events::pos.asc())
            .load(&mut app.conn())
            .unwrap();
        assert_eq!(
            events,
            vec![
                ("api_token.created".to_string(), format!("api_token:{id}")),
                ("api_token.revoked".to_string(), format!("api_token:{id}")),
            ],
            "[{b}]"
        );

        let officer = app
            .signed_in("officer@example.org", "officer", &["eu"])
            .await;
        assert_eq!(
            officer.get(page).await.status(),
            StatusCode::FORBIDDEN,
            "[{b}]"
        );
        app.assert_no_server_errors();
    }
}
