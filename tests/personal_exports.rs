//! `include_personal`: the requesters' names, emails and details as extra export columns,
//! for admins only (over HTTP and from the command line), audited as personal exports, on
//! both backends.

mod common;

use common::officer::OfficerBrowser;
use common::{backends, rightsdesk_cli, TestApp};
use reqwest::StatusCode;
use rightsdesk::domain::export::{COLUMNS, PERSONAL_COLUMNS};
use serde_json::Value;

/// `(action, actor, details)` of every export event, oldest first.
fn export_events(app: &TestApp) -> Vec<(String, String, Value)> {
    use diesel::prelude::*;
    use rightsdesk::store::schema::audit_events;
    audit_events::table
        .filter(audit_events::action.like("export.requests%"))
        .order(audit_events::pos.asc())
        .select((
            audit_events::action,
            audit_events::actor,
            audit_events::details,
        ))
        .load::<(String, String, String)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(action, actor, details)| (action, actor, serde_json::from_str(&details).unwrap()))
        .collect()
}

async fn get(officer: &OfficerBrowser, path: &str) -> (StatusCode, String) {
    let response = officer.get(path).await;
    let status = response.status();
    (status, response.text().await.unwrap())
}

fn all_columns() -> Vec<&'static str> {
    COLUMNS.iter().chain(&PERSONAL_COLUMNS).copied().collect()
}

#[tokio::test]
async fn admins_alone_export_the_requesters_names_emails_and_details() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        for (i, region) in ["in", "eu"].iter().enumerate() {
            app.verified_request("erasure", &format!("p{i}@example.net"), region)
                .await;
        }
        let admin = app.signed_in_admin("admin@example.org").await;
        let officer = app.signed_in("in@example.org", "officer", &["in"]).await;
        let auditor = app.signed_in("audit@example.org", "auditor", &[]).await;

        // Officers and auditors are refused before anything is exported or audited.
        let before = export_events(&app).len();
        for (who, browser) in [("officer", &officer), ("auditor", &auditor)] {
            for format in ["csv", "json", "ndjson"] {
                let (status, body) = get(
                    browser,
                    &format!("/officer/exports/requests.{format}?status=all&include_personal=1"),
                )
                .await;
                assert_eq!(status, StatusCode::FORBIDDEN, "[{backend}] {who} {format}");
                assert!(!body.contains("p0@example.net"), "[{backend}] {who}");
                assert!(body.contains("Only admins"), "[{backend}] {body}");
            }
        }
        let (status, _) = get(
            &admin,
            "/officer/exports/requests.csv?include_personal=please",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{backend}] a bad value");
        assert_eq!(
            export_events(&app).len(),
            before,
            "[{backend}] nothing was exported"
        );

        // The admin gets the columns at the end, in every format alike.
        let (status, csv) = get(
            &admin,
            "/officer/exports/requests.csv?status=all&include_personal=1",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{backend}]");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, all_columns(), "[{backend}]");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2, "[{backend}]");
        let mut emails: Vec<&str> = rows.iter().map(|r| &r[COLUMNS.len() + 1]).collect();
        emails.sort();
        assert_eq!(emails, ["p0@example.net", "p1@example.net"], "[{backend}]");
        assert!(rows.iter().all(|r| &r[COLUMNS.len()] == "Asha Rao"));
        assert!(rows
            .iter()
            .all(|r| &r[COLUMNS.len() + 2] == "Please act on my request."));

        let (_, json) = get(
            &admin,
            "/officer/exports/requests.json?status=all&include_personal=1",
        )
        .await;
        let objects: Vec<Value> = serde_json::from_str(&json).unwrap();
        let (_, ndjson) = get(
            &admin,
            "/officer/exports/requests.ndjson?status=all&include_personal=true",
        )
        .await;
        let lines: Vec<Value> = ndjson
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(objects, lines, "[{backend}]");
        let keys: Vec<&str> = objects[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), all_columns().len(), "[{backend}]");
        assert_eq!(objects[0]["full_name"], "Asha Rao");

        // Without the parameter the admin's export names nobody.
        let (_, plain) = get(&admin, "/officer/exports/requests.csv?status=all").await;
        assert!(!plain.contains('@'), "[{backend}] {plain}");
        assert!(!plain.contains("full_name"), "[{backend}]");

        // Each export's start and end say whether personal columns went out; the events
        // themselves hold none of it.
        let events = export_events(&app);
        let personal: Vec<&(String, String, Value)> = events
            .iter()
            .filter(|(_, _, d)| d["personal"] == true)
            .collect();
        assert_eq!(
            personal.len(),
            6,
            "[{backend}] three exports, two events each"
        );
        assert!(personal
            .iter()
            .all(|(_, actor, _)| actor == &format!("officer:{}", admin.id)));
        assert!(events
            .iter()
            .filter(|(_, _, d)| d["personal"] == false)
            .any(|(action, _, d)| action == "export.requests" && d["rows"] == 2));
        for (_, _, details) in &events {
            let text = details.to_string();
            assert!(!text.contains("example.net") && !text.contains("Asha"));
        }
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_command_line_adds_personal_columns_when_asked() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.verified_request("access", "cli@example.net", "eu")
            .await;
        let dir = app.dir.path();
        let run = |extra: &[&str]| {
            let mut args = vec![
                "export", "requests", "--format", "ndjson", "--status", "all",
            ];
            args.extend_from_slice(extra);
            let output = rightsdesk_cli(dir, app.database_url(), &args);
            assert!(
                output.status.success(),
                "[{backend}] {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let objects: Vec<Value> = String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            objects
        };
        let plain = run(&[]);
        assert_eq!(plain.len(), 1, "[{backend}]");
        assert!(plain[0].get("email").is_none(), "[{backend}]");
        let personal = run(&["--include-personal"]);
        assert_eq!(personal[0]["email"], "cli@example.net", "[{backend}]");
        assert_eq!(personal[0]["full_name"], "Asha Rao", "[{backend}]");
        assert_eq!(
            personal[0]["details"], "Please act on my request.",
            "[{backend}]"
        );
        assert_eq!(personal[0]["reference"], plain[0]["reference"]);

        let events = export_events(&app);
        let (action, actor, details) = events.last().unwrap();
        assert_eq!(action, "export.requests", "[{backend}]");
        assert_eq!(actor, "operator", "[{backend}]");
        assert_eq!(details["personal"], true, "[{backend}]");
        assert_eq!(details["rows"], 1, "[{backend}]");
        assert!(events
            .iter()
            .any(|(action, _, d)| action == "export.requests" && d["personal"] == false));
    }
}
