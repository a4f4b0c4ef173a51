//! The data inventory and fulfilment: imports from the real binary, then each kind of
//! request fulfilled through the officer's HTTP forms, on both backends.

mod common;

use std::io::{Cursor, Read};
use std::process::{Command, Output};

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use common::{backends, link_token, Backend, TestApp, TestDatabase};
use rightsdesk::app::import;
use rightsdesk::domain::import_row::ImportKind;
use rightsdesk::store::DbConn;

fn rightsdesk(dir: &std::path::Path, database_url: &str, args: &[&str]) -> Output {
    common::rightsdesk_cli(dir, database_url, args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn count(url: &str, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let pool = rightsdesk::store::connect(&rightsdesk::store::DatabaseUrl::parse(url).unwrap(), 1)
        .unwrap();
    let mut conn = pool.get().unwrap();
    let conn: &mut DbConn = &mut conn;
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

fn record_line(email: &str, source_id: &str, payload: Value) -> String {
    json!({"email": email, "source": "crm", "source_id": source_id, "category": "profile", "payload": payload})
        .to_string()
}

/// One malformed file per failure kind: its name, format, content, the line and reason the
/// import must name, the good items in it, and whether the file is unreadable past the bad
/// line.
struct Case {
    name: &'static str,
    format: &'static str,
    content: Vec<u8>,
    line: u64,
    reason: &'static str,
    good: i64,
    fatal: bool,
}

fn corpus() -> Vec<Case> {
    let good = |id: &str| record_line("corpus@example.org", id, json!({"k": "v"}));
    let mut bad_utf8 = format!("{}\n", good("u1")).into_bytes();
    bad_utf8.extend_from_slice(b"{\"email\": \"corpus@example.org\", \"source\": \"crm\xff\"}\n");
    bad_utf8.extend_from_slice(format!("{}\n", good("u2")).as_bytes());
    let long = format!(
        "{}\n{}\n{}\n",
        good("l1"),
        record_line(
            "corpus@example.org",
            "l2",
            json!({"blob": "x".repeat(1_100_000)})
        ),
        good("l3")
    );
    vec![
        Case {
            name: "missing-field.ndjson",
            format: "ndjson",
            content: format!(
                "{}\n{}\n",
                good("m1"),
                json!({"email": "corpus@example.org", "source": "crm", "category": "profile", "payload": {}})
            )
            .into_bytes(),
            line: 2,
            reason: "missing field \"source_id\"",
            good: 1,
            fatal: false,
        },
        Case {
            name: "bad-email.ndjson",
            format: "ndjson",
            content: format!(
                "{}\n\n{}\n",
                good("e1"),
                record_line("not-an-address", "e2", json!({}))
            )
            .into_bytes(),
            line: 3,
            reason: "email is not a valid address",
            good: 1,
            fatal: false,
        },
        Case {
            name: "invalid-json.ndjson",
            format: "ndjson",
            content: format!("{{\"email\": \"corpus@example.org\",\n{}\n", good("j1")).into_bytes(),
            line: 1,
            reason: "invalid JSON",
            good: 1,
            fatal: false,
        },
        Case {
            name: "wrong-type.json",
            format: "json",
            content: format!(
                "[\n  {},\n  {}\n]\n",
                good("t1"),
                json!({"email": "corpus@example.org", "source": "crm", "source_id": "t2", "category": "profile", "payload": "not an object"})
            )
            .into_bytes(),
            line: 3,
            reason: "payload must be a JSON object, not a string",
            good: 1,
            fatal: false,
        },
        Case {
            name: "bad-utf8.ndjson",
            format: "ndjson",
            content: bad_utf8,
            line: 2,
            reason: "not valid UTF-8",
            good: 2,
            fatal: false,
        },
        Case {
            name: "over-long-line.ndjson",
            format: "ndjson",
            content: long.into_bytes(),
            line: 2,
            reason: "longer than 1048576 bytes",
            good: 2,
            fatal: false,
        },
        Case {
            name: "bad-payload.csv",
            format: "csv",
            content: b"email,source,source_id,category,payload\ncorpus@example.org,crm,c1,profile,\"{\"\"k\"\": 1}\"\ncorpus@example.org,crm,c2,profile,{not json\n".to_vec(),
            line: 3,
            reason: "payload",
            good: 1,
            fatal: false,
        },
        Case {
            name: "unknown-column.csv",
            format: "csv",
            content: b"email,source,source_id,category,payload,colour\ncorpus@example.org,crm,x1,profile,{},red\n".to_vec(),
            line: 1,
            reason: "colour",
            good: 0,
            fatal: true,
        },
        Case {
            name: "truncated-array.json",
            format: "json",
            content: format!("[\n{},\n{{\"email\": ", good("a1")).into_bytes(),
            line: 3,
            reason: "",
            good: 1,
            fatal: true,
        },
    ]
}

#[test]
fn malformed_files_name_each_bad_line_and_leave_the_database_as_each_mode_promises() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(&backend, dir.path());
        let url = database.url.as_str();
        let migrate = rightsdesk(dir.path(), url, &["migrate"]);
        assert!(
            migrate.status.success(),
            "[{backend}] {}",
            text(&migrate.stderr)
        );
        let mut imported = 0;
        for case in corpus() {
            let file = dir.path().join(case.name);
            std::fs::write(&file, &case.content).unwrap();
            let path = file.to_str().unwrap();
            let expected_line = format!("line {}:", case.line);
            let records_before = count(url, "personal_records");
            let events_before = count(url, "audit_events");

            // --strict: the first bad line stops everything and nothing is stored.
            let strict = rightsdesk(
                dir.path(),
                url,
                &["import", "--format", case.format, "--strict", path],
            );
            assert_eq!(
                strict.status.code(),
                Some(1),
                "[{backend}] {} strict",
                case.name
            );
            let said = text(&strict.stderr);
            assert!(
                said.contains(&expected_line) && said.contains(case.reason),
                "[{backend}] {}: {said}",
                case.name
            );
            assert!(
                said.contains("nothing was imported"),
                "[{backend}] {}: {said}",
                case.name
            );
            assert_eq!(
                count(url, "personal_records"),
                records_before,
                "[{backend}] {} strict stored",
                case.name
            );
            assert_eq!(
                count(url, "audit_events"),
                events_before,
                "[{backend}] {} strict audited",
                case.name
            );

            // --dry-run: every line checked, nothing stored.
            let dry = rightsdesk(
                dir.path(),
                url,
                &["import", "--format", case.format, "--dry-run", path],
            );
            let said = text(&dry.stderr);
            assert!(
                said.contains(&expected_line),
                "[{backend}] {} dry run: {said}",
                case.name
            );
            assert_eq!(
                count(url, "personal_records"),
                records_before,
                "[{backend}] {} dry run stored",
                case.name
            );
            assert_eq!(
                count(url, "subjects"),
                if imported == 0 { 0 } else { 1 },
                "[{backend}] {}",
                case.name
            );

            // Default: bad lines are listed and skipped, good ones imported.
            let lenient = rightsdesk(dir.path(), url, &["import", "--format", case.format, path]);
            let said = text(&lenient.stderr);
            assert!(
                said.contains(&expected_line) && said.contains(case.reason),
                "[{backend}] {}: {said}",
                case.name
            );
            assert_eq!(
                lenient.status.success(),
                !case.fatal,
                "[{backend}] {}: {said}",
                case.name
            );
            if !case.fatal {
                let summary = text(&lenient.stdout);
                assert!(
                    summary.contains(&format!("inserted {}", case.good)),
                    "[{backend}] {}: {summary}",
                    case.name
                );
                assert!(
                    summary.contains("rejected 1"),
                    "[{backend}] {}: {summary}",
                    case.name
                );
            }
            imported += case.good;
            assert_eq!(
                count(url, "personal_records"),
                imported,
                "[{backend}] {} imported",
                case.name
            );
        }

        // Re-importing a file updates in place: no duplicates.
        let again = rightsdesk(
            dir.path(),
            url,
            &[
                "import",
                "--format",
                "ndjson",
                dir.path().join("bad-utf8.ndjson").to_str().unwrap(),
            ],
        );
        assert!(
            text(&again.stdout).contains("inserted 0, updated 0, unchanged 2"),
            "[{backend}] {}",
            text(&again.stdout)
        );
        assert_eq!(count(url, "personal_records"), imported, "[{backend}]");
        let verify = rightsdesk(dir.path(), url, &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "[{backend}] {}",
            text(&verify.stderr)
        );
    }
}

#[test]
fn standard_input_and_the_other_kinds_import_too() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(&backend, dir.path());
        let url = database.url.as_str();
        let run_stdin = |args: &[&str], input: &str| {
            use std::io::Write;
            let mut child = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
                .args(args)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("DATABASE_URL", url)
                .env("RIGHTSDESK_DATA_DIR", dir.path().join("data"))
                .env("RUST_LOG", "warn")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        };
        let subjects = "email,account_ref,cancelled_at\nsubject@example.org,ACC-9,\nother@example.org,,2026-01-31T00:00:00Z\n";
        let out = run_stdin(
            &["import", "--format", "csv", "--kind", "subjects", "-"],
            subjects,
        );
        assert!(out.status.success(), "[{backend}] {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("inserted 2"),
            "[{backend}] {}",
            text(&out.stdout)
        );
        let consents = r#"[{"email": "subject@example.org", "purpose": "marketing", "granted_at": "2026-01-01T00:00:00Z", "source": "web"},
 {"email": "subject@example.org", "purpose": "telepathy", "granted_at": "2026-01-01T00:00:00Z", "source": "web"}]"#;
        let out = run_stdin(
            &["import", "--format", "json", "--kind", "consents", "-"],
            consents,
        );
        assert!(out.status.success(), "[{backend}] {}", text(&out.stderr));
        assert!(
            text(&out.stderr)
                .contains("line 2: purpose \"telepathy\" is not one of the configured purposes"),
            "[{backend}] {}",
            text(&out.stderr)
        );
        assert_eq!(count(url, "consents"), 1, "[{backend}]");
        assert_eq!(count(url, "subjects"), 2, "[{backend}]");
        let bad = rightsdesk(dir.path(), url, &["import", "--format", "xml", "-"]);
        assert_eq!(
            bad.status.code(),
            Some(2),
            "[{backend}] clap refuses an unknown format"
        );
    }
}

fn import_records(app: &TestApp, lines: &[Value]) {
    let summary = app.import_lines(ImportKind::Records, lines, true, 2);
    assert_eq!(summary.inserted as usize, lines.len(), "[{}]", app.backend);
}

fn import_consents(app: &TestApp, lines: &[Value]) {
    app.import_lines(ImportKind::Consents, lines, true, 100);
}

const ASHA: &str = "asha.rao@example.in";
const RAVI: &str = "ravi.iyer@example.in";

fn asha_records() -> Vec<Value> {
    vec![
        json!({"email": ASHA, "source": "crm", "source_id": "A-1", "category": "profile",
               "payload": {"name": "Asha Zephyrine", "age": 31, "address": {"city": "Pune"}}}),
        json!({"email": ASHA, "source": "crm", "source_id": "A-2", "category": "registration",
               "payload": {"username": "asha-quillfeather"}}),
        json!({"email": ASHA, "source": "forum", "source_id": 77, "category": "content",
               "payload": {"post": "=HYPERLINK(\"http://evil\")"}}),
    ]
}

fn ravi_records() -> Vec<Value> {
    vec![
        json!({"email": RAVI, "source": "crm", "source_id": "R-1", "category": "profile",
                 "payload": {"name": "Ravi Marblethorn"}}),
    ]
}

/// Submits and confirms a request; returns its status token and reference.
async fn open_request(app: &TestApp, kind: &str, email: &str) -> (String, String) {
    let token = app.submit_and_verify(kind, email, "in").await;
    let reference = {
        use rightsdesk::store::schema::requests::dsl;
        dsl::requests
            .filter(dsl::email_index.eq(app.email_index(email)))
            .filter(dsl::kind.eq(kind))
            .select(dsl::reference)
            .first::<String>(&mut *app.conn())
            .expect("the request")
    };
    (token, reference)
}

fn audit_actions(app: &TestApp, action: &str) -> Vec<(String, String)> {
    use rightsdesk::store::schema::audit_events::dsl;
    dsl::audit_events
        .filter(dsl::action.eq(action))
        .order(dsl::pos.asc())
        .select((dsl::target, dsl::details))
        .load::<(String, String)>(&mut *app.conn())
        .unwrap()
}

fn record_states(app: &TestApp) -> Vec<(String, String)> {
    use rightsdesk::store::schema::personal_records::dsl;
    dsl::personal_records
        .order((dsl::category.asc(), dsl::id.asc()))
        .select((dsl::category, dsl::state))
        .load::<(String, String)>(&mut *app.conn())
        .unwrap()
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut entry = archive.by_name(name).expect(name);
    let mut out = String::new();
    entry.read_to_string(&mut out).unwrap();
    out
}

fn all_zip_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        entry.read_to_string(&mut all).unwrap();
    }
    all
}

fn download_path(html: &str) -> Option<String> {
    link_token(html, "/downloads/").map(|t| format!("/downloads/{t}"))
}

#[tokio::test]
async fn an_access_package_holds_exactly_the_subjects_data_and_the_link_runs_out() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        import_records(&app, &asha_records());
        import_records(&app, &ravi_records());
        import_consents(
            &app,
            &[
                json!({"email": ASHA, "purpose": "marketing", "granted_at": "2026-02-01T10:00:00Z", "source": "signup"}),
            ],
        );
        let officer = app.signed_in_admin("admin@example.org").await;
        let (token, reference) = open_request(&app, "access", ASHA).await;

        // The officer sees the records by category and the consent history.
        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        for expected in [
            "Data held about this person",
            "Asha Zephyrine",
            "asha-quillfeather",
            "registration",
            "signup",
            "marketing: <strong>granted</strong>",
        ] {
            assert!(
                page.contains(expected),
                "[{backend}] officer page lacks {expected}"
            );
        }
        assert!(
            !page.contains("Marblethorn"),
            "[{backend}] another subject's data on the page"
        );

        let response = officer
            .act(
                &reference,
                &[("action", "fulfil"), ("message", "Here is your data.")],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{backend}] fulfil"
        );
        assert_eq!(
            audit_actions(&app, "package.created").len(),
            1,
            "[{backend}]"
        );

        let status = app
            .get(&format!("/status/{token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            status.contains("Your data package is ready: 3 records about you"),
            "[{backend}] {status}"
        );
        let path = download_path(&status).expect("a download link on the status page");

        let mut first = None;
        for n in 1..=3 {
            let response = app.get(&path).await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "[{backend}] download {n}"
            );
            let headers = response.headers().clone();
            assert_eq!(headers["content-type"], "application/zip", "[{backend}]");
            assert_eq!(headers["cache-control"], "no-store", "[{backend}]");
            assert_eq!(
                headers["content-disposition"],
                format!("attachment; filename=\"rightsdesk-{reference}.zip\"").as_str(),
                "[{backend}]"
            );
            assert_eq!(headers["referrer-policy"], "no-referrer", "[{backend}]");
            first.get_or_insert(response.bytes().await.unwrap().to_vec());
        }
        let refused = app.get(&path).await;
        assert_eq!(
            refused.status(),
            StatusCode::GONE,
            "[{backend}] a fourth download"
        );
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("maximum number of times"),
            "[{backend}]"
        );
        assert_eq!(
            audit_actions(&app, "package.downloaded").len(),
            3,
            "[{backend}] each download audited once"
        );

        let zip = first.unwrap();
        let data: Value = serde_json::from_str(&zip_entry(&zip, "data.json")).unwrap();
        let mut held: Vec<(String, String, Value)> = Vec::new();
        for (category, records) in data["records"].as_object().unwrap() {
            for record in records.as_array().unwrap() {
                held.push((
                    category.clone(),
                    record["source_id"].as_str().unwrap().to_string(),
                    record["payload"].clone(),
                ));
            }
        }
        held.sort_by(|a, b| a.1.cmp(&b.1));
        let mut expected: Vec<(String, String, Value)> = asha_records()
            .into_iter()
            .map(|r| {
                let id = match &r["source_id"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (
                    r["category"].as_str().unwrap().to_string(),
                    id,
                    r["payload"].clone(),
                )
            })
            .collect();
        expected.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            held, expected,
            "[{backend}] the package holds exactly what was imported"
        );
        assert_eq!(data["consents"][0]["purpose"], "marketing", "[{backend}]");
        let everything = all_zip_text(&zip);
        assert!(
            !everything.contains("Marblethorn") && !everything.contains(RAVI),
            "[{backend}] another subject leaked"
        );
        let content_csv = zip_entry(&zip, "records/content.csv");
        assert!(
            content_csv.contains("'=HYPERLINK"),
            "[{backend}] formula neutralised: {content_csv}"
        );
        let manifest: Value = serde_json::from_str(&zip_entry(&zip, "manifest.json")).unwrap();
        assert_eq!(manifest["reference"], reference.as_str(), "[{backend}]");

        // A second package, past its expiry, is refused too.
        let (token2, reference2) = open_request(&app, "portability", ASHA).await;
        officer
            .act(
                &reference2,
                &[("action", "fulfil"), ("message", "Your data.")],
            )
            .await;
        let status = app
            .get(&format!("/status/{token2}"))
            .await
            .text()
            .await
            .unwrap();
        let path2 = download_path(&status).expect("a second link");
        assert_ne!(path, path2, "[{backend}]");
        app.execute(
            "UPDATE data_packages SET expires_at = '2000-01-01 00:00:00' WHERE downloads = 0",
        );
        let expired = app.get(&path2).await;
        assert_eq!(
            expired.status(),
            StatusCode::GONE,
            "[{backend}] an expired link"
        );
        assert!(
            expired.text().await.unwrap().contains("expired"),
            "[{backend}]"
        );
        let status = app
            .get(&format!("/status/{token2}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            download_path(&status).is_none() && status.contains("no longer available"),
            "[{backend}]"
        );
        assert_eq!(
            app.get("/downloads/not-a-token").await.status(),
            StatusCode::NOT_FOUND,
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn nothing_personal_is_readable_in_the_database_after_an_import() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let marker_email = "quillfeather.person@example.org";
        import_records(
            &app,
            &[
                json!({"email": marker_email, "source": "crm", "source_id": "SRC-ZX-77182",
                     "category": "profile", "payload": {"name": "Zephyrine Quillfeather", "phone": "+91 98450 12345"}}),
            ],
        );
        let officer = app.signed_in_admin("admin@example.org").await;
        let _ = officer;
        let needles = [
            "Zephyrine",
            "Quillfeather",
            "98450 12345",
            "SRC-ZX-77182",
            marker_email,
        ];
        match &backend {
            Backend::Sqlite => {
                app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(app.dir.path()).unwrap() {
                    let path = entry.unwrap().path();
                    if path.to_string_lossy().contains("test.db") {
                        bytes.extend(std::fs::read(&path).unwrap());
                    }
                }
                assert!(bytes.len() > 10_000, "read the database file");
                for needle in needles {
                    assert!(
                        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "[{backend}] {needle} is readable in the database file"
                    );
                }
            }
            Backend::Postgres(_) => {
                #[derive(QueryableByName)]
                struct Row {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    t: String,
                }
                let mut dump = String::new();
                for table in [
                    "subjects",
                    "personal_records",
                    "consents",
                    "audit_events",
                    "legal_holds",
                    "officers",
                ] {
                    let mut conn = app.conn();
                    let conn: &mut DbConn = &mut conn;
                    let rows: Vec<Row> = diesel::sql_query(format!(
                        "SELECT row_to_json(x)::text AS t FROM {table} x"
                    ))
                    .load(conn)
                    .unwrap();
                    for row in rows {
                        dump.push_str(&row.t);
                    }
                }
                assert!(
                    dump.contains("personal_records") || dump.len() > 100,
                    "[{backend}] dumped rows"
                );
                for needle in needles {
                    assert!(
                        !dump.contains(needle),
                        "[{backend}] {needle} is readable in the database"
                    );
                }
            }
        }
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn erasure_takes_records_out_of_use_except_under_a_legal_hold() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        import_records(&app, &asha_records());
        import_records(&app, &ravi_records());
        let officer = app.signed_in_admin("admin@example.org").await;

        // Ravi: no hold. Every record erased, each audited once; the account clock starts.
        let (ravi_token, ravi_ref) = open_request(&app, "erasure", RAVI).await;
        let response = officer
            .act(&ravi_ref, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let status = app
            .get(&format!("/status/{ravi_token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            status.contains("We removed 1 record from use (profile)"),
            "[{backend}] {status}"
        );
        assert!(!status.contains("could not erase"), "[{backend}]");
        assert_eq!(audit_actions(&app, "record.erased").len(), 1, "[{backend}]");

        // Asha: a hold on her content record keeps it; the rest goes.
        let (asha_token, asha_ref) = open_request(&app, "erasure", ASHA).await;
        let content_id: String = {
            use rightsdesk::store::schema::personal_records::dsl;
            dsl::personal_records
                .filter(dsl::category.eq("content"))
                .select(dsl::id)
                .first(&mut *app.conn())
                .unwrap()
        };
        let response = officer
            .act(
                &asha_ref,
                &[
                    ("action", "hold"),
                    ("hold_scope", "record"),
                    ("record_id", &content_id),
                    ("order_reference", "HC-2026-17"),
                    ("reason", "Court order in a defamation case"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}] hold");
        let page = officer
            .get(&format!("/officer/requests/{asha_ref}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Record forum 77 (content)"),
            "[{backend}] the hold shows what it covers"
        );

        let events_before = app.audit_count();
        let response = officer
            .act(&asha_ref, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            record_states(&app),
            vec![
                ("content".to_string(), "active".to_string()),
                ("profile".to_string(), "erased".to_string()),
                ("profile".to_string(), "erased".to_string()),
                ("registration".to_string(), "erased".to_string()),
            ],
            "[{backend}]"
        );
        // Two erased, one withheld, the account cancelled, the fulfilment: five events.
        assert_eq!(app.audit_count() - events_before, 5, "[{backend}]");
        assert_eq!(audit_actions(&app, "record.erased").len(), 3, "[{backend}]");
        let withheld = audit_actions(&app, "record.erasure_withheld");
        assert_eq!(
            withheld,
            vec![(format!("record:{content_id}"), withheld[0].1.clone())],
            "[{backend}]"
        );
        assert_eq!(
            audit_actions(&app, "subject.cancelled").len(),
            1,
            "[{backend}] the account with registration data is cancelled"
        );
        let status = app
            .get(&format!("/status/{asha_token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            status.contains("We removed 2 records from use (profile, registration)"),
            "[{backend}] {status}"
        );
        assert!(
            status.contains("order requires us to keep it: content"),
            "[{backend}] {status}"
        );
        let registration_clock: Option<time::PrimitiveDateTime> = {
            use rightsdesk::store::schema::personal_records::dsl;
            dsl::personal_records
                .filter(dsl::category.eq("registration"))
                .select(dsl::retention_from)
                .first(&mut *app.conn())
                .unwrap()
        };
        assert!(
            registration_clock.is_some(),
            "[{backend}] the 180-day clock runs"
        );
        // Mail says only that the request changed: no data, no categories.
        let mail = app.wait_for_mail(ASHA, "/status/").await;
        assert!(
            !mail.body.contains("content") && !mail.body.contains("Zephyrine"),
            "[{backend}] {}",
            mail.body
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn consent_withdrawal_rectification_restriction_and_objection_change_the_data() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        import_records(&app, &asha_records());
        import_consents(
            &app,
            &[
                json!({"email": ASHA, "purpose": "marketing", "granted_at": "2026-02-01T10:00:00Z", "source": "signup"}),
                json!({"email": ASHA, "purpose": "analytics", "granted_at": "2026-02-01T10:00:00Z", "source": "signup"}),
            ],
        );
        let officer = app.signed_in_admin("admin@example.org").await;

        // Withdrawal: the request named marketing (the test form's default).
        let (_, withdrawal) = open_request(&app, "consent_withdrawal", ASHA).await;
        let response = officer
            .act(
                &withdrawal,
                &[("action", "fulfil"), ("message", "Withdrawn.")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let page = officer
            .get(&format!("/officer/requests/{withdrawal}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("marketing: not granted"), "[{backend}]");
        assert!(
            page.contains("analytics: <strong>granted</strong>"),
            "[{backend}]"
        );
        assert_eq!(
            audit_actions(&app, "consent.withdrawn").len(),
            1,
            "[{backend}]"
        );
        let open_entries = app.count("consents WHERE withdrawn_at IS NULL");
        assert_eq!(
            open_entries, 1,
            "[{backend}] the ledger entry closed, not deleted"
        );
        assert_eq!(app.count("consents"), 2, "[{backend}]");

        // Rectification: fields named in the audit, values not.
        let (_, rectification) = open_request(&app, "rectification", ASHA).await;
        let profile_id: String = {
            use rightsdesk::store::schema::personal_records::dsl;
            dsl::personal_records
                .filter(dsl::category.eq("profile"))
                .select(dsl::id)
                .first(&mut *app.conn())
                .unwrap()
        };
        let no_records = officer
            .act(
                &rectification,
                &[
                    ("action", "fulfil"),
                    ("message", "Fixed."),
                    ("correction", "name: Asha Rao"),
                ],
            )
            .await;
        assert_eq!(
            no_records.status(),
            StatusCode::BAD_REQUEST,
            "[{backend}] records must be chosen"
        );
        let response = officer
            .act(
                &rectification,
                &[
                    ("action", "fulfil"),
                    ("message", "Fixed."),
                    ("record_id", &profile_id),
                    ("correction", "name: Asha Rao-Kulkarni\nage: 32"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let rectified = audit_actions(&app, "record.rectified");
        assert_eq!(rectified.len(), 1, "[{backend}]");
        let details: Value = serde_json::from_str(&rectified[0].1).unwrap();
        assert_eq!(details["fields"], json!(["name", "age"]), "[{backend}]");
        assert!(
            !rectified[0].1.contains("Kulkarni"),
            "[{backend}] no values in the audit trail"
        );
        let page = officer
            .get(&format!("/officer/requests/{rectification}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Asha Rao-Kulkarni"), "[{backend}]");

        // Restriction of everything in use, then objection to chosen purposes.
        let (_, restriction) = open_request(&app, "restriction", ASHA).await;
        officer
            .act(
                &restriction,
                &[("action", "fulfil"), ("message", "Restricted.")],
            )
            .await;
        assert_eq!(
            audit_actions(&app, "record.restricted").len(),
            3,
            "[{backend}]"
        );
        assert!(
            record_states(&app).iter().all(|(_, s)| s == "restricted"),
            "[{backend}]"
        );
        let (_, objection) = open_request(&app, "objection", ASHA).await;
        let none = officer
            .act(&objection, &[("action", "fulfil"), ("message", "Noted.")])
            .await;
        assert_eq!(
            none.status(),
            StatusCode::BAD_REQUEST,
            "[{backend}] an objection names purposes"
        );
        let response = officer
            .act(
                &objection,
                &[
                    ("action", "fulfil"),
                    ("message", "Noted."),
                    ("purposes", "analytics"),
                    ("purposes", "personalisation"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            audit_actions(&app, "objection.recorded").len(),
            2,
            "[{backend}]"
        );
        assert_eq!(app.count("objections"), 2, "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_fulfil_form_with_bad_choices_changes_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        import_records(&app, &asha_records());
        let officer = app.signed_in_admin("admin@example.org").await;
        let (_, rectification) = open_request(&app, "rectification", ASHA).await;
        let before = (app.audit_count(), record_states(&app));
        for fields in [
            vec![("record_id", "not-a-record"), ("correction", "name: X")],
            vec![("record_id", "x"), ("correction", "no colon")],
        ] {
            let mut all = vec![("action", "fulfil"), ("message", "Fixed.")];
            all.extend(fields);
            let response = officer.act(&rectification, &all).await;
            assert!(
                response.status().is_client_error(),
                "[{backend}] {}",
                response.status()
            );
        }
        assert_eq!(
            (app.audit_count(), record_states(&app)),
            before,
            "[{backend}] nothing changed"
        );
        let status: String = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::reference.eq(&rectification))
                .select(dsl::status)
                .first(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(status, "open", "[{backend}] still open");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn an_erasure_refuses_while_a_record_in_use_has_an_unreadable_category() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let good = json!({"email": RAVI, "source": "crm", "source_id": "R-1",
                          "category": "profile", "payload": {"name": "Ravi Marblethorn"}});
        let broken = json!({"email": RAVI, "source": "crm", "source_id": "R-2",
                            "category": "contact", "payload": {"phone": "+91 5550100"}});
        import_records(&app, &[good, broken.clone()]);
        // A category no import would accept, as an older version or a hand edit left it.
        app.execute(
            "UPDATE personal_records SET category = 'Contact Details!' WHERE category = 'contact'",
        );
        let officer = app.signed_in_admin("admin@example.org").await;
        let (token, reference) = open_request(&app, "erasure", RAVI).await;

        let before = (app.audit_count(), record_states(&app));
        let response = officer
            .act(&reference, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "[{backend}]");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("This erasure cannot go ahead: the crm record R-2 has the category"),
            "[{backend}] the officer is told which record: {page}"
        );
        assert!(page.contains("Nothing was changed."), "[{backend}]");
        assert_eq!(
            (app.audit_count(), record_states(&app)),
            before,
            "[{backend}] nothing erased, nothing audited"
        );
        let status: String = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::reference.eq(&reference))
                .select(dsl::status)
                .first(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(status, "open", "[{backend}] still open");

        // Once the inventory is corrected, the erasure takes both records out of use.
        let fixed = app.import_lines(ImportKind::Records, &[broken], true, 10);
        assert_eq!(fixed.updated, 1, "[{backend}]");
        let response = officer
            .act(&reference, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            record_states(&app),
            vec![
                ("contact".to_string(), "erased".to_string()),
                ("profile".to_string(), "erased".to_string()),
            ],
            "[{backend}]"
        );
        let answer = app
            .get(&format!("/status/{token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            answer.contains("We removed 2 records from use (contact, profile)"),
            "[{backend}] {answer}"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_large_batch_is_written_in_chunks_and_a_reimport_changes_only_what_changed() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let lines: Vec<Value> = (0..4500)
            .map(|i| {
                json!({"email": format!("p{}@example.org", i / 3), "source": "crm", "source_id": i,
                       "category": "profile", "payload": {"n": i}})
            })
            .collect();
        let run = |lines: &[Value]| {
            app.import_lines(
                ImportKind::Records,
                lines,
                false,
                import::DEFAULT_BATCH_SIZE,
            )
        };
        let first = run(&lines);
        assert_eq!((first.inserted, first.updated), (4500, 0), "[{backend}]");
        assert_eq!(app.count("subjects"), 1500, "[{backend}]");
        let mut changed = lines.clone();
        changed[10]["payload"]["n"] = json!("changed");
        let second = run(&changed);
        assert_eq!(
            (second.inserted, second.updated, second.unchanged),
            (0, 1, 4499),
            "[{backend}]"
        );
        assert_eq!(app.count("personal_records"), 4500, "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn subjects_are_created_once_with_their_values_and_updated_in_place() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let run = |lines: &[Value]| app.import_lines(ImportKind::Subjects, lines, true, 100);
        let first = run(&[
            json!({"email": ASHA, "account_ref": "ACC-1", "cancelled_at": "2026-01-10T00:00:00Z"}),
            json!({"email": RAVI}),
            json!({"email": RAVI, "account_ref": "ACC-2"}),
        ]);
        assert_eq!(
            (first.inserted, first.updated, first.unchanged),
            (2, 1, 0),
            "[{backend}] a duplicate in the batch updates the new subject"
        );
        let again = run(&[
            json!({"email": ASHA, "account_ref": "ACC-1", "cancelled_at": "2026-01-10T00:00:00Z"}),
            json!({"email": RAVI, "account_ref": "ACC-3"}),
        ]);
        assert_eq!(
            (again.inserted, again.updated, again.unchanged),
            (0, 1, 1),
            "[{backend}]"
        );
        let email = rightsdesk::domain::email::Email::parse(RAVI).unwrap();
        let mut conn = app.conn();
        let data = rightsdesk::app::inventory::subject_data(&app.ctx, &mut conn, &email)
            .unwrap()
            .expect("a subject");
        assert_eq!(
            data.identity.account_ref.as_deref(),
            Some("ACC-3"),
            "[{backend}]"
        );
        let asha = rightsdesk::domain::email::Email::parse(ASHA).unwrap();
        let data = rightsdesk::app::inventory::subject_data(&app.ctx, &mut conn, &asha)
            .unwrap()
            .expect("a subject");
        assert!(data.subject.cancelled_at.is_some(), "[{backend}]");
        assert_eq!(
            data.identity.account_ref.as_deref(),
            Some("ACC-1"),
            "[{backend}]"
        );
        drop(conn);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_restriction_refuses_while_a_record_has_an_unreadable_state() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let good = json!({"email": RAVI, "source": "crm", "source_id": "R-1",
                          "category": "profile", "payload": {"name": "Ravi Marblethorn"}});
        let broken = json!({"email": RAVI, "source": "crm", "source_id": "R-2",
                            "category": "contact", "payload": {"phone": "+91 5550100"}});
        import_records(&app, &[good, broken]);
        // A state no version writes: it may be in use, so it is not passed over.
        app.execute("UPDATE personal_records SET state = 'archived' WHERE category = 'contact'");
        let officer = app.signed_in_admin("admin@example.org").await;
        let (_, reference) = open_request(&app, "restriction", RAVI).await;

        let before = (app.audit_count(), record_states(&app));
        let response = officer
            .act(&reference, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "[{backend}]");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("This restriction cannot go ahead: the crm record R-2 has the state"),
            "[{backend}] the officer is told which record: {page}"
        );
        assert!(page.contains("archived"), "[{backend}]");
        assert!(page.contains("Nothing was changed."), "[{backend}]");
        assert_eq!(
            (app.audit_count(), record_states(&app)),
            before,
            "[{backend}] nothing restricted, nothing audited"
        );
        app.assert_no_server_errors();
    }
}
