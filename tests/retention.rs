//! The retention engine: `rightsdesk purge` run as an operator (or the scheduler) would,
//! travelling in time with `--as-of`, on both backends.

mod common;

use diesel::prelude::*;
use serde_json::{json, Value};
use time::macros::date;
use time::Date;

use common::{backends, rightsdesk_cli, TestApp};
use rightsdesk::domain::import_row::ImportKind;

/// Every clock in the fixtures starts here.
const T0: &str = "2026-01-10 15:30:00";
const T0_DAY: Date = date!(2026 - 01 - 10);

fn import(app: &TestApp, kind: ImportKind, lines: &[Value]) {
    app.import_lines(kind, lines, true, 100);
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
        "UPDATE requests SET received_at = '{T0}' WHERE {}",
        app.email_is("never@example.org")
    ));
    app.force_status("closed@example.org", "withdrawn");
    app.execute(&format!(
        "UPDATE requests SET closed_at = '{T0}' WHERE {}",
        app.email_is("closed@example.org")
    ));
    app.wait_for_mails(3).await;
    // A data package, fulfilled by an officer whose session then expires too.
    let pkg_token = app
        .submit_and_verify("access", "pkg@example.org", "in")
        .await;
    let _ = pkg_token;
    let pkg_reference: String = {
        use rightsdesk::store::schema::requests::dsl;
        dsl::requests
            .filter(dsl::email_index.eq(app.email_index("pkg@example.org")))
            .select(dsl::reference)
            .first(&mut *app.conn())
            .unwrap()
    };
    let admin = app.signed_in_admin("fixtures@example.org").await;
    let response = admin
        .act(
            &pkg_reference,
            &[("action", "fulfil"), ("message", "Your data.")],
        )
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    app.wait_for_mails(6).await;
    app.execute(&format!("UPDATE data_packages SET expires_at = '{T0}'"));
    app.execute(&format!("UPDATE officer_sessions SET expires_at = '{T0}'"));
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
        // Expired things go the day after they expire.
        for (class, table) in [
            ("link_tokens", "link_tokens"),
            ("data_packages", "data_packages"),
            ("sessions", "officer_sessions"),
        ] {
            let items = app.count(table);
            assert!(items > 0, "[{backend}] {class} fixtures");
            let keep = purge(&app, &["--dry-run", "--as-of", &day(-1)]);
            assert_eq!(due(&keep, class), 0, "[{backend}] {class}");
            let go = purge(&app, &["--dry-run", "--as-of", &day(1)]);
            assert_eq!(due(&go, class), items, "[{backend}] {class}");
        }

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
        // One event per personal item (four records and requests, one package), one per
        // batch of housekeeping.
        assert_eq!(
            class("data_packages"),
            json!({"due": 1, "purged": 1, "held": 0}),
            "[{backend}]"
        );
        let per_item = 5;
        let housekeeping = ["link_tokens", "sent_mail", "sessions"]
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
            app.count(&format!(
                "requests WHERE {}",
                app.email_is("never@example.org")
            )),
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
        assert_eq!(
            app.count("request_messages WHERE request_id IN (SELECT id FROM requests WHERE wiped_at IS NOT NULL)"),
            0,
            "[{backend}] the wiped file's messages are gone"
        );
        assert_eq!(
            app.count("request_messages"),
            1,
            "[{backend}] the fulfilled access request's stay"
        );
        let verify = rightsdesk_cli(app.dir.path(), app.database_url(), &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "[{backend}] {}: {}{}",
            verify.status,
            String::from_utf8_lossy(&verify.stdout),
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

#[tokio::test]
async fn admins_and_auditors_see_what_is_due_and_the_holds_in_force() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        fixtures(&app).await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let reference: String = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::email_index.eq(app.email_index("closed@example.org")))
                .select(dsl::reference)
                .first(&mut *app.conn())
                .unwrap()
        };
        let response = admin
            .act(
                &reference,
                &[
                    ("action", "hold"),
                    ("order_reference", "ORDER-77"),
                    ("reason", "Regulator inquiry"),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::SEE_OTHER,
            "[{backend}]"
        );

        let html = admin.get("/officer/retention").await.text().await.unwrap();
        assert!(
            html.contains(r#"href="/officer/retention""#),
            "[{backend}] the nav links it"
        );
        let row = |class: &str| {
            let start = html
                .find(&format!("<th scope=\"row\">{class}</th>"))
                .expect(class);
            html[start..start + html[start..].find("</tr>").unwrap()].to_string()
        };
        // Ten months after T0: registration data, removed content and erased records are
        // past their 180 days; the unverified request past its 7.
        assert!(
            row("registration").contains("<td>2</td>"),
            "[{backend}] {}",
            row("registration")
        );
        assert!(
            row("unverified requests").contains("<td>1</td>"),
            "[{backend}]"
        );
        assert!(
            row("closed case files").contains("kept 24 months after the request is closed"),
            "[{backend}]"
        );
        assert!(html.contains("ORDER-77"), "[{backend}]");
        assert!(
            html.contains(&format!(r#"href="/officer/requests/{reference}""#)),
            "[{backend}]"
        );

        let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
        assert_eq!(
            auditor.get("/officer/retention").await.status(),
            200,
            "[{backend}]"
        );
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
        let refused = officer.get("/officer/retention").await;
        assert_eq!(refused.status(), 403, "[{backend}]");
        let queue = officer.get("/officer/queue").await.text().await.unwrap();
        assert!(
            !queue.contains(r#"href="/officer/retention""#),
            "[{backend}] no link for officers"
        );

        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("180 days, then deleted"), "[{backend}]");
        assert!(
            home.contains("personal details removed after 24 months"),
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

/// `count` records of cancelled accounts, all due for purging after day 180.
fn many_due_records(app: &TestApp, count: usize) {
    let subjects: Vec<Value> = (0..count / 4)
        .map(|i| json!({"email": format!("bulk{i}@example.org"), "cancelled_at": "2026-01-10T15:30:00Z"}))
        .collect();
    import(app, ImportKind::Subjects, &subjects);
    let records: Vec<Value> = (0..count)
        .map(|i| {
            json!({"email": format!("bulk{}@example.org", i / 4), "source": "web", "source_id": i,
                   "category": "registration", "payload": {"i": i}})
        })
        .collect();
    app.import_lines(ImportKind::Records, &records, false, 5000);
}

fn record_ids(app: &TestApp) -> std::collections::BTreeSet<String> {
    use rightsdesk::store::schema::personal_records::dsl;
    dsl::personal_records
        .select(dsl::id)
        .load::<String>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .collect()
}

/// The records each `retention.purged` event names, in order.
fn purged_targets(app: &TestApp) -> Vec<String> {
    use rightsdesk::store::schema::audit_events::dsl;
    dsl::audit_events
        .filter(dsl::action.eq("retention.purged"))
        .filter(dsl::target.like("record:%"))
        .order(dsl::pos.asc())
        .select(dsl::target)
        .load::<String>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .map(|t| t.trim_start_matches("record:").to_string())
        .collect()
}

fn purge_command(app: &TestApp, batch: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rightsdesk"));
    command
        .args([
            "purge",
            "--as-of",
            "2026-07-10",
            "--format",
            "json",
            "--batch-size",
            batch,
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("RIGHTSDESK_DATA_DIR", app.dir.path().join("data"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}

#[tokio::test]
async fn a_purge_killed_midway_leaves_nothing_deleted_unaudited_and_a_rerun_finishes() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let total = 8000;
        many_due_records(&app, total);
        let before = record_ids(&app);
        assert_eq!(before.len(), total, "[{backend}]");

        let mut child = purge_command(&app, "50").spawn().expect("start purge");
        let started = std::time::Instant::now();
        loop {
            let left = app.count("personal_records") as usize;
            if left < total - 500 {
                break;
            }
            assert!(
                started.elapsed().as_secs() < 60,
                "[{backend}] the purge made no progress"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL the purge");
        let status = child.wait().unwrap();
        assert!(!status.success(), "[{backend}] killed, not finished");
        let left = record_ids(&app);
        assert!(
            !left.is_empty() && left.len() < total,
            "[{backend}] killed midway: {} left",
            left.len()
        );
        let deleted: std::collections::BTreeSet<String> =
            before.difference(&left).cloned().collect();
        let audited = purged_targets(&app);
        let audited_set: std::collections::BTreeSet<String> = audited.iter().cloned().collect();
        assert_eq!(
            audited.len(),
            audited_set.len(),
            "[{backend}] no item audited twice"
        );
        assert_eq!(
            audited_set, deleted,
            "[{backend}] every deleted record audited, nothing else"
        );

        let rerun = purge_command(&app, "1000").output().unwrap();
        assert!(
            rerun.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&rerun.stderr)
        );
        assert_eq!(app.count("personal_records"), 0, "[{backend}]");
        let audited = purged_targets(&app);
        assert_eq!(audited.len(), total, "[{backend}] one event per record");
        let audited_set: std::collections::BTreeSet<String> = audited.into_iter().collect();
        assert_eq!(audited_set, before, "[{backend}]");
        let verify = rightsdesk_cli(app.dir.path(), app.database_url(), &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "[{backend}] {}: {}{}",
            verify.status,
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn two_purges_at_once_take_every_item_exactly_once() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let total = 4000;
        many_due_records(&app, total);
        let before = record_ids(&app);
        let first = purge_command(&app, "100").spawn().unwrap();
        let second = purge_command(&app, "100").spawn().unwrap();
        let outputs = [
            first.wait_with_output().unwrap(),
            second.wait_with_output().unwrap(),
        ];
        let mut purged = 0;
        for output in &outputs {
            assert!(
                output.status.success(),
                "[{backend}] {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let report: Value = serde_json::from_slice(&output.stdout).unwrap();
            purged += report["classes"]["registration"]["purged"]
                .as_i64()
                .unwrap();
        }
        assert_eq!(
            purged, total as i64,
            "[{backend}] the two runs' counts add up"
        );
        assert_eq!(app.count("personal_records"), 0, "[{backend}]");
        let audited = purged_targets(&app);
        assert_eq!(audited.len(), total, "[{backend}] one audit event per item");
        let audited_set: std::collections::BTreeSet<String> = audited.into_iter().collect();
        assert_eq!(audited_set, before, "[{backend}]");
        let verify = rightsdesk_cli(app.dir.path(), app.database_url(), &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "[{backend}] {}: {}{}",
            verify.status,
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_scheduler_purges_on_its_interval_and_one_instance_runs_at_a_time() {
    for backend in backends() {
        let app =
            TestApp::spawn_with(&backend, &[("RIGHTSDESK_PURGE_INTERVAL_SECS", "1")], true).await;
        fixtures(&app).await;
        let ctx = app.ctx.clone();

        if let common::Backend::Postgres(_) = &backend {
            // Another instance's run holds the lock: this one skips its turn.
            let mut other = app.conn();
            let other_conn: &mut rightsdesk::store::DbConn = &mut other;
            assert!(rightsdesk::store::retention::try_lock_run(&mut *other_conn).unwrap());
            let worker = ctx.clone();
            let skipped = tokio::task::spawn_blocking(move || {
                rightsdesk::jobs::retention::purge_once(&worker)
            })
            .await
            .unwrap()
            .unwrap();
            assert_eq!(
                skipped, None,
                "[{backend}] skipped while another run holds the lock"
            );
            assert!(app.count("link_tokens") > 0, "[{backend}]");
            rightsdesk::store::retention::unlock_run(&mut *other_conn).unwrap();
        }

        // The job inside serve: expired links go within a few intervals.
        tokio::spawn(rightsdesk::jobs::retention::run(ctx));
        let started = std::time::Instant::now();
        while app.count("link_tokens") > 0 {
            assert!(
                started.elapsed().as_secs() < 15,
                "[{backend}] the scheduled purge did not run"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // Ten months after T0 the 180-day classes have gone too.
        assert_eq!(
            app.count("personal_records WHERE retention_class = 'registration'"),
            0,
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_request_confirmed_while_the_purge_runs_is_kept_and_counted_once() {
    use diesel::connection::SimpleConnection;
    for backend in backends() {
        // Only PostgreSQL lets a confirmation and a purge run at once.
        if backend == common::Backend::Sqlite {
            continue;
        }
        let app = TestApp::spawn(&backend).await;
        for email in ["late@example.org", "never@example.org"] {
            let response = app.submit("access", &[("email", email)]).await;
            assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
        }
        app.execute(&format!("UPDATE requests SET received_at = '{T0}'"));

        // The requester confirms in the last moment: the confirmation has changed the
        // request and its counts, and not yet committed, when the purge picks its batch.
        let mut confirming = diesel::PgConnection::establish(app.database_url()).unwrap();
        #[derive(QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let confirmation = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(&mut confirming)
            .unwrap()
            .pid;
        confirming
            .batch_execute(&format!(
                "BEGIN; \
                 UPDATE requests SET status = 'open', version = version + 1 WHERE {}; \
                 UPDATE request_counts SET n = n - 1 WHERE regime = 'in' AND status = 'unverified' AND shard = 0; \
                 UPDATE request_counts SET n = n + 1 WHERE regime = 'in' AND status = 'open' AND shard = 0;",
                app.email_is("late@example.org")
            ))
            .unwrap();
        let mut purge = purge_command(&app, "100").spawn().unwrap();
        let mut watching = app.conn();
        let started = std::time::Instant::now();
        // Until the purge is done, or waits for the confirmation. (Other tests' purges run
        // in other schemas: their advisory locks are other locks.)
        while purge.try_wait().unwrap().is_none() {
            let blocked = common::count_on(
                &mut watching,
                &format!("pg_stat_activity WHERE {confirmation} = ANY(pg_blocking_pids(pid))"),
            );
            if blocked > 0 {
                break;
            }
            assert!(
                started.elapsed().as_secs() < 120,
                "[{backend}] the purge neither finished nor waited"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        confirming.batch_execute("COMMIT").unwrap();
        let output = purge.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            app.count(&format!(
                "requests WHERE {}",
                app.email_is("late@example.org")
            )),
            1,
            "[{backend}] the confirmed request stays"
        );
        assert_eq!(
            app.count(&format!(
                "requests WHERE {}",
                app.email_is("never@example.org")
            )),
            0,
            "[{backend}] the unconfirmed one goes"
        );
        app.assert_no_server_errors();
    }
}
