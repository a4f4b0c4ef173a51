//! The monthly compliance report against a month computed by hand, on both backends: an
//! extended request, a withdrawal, a late closure, and requests either side of the month's
//! boundary in the organisation's time zone (Asia/Kolkata, UTC+05:30).

mod common;

use common::{backends, location, TestApp};
use reqwest::StatusCode;
use rightsdesk::store::audit::{self, NewAuditEvent};
use rightsdesk::store::requests::{self, NewRequest, RequestChanges};
use serde_json::{json, Value};
use time::macros::datetime;
use time::PrimitiveDateTime;

/// One request of the fixture, times in UTC.
struct Fixture {
    reference: &'static str,
    regime: &'static str,
    kind: &'static str,
    status: &'static str,
    received: PrimitiveDateTime,
    verified: Option<PrimitiveDateTime>,
    due: PrimitiveDateTime,
    extended: Option<PrimitiveDateTime>,
    closed: Option<PrimitiveDateTime>,
    reason: Option<&'static str>,
}

/// March 2026 in Kolkata runs from 2026-02-28T18:30Z to 2026-03-31T18:30Z.
fn fixtures() -> Vec<Fixture> {
    vec![
        // Answered in 72 hours, on time.
        Fixture {
            reference: "RD-0000-000A",
            regime: "in",
            kind: "access",
            status: "fulfilled",
            received: datetime!(2026-03-02 04:30),
            verified: Some(datetime!(2026-03-02 05:30)),
            due: datetime!(2026-04-01 04:30),
            extended: None,
            closed: Some(datetime!(2026-03-05 04:30)),
            reason: None,
        },
        // Received at 00:30 on 1 March in Kolkata (still 28 February in UTC); extended in
        // March and closed in April: open, not overdue, at the end of March.
        Fixture {
            reference: "RD-0000-000B",
            regime: "in",
            kind: "access",
            status: "fulfilled",
            received: datetime!(2026-02-28 19:00),
            verified: Some(datetime!(2026-02-28 19:30)),
            due: datetime!(2026-03-30 19:00),
            extended: Some(datetime!(2026-04-29 19:00)),
            closed: Some(datetime!(2026-04-10 00:00)),
            reason: None,
        },
        // Received at 23:30 on 28 February in Kolkata; closed at 23:30 on 31 March, a day
        // late, after 744 hours.
        Fixture {
            reference: "RD-0000-000C",
            regime: "in",
            kind: "access",
            status: "fulfilled",
            received: datetime!(2026-02-28 18:00),
            verified: Some(datetime!(2026-02-28 18:10)),
            due: datetime!(2026-03-30 18:00),
            extended: None,
            closed: Some(datetime!(2026-03-31 18:00)),
            reason: None,
        },
        // Rejected in 48 hours.
        Fixture {
            reference: "RD-0000-000D",
            regime: "eu",
            kind: "erasure",
            status: "rejected",
            received: datetime!(2026-03-10 10:00),
            verified: Some(datetime!(2026-03-10 11:00)),
            due: datetime!(2026-04-10 10:00),
            extended: None,
            closed: Some(datetime!(2026-03-12 10:00)),
            reason: Some("identity_not_verified"),
        },
        // Withdrawn: closed, but outside the on-time rate and the days to close.
        Fixture {
            reference: "RD-0000-000E",
            regime: "eu",
            kind: "erasure",
            status: "withdrawn",
            received: datetime!(2026-03-11 10:00),
            verified: Some(datetime!(2026-03-11 10:30)),
            due: datetime!(2026-04-11 10:00),
            extended: None,
            closed: Some(datetime!(2026-03-15 10:00)),
            reason: None,
        },
        // From January, still in progress and overdue.
        Fixture {
            reference: "RD-0000-000F",
            regime: "eu",
            kind: "erasure",
            status: "in_progress",
            received: datetime!(2026-01-10 10:00),
            verified: Some(datetime!(2026-01-10 11:00)),
            due: datetime!(2026-02-10 10:00),
            extended: None,
            closed: None,
            reason: None,
        },
        // Received at 00:15 on 1 April in Kolkata (31 March in UTC): April's.
        Fixture {
            reference: "RD-0000-000G",
            regime: "eu",
            kind: "erasure",
            status: "open",
            received: datetime!(2026-03-31 18:45),
            verified: Some(datetime!(2026-03-31 19:00)),
            due: datetime!(2026-05-01 18:45),
            extended: None,
            closed: None,
            reason: None,
        },
        // Never confirmed: not counted anywhere.
        Fixture {
            reference: "RD-0000-000H",
            regime: "us-ca",
            kind: "access",
            status: "unverified",
            received: datetime!(2026-03-15 12:00),
            verified: None,
            due: datetime!(2026-04-29 12:00),
            extended: None,
            closed: None,
            reason: None,
        },
    ]
}

fn load_fixture(app: &TestApp) {
    let mut conn = app.conn();
    for (i, f) in fixtures().iter().enumerate() {
        let id = format!("00000000-0000-7000-8000-{i:012}");
        requests::insert(
            &mut conn,
            &app.ctx.keyring,
            &NewRequest {
                id: id.clone(),
                reference: f.reference.to_string(),
                kind: f.kind.to_string(),
                regime: f.regime.to_string(),
                status: f.status.to_string(),
                full_name: "Fixture".to_string(),
                email: format!("fixture{i}@example.net"),
                account_ref: None,
                details: String::new(),
                correction: None,
                purposes: None,
                content_removal: false,
                received_at: f.received,
                acknowledge_due_at: None,
                due_at: f.due,
                version: 1,
                updated_at: f.received,
                effective_due_at: f.extended.unwrap_or(f.due),
            },
        )
        .unwrap();
        requests::update_if_version(
            &mut conn,
            &id,
            1,
            &RequestChanges {
                verified_at: f.verified,
                extended_due_at: f.extended,
                closed_at: f.closed,
                outcome: matches!(f.status, "fulfilled" | "rejected").then(|| f.status.to_string()),
                rejection_reason: f.reason.map(str::to_string),
                ..RequestChanges::default()
            },
            f.received,
        )
        .unwrap();
        requests::count_move(&mut conn, f.regime, None, f.status).unwrap();
    }
    // The audit events the report reads: an extension, and purges in and out of March.
    let events = [
        (
            "request.extended",
            "request:00000000-0000-7000-8000-000000000001".to_string(),
            datetime!(2026-03-20 09:00),
            json!({}),
        ),
        (
            "retention.purged",
            "record:r1".to_string(),
            datetime!(2026-03-10 02:00),
            json!({"class": "registration"}),
        ),
        (
            "retention.purged",
            "record:r2".to_string(),
            datetime!(2026-03-10 02:00),
            json!({"class": "registration"}),
        ),
        (
            "retention.purged",
            "retention:link_tokens".to_string(),
            datetime!(2026-03-20 02:00),
            json!({"class": "link_tokens", "count": 5}),
        ),
        (
            "retention.wiped",
            "request:old".to_string(),
            datetime!(2026-03-31 18:00),
            json!({"class": "closed_case_files"}),
        ),
        // 00:10 on 1 April in Kolkata.
        (
            "retention.purged",
            "record:r3".to_string(),
            datetime!(2026-03-31 18:40),
            json!({"class": "registration"}),
        ),
    ];
    for (action, target, at, details) in events {
        rightsdesk::store::write(&mut conn, |conn| {
            audit::append(
                conn,
                &NewAuditEvent {
                    at: at.assume_utc(),
                    actor: "system",
                    action,
                    target: &target,
                    details: &details.to_string(),
                },
            )
        })
        .unwrap();
    }
}

fn line<'a>(report: &'a Value, regime: &str, kind: &str) -> &'a Value {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["regime"] == regime && l["kind"] == kind)
        .unwrap_or_else(|| panic!("a line for {regime}/{kind} in {report}"))
}

#[tokio::test]
async fn the_report_matches_a_month_computed_by_hand() {
    for backend in backends() {
        let app =
            TestApp::spawn_with(&backend, &[("RIGHTSDESK_TIME_ZONE", "Asia/Kolkata")], true).await;
        load_fixture(&app);
        let auditor = app.signed_in("audit@example.org", "auditor", &[]).await;

        let response = auditor
            .get("/officer/reports/compliance?month=2026-03&format=json")
            .await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        let report: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(report["month"], "2026-03");
        assert_eq!(report["time_zone"], "Asia/Kolkata");
        assert_eq!(report["period"]["start"], "2026-02-28T18:30:00Z");
        assert_eq!(report["period"]["end"], "2026-03-31T18:30:00Z");

        let india = line(&report, "in", "access");
        let expected_india = json!({
            "regime": "in", "kind": "access",
            "received": 2, "verified": 2, "closed": 2, "fulfilled": 2, "rejected": 0,
            "withdrawn": 0, "on_time": 1, "on_time_rate": 0.5, "extensions": 1,
            "open_at_end": 1, "overdue_at_end": 0,
            "median_days_to_close": 3.0, "p90_days_to_close": 31.0,
        });
        assert_eq!(india, &expected_india, "[{backend}]");
        let europe = line(&report, "eu", "erasure");
        let expected_europe = json!({
            "regime": "eu", "kind": "erasure",
            "received": 2, "verified": 2, "closed": 2, "fulfilled": 0, "rejected": 1,
            "withdrawn": 1, "on_time": 1, "on_time_rate": 1.0, "extensions": 0,
            "open_at_end": 1, "overdue_at_end": 1,
            "median_days_to_close": 2.0, "p90_days_to_close": 2.0,
        });
        assert_eq!(europe, &expected_europe, "[{backend}]");
        assert_eq!(
            report["lines"].as_array().unwrap().len(),
            2,
            "[{backend}] no us-ca line"
        );
        let expected_total = json!({
            "regime": "all", "kind": "all",
            "received": 4, "verified": 4, "closed": 4, "fulfilled": 2, "rejected": 1,
            "withdrawn": 1, "on_time": 2, "on_time_rate": 0.6667, "extensions": 1,
            "open_at_end": 2, "overdue_at_end": 1,
            "median_days_to_close": 3.0, "p90_days_to_close": 31.0,
        });
        assert_eq!(report["total"], expected_total, "[{backend}]");
        assert_eq!(
            report["rejections"],
            json!([{"regime": "eu", "kind": "erasure", "reason": "identity_not_verified", "count": 1}]),
            "[{backend}]"
        );
        assert_eq!(
            report["purges"],
            json!({"closed_case_files": 1, "link_tokens": 5, "registration": 2}),
            "[{backend}]"
        );
        let trend = report["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 12);
        assert_eq!(trend[0]["month"], "2025-04");
        assert_eq!(
            trend[11],
            json!({"month": "2026-03", "received": 4, "answered": 3, "on_time": 2, "on_time_rate": 0.6667}),
            "[{backend}]"
        );
        assert_eq!(
            trend[10]["received"], 1,
            "[{backend}] C was February's in Kolkata"
        );
        assert_eq!(trend[9]["received"], 1, "[{backend}] F was January's");

        // April sees what crossed the boundary: G received, B closed, r3 purged.
        let april: Value = auditor
            .get("/officer/reports/compliance?month=2026-04&format=json")
            .await
            .text()
            .await
            .map(|text| serde_json::from_str(&text).unwrap())
            .unwrap();
        assert_eq!(line(&april, "eu", "erasure")["received"], 1, "[{backend}]");
        assert_eq!(line(&april, "in", "access")["fulfilled"], 1, "[{backend}]");
        assert_eq!(
            line(&april, "in", "access")["on_time"],
            1,
            "[{backend}] B was extended"
        );
        assert_eq!(april["purges"], json!({"registration": 1}));

        // The CSV holds the same figures; the HTML shows them with the chart.
        let csv_text = auditor
            .get("/officer/reports/compliance?month=2026-03&format=csv")
            .await
            .text()
            .await
            .unwrap();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let total = rows.last().unwrap();
        let cell = |name: &str| {
            let at = header.iter().position(|h| h == name).unwrap();
            total[at].to_string()
        };
        assert_eq!(
            (
                cell("regime"),
                cell("received"),
                cell("on_time_rate"),
                cell("median_days_to_close")
            ),
            ("all".into(), "4".into(), "0.6667".into(), "3.0".into()),
            "[{backend}]"
        );
        let html = auditor
            .get("/officer/reports/compliance?month=2026-03")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Compliance report: March 2026"),
            "[{backend}]"
        );
        assert!(
            html.contains("66.7%") && html.contains("<svg"),
            "[{backend}]"
        );
        assert!(html.contains("identity not verified"), "[{backend}]");

        // An officer of Europe sees Europe's figures only.
        let officer = app.signed_in("eu@example.org", "officer", &["eu"]).await;
        let theirs: Value = officer
            .get("/officer/reports/compliance?month=2026-03&format=json")
            .await
            .text()
            .await
            .map(|text| serde_json::from_str(&text).unwrap())
            .unwrap();
        assert_eq!(theirs["lines"].as_array().unwrap().len(), 1, "[{backend}]");
        assert_eq!(theirs["total"]["received"], 2);
        assert_eq!(theirs["trend"][11]["answered"], 1);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn bad_months_and_formats_are_refused_and_requesters_sent_to_sign_in() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let auditor = app.signed_in("audit@example.org", "auditor", &[]).await;
        for query in [
            "month=2026-13",
            "month=26-03",
            "month=2026-03-01",
            "format=xml",
        ] {
            let response = auditor
                .get(&format!("/officer/reports/compliance?{query}"))
                .await;
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "[{backend}] {query}"
            );
        }
        let message = auditor
            .get("/officer/reports/compliance?month=2026-13")
            .await
            .text()
            .await
            .unwrap();
        assert!(message.contains("YYYY-MM"), "{message}");
        // With no month, the last whole month.
        let html = auditor
            .get("/officer/reports/compliance")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Compliance report:"), "[{backend}]");
        assert!(html.contains("Nothing was purged in this month."));

        let anonymous = app
            .browser()
            .get(format!("{}/officer/reports/compliance", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&anonymous), "/officer/login");
    }
}
