//! Which webhook events the portal queues, over HTTP on both backends: a consent withdrawal
//! queues `consent.withdrawn` (and the fulfilment `request.status_changed`) in the
//! transaction that closes the consent, with the email only for the endpoint marked to
//! receive it; an action refused as a whole queues nothing.

mod common;

use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::domain::import_row::ImportKind;
use rightsdesk::store::schema::webhook_deliveries;
use rightsdesk::store::seal::open;
use rightsdesk::store::webhook_deliveries::DeliveryRow;
use serde_json::{json, Value};

use common::officer::OfficerBrowser;
use common::{backends, TestApp};

const ASHA: &str = "asha.rao@example.in";

/// Every queued delivery: (event type, endpoint id, body as JSON), oldest first.
fn queued(app: &TestApp) -> Vec<(String, String, Value)> {
    let rows: Vec<DeliveryRow> = webhook_deliveries::table
        .order((
            webhook_deliveries::created_at.asc(),
            webhook_deliveries::id.asc(),
        ))
        .select(DeliveryRow::as_select())
        .load(&mut *app.conn())
        .unwrap();
    rows.into_iter()
        .map(|row| {
            assert!(row.body.starts_with("v1:"), "a queued body is sealed");
            let body = open(
                &app.ctx.keyring,
                "webhook_deliveries",
                &row.id,
                "body",
                row.body,
            )
            .unwrap();
            (
                row.event_type,
                row.endpoint_id,
                serde_json::from_str(&body).unwrap(),
            )
        })
        .collect()
}

async fn add_endpoint(admin: &OfficerBrowser, url: &str, personal: bool) {
    let csrf = admin.csrf("/officer/admin/webhooks").await;
    let mut fields = vec![
        ("csrf_token", csrf.as_str()),
        ("url", url),
        ("event_types", "consent.withdrawn"),
        ("event_types", "request.status_changed"),
    ];
    if personal {
        fields.push(("personal_data", "yes"));
    }
    let response = admin.post_form("/officer/admin/webhooks", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_consent_withdrawal_queues_its_events_with_the_email_only_where_marked() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.import_lines(
            ImportKind::Consents,
            &[json!({"email": ASHA, "purpose": "marketing",
                     "granted_at": "2026-02-01T10:00:00Z", "source": "signup"})],
            true,
            100,
        );
        let admin = app.signed_in_admin("hooks.admin@example.org").await;
        add_endpoint(&admin, "https://crm.example.org/hooks", false).await;
        add_endpoint(&admin, "https://mailer.example.org/hooks", true).await;
        let endpoints: Vec<(String, bool)> = {
            use rightsdesk::store::schema::webhook_endpoints::dsl;
            dsl::webhook_endpoints
                .select((dsl::id, dsl::personal_data))
                .load(&mut *app.conn())
                .unwrap()
        };
        let marked = endpoints.iter().find(|(_, p)| *p).unwrap().0.clone();

        let token = app
            .submit_and_verify("consent_withdrawal", ASHA, "in")
            .await;
        let reference = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::kind.eq("consent_withdrawal"))
                .select(dsl::reference)
                .first::<String>(&mut *app.conn())
                .unwrap()
        };
        assert!(!token.is_empty());
        assert!(
            queued(&app).is_empty(),
            "[{backend}] no endpoint receives request.created"
        );

        // A fulfilment refused as a whole (an unknown purpose) queues nothing.
        let refused = admin
            .act(
                &reference,
                &[
                    ("action", "fulfil"),
                    ("message", "Done."),
                    ("purposes", "astrology"),
                ],
            )
            .await;
        assert!(refused.status().is_client_error(), "[{backend}]");
        assert!(queued(&app).is_empty(), "[{backend}]");

        let done = admin
            .act(
                &reference,
                &[("action", "fulfil"), ("message", "Withdrawn.")],
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let events = queued(&app);
        assert_eq!(
            events.len(),
            4,
            "[{backend}] two events, two endpoints: {events:?}"
        );
        for (event_type, endpoint, body) in &events {
            assert_eq!(body["type"], event_type.as_str());
            assert_eq!(body["data"]["reference"], reference.as_str());
            let with_email = body["data"]["email"] == ASHA;
            assert_eq!(with_email, *endpoint == marked, "[{backend}] {body}");
            if endpoint != &marked {
                assert!(!body.to_string().contains("asha"), "[{backend}] {body}");
            }
        }
        let withdrawn: Vec<_> = events
            .iter()
            .filter(|(t, _, _)| t == "consent.withdrawn")
            .collect();
        assert_eq!(withdrawn.len(), 2, "[{backend}]");
        assert!(withdrawn
            .iter()
            .all(|(_, _, body)| body["data"]["purpose"] == "marketing"));
        let changed = events
            .iter()
            .find(|(t, _, _)| t == "request.status_changed")
            .unwrap();
        assert_eq!(changed.2["data"]["from"], "open", "[{backend}]");
        assert_eq!(changed.2["data"]["status"], "fulfilled", "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_request_recorded_over_the_api_queues_request_created() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let admin = app.signed_in_admin("hooks.admin@example.org").await;
        let csrf = admin.csrf("/officer/admin/webhooks").await;
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("url", "https://crm.example.org/hooks"),
            ("event_types", "request.created"),
        ];
        let added = admin.post_form("/officer/admin/webhooks", &fields).await;
        assert_eq!(added.status(), StatusCode::OK, "[{backend}]");
        let system = app.api_token(&["requests:write"], &[]);
        let body = common::api::intake_body(ASHA, "in", &common::api::days_ago(1), "post");
        let created = app
            .api_post("/api/v1/requests", Some(&system.secret), &body)
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "[{backend}]");
        let reference = common::api::json_of(created).await["reference"].clone();
        let events = queued(&app);
        assert_eq!(events.len(), 1, "[{backend}] {events:?}");
        let (event_type, _, body) = &events[0];
        assert_eq!(event_type, "request.created", "[{backend}]");
        assert!(!body.to_string().contains(ASHA), "[{backend}] {body}");
        assert!(
            body.to_string().contains(reference.as_str().unwrap()),
            "[{backend}] {body}"
        );
        app.assert_no_server_errors();
    }
}
