//! What a security team asks of the audit trail, over the real HTTP stack and command line on
//! both backends: failed sign-ins and codes (by keyed hash of the email, never the address),
//! officers' views of request pages, exports' starts and ends (a start survives an export
//! cut short), and the export-spike alert to the admins, once an hour.

mod common;

use common::officer::{OfficerBrowser, PASSWORD};
use common::{backends, location, rightsdesk_cli, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::domain::access_events::EMAIL_HASH_DOMAIN;
use rightsdesk::store::schema::audit_events;
use serde_json::Value;

/// One stored event, every column as text.
#[derive(Debug, Clone)]
struct Row {
    /// Insertion order (events are numbered later, by the sequencer).
    pos: i64,
    actor: String,
    target: String,
    details: Value,
    /// Every column, for looking for what must not be stored.
    raw: String,
}

fn events(app: &TestApp, action: &str) -> Vec<Row> {
    audit_events::table
        .filter(audit_events::action.eq(action))
        .order(audit_events::pos.asc())
        .select((
            audit_events::pos,
            audit_events::id,
            audit_events::actor,
            audit_events::action,
            audit_events::target,
            audit_events::details,
        ))
        .load::<(i64, String, String, String, String, String)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(pos, id, actor, action, target, details)| Row {
            pos,
            raw: format!("{id} {actor} {action} {target} {details}"),
            actor,
            target,
            details: serde_json::from_str(&details).unwrap(),
        })
        .collect()
}

fn request_id(app: &TestApp, reference: &str) -> String {
    use rightsdesk::store::schema::requests;
    requests::table
        .filter(requests::reference.eq(reference))
        .select(requests::id)
        .first(&mut app.conn())
        .unwrap()
}

/// A six-digit code that none of the steps around now accepts.
fn wrong_code(secret: &rightsdesk::domain::totp::TotpSecret) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let near: Vec<String> = (0..5).map(|i| secret.code_at(now + i * 30 - 60)).collect();
    ["000000", "111111", "222222", "333333", "444444", "555555"]
        .into_iter()
        .find(|c| !near.iter().any(|n| n == c))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn failed_sign_ins_and_codes_are_audited_under_a_keyed_hash_of_the_email() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let omar = app.create_officer("omar@example.org", "officer", &["in"]);
        let admin = app.signed_in_admin("admin@example.org").await;
        let hash = |email: &str| app.ctx.keyring.index(EMAIL_HASH_DOMAIN, email);

        for (email, password) in [
            ("omar@example.org", "not the password"),
            (" Omar@Example.ORG", "another guess"),
            ("nobody@example.org", PASSWORD),
        ] {
            let response = app.sign_in_with(&app.browser(), email, password).await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "[{backend}] {email}"
            );
        }
        // A password that is right, then a wrong code.
        let browser = app.browser();
        let response = app
            .sign_in_with(&browser, "admin@example.org", PASSWORD)
            .await;
        assert_eq!(location(&response), "/officer/login/code", "[{backend}]");
        let second = OfficerBrowser {
            client: browser,
            base: app.address.clone(),
            id: admin.id.clone(),
            email: admin.email.clone(),
        };
        let csrf = second.csrf("/officer/login/code").await;
        let code = wrong_code(&app.totp_secret(&admin.id));
        let wrong = second
            .post_form(
                "/officer/login/code",
                &[("code", &code), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "[{backend}]");

        let failed = events(&app, "officer.sign_in_failed");
        assert_eq!(failed.len(), 3, "[{backend}] one event per failure");
        let omar_target = format!("officer:{omar}");
        let seen: Vec<(&str, &str, &str, &str)> = failed
            .iter()
            .map(|e| {
                (
                    e.actor.as_str(),
                    e.target.as_str(),
                    e.details["email_hash"].as_str().unwrap(),
                    e.details["reason"].as_str().unwrap(),
                )
            })
            .collect();
        let (omar_hash, nobody_hash) = (hash("omar@example.org"), hash("nobody@example.org"));
        assert_eq!(
            seen,
            vec![
                (
                    "system",
                    omar_target.as_str(),
                    omar_hash.as_str(),
                    "wrong_password"
                ),
                (
                    "system",
                    omar_target.as_str(),
                    omar_hash.as_str(),
                    "wrong_password"
                ),
                ("system", "officers", nobody_hash.as_str(), "unknown_email"),
            ],
            "[{backend}] the same address hashes the same however it was typed"
        );
        let code_failures = events(&app, "officer.second_step_failed");
        assert_eq!(code_failures.len(), 1, "[{backend}]");
        let admin_self = format!("officer:{}", admin.id);
        assert_eq!(code_failures[0].actor, admin_self, "[{backend}]");
        assert_eq!(code_failures[0].target, admin_self, "[{backend}]");
        assert_eq!(
            code_failures[0].details["email_hash"],
            hash("admin@example.org"),
            "[{backend}]"
        );
        assert_eq!(
            code_failures[0].details["reason"], "wrong_code",
            "[{backend}]"
        );

        // No stored row holds an address, nor the part before the @.
        for row in failed.iter().chain(&code_failures) {
            for plain in ["omar", "nobody", "admin@", "example.org"] {
                assert!(
                    !row.raw.to_lowercase().contains(plain),
                    "[{backend}] {plain} in {}",
                    row.raw
                );
            }
        }
        // A wrong current password on the password form is one more guess.
        let pat = app.signed_in("pat@example.org", "officer", &["in"]).await;
        let csrf = pat.csrf("/officer/account/password").await;
        let refused = pat
            .post_form(
                "/officer/account/password",
                &[
                    ("current_password", "not my password"),
                    ("new_password", "a brand new and long passphrase"),
                    ("confirmation", "a brand new and long passphrase"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}]"
        );
        let checks = events(&app, "officer.password_check_failed");
        assert_eq!(checks.len(), 1, "[{backend}]");
        let pat_self = format!("officer:{}", pat.id);
        assert_eq!(
            (checks[0].actor.as_str(), checks[0].target.as_str()),
            (pat_self.as_str(), pat_self.as_str())
        );
        assert_eq!(checks[0].details["email_hash"], hash("pat@example.org"));
        assert!(!checks[0].raw.contains("pat@"), "[{backend}]");

        // Nothing here was a burst: no alert.
        assert!(events(&app, "security.sign_in_burst").is_empty());
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn officers_views_of_request_pages_are_audited_and_read_by_region() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let in_ref = app
            .verified_request("access", "in.person@example.org", "in")
            .await;
        let eu_ref = app
            .verified_request("access", "eu.person@example.org", "eu")
            .await;
        let (in_target, eu_target) = (
            format!("request:{}", request_id(&app, &in_ref)),
            format!("request:{}", request_id(&app, &eu_ref)),
        );
        let ian = app.signed_in("ian@example.org", "officer", &["in"]).await;
        let ina = app.signed_in("ina@example.org", "officer", &["in"]).await;
        let eve = app.signed_in("eve@example.org", "officer", &["eu"]).await;

        let page = ian.get(&format!("/officer/requests/{in_ref}")).await;
        assert_eq!(page.status(), StatusCode::OK, "[{backend}]");
        let page = page.text().await.unwrap();
        let outside = ian.get(&format!("/officer/requests/{eu_ref}")).await;
        assert_eq!(outside.status(), StatusCode::NOT_FOUND, "[{backend}]");

        let views = events(&app, "request.viewed");
        assert_eq!(views.len(), 1, "[{backend}] a refused page is no view");
        assert_eq!(views[0].actor, format!("officer:{}", ian.id));
        assert_eq!(views[0].target, in_target);
        assert_eq!(views[0].details, serde_json::json!({}));
        assert!(
            !page.contains("request.viewed"),
            "[{backend}] views stay off the request's timeline"
        );

        // Ina works the same region: she reads Ian's view. Eve does not.
        let ian_self = format!("officer:{}", ian.id);
        let html = ina
            .get("/officer/audit?action=request.viewed")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&in_target) && html.contains(&ian_self),
            "[{backend}] a view of a request of her region"
        );
        let html = eve
            .get("/officer/audit?action=request.viewed")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains(&in_target) && !html.contains(&ian_self),
            "[{backend}] not another region's"
        );
        assert!(!html.contains(&eu_target), "[{backend}] nobody viewed it");

        // Acting on a request opens its page first: each opening is one view.
        let note = [("action", "note"), ("message", "Checked.")];
        assert_eq!(
            eve.act(&eu_ref, &note).await.status(),
            StatusCode::SEE_OTHER
        );
        let views = events(&app, "request.viewed");
        assert_eq!(views.len(), 2, "[{backend}]");
        assert_eq!(views[1].target, eu_target, "[{backend}]");
        app.assert_no_server_errors();
    }
}

/// The export events of one export, by its id: (start, end).
fn export_pair(app: &TestApp, export_id: &str) -> (Option<Row>, Option<Row>) {
    let of = |action: &str| {
        events(app, action)
            .into_iter()
            .find(|e| e.details["export_id"] == export_id)
    };
    (of("export.requests_started"), of("export.requests"))
}

#[tokio::test]
async fn an_export_is_audited_at_its_start_with_filters_and_at_its_end_with_rows() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        rightsdesk::app::demo::load(&app.ctx).expect("demo data");
        let admin = app.signed_in_admin("admin@example.org").await;
        let response = admin
            .get("/officer/exports/requests.csv?status=all&regime=eu")
            .await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        let body = response.text().await.unwrap();
        let exported = csv::Reader::from_reader(body.as_bytes()).records().count() as i64;
        assert!(exported > 0, "[{backend}]");

        let starts = events(&app, "export.requests_started");
        assert_eq!(starts.len(), 1, "[{backend}]");
        let start = &starts[0];
        assert_eq!(start.actor, format!("officer:{}", admin.id));
        assert_eq!(start.target, "export:requests");
        assert_eq!(start.details["format"], "csv");
        assert_eq!(start.details["filters"]["status"], "all");
        assert_eq!(start.details["filters"]["regime"], "eu");
        assert!(start.details.get("rows").is_none(), "[{backend}]");
        let id = start.details["export_id"].as_str().unwrap().to_string();
        let (_, end) = export_pair(&app, &id);
        let end = end.expect("the end event");
        assert!(end.pos > start.pos, "[{backend}]");
        assert_eq!(end.details["rows"], exported, "[{backend}]");
        assert_eq!(end.details["complete"], true, "[{backend}]");
        assert_eq!(end.details["filters"]["regime"], "eu", "[{backend}]");

        // The command line: the operator's start and end.
        let dir = app.dir.path();
        let out = dir.join("requests.ndjson");
        let output = rightsdesk_cli(
            dir,
            app.database_url(),
            &[
                "export",
                "requests",
                "--format",
                "ndjson",
                "--status",
                "all",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(output.status.success(), "[{backend}]");
        let starts = events(&app, "export.requests_started");
        assert_eq!(starts.len(), 2, "[{backend}]");
        assert_eq!(starts[1].actor, "operator", "[{backend}]");
        assert_eq!(starts[1].details["format"], "ndjson", "[{backend}]");
        let id = starts[1].details["export_id"].as_str().unwrap().to_string();
        let (_, end) = export_pair(&app, &id);
        assert_eq!(end.expect("the end")["rows"], 7, "[{backend}]");
        app.assert_no_server_errors();
    }
}

impl std::ops::Index<&str> for Row {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.details[key]
    }
}

/// A reader that goes away: the first write kills the export (a stand-in for SIGKILL, which
/// leaves no chance to record anything more).
struct Killed;

impl std::io::Write for Killed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        panic!("killed mid-export");
    }
    fn flush(&mut self) -> std::io::Result<()> {
        panic!("killed mid-export");
    }
}

/// A reader that hangs up: writing fails.
struct HungUp;

impl std::io::Write for HungUp {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "hung up",
        ))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_export_cut_short_still_leaves_its_start() {
    use rightsdesk::app::export::{export_requests, Exporter, Quiet};
    use rightsdesk::domain::export::ExportFormat;
    use rightsdesk::domain::queue::{QueueFilter, StatusFilter};
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        rightsdesk::app::demo::load(&app.ctx).expect("demo data");
        let admin = app.signed_in_admin("admin@example.org").await;

        // Over HTTP: the start is there as soon as the first bytes are, before the body ends.
        let mut response = admin.get("/officer/exports/requests.json?status=all").await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        let first = response.chunk().await.unwrap().expect("a first chunk");
        assert!(!first.is_empty());
        let starts = events(&app, "export.requests_started");
        assert_eq!(starts.len(), 1, "[{backend}] started before streaming");
        drop(response);

        let filter = QueueFilter {
            status: StatusFilter::All,
            ..QueueFilter::default()
        };
        // A reader that hangs up: the end says the export did not complete.
        let result = export_requests(
            &app.ctx,
            Exporter::Operator,
            &filter,
            ExportFormat::Csv,
            HungUp,
            &mut Quiet,
        );
        assert!(result.is_err(), "[{backend}]");
        let starts = events(&app, "export.requests_started");
        let id = starts.last().unwrap().details["export_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (start, end) = export_pair(&app, &id);
        assert_eq!(start.unwrap().actor, "operator");
        let end = end.expect("an end");
        assert_eq!(end["complete"], false, "[{backend}]");
        assert_eq!(end["rows"], 0, "[{backend}]");

        // Killed: nothing after the start runs, and the start is there.
        let ctx = app.ctx.clone();
        let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            export_requests(
                &ctx,
                Exporter::Operator,
                &filter,
                ExportFormat::Ndjson,
                Killed,
                &mut Quiet,
            )
        }));
        assert!(killed.is_err(), "[{backend}]");
        let starts = events(&app, "export.requests_started");
        assert_eq!(starts.len(), 3, "[{backend}]");
        let id = starts[2].details["export_id"].as_str().unwrap().to_string();
        assert_eq!(starts[2].details["format"], "ndjson");
        let (start, end) = export_pair(&app, &id);
        assert!(start.is_some() && end.is_none(), "[{backend}]");
    }
}

/// The alert mails to `to` so far.
fn spike_mails(app: &TestApp, to: &str) -> usize {
    app.mails()
        .iter()
        .filter(|m| m.to == to && m.subject.contains("export spike"))
        .count()
}

async fn export_ok(officer: &OfficerBrowser, query: &str) {
    let response = officer
        .get(&format!("/officer/exports/requests.csv{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap();
}

#[tokio::test]
async fn too_many_exports_in_an_hour_mail_the_admins_once_and_are_audited() {
    for backend in backends() {
        let app = TestApp::spawn_with(
            &backend,
            &[
                ("RIGHTSDESK_EXPORT_SPIKE_EXPORTS", "3"),
                ("RIGHTSDESK_EXPORT_SPIKE_ROWS", "1000000"),
            ],
            true,
        )
        .await;
        rightsdesk::app::demo::load(&app.ctx).expect("demo data");
        let admin = app.signed_in_admin("admin@example.org").await;
        let olga = app
            .signed_in(
                "olga@example.org",
                "officer",
                &["in", "eu", "us-ca", "other"],
            )
            .await;

        for _ in 0..3 {
            export_ok(&olga, "?status=all").await;
        }
        app.settled_mails().await;
        assert_eq!(
            spike_mails(&app, &admin.email),
            0,
            "[{backend}] at the limit"
        );
        assert!(events(&app, "security.export_spike").is_empty());

        // The fourth export within the hour is one too many.
        export_ok(&olga, "?status=all&regime=eu").await;
        let mail = app
            .wait_for_mail(&admin.email, "/officer/audit?action=security.export_spike")
            .await;
        assert!(!mail.body.contains("olga"), "[{backend}] no personal data");
        let spikes = events(&app, "security.export_spike");
        assert_eq!(spikes.len(), 1, "[{backend}]");
        assert_eq!(spikes[0].actor, "system");
        assert_eq!(spikes[0].target, "officers");
        assert_eq!(spikes[0]["officer_id"], olga.id.as_str());
        assert_eq!(spikes[0]["exports"], 4);
        assert_eq!(spikes[0]["max_exports"], 3);
        assert_eq!(spikes[0]["window_minutes"], 60);

        // More within the hour: no more mail, no more events.
        export_ok(&olga, "?status=all").await;
        export_ok(&olga, "").await;
        app.settled_mails().await;
        assert_eq!(spike_mails(&app, &admin.email), 1, "[{backend}] once");
        assert_eq!(events(&app, "security.export_spike").len(), 1);

        // The alert is for admins and auditors: the officer does not read it.
        let hers = olga.get("/officer/audit").await.text().await.unwrap();
        assert!(!hers.contains("security.export_spike"), "[{backend}]");
        let theirs = admin
            .get("/officer/audit?action=security.export_spike")
            .await
            .text()
            .await
            .unwrap();
        assert!(theirs.contains(&olga.id), "[{backend}]");

        // An hour after the alert, the next export over the limit alerts again.
        app.execute("UPDATE export_spike_alerts SET alerted_at = '2000-01-01 00:00:00'");
        export_ok(&olga, "?status=all").await;
        let started = std::time::Instant::now();
        while spike_mails(&app, &admin.email) < 2 {
            assert!(started.elapsed() < std::time::Duration::from_secs(10));
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(events(&app, "security.export_spike").len(), 2);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn too_many_rows_in_an_hour_mail_the_admins() {
    for backend in backends() {
        let app = TestApp::spawn_with(
            &backend,
            &[
                ("RIGHTSDESK_EXPORT_SPIKE_EXPORTS", "100"),
                ("RIGHTSDESK_EXPORT_SPIKE_ROWS", "10"),
            ],
            true,
        )
        .await;
        rightsdesk::app::demo::load(&app.ctx).expect("demo data");
        let admin = app.signed_in_admin("admin@example.org").await;
        let olga = app
            .signed_in(
                "olga@example.org",
                "officer",
                &["in", "eu", "us-ca", "other"],
            )
            .await;

        // Seven rows: under ten.
        export_ok(&olga, "?status=all").await;
        app.settled_mails().await;
        assert_eq!(spike_mails(&app, &admin.email), 0, "[{backend}]");
        // Fourteen: over.
        export_ok(&olga, "?status=all").await;
        app.wait_for_mail(&admin.email, "security.export_spike")
            .await;
        let spikes = events(&app, "security.export_spike");
        assert_eq!(spikes.len(), 1, "[{backend}]");
        assert_eq!(spikes[0]["rows"], 14, "[{backend}]");
        assert_eq!(spikes[0]["max_rows"], 10, "[{backend}]");

        // The command line is no officer: its exports count against nobody.
        let dir = app.dir.path();
        for _ in 0..2 {
            let output = rightsdesk_cli(
                dir,
                app.database_url(),
                &["export", "requests", "--format", "csv", "--status", "all"],
            );
            assert!(output.status.success(), "[{backend}]");
        }
        assert_eq!(events(&app, "security.export_spike").len(), 1);
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn one_alert_claim_wins_until_the_hour_is_over() {
    use rightsdesk::store::export_watch::claim_alert;
    use rightsdesk::store::time::to_db;
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let now = time::OffsetDateTime::now_utc();
        let lapsed = to_db(now - time::Duration::hours(1));
        let mut conn = app.conn();
        assert!(claim_alert(&mut conn, "o-1", to_db(now), lapsed).unwrap());
        assert!(!claim_alert(&mut conn, "o-1", to_db(now), lapsed).unwrap());
        assert!(claim_alert(&mut conn, "o-2", to_db(now), lapsed).unwrap());
        let later = now + time::Duration::minutes(61);
        assert!(claim_alert(
            &mut conn,
            "o-1",
            to_db(later),
            to_db(later - time::Duration::hours(1))
        )
        .unwrap());
    }
}
