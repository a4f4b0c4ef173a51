//! The retention engine: `rightsdesk purge` run as an operator (or the scheduler) would,
//! travelling in time with `--as-of`, on both backends.

mod common;

use std::io::Cursor;

use diesel::prelude::*;
use serde_json::{json, Value};
use time::macros::date;
use time::Date;

use common::{backends, rightsdesk_cli, TestApp};
use rightsdesk::app::import::{self, ImportOptions};
use rightsdesk::domain::import_row::ImportKind;
use rightsdesk::import_file::Format;

/// Every clock in the fixtures starts here.
const T0: &str = "2026-01-10 15:30:00";
const T0_DAY: Date = date!(2026 - 01 - 10);

fn import(app: &TestApp, kind: ImportKind, lines: &[Value]) {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    import::run(
        &app.ctx,
        Cursor::new(body.into_bytes()),
        &ImportOptions {
            kind,
            format: Format::Ndjson,
            strict: true,
            dry_run: false,
            batch_size: 100,
        },
        &mut |bad| panic!("rejected {bad:?}"),
    )
    .expect("import");
}

/// Data of every class, each clock started at T0.
async fn fixtures(app: &TestApp) {
    import(
        app,
        ImportKind::Subjects,
        &[
            json!({"email": "gone@example.org", "cancelled_at": "2026-01-10T15:30:00Z"}),
            json!({"email": "held@example.org", "cancelled_at": "2026-01-10T15:30:00Z"}),
        ],
    );
    import(
        app,
        ImportKind::Records,
        &[
            json!({"email": "gone@example.org", "source": "web", "source_id": "g-reg", "category": "registration", "payload": {"u": "g"}}),
            json!({"email": "held@example.org", "source": "web", "source_id": "h-reg", "category": "registration", "payload": {"u": "h"}}),
            json!({"email": "gone@example.org", "source": "forum", "source_id": "g-post", "category": "content",
                   "removed_at": "2026-01-10T15:30:00Z", "payload": {"post": "x"}}),
            json!({"email": "gone@example.org", "source": "crm", "source_id": "g-profile", "category": "profile", "payload": {"n": 1}}),
            json!({"email": "gone@example.org", "source": "crm", "source_id": "g-active", "category": "profile", "payload": {"n": 2}}),
        ],
    );
    app.execute(&format!(
        "UPDATE personal_records SET state = 'erased', erased_at = '{T0}', retention_from = '{T0}' \
         WHERE id = (SELECT MIN(id) FROM personal_records WHERE retention_class = 'erased_records')"
    ));
    // One unverified request, one closed request, with their links and mail.
    app.submit("access", &[("email", "never@example.org")])
        .await;
    let token = app
        .submit_and_verify("erasure", "closed@example.org", "in")
        .await;
    let _ = token;
    app.execute(&format!(
        "UPDATE requests SET received_at = '{T0}' WHERE email = 'never@example.org'"
    ));
    app.force_status("closed@example.org", "withdrawn");
    app.execute(&format!(
        "UPDATE requests SET closed_at = '{T0}' WHERE email = 'closed@example.org'"
    ));
    app.wait_for_mails(3).await;
    app.execute(&format!("UPDATE link_tokens SET expires_at = '{T0}'"));
    app.execute(&format!(
        "UPDATE mail_outbox SET sent_at = '{T0}' WHERE sent_at IS NOT NULL"
    ));
}

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

fn day(offset: i64) -> String {
    (T0_DAY + time::Duration::days(offset)).to_string()
}

/// Row counts of every table the purge touches, and the audit trail's length.
fn snapshot(app: &TestApp) -> Vec<i64> {
    [
        "subjects",
        "personal_records",
        "requests",
        "request_messages",
        "link_tokens",
        "mail_outbox",
        "data_packages",
        "officer_sessions",
        "audit_events",
        "requests WHERE wiped_at IS NOT NULL",
    ]
    .iter()
    .map(|t| app.count(t))
    .collect()
}

#[tokio::test]
async fn every_class_keeps_on_its_last_day_and_goes_the_day_after() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        fixtures(&app).await;
        let due = |report: &Value, class: &str| report["classes"][class]["due"].as_i64().unwrap();

        // (class, items, period in days; case files: 24 calendar months from T0)
        let case_file_day = (date!(2028 - 01 - 10) - T0_DAY).whole_days();
        let sent = app.count("mail_outbox WHERE sent_at IS NOT NULL");
        assert!(sent >= 2, "[{backend}] mail was sent");
        for (class, items, period) in [
            ("registration", 2, 180),
            ("removed_content", 1, 180),
            ("erased_records", 1, 180),
            ("unverified_requests", 1, 7),
            ("closed_case_files", 1, case_file_day),
            ("sent_mail", sent, 30),
        ] {
            let before = snapshot(&app);
            let keep = purge(&app, &["--dry-run", "--as-of", &day(period - 1)]);
            assert_eq!(due(&keep, class), 0, "[{backend}] {class} on its last day");
            assert_eq!(keep["dry_run"], json!(true), "[{backend}]");
            let go = purge(&app, &["--dry-run", "--as-of", &day(period + 1)]);
            assert_eq!(due(&go, class), items, "[{backend}] {class} the day after");
            assert_eq!(
                snapshot(&app),
                before,
                "[{backend}] a dry run changes nothing"
            );
        }
        let links = app.count("link_tokens");
        let keep = purge(&app, &["--dry-run", "--as-of", &day(-1)]);
        assert_eq!(due(&keep, "link_tokens"), 0, "[{backend}]");
        let go = purge(&app, &["--dry-run", "--as-of", &day(1)]);
        assert_eq!(due(&go, "link_tokens"), links, "[{backend}]");

        // A hold on one subject keeps its registration data past its time.
        let held_subject: String = {
            use rightsdesk::store::schema::personal_records::dsl;
            dsl::personal_records
                .filter(dsl::retention_class.eq("registration"))
                .order(dsl::id.desc())
                .select(dsl::subject_id)
                .first(&mut *app.conn())
                .unwrap()
        };
        app.execute(&format!(
            "INSERT INTO legal_holds (id, scope, target_id, order_reference, reason, placed_by, placed_at, expires_on) \
             VALUES ('hold-1', 'subject', '{held_subject}', 'HC-9', 'order', 'test', '{T0}', '2026-08-31')"
        ));

        // The real purge, on day 181.
        let events = app.count("audit_events");
        let report = purge(&app, &["--as-of", &day(181)]);
        let class = |name: &str| report["classes"][name].clone();
        assert_eq!(
            class("registration"),
            json!({"due": 2, "purged": 1, "held": 1}),
            "[{backend}]"
        );
        assert_eq!(
            class("removed_content"),
            json!({"due": 1, "purged": 1, "held": 0}),
            "[{backend}]"
        );
        assert_eq!(
            class("erased_records"),
            json!({"due": 1, "purged": 1, "held": 0}),
            "[{backend}]"
        );
        assert_eq!(
            class("unverified_requests"),
            json!({"due": 1, "purged": 1, "held": 0}),
            "[{backend}]"
        );
        assert_eq!(
            class("closed_case_files"),
            json!({"due": 0, "purged": 0, "held": 0}),
            "[{backend}]"
        );
        assert_eq!(report["dry_run"], json!(false), "[{backend}]");
        // One event per personal item, one per batch of housekeeping.
        let per_item = 4;
        let housekeeping = ["link_tokens", "sent_mail", "sessions", "data_packages"]
            .iter()
            .filter(|c| class(c)["purged"].as_i64().unwrap() > 0)
            .count() as i64;
        assert_eq!(
            app.count("audit_events") - events,
            per_item + housekeeping,
            "[{backend}]"
        );
        assert_eq!(
            app.count("personal_records"),
            2,
            "[{backend}] the held record and the active one stay"
        );
        assert_eq!(
            app.count("requests WHERE email = 'never@example.org'"),
            0,
            "[{backend}]"
        );
        app.assert_counts_match();

        // Idempotent: a second run on the same day purges nothing and audits nothing.
        let before = snapshot(&app);
        let again = purge(&app, &["--as-of", &day(181)]);
        assert!(
            again["classes"]
                .as_object()
                .unwrap()
                .values()
                .all(|c| c["purged"] == json!(0)),
            "[{backend}] {again}"
        );
        assert_eq!(
            snapshot(&app),
            before,
            "[{backend}] a second run changes nothing"
        );

        // The hold's expiry releases it.
        let after_expiry = purge(&app, &["--as-of", "2026-09-01"]);
        assert_eq!(
            after_expiry["classes"]["registration"]["purged"],
            json!(1),
            "[{backend}]"
        );

        // Two years after closing, the case file keeps only its statistics stub.
        let report = purge(&app, &["--as-of", &day(case_file_day + 1)]);
        assert_eq!(
            report["classes"]["closed_case_files"]["purged"],
            json!(1),
            "[{backend}]"
        );
        let stub: (String, String, String, Option<String>) = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::wiped_at.is_not_null())
                .select((dsl::kind, dsl::email, dsl::full_name, dsl::outcome))
                .first(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(
            (stub.0.as_str(), stub.1.as_str(), stub.2.as_str()),
            ("erasure", "", ""),
            "[{backend}]"
        );
        assert_eq!(app.count("request_messages"), 0, "[{backend}]");
        let verify = rightsdesk_cli(app.dir.path(), app.database_url(), &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        app.assert_no_server_errors();
    }
}

#[test]
fn purge_refuses_a_bad_date_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let out = rightsdesk_cli(dir.path(), &url, &["purge", "--as-of", "2026-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected a date like 2026-07-01"));
    let out = rightsdesk_cli(dir.path(), &url, &["purge", "--dry-run"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("dry run: nothing was changed"));
}
