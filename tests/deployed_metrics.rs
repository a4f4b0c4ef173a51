//! The binary's metrics listener (`RIGHTSDESK_METRICS_BIND`): what a Prometheus scraper
//! reads there after real traffic, and that the public listener serves none of it.

mod common;

use std::time::Duration;

use common::backends;
use common::journey::{browser, requester_journey, MailSource};
use common::site::{assert_refused_in_one_line, stop_cleanly, Site};
use reqwest::StatusCode;

/// The value of the sample `name` (with its labels, exactly as written), if present.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

#[tokio::test]
async fn metrics_listen_apart_and_count_the_traffic_without_personal_data() {
    for backend in backends() {
        let site = Site::new(&backend);
        let app = site
            .start(&[("RIGHTSDESK_METRICS_BIND", "127.0.0.1:0")])
            .await;
        let metrics_address = app
            .wait_for_address("metrics listening", Duration::from_secs(5))
            .await;
        assert_ne!(metrics_address, app.address, "[{backend}]");

        let email = "metrics.requester@example.org";
        let mail = MailSource::Files(site.path().join("data").join("mail"));
        let journey = requester_journey(&browser(), &app.base_url(), &mail, email).await;

        let scrape = reqwest::get(format!("http://{metrics_address}/metrics"))
            .await
            .unwrap();
        assert_eq!(scrape.status(), StatusCode::OK, "[{backend}]");
        let content_type = scrape.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("application/openmetrics-text"),
            "[{backend}] {content_type}"
        );
        let text = scrape.text().await.unwrap();
        let status_pages = sample(
            &text,
            r#"rightsdesk_http_requests_total{method="GET",route="/status/{token}",status="200"}"#,
        );
        assert!(status_pages >= Some(1.0), "[{backend}] {text}");
        assert_eq!(
            sample(&text, r#"rightsdesk_requests_open{regime="in"}"#),
            Some(1.0),
            "[{backend}] {text}"
        );
        assert!(
            text.contains("rightsdesk_requests_overdue{regime="),
            "[{backend}]"
        );
        assert!(
            sample(&text, "rightsdesk_outbox_pending").is_some(),
            "[{backend}]"
        );
        for audit in [
            "rightsdesk_audit_pending",
            "rightsdesk_audit_pending_oldest_seconds",
            "rightsdesk_audit_sequenced_total",
        ] {
            assert!(
                sample(&text, audit).is_some(),
                "[{backend}] {audit}: {text}"
            );
        }
        assert!(
            sample(&text, "rightsdesk_mail_sent_total") >= Some(2.0),
            "[{backend}] verification and confirmation: {text}"
        );
        assert!(text.trim_end().ends_with("# EOF"), "[{backend}]");
        for secret in [
            email,
            journey.verify_token.as_str(),
            journey.status_token.as_str(),
        ] {
            assert!(
                !text.contains(secret),
                "[{backend}] {secret} in the metrics"
            );
        }
        assert!(!text.contains('@'), "[{backend}] an address in the metrics");

        // The public listener does not know the route; the metrics one knows nothing else.
        let public = reqwest::get(format!("{}/metrics", app.base_url()))
            .await
            .unwrap();
        assert_eq!(public.status(), StatusCode::NOT_FOUND, "[{backend}]");
        let other = reqwest::get(format!("http://{metrics_address}/healthz"))
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::NOT_FOUND, "[{backend}]");

        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn a_metrics_address_that_cannot_be_used_stops_the_start_with_one_line() {
    for backend in backends() {
        let site = Site::new(&backend);
        // Another process holds this port for as long as the test runs.
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = holder.local_addr().unwrap().to_string();
        for (value, detail) in [
            (taken.as_str(), "cannot listen on"),
            ("metrics.internal:9090", "expected an address"),
        ] {
            let output = site.refuse_to_start(&[("RIGHTSDESK_METRICS_BIND", value)]);
            let line = assert_refused_in_one_line(&output, "RIGHTSDESK_METRICS_BIND", &backend);
            assert!(line.contains(detail), "[{backend}] {line}");
        }
    }
}
