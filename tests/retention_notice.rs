//! DPDP Rules r.8(2): a subject under the Indian regime is mailed a notice at least 48
//! hours before a purge erases their records; `rightsdesk purge --as-of` travels through
//! the 48 hours, on both backends, reading the mail as `.eml` files.

mod common;

use serde_json::{json, Value};
use time::{Date, Duration, OffsetDateTime};

use common::{backends, rightsdesk_cli, TestApp};
use rightsdesk::domain::import_row::ImportKind;

fn purge(app: &TestApp, args: &[&str]) -> Value {
    let mut all = vec!["purge", "--format", "json"];
    all.extend_from_slice(args);
    let out = rightsdesk_cli(app.dir.path(), app.database_url(), &all);
    assert!(
        out.status.success(),
        "[{}] purge {args:?}: {}",
        app.backend,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn notice_mails(app: &TestApp) -> Vec<common::ReceivedMail> {
    app.mails()
        .into_iter()
        .filter(|m| m.subject.starts_with("Notice: we will erase"))
        .collect()
}

/// `(target, details)` of every notice event.
fn notice_events(app: &TestApp) -> Vec<(String, Value)> {
    use diesel::prelude::*;
    use rightsdesk::store::schema::audit_events;
    audit_events::table
        .filter(audit_events::action.eq("retention.notice_sent"))
        .order(audit_events::pos.asc())
        .select((audit_events::target, audit_events::details))
        .load::<(String, String)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(target, details)| (target, serde_json::from_str(&details).unwrap()))
        .collect()
}

fn records_of(app: &TestApp, source: &str) -> i64 {
    app.count(&format!("personal_records WHERE source = '{source}'"))
}

#[tokio::test]
async fn an_indian_subject_is_told_48_hours_before_erasure_and_others_go_at_once() {
    // Clocks start 170 days ago, so the day the records fall due (D, day 181) lies ahead
    // of the real clock: a notice given by a purge as of D counts from D.
    let t0: Date = OffsetDateTime::now_utc().date() - Duration::days(170);
    let d = t0 + Duration::days(181);
    let day = |offset: i64| (d + Duration::days(offset)).to_string();
    let cancelled = format!("{t0}T15:30:00Z");
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        // Asha asked under the Indian regime, Eve under the GDPR; Nadia never asked.
        app.submit_and_verify("access", "asha@example.in", "in")
            .await;
        app.submit_and_verify("access", "eve@example.eu", "eu")
            .await;
        app.wait_for_mails(4).await;
        app.import_lines(
            ImportKind::Subjects,
            &[
                json!({"email": "Asha@Example.in", "cancelled_at": cancelled}),
                json!({"email": "eve@example.eu", "cancelled_at": cancelled}),
                json!({"email": "nadia@example.org", "cancelled_at": cancelled}),
            ],
            true,
            100,
        );
        app.import_lines(
            ImportKind::Records,
            &[
                json!({"email": "asha@example.in", "source": "asha", "source_id": "1", "category": "registration", "payload": {"handle": "secret-handle"}}),
                json!({"email": "asha@example.in", "source": "asha", "source_id": "2", "category": "registration", "payload": {"plan": "gold"}}),
                json!({"email": "asha@example.in", "source": "asha", "source_id": "3", "category": "content",
                       "removed_at": cancelled, "payload": {"post": "my words"}}),
                json!({"email": "eve@example.eu", "source": "eve", "source_id": "1", "category": "registration", "payload": {"u": 1}}),
                json!({"email": "nadia@example.org", "source": "nadia", "source_id": "1", "category": "registration", "payload": {"u": 2}}),
            ],
            true,
            100,
        );
        let mails_before = app.mails().len();

        // The day before, nothing is due and no notice either.
        let early = purge(&app, &["--dry-run", "--as-of", &day(-1)]);
        assert_eq!(early["classes"]["registration"]["due"], 0, "[{backend}]");
        assert_eq!(
            early["notices"]["registration"],
            json!({"due": 0, "sent": 0, "waiting": 0}),
            "[{backend}]"
        );

        // A dry run on D shows the notice due, counts only, and changes nothing.
        let events_before = app.count("audit_events");
        let dry = purge(&app, &["--dry-run", "--as-of", &day(0)]);
        assert_eq!(dry["classes"]["registration"]["due"], 4, "[{backend}]");
        assert_eq!(
            dry["notices"]["registration"],
            json!({"due": 1, "sent": 0, "waiting": 2}),
            "[{backend}]"
        );
        assert_eq!(
            dry["notices"]["removed_content"],
            json!({"due": 1, "sent": 0, "waiting": 1}),
            "[{backend}]"
        );
        assert_eq!(
            dry["notices"]["erased_records"],
            json!({"due": 0, "sent": 0, "waiting": 0})
        );
        let text = rightsdesk_cli(
            app.dir.path(),
            app.database_url(),
            &["purge", "--dry-run", "--as-of", &day(0)],
        );
        let text = String::from_utf8_lossy(&text.stdout).to_string();
        assert!(text.contains("notices before erasure"), "{text}");
        assert!(
            text.lines().any(
                |l| l.split_whitespace().collect::<Vec<_>>() == ["registration", "4", "2", "0"]
            ),
            "[{backend}] two would go now, two wait: {text}"
        );
        assert!(!text.contains("asha") && !text.contains("Asha"), "{text}");
        assert_eq!(app.count("retention_notices"), 0, "[{backend}]");
        assert_eq!(app.count("audit_events"), events_before, "[{backend}]");

        // The purge on D mails Asha and erases nothing of hers; Eve's and Nadia's go.
        let first = purge(&app, &["--as-of", &day(0)]);
        assert_eq!(
            first["classes"]["registration"],
            json!({"due": 4, "purged": 2, "held": 0}),
            "[{backend}]"
        );
        assert_eq!(first["classes"]["removed_content"]["purged"], 0);
        assert_eq!(
            first["notices"]["registration"],
            json!({"due": 1, "sent": 1, "waiting": 2}),
            "[{backend}]"
        );
        assert_eq!(records_of(&app, "asha"), 3, "[{backend}] kept for 48 hours");
        assert_eq!(records_of(&app, "eve") + records_of(&app, "nadia"), 0);
        let mail = app.wait_for_mail("asha@example.in", "we will erase:").await;
        let erase_from = d + Duration::days(2);
        // Midnight UTC, on the Indian subject's clock (no zone set: India's, IST).
        let when = format!(
            "On or after {} {} {}, 05:30 IST",
            erase_from.day(),
            erase_from.month(),
            erase_from.year()
        );
        assert!(mail.body.contains(&when), "[{backend}] {}", mail.body);
        assert!(mail
            .body
            .contains("- registration data from a cancelled account (2 items)"));
        assert!(mail
            .body
            .contains("- content that was removed and kept for a while (1 item)"));
        assert!(mail.body.contains("Grievance Officer"));
        assert!(mail.body.contains("/requests/new?kind=grievance"));
        for personal in ["Asha", "asha", "secret-handle", "gold", "my words"] {
            assert!(
                !mail.body.contains(personal) && !mail.subject.contains(personal),
                "[{backend}] {personal} in {}",
                mail.body
            );
        }
        let events = notice_events(&app);
        assert_eq!(events.len(), 1, "[{backend}]");
        assert!(events[0].0.starts_with("subject:"), "[{backend}]");
        assert_eq!(
            events[0].1["classes"],
            json!({"registration": 2, "removed_content": 1})
        );
        assert!(!events[0].1.to_string().contains("asha"));
        assert_eq!(
            app.count("retention_notices"),
            2,
            "[{backend}] one per class"
        );

        // A day later the notice is 24 hours old: still nothing of Asha's goes, and she is
        // not told twice.
        let second = purge(&app, &["--as-of", &day(1)]);
        assert_eq!(second["classes"]["registration"]["purged"], 0);
        assert_eq!(
            second["notices"]["registration"],
            json!({"due": 0, "sent": 0, "waiting": 2}),
            "[{backend}]"
        );
        assert_eq!(records_of(&app, "asha"), 3, "[{backend}]");

        // 48 hours after the notice, her records go.
        let third = purge(&app, &["--as-of", &day(2)]);
        assert_eq!(
            third["classes"]["registration"],
            json!({"due": 2, "purged": 2, "held": 0}),
            "[{backend}]"
        );
        assert_eq!(third["classes"]["removed_content"]["purged"], 1);
        assert_eq!(
            third["notices"]["registration"],
            json!({"due": 0, "sent": 0, "waiting": 0})
        );
        assert_eq!(records_of(&app, "asha"), 0, "[{backend}]");
        let settled = app.settled_mails().await;
        assert_eq!(notice_mails(&app).len(), 1, "[{backend}] one notice in all");
        assert_eq!(settled.len(), mails_before + 1, "[{backend}]");
        assert_eq!(notice_events(&app).len(), 1);

        let verify = rightsdesk_cli(app.dir.path(), app.database_url(), &["audit", "verify"]);
        assert!(verify.status.success(), "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_record_falling_due_later_gets_its_own_notice() {
    let t0: Date = OffsetDateTime::now_utc().date() - Duration::days(170);
    let d = t0 + Duration::days(181);
    let day = |offset: i64| (d + Duration::days(offset)).to_string();
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.submit_and_verify("erasure", "ravi@example.in", "in")
            .await;
        app.import_lines(
            ImportKind::Subjects,
            &[json!({"email": "ravi@example.in", "cancelled_at": format!("{t0}T10:00:00Z")})],
            true,
            100,
        );
        app.import_lines(
            ImportKind::Records,
            &[
                json!({"email": "ravi@example.in", "source": "web", "source_id": "1", "category": "registration", "payload": {"u": 1}}),
                json!({"email": "ravi@example.in", "source": "forum", "source_id": "2", "category": "content",
                       "removed_at": format!("{}T10:00:00Z", t0 + Duration::days(5)), "payload": {"p": 1}}),
            ],
            true,
            100,
        );
        let first = purge(&app, &["--as-of", &day(0)]);
        assert_eq!(first["notices"]["registration"]["sent"], 1, "[{backend}]");
        assert_eq!(first["notices"]["removed_content"]["sent"], 0);
        // The removed content falls due five days later: a new notice, 48 hours again,
        // while the registration data (told on D) has gone.
        let later = purge(&app, &["--as-of", &day(5)]);
        assert_eq!(later["classes"]["registration"]["purged"], 1, "[{backend}]");
        assert_eq!(
            later["notices"]["removed_content"]["sent"], 1,
            "[{backend}]"
        );
        assert_eq!(later["classes"]["removed_content"]["purged"], 0);
        let last = purge(&app, &["--as-of", &day(7)]);
        assert_eq!(
            last["classes"]["removed_content"]["purged"], 1,
            "[{backend}]"
        );
        assert_eq!(notice_events(&app).len(), 2, "[{backend}]");
    }
}

fn purge_process(app: &TestApp, as_of: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .args(["purge", "--as-of", as_of, "--format", "json"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("RIGHTSDESK_DATA_DIR", app.dir.path().join("data"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn two_purges_at_once_tell_each_subject_once() {
    let t0: Date = OffsetDateTime::now_utc().date() - Duration::days(170);
    let d = t0 + Duration::days(181);
    let people = 12;
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let emails: Vec<String> = (0..people).map(|i| format!("p{i}@example.in")).collect();
        for email in &emails {
            let response = app.submit("access", &[("email", email.as_str())]).await;
            assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
        }
        let subjects: Vec<Value> = emails
            .iter()
            .map(|e| json!({"email": e, "cancelled_at": format!("{t0}T08:00:00Z")}))
            .collect();
        app.import_lines(ImportKind::Subjects, &subjects, true, 100);
        let records: Vec<Value> = emails
            .iter()
            .enumerate()
            .map(|(i, e)| json!({"email": e, "source": "web", "source_id": i, "category": "registration", "payload": {"n": i}}))
            .collect();
        app.import_lines(ImportKind::Records, &records, true, 100);

        let runs = [
            purge_process(&app, &d.to_string()),
            purge_process(&app, &d.to_string()),
        ];
        let mut sent = 0;
        for run in runs {
            let output = run.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "[{backend}] {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let report: Value = serde_json::from_slice(&output.stdout).unwrap();
            sent += report["notices"]["registration"]["sent"].as_i64().unwrap();
            assert_eq!(
                report["classes"]["registration"]["purged"], 0,
                "[{backend}]"
            );
        }
        assert_eq!(sent, people, "[{backend}] the two runs' notices add up");
        assert_eq!(notice_events(&app).len(), people as usize, "[{backend}]");
        assert_eq!(
            app.count("mail_outbox WHERE template = 'erasure_notice'"),
            people,
            "[{backend}] one mail each"
        );
        assert_eq!(app.count("personal_records"), people, "[{backend}]");
        let later = purge(&app, &["--as-of", &(d + Duration::days(2)).to_string()]);
        assert_eq!(later["classes"]["registration"]["purged"], people);
        let verify = rightsdesk_cli(app.dir.path(), app.database_url(), &["audit", "verify"]);
        assert!(verify.status.success(), "[{backend}]");
    }
}
