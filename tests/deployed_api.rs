//! The JSON API as deployed, on both backends: tokens made and revoked with the CLI, the
//! binary started as a child process, another system talking to it over HTTP, and SIGTERM
//! at the end. A token-driven system records a phone request received three days ago whose
//! due date counts from then; a region-limited token gets 404 outside its region, a revoked
//! token 401, a token without the scope 403, and a busy token 429 with Retry-After.

mod common;

use std::time::Duration;

use common::backends;
use common::site::{assert_refused_in_one_line, stop_cleanly, Site};
use reqwest::StatusCode;
use rightsdesk::domain::deadline::DeadlinePolicy;
use rightsdesk::domain::kind::RequestKind;
use rightsdesk::domain::regime::Regime;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `rightsdesk api-token create`: the secret (standard output) and the id (standard error).
fn create_token(site: &Site, scopes: &[&str], regions: &[&str]) -> (String, String) {
    let mut args = vec!["api-token", "create", "--name", "connected system"];
    for scope in scopes {
        args.extend(["--scope", scope]);
    }
    for region in regions {
        args.extend(["--region", region]);
    }
    let output = site.command(&[], &args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "[{}] {stderr}", site.backend);
    let secret = String::from_utf8(output.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("rdk_"), "[{}] {secret}", site.backend);
    let id = stderr
        .split_whitespace()
        .nth(2)
        .expect("the token's id on standard error")
        .trim_end_matches(';')
        .to_string();
    (secret, id)
}

async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_connected_system_records_and_reads_requests_with_its_token() {
    for backend in backends() {
        let site = Site::new(&backend);
        let (system, _) = create_token(&site, &["requests:write", "requests:read"], &[]);
        let (indian, _) = create_token(&site, &["requests:read"], &["in"]);
        let (reader, _) = create_token(&site, &["requests:read"], &[]);
        let (busy, _) = create_token(&site, &["requests:read"], &[]);
        let (revoked, revoked_id) = create_token(&site, &["requests:read"], &[]);
        let revoke = site.command(&[], &["api-token", "revoke", &revoked_id]);
        assert!(revoke.status.success(), "[{backend}]");
        let again = site.command(&[], &["api-token", "revoke", &revoked_id]);
        assert_refused_in_one_line(&again, "no API token", &backend);
        let bad = site.command(
            &[],
            &[
                "api-token",
                "create",
                "--name",
                "x",
                "--scope",
                "requests:delete",
            ],
        );
        assert_refused_in_one_line(&bad, "--scope: unknown scope", &backend);

        let app = site.start(&[("RIGHTSDESK_API_RATE_PER_MINUTE", "5")]).await;
        let base = app.base_url();
        let client = reqwest::Client::new();

        let received =
            OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - time::Duration::days(3);
        let body = serde_json::json!({
            "kind": "erasure",
            "regime": "eu",
            "requester": {"name": "Caller Example", "email": "caller@example.org"},
            "received_at": received.format(&Rfc3339).unwrap(),
            "channel": "phone",
        });
        let created = client
            .post(format!("{base}/api/v1/requests"))
            .bearer_auth(&system)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED, "[{backend}]");
        let created = json(created).await;
        let reference = created["reference"].as_str().unwrap().to_string();
        let due = OffsetDateTime::parse(created["due_at"].as_str().unwrap(), &Rfc3339).unwrap();
        let expected = DeadlinePolicy::default()
            .deadlines_for(Regime::Eu, RequestKind::Erasure, false, received)
            .respond_by;
        assert_eq!(
            due, expected,
            "[{backend}] due from the receipt, not from now"
        );
        assert!(
            due < DeadlinePolicy::default()
                .deadlines_for(
                    Regime::Eu,
                    RequestKind::Erasure,
                    false,
                    OffsetDateTime::now_utc()
                )
                .respond_by,
            "[{backend}]"
        );

        let read = client
            .get(format!("{base}/api/v1/requests/{reference}"))
            .bearer_auth(&reader)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK, "[{backend}]");
        assert_eq!(json(read).await["status"], "open");

        let outside = client
            .get(format!("{base}/api/v1/requests/{reference}"))
            .bearer_auth(&indian)
            .send()
            .await
            .unwrap();
        assert_eq!(outside.status(), StatusCode::NOT_FOUND, "[{backend}]");
        let gone = client
            .get(format!("{base}/api/v1/requests"))
            .bearer_auth(&revoked)
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        assert_eq!(gone.headers()["content-type"], "application/problem+json");
        let not_allowed = client
            .post(format!("{base}/api/v1/requests"))
            .bearer_auth(&reader)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(not_allowed.status(), StatusCode::FORBIDDEN, "[{backend}]");

        let mut limited = None;
        for _ in 0..8 {
            let response = client
                .get(format!("{base}/api/v1/requests"))
                .bearer_auth(&busy)
                .send()
                .await
                .unwrap();
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(response);
                break;
            }
            assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        }
        let limited = limited.expect("a 429 past the token's rate");
        let wait: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "[{backend}] {wait}");

        site.wait_for_outbox("the status link mailed", Duration::from_secs(10), |rows| {
            rows.iter()
                .any(|r| r.template == "recorded" && r.sent_at.is_some())
        })
        .await;
        let log = stop_cleanly(app, &backend).await;
        for secret in [&system, &indian, &reader, &busy, &revoked] {
            assert!(
                !log.contains(secret.as_str()),
                "[{backend}] a secret in the log"
            );
        }
        assert!(!log.contains("caller@example.org"), "[{backend}]");
    }
}

/// `RIGHTSDESK_INTAKE_MAX_AGE_DAYS` as an operator sets it: a receipt older than the limit is
/// refused with a 422 naming `received_at`, one within it is recorded.
#[tokio::test]
async fn the_intake_age_limit_is_the_operators_setting() {
    for backend in backends() {
        let site = Site::new(&backend);
        let (system, _) = create_token(&site, &["requests:write"], &[]);
        let app = site.start(&[("RIGHTSDESK_INTAKE_MAX_AGE_DAYS", "2")]).await;
        let base = app.base_url();
        let client = reqwest::Client::new();
        let record = |days_ago: i64| {
            let received = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
                - time::Duration::days(days_ago);
            let body = serde_json::json!({
                "kind": "access",
                "regime": "in",
                "requester": {"name": "Caller Example", "email": "caller@example.org"},
                "received_at": received.format(&Rfc3339).unwrap(),
                "channel": "post",
            });
            client
                .post(format!("{base}/api/v1/requests"))
                .bearer_auth(&system)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
        };
        let too_old = record(3).await.unwrap();
        assert_eq!(
            too_old.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}]"
        );
        let problem = json(too_old).await;
        assert!(
            problem.to_string().contains("received_at"),
            "[{backend}] {problem}"
        );
        let within = record(1).await.unwrap();
        assert_eq!(within.status(), StatusCode::CREATED, "[{backend}]");
        stop_cleanly(app, &backend).await;
    }
}
