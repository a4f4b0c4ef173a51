//! Nothing personal is readable at rest: after a submission, an officer's question, the
//! requester's reply, a hold and the mail going out, the database's raw bytes hold none of
//! the requester's name, email, details or any link token; the queue's email search and the
//! lost-link lookup still find the request; `rekey` moves everything to a new key, after
//! which the portal serves with the old key gone; a killed `rekey` resumes; the audit log
//! made under the old key verifies without it through the rotation seal `rekey` wrote, and
//! an old event edited afterwards still fails.

mod common;

use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::StatusCode;

use common::deployed::{command, rightsdesk_command, Deployed};
use common::{backends, link_token, Backend, TestApp};

const NAME: &str = "Zebulon Quillfeather";
const EMAIL: &str = "zebulon.quill@example.org";
const DETAILS: &str = "Delete everything about my Quillfeather account";
const REPLY: &str = "My username there is zquill-77";
const ORDER: &str = "HC-QUILL-2026-9";
const NEW_KEY: &str = "a-brand-new-secret-key-for-the-rekey-test-0001";

/// Submits with distinctive personal fields and confirms; returns the status token.
async fn submit_and_confirm(app: &TestApp) -> String {
    let earlier: Vec<_> = app.mails().into_iter().map(|m| m.file).collect();
    let response = app
        .submit(
            "erasure",
            &[("full_name", NAME), ("email", EMAIL), ("details", DETAILS)],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "[{}]",
        app.backend
    );
    let mail = app.wait_for_new_mail(EMAIL, "/verify/", &earlier).await;
    let verify = link_token(&mail.body, "/verify/").expect("verify link");
    let csrf = app.csrf_from(&format!("/verify/{verify}")).await;
    let response = app
        .post_form(&format!("/verify/{verify}"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "[{}]",
        app.backend
    );
    let status = app.wait_for_mail(EMAIL, "/status/").await;
    link_token(&status.body, "/status/").expect("status link")
}

fn reference_of(app: &TestApp) -> String {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::email_index.eq(app.email_index(EMAIL)))
        .select(dsl::reference)
        .first(&mut *app.conn())
        .expect("the request, found by its blind index")
}

/// Every link token in every mail written so far.
fn all_tokens(app: &TestApp) -> Vec<String> {
    let mut tokens = Vec::new();
    for mail in app.mails() {
        for prefix in ["/verify/", "/status/", "/downloads/"] {
            if let Some(token) = link_token(&mail.body, prefix) {
                tokens.push(token);
            }
        }
    }
    tokens
}

/// The database as bytes: the SQLite file and its WAL, or every text value of every table
/// of the test's PostgreSQL schema.
fn raw_database(app: &TestApp) -> Vec<u8> {
    match &app.backend {
        Backend::Sqlite => {
            let path = app
                .database_url()
                .strip_prefix("sqlite://")
                .expect("a SQLite URL")
                .to_string();
            let mut bytes = std::fs::read(&path).expect("the database file");
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend(wal);
            }
            bytes
        }
        Backend::Postgres(_) => {
            #[derive(QueryableByName)]
            struct Column {
                #[diesel(sql_type = diesel::sql_types::Text)]
                table_name: String,
                #[diesel(sql_type = diesel::sql_types::Text)]
                column_name: String,
            }
            #[derive(QueryableByName)]
            struct Value {
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
                v: Option<String>,
            }
            let mut conn = app.conn();
            let columns: Vec<Column> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND data_type IN ('text', 'character varying', 'bytea')",
            )
            .load(&mut *conn)
            .expect("the text columns");
            assert!(!columns.is_empty(), "no columns found to scan");
            let mut bytes = Vec::new();
            for c in columns {
                let values: Vec<Value> = diesel::sql_query(format!(
                    "SELECT encode(convert_to(\"{}\"::text, 'UTF8'), 'escape') AS v FROM \"{}\"",
                    c.column_name, c.table_name
                ))
                .load(&mut *conn)
                .unwrap_or_default();
                for value in values.into_iter().filter_map(|v| v.v) {
                    bytes.extend(value.into_bytes());
                    bytes.push(b'\n');
                }
            }
            bytes
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn assert_nothing_readable(app: &TestApp, tokens: &[String]) {
    let bytes = raw_database(app);
    for needle in [NAME, EMAIL, DETAILS, REPLY, ORDER] {
        assert!(
            !contains(&bytes, needle),
            "[{}] {needle:?} is readable in the database",
            app.backend
        );
    }
    for token in tokens {
        assert!(
            !contains(&bytes, token),
            "[{}] a link token is readable in the database",
            app.backend
        );
    }
}

/// Waits until the outbox holds no unsent mail.
async fn wait_for_outbox_sent(app: &TestApp) {
    let started = Instant::now();
    while app.count("mail_outbox WHERE sent_at IS NULL") > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "[{}] mail stays unsent",
            app.backend
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The request's casework: a question, a reply, a hold; every mail sent.
async fn casework(app: &TestApp, token: &str) -> String {
    let reference = reference_of(app);
    let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
    let asked = officer
        .act(
            &reference,
            &[("action", "ask_requester"), ("message", "Which account?")],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER, "[{}]", app.backend);
    let csrf = app.csrf_from(&format!("/status/{token}")).await;
    let replied = app
        .post_form(
            &format!("/status/{token}/reply"),
            &[("message", REPLY), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(replied.status(), StatusCode::SEE_OTHER, "[{}]", app.backend);
    let held = officer
        .act(
            &reference,
            &[
                ("action", "hold"),
                ("order_reference", ORDER),
                ("reason", "Court order to preserve"),
            ],
        )
        .await;
    assert_eq!(held.status(), StatusCode::SEE_OTHER, "[{}]", app.backend);
    // The queue's exact-email search finds the request through its blind index.
    let queue = officer
        .get(&format!(
            "/officer/queue?status=all&q={}",
            EMAIL.replace('@', "%40")
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        queue.contains(&reference),
        "[{}] the email search finds it",
        app.backend
    );
    let detail = officer
        .get(&format!("/officer/requests/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        detail.contains(NAME),
        "[{}] the request page shows the opened name",
        app.backend
    );
    assert!(
        detail.contains(ORDER),
        "[{}] and the opened hold",
        app.backend
    );
    reference
}

#[tokio::test]
async fn personal_data_and_links_are_not_readable_at_rest() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = submit_and_confirm(&app).await;
        let reference = casework(&app, &token).await;
        wait_for_outbox_sent(&app).await;

        // The lost-link lookup matches the email and sends a fresh link.
        let earlier: Vec<_> = app.mails().into_iter().map(|m| m.file).collect();
        let csrf = app.csrf_from("/status/lookup").await;
        let looked_up = app
            .post_form(
                "/status/lookup",
                &[
                    ("email", EMAIL),
                    ("reference", &reference),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert!(looked_up.status().is_success() || looked_up.status().is_redirection());
        let fresh = app.wait_for_new_mail(EMAIL, "/status/", &earlier).await;
        let fresh = link_token(&fresh.body, "/status/").expect("a fresh status link");
        assert_ne!(fresh, token, "[{backend}]");
        wait_for_outbox_sent(&app).await;

        // The status page, by the fresh link (the lookup retires older ones), shows the
        // reply, opened.
        let page = app
            .get(&format!("/status/{fresh}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(REPLY), "[{backend}] the reply is shown");

        let tokens = all_tokens(&app);
        assert!(
            tokens.len() >= 3,
            "[{backend}] verify, status and lookup links"
        );
        assert_nothing_readable(&app, &tokens);
        app.assert_no_server_errors();
    }
}

fn old_key(app: &TestApp) -> String {
    std::fs::read_to_string(app.dir.path().join("data").join("secret_key"))
        .expect("the generated key")
        .trim()
        .to_string()
}

/// Runs `rightsdesk` on the app's database under the new key, the old one still known.
fn rekey(app: &TestApp, args: &[&str]) -> String {
    let old = old_key(app);
    let env = [
        ("DATABASE_URL", app.database_url()),
        ("RIGHTSDESK_SECRET_KEY", NEW_KEY),
        ("RIGHTSDESK_PREVIOUS_SECRET_KEYS", old.as_str()),
        ("RUST_LOG", "warn"),
    ];
    let output = rightsdesk_command(&app.dir.path().join("next"), &env, args);
    assert!(
        output.status.success(),
        "[{}] {args:?}: {}",
        app.backend,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// `rightsdesk` on the app's database with the new key alone (the old one retired).
fn with_new_key_only(app: &TestApp, args: &[&str]) -> std::process::Output {
    let env = [
        ("DATABASE_URL", app.database_url()),
        ("RIGHTSDESK_SECRET_KEY", NEW_KEY),
        ("RUST_LOG", "warn"),
    ];
    rightsdesk_command(&app.dir.path().join("next"), &env, args)
}

/// `audit verify` with the new key alone must fail in one line naming `needle`.
fn verify_fails_without_old_key(app: &TestApp, needle: &str) {
    let output = with_new_key_only(app, &["audit", "verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "[{}] {stderr}", app.backend);
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "[{}] {stderr}",
        app.backend
    );
    assert!(stderr.contains(needle), "[{}] {stderr}", app.backend);
}

/// Sets an old-era event's column to `value` (`NULL` for nothing) and returns what it held.
fn set_event_column(app: &TestApp, seq: i64, column: &str, value: &str) -> String {
    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let mut conn = app.conn();
    let held: Held = diesel::sql_query(format!(
        "SELECT {column} AS value FROM audit_events WHERE seq = {seq}"
    ))
    .get_result(&mut conn)
    .expect("the event");
    diesel::sql_query(format!(
        "UPDATE audit_events SET {column} = '{}' WHERE seq = {seq}",
        value.replace('\'', "''")
    ))
    .execute(&mut conn)
    .expect("edit the event");
    held.value
}

/// The count a `rekey --dry-run` line gives a table.
fn stale(dry_run: &str, table: &str) -> i64 {
    dry_run
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(table)).then(|| words.next()?.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no count for {table} in {dry_run}"))
}

/// Requests stored straight through the store under the app's (old) key, for volume.
fn many_requests(app: &TestApp, count: usize) {
    use rightsdesk::store::requests::{self, NewRequest};
    let now = rightsdesk::store::time::to_db(time::OffsetDateTime::now_utc());
    let mut conn = app.conn();
    for n in 0..count {
        requests::insert(
            &mut conn,
            &app.ctx.keyring,
            &NewRequest {
                id: uuid::Uuid::now_v7().to_string(),
                reference: format!("RD-{:04}-{:04}", n / 10_000, n % 10_000),
                kind: "access".into(),
                regime: "in".into(),
                status: "unverified".into(),
                full_name: format!("Bulk Person {n}"),
                email: format!("bulk{n}@example.org"),
                account_ref: None,
                details: "Bulk details".into(),
                correction: None,
                purposes: None,
                content_removal: false,
                received_at: now,
                acknowledge_due_at: None,
                due_at: now,
                version: 1,
                updated_at: now,
                effective_due_at: now,
            },
        )
        .expect("insert a request");
    }
}

/// A webhook endpoint and one queued event for it, sealed under the app's (old) key; returns
/// the endpoint's id and its secret's text.
fn webhook_rows(app: &TestApp) -> (rightsdesk::domain::ids::WebhookEndpointId, String) {
    use rightsdesk::domain::webhook::{
        EndpointUrl, EventType, EventTypes, SigningSecret, WebhookEvent,
    };
    use rightsdesk::store::webhook_endpoints::{self, Endpoint};
    let endpoint = Endpoint {
        id: rightsdesk::domain::ids::WebhookEndpointId::new(),
        url: EndpointUrl::parse("https://crm.example.org/hooks").unwrap(),
        event_types: EventTypes::parse(["request.created"]).unwrap(),
        personal_data: true,
        enabled: true,
        created_at: time::OffsetDateTime::now_utc(),
    };
    let secret = SigningSecret::from_random([9; 32]);
    let mut conn = app.conn();
    webhook_endpoints::insert(&mut conn, &app.ctx.keyring, &endpoint, &secret).unwrap();
    let mut personal = serde_json::Map::new();
    personal.insert("email".into(), EMAIL.into());
    let event = WebhookEvent {
        event_type: EventType::RequestCreated,
        at: time::OffsetDateTime::now_utc(),
        data: serde_json::Map::new(),
        personal,
    };
    rightsdesk::app::webhooks::enqueue::enqueue(&mut conn, &app.ctx.keyring, &event).unwrap();
    (endpoint.id, secret.to_text())
}

#[tokio::test]
async fn rekey_moves_everything_to_the_new_key_and_the_old_key_can_go() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let token = submit_and_confirm(&app).await;
        let reference = casework(&app, &token).await;
        wait_for_outbox_sent(&app).await;
        many_requests(&app, 400);
        let (endpoint, secret) = webhook_rows(&app);
        // The audit log so far is sequenced and checkpointed under the old key.
        rightsdesk::app::audit::sequence_pending(
            &app.ctx,
            rightsdesk::app::audit::DEFAULT_BATCH,
            Duration::from_secs(10),
            || false,
        )
        .expect("sequence under the old key");
        let old_audit_key = rightsdesk::domain::audit::AuditKeys::new(
            &rightsdesk::crypto::SecretKey::from_text(&old_key(&app)).unwrap(),
            &[],
        )
        .current()
        .id()
        .to_string();
        let old_era = app.count(&format!("audit_events WHERE key_id = '{old_audit_key}'"));
        assert!(
            old_era >= 3,
            "[{backend}] {old_era} events under the old key"
        );
        // Without the old key and before any rotation seal, verify names the missing key.
        verify_fails_without_old_key(&app, &old_audit_key);

        let before = rekey(&app, &["rekey", "--dry-run"]);
        assert_eq!(
            stale(&before, "webhook_endpoints"),
            1,
            "[{backend}] {before}"
        );
        assert_eq!(
            stale(&before, "webhook_deliveries"),
            1,
            "[{backend}] {before}"
        );
        assert_eq!(stale(&before, "requests"), 401, "[{backend}] {before}");
        assert!(
            stale(&before, "request_messages") >= 2,
            "[{backend}] {before}"
        );
        assert_eq!(stale(&before, "legal_holds"), 1, "[{backend}] {before}");
        assert!(stale(&before, "mail_outbox") >= 2, "[{backend}] {before}");

        // A run killed part-way leaves whole batches under the new key and the rest under
        // the old; the next run finishes.
        let old = old_key(&app);
        let env = [
            ("DATABASE_URL", app.database_url()),
            ("RIGHTSDESK_SECRET_KEY", NEW_KEY),
            ("RIGHTSDESK_PREVIOUS_SECRET_KEYS", old.as_str()),
            ("RUST_LOG", "warn"),
        ];
        let mut child = command(&app.dir.path().join("next"), &env)
            .args(["rekey", "--batch-size", "1"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start rekey");
        let new_id = rightsdesk::vault::Keyring::new(
            &rightsdesk::crypto::SecretKey::from_text(NEW_KEY).unwrap(),
            &[],
        )
        .current_key_id()
        .to_string();
        let under_new = format!("requests WHERE seal_key_id = '{new_id}'");
        let started = Instant::now();
        while app.count(&under_new) == 0 && child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "[{backend}] rekey never started"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let killed = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        let midway = rekey(&app, &["rekey", "--dry-run"]);
        println!("[{backend}] after the kill: {midway}");
        if killed {
            let left = stale(&midway, "requests");
            assert!(
                left > 0 && left < 401,
                "[{backend}] killed part-way: {midway}"
            );
        }

        let done = rekey(&app, &["rekey", "--batch-size", "50"]);
        assert!(done.contains("re-sealed"), "[{backend}] {done}");
        assert!(
            done.contains("sealed under the current key"),
            "[{backend}] {done}"
        );
        assert_eq!(app.count("audit_rotation_seals"), 1, "[{backend}]");
        assert_eq!(
            app.count("audit_events WHERE action = 'audit.rotation_sealed'"),
            1,
            "[{backend}] the seal is audited once, however many runs"
        );
        if matches!(backend, Backend::Postgres(_)) {
            assert!(done.contains("vacuumed"), "[{backend}] {done}");
        }
        let after = rekey(&app, &["rekey", "--dry-run"]);
        for table in rightsdesk::store::reseal::TABLES {
            assert_eq!(stale(&after, table), 0, "[{backend}] {table}: {after}");
        }
        let new_only = rightsdesk::vault::Keyring::new(
            &rightsdesk::crypto::SecretKey::from_text(NEW_KEY).unwrap(),
            &[],
        );
        let opened =
            rightsdesk::store::webhook_endpoints::secret_of(&mut app.conn(), &new_only, endpoint)
                .unwrap()
                .unwrap();
        assert_eq!(
            opened.to_text(),
            secret,
            "[{backend}] the secret opens under the new key"
        );
        assert_eq!(
            app.count("audit_events WHERE action = 'vault.rekey_started'"),
            app.count("audit_events WHERE action = 'vault.rekey_finished'") + 1,
            "[{backend}] every run audits its start; the killed one never finished"
        );
        // The audit trail verifies with the old key still listed (its events were chained
        // under it).
        rekey(&app, &["audit", "verify"]);

        // The portal, with the new key alone, opens what the old key sealed.
        let serve_env = [
            ("DATABASE_URL", app.database_url()),
            ("RIGHTSDESK_SECRET_KEY", NEW_KEY),
            ("RIGHTSDESK_PUBLIC_URL", "http://rightsdesk.test"),
        ];
        let served = Deployed::start(&app.dir.path().join("served"), &serve_env).await;
        let page = reqwest::get(format!("{}/status/{token}", served.base_url()))
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "[{backend}]");
        let html = page.text().await.unwrap();
        assert!(
            html.contains(REPLY),
            "[{backend}] the reply opens under the new key"
        );
        // The officer signs in and finds the request by email (its blind index re-computed).
        let client = common::journey::browser();
        let signed_in = common::officer::sign_in_at(
            &served.base_url(),
            &client,
            "omar@example.org",
            common::officer::PASSWORD,
        )
        .await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let queue = client
            .get(format!(
                "{}/officer/queue?status=all&q={}",
                served.base_url(),
                EMAIL.replace('@', "%40")
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(queue.status(), StatusCode::OK, "[{backend}]");
        assert!(
            queue.text().await.unwrap().contains(&reference),
            "[{backend}] the queue finds it"
        );
        let (_, log) = served.terminate().await;
        assert!(!log.contains("sealed data"), "[{backend}] {log}");
        assert_nothing_readable(&app, &all_tokens(&app));

        // The audit log verifies with the old key gone: the old era through its rotation
        // seal, the events the server sequenced since under the new key.
        assert_eq!(
            app.count("audit_events WHERE seq IS NULL"),
            0,
            "[{backend}]"
        );
        let verified = with_new_key_only(&app, &["audit", "verify"]);
        assert!(
            verified.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&verified.stderr)
        );
        // An old event edited afterwards, or an old hash replaced along with its
        // successor's link to it, still fails; put back, it verifies again.
        let details = set_event_column(&app, 3, "details", "{\"edited\":true}");
        verify_fails_without_old_key(&app, "rotation seal");
        set_event_column(&app, 3, "details", &details);
        let forged = "ab".repeat(32);
        let hash = set_event_column(&app, 2, "hash", &forged);
        let link = set_event_column(&app, 3, "prev_hash", &forged);
        verify_fails_without_old_key(&app, "rotation seal");
        set_event_column(&app, 2, "hash", &hash);
        set_event_column(&app, 3, "prev_hash", &link);
        assert!(
            with_new_key_only(&app, &["audit", "verify"])
                .status
                .success(),
            "[{backend}]"
        );
    }
}

#[tokio::test]
async fn rows_written_before_sealing_are_read_and_then_sealed() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        // As a version before sealing wrote them: readable, no key id, no blind index.
        let id = uuid::Uuid::now_v7().to_string();
        app.execute(&format!(
            "INSERT INTO requests (id, reference, kind, regime, status, full_name, email, details, \
             received_at, due_at, effective_due_at, version, updated_at) \
             VALUES ('{id}', 'RD-OLD0-0001', 'access', 'in', 'unverified', '{NAME}', '{EMAIL}', \
             '{DETAILS}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, CURRENT_TIMESTAMP)"
        ));
        app.execute(&format!(
            "INSERT INTO request_messages (id, request_id, author, body, created_at) \
             VALUES ('m-{id}', '{id}', 'requester', '{REPLY}', CURRENT_TIMESTAMP)"
        ));
        let read = |app: &TestApp| {
            let mut conn = app.conn();
            let request = rightsdesk::store::requests::find_by_reference(
                &mut conn,
                &app.ctx.keyring,
                "RD-OLD0-0001",
            )
            .unwrap()
            .expect("the old request");
            let messages = rightsdesk::store::messages::list_for_request(
                &mut conn,
                &app.ctx.keyring,
                request.id,
            )
            .unwrap();
            (
                request.full_name,
                request.email,
                request.details,
                messages[0].body.clone(),
            )
        };
        let expected = (
            NAME.to_string(),
            EMAIL.to_string(),
            DETAILS.to_string(),
            REPLY.to_string(),
        );
        assert_eq!(read(&app), expected, "[{backend}] read as written");

        // `rekey` under the same key seals them (as `migrate` does on the upgrade).
        let key = old_key(&app);
        let env = [
            ("DATABASE_URL", app.database_url()),
            ("RIGHTSDESK_SECRET_KEY", key.as_str()),
            ("RUST_LOG", "warn"),
        ];
        let dir = app.dir.path().join("next");
        let dry = String::from_utf8_lossy(
            &rightsdesk_command(&dir, &env, &["rekey", "--dry-run"]).stdout,
        )
        .to_string();
        assert_eq!(stale(&dry, "requests"), 1, "[{backend}] {dry}");
        assert_eq!(stale(&dry, "request_messages"), 1, "[{backend}] {dry}");
        let output = rightsdesk_command(&dir, &env, &["rekey"]);
        assert!(
            output.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(read(&app), expected, "[{backend}] read once sealed");
        assert_eq!(
            reference_of(&app),
            "RD-OLD0-0001",
            "[{backend}] found by its blind index"
        );
        assert_nothing_readable(&app, &[]);
    }
}
