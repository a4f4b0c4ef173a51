//! The request export over the real HTTP stack and the command line, on both backends: the
//! three formats agree with each other and with the queue, formula cells are neutralised,
//! the caller's regions bound what is exported, and every export is audited.

mod common;

use common::officer::OfficerBrowser;
use common::{backends, location, rightsdesk_cli, TestApp};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use rightsdesk::domain::export::COLUMNS;
use serde_json::{Map, Value};

/// A CSV export read with the csv crate, each row as the JSON object the other formats hold:
/// an empty cell is `null` and `on_time` a boolean.
fn csv_objects(text: &str) -> Vec<Value> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, COLUMNS, "the documented columns, in order");
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let mut object = Map::new();
            for (name, cell) in header.iter().zip(record.iter()) {
                let value = match (name.as_str(), cell) {
                    (_, "") => Value::Null,
                    ("on_time", "true") => Value::Bool(true),
                    ("on_time", "false") => Value::Bool(false),
                    (_, text) => Value::String(text.to_string()),
                };
                object.insert(name.clone(), value);
            }
            Value::Object(object)
        })
        .collect()
}

fn ndjson_objects(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one object per line"))
        .collect()
}

fn json_objects(text: &str) -> Vec<Value> {
    match serde_json::from_str(text).expect("a JSON document") {
        Value::Array(items) => items,
        other => panic!("expected an array, got {other}"),
    }
}

/// The references of a queue page, in order (each row links to its request).
fn queue_references(html: &str) -> Vec<String> {
    html.split("href=\"/officer/requests/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

fn references(objects: &[Value]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o["reference"].as_str().unwrap().to_string())
        .collect()
}

async fn export(officer: &OfficerBrowser, format: &str, query: &str) -> (HeaderMap, String) {
    let response = officer
        .get(&format!("/officer/exports/requests.{format}{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{format}{query}");
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap())
}

fn export_events(app: &TestApp) -> Vec<(String, Value)> {
    use diesel::prelude::*;
    use rightsdesk::store::schema::audit_events;
    audit_events::table
        .filter(audit_events::action.eq("export.requests"))
        .order(audit_events::pos.asc())
        .select((audit_events::actor, audit_events::details))
        .load::<(String, String)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(actor, details)| (actor, serde_json::from_str(&details).unwrap()))
        .collect()
}

#[tokio::test]
async fn the_three_formats_agree_with_each_other_and_the_queue() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        rightsdesk::app::demo::load(&app.ctx).expect("demo data");
        let admin = app.signed_in_admin("admin@example.org").await;

        for query in ["?status=all", ""] {
            let (csv_response, csv_text) = export(&admin, "csv", query).await;
            let (json_response, json_text) = export(&admin, "json", query).await;
            let (ndjson_response, ndjson_text) = export(&admin, "ndjson", query).await;
            for (headers, kind) in [
                (&csv_response, "text/csv"),
                (&json_response, "application/json"),
                (&ndjson_response, "application/x-ndjson"),
            ] {
                assert!(
                    headers["content-type"].to_str().unwrap().starts_with(kind),
                    "[{backend}] {kind}"
                );
                assert!(headers["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment; filename=\"requests-"));
                assert_eq!(
                    headers["transfer-encoding"], "chunked",
                    "[{backend}] streamed"
                );
                assert_eq!(headers["cache-control"], "no-store");
            }
            assert!(csv_text.ends_with("\r\n"), "[{backend}] RFC 4180 line ends");

            let from_csv = csv_objects(&csv_text);
            let from_json = json_objects(&json_text);
            let from_ndjson = ndjson_objects(&ndjson_text);
            assert_eq!(from_csv, from_json, "[{backend}] CSV and JSON {query}");
            assert_eq!(
                from_json, from_ndjson,
                "[{backend}] JSON and NDJSON {query}"
            );

            let queue = admin
                .get(&format!("/officer/queue{query}"))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(
                references(&from_json),
                queue_references(&queue),
                "[{backend}] the queue's rows, in its order {query}"
            );
        }
        let everything = json_objects(&export(&admin, "json", "?status=all").await.1);
        assert_eq!(everything.len(), 7, "[{backend}] every demo request");
        let fulfilled = everything
            .iter()
            .find(|o| o["status"] == "fulfilled")
            .expect("a fulfilled demo request");
        assert_eq!(fulfilled["on_time"], true);
        assert_eq!(fulfilled["outcome"], "fulfilled");
        assert!(fulfilled["closed_at"].as_str().unwrap().ends_with('Z'));
        let text = serde_json::to_string(&everything).unwrap();
        assert!(
            !text.contains('@'),
            "[{backend}] no email address is exported"
        );

        // Every export is audited: who, filters, format, rows.
        let events = export_events(&app);
        assert_eq!(events.len(), 7, "[{backend}] one event per export");
        let (actor, details) = events.last().unwrap();
        assert_eq!(actor, &format!("officer:{}", admin.id));
        assert_eq!(details["format"], "json");
        assert_eq!(details["rows"], 7);
        assert_eq!(details["complete"], true);
        assert_eq!(details["filters"]["status"], "all");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn formula_cells_are_neutralised_in_csv_and_exact_in_json() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let names = ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"];
        for (i, name) in names.iter().enumerate() {
            let id = app.create_officer(&format!("o{i}@example.org"), "officer", &["in"]);
            let reference = app
                .verified_request("access", &format!("r{i}@example.net"), "in")
                .await;
            app.execute(&format!(
                "UPDATE officers SET name = '{}' WHERE id = '{id}'",
                name.replace('\'', "''")
            ));
            app.execute(&format!(
                "UPDATE requests SET assignee_id = '{id}' WHERE reference = '{reference}'"
            ));
        }
        let (_, csv_text) = export(&admin, "csv", "").await;
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let assignees: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[10].to_string())
            .collect();
        assert_eq!(assignees.len(), names.len(), "[{backend}]");
        for name in names {
            assert!(
                assignees.contains(&format!("'{name}")),
                "[{backend}] {name} neutralised in {assignees:?}"
            );
        }
        let json = json_objects(&export(&admin, "json", "").await.1);
        for name in names {
            assert!(
                json.iter().any(|o| o["assignee"] == name),
                "[{backend}] JSON keeps {name} exactly"
            );
        }
    }
}

#[tokio::test]
async fn exports_are_bounded_by_role_and_region() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        for (i, region) in ["in", "eu", "us-ca", "eu"].iter().enumerate() {
            app.verified_request("erasure", &format!("p{i}@example.net"), region)
                .await;
        }
        let officer = app.signed_in("eu@example.org", "officer", &["eu"]).await;
        let mine = json_objects(&export(&officer, "json", "?status=all").await.1);
        assert_eq!(mine.len(), 2, "[{backend}] only the officer's region");
        assert!(mine.iter().all(|o| o["regime"] == "eu"));
        let elsewhere = json_objects(&export(&officer, "json", "?regime=in").await.1);
        assert!(
            elsewhere.is_empty(),
            "[{backend}] another region exports nothing"
        );

        let auditor = app.signed_in("audit@example.org", "auditor", &[]).await;
        let all = csv_objects(&export(&auditor, "csv", "?status=all").await.1);
        assert_eq!(all.len(), 4, "[{backend}] an auditor exports every region");

        // Without an officer session (a requester, say) the route sends one to sign in.
        let anonymous = app.browser();
        for format in ["csv", "json", "ndjson"] {
            let response = anonymous
                .get(format!("{}/officer/exports/requests.{format}", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
            assert_eq!(location(&response), "/officer/login");
        }

        let before = export_events(&app).len();
        let unknown = auditor.get("/officer/exports/requests.xlsx").await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "[{backend}]");
        let bad = auditor
            .get("/officer/exports/requests.csv?status=lost&kind=everything")
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "[{backend}]");
        let message = bad.text().await.unwrap();
        assert!(
            message.contains("status") && message.contains("kind"),
            "{message}"
        );
        assert_eq!(export_events(&app).len(), before, "[{backend}] nothing ran");
        let events = export_events(&app);
        assert_eq!(events[0].0, format!("officer:{}", officer.id));
        assert_eq!(events[0].1["rows"], 2);
        assert_eq!(events[1].1["filters"]["regime"], "in");
        assert_eq!(events[1].1["rows"], 0);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_command_line_writes_what_the_route_serves() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        rightsdesk::app::demo::load(&app.ctx).expect("demo data");
        let admin = app.signed_in_admin("admin@example.org").await;
        let dir = app.dir.path();
        for format in ["csv", "json", "ndjson"] {
            let out = dir.join(format!("requests.{format}"));
            let output = rightsdesk_cli(
                dir,
                app.database_url(),
                &[
                    "export",
                    "requests",
                    "--format",
                    format,
                    "--status",
                    "all",
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            assert!(
                output.status.success(),
                "[{backend}] {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(String::from_utf8_lossy(&output.stderr).contains("exported 7 requests"));
            let written = std::fs::read_to_string(&out).unwrap();
            let served = export(&admin, format, "?status=all").await.1;
            assert_eq!(written, served, "[{backend}] {format}");
        }
        let events = export_events(&app);
        assert_eq!(events[0].0, "operator", "[{backend}]");

        // A bad filter is one clear line, and no file is left behind.
        let out = dir.join("bad.csv");
        let output = rightsdesk_cli(
            dir,
            app.database_url(),
            &[
                "export",
                "requests",
                "--format",
                "csv",
                "--regime",
                "mars",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--regime: choose a region"), "{stderr}");
        assert!(!out.exists() && !dir.join("bad.csv.partial").exists());
    }
}
