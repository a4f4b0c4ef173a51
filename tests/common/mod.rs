//! The test harness: spawns the real app (HTTP server, mail sender) on port 0 against a fresh
//! database, a temporary SQLite file or a fresh PostgreSQL schema, and offers one helper per
//! endpoint. Every response is recorded so that a test can assert no 5xx was ever served.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use rightsdesk::app::Context;
use rightsdesk::config::Settings;
use rightsdesk::mail::Mailer;
use rightsdesk::store::{self, DbConn};
use tempfile::TempDir;

pub mod api;
pub mod certs;
pub mod cluster;
pub mod deployed;
pub mod journey;
pub mod officer;
pub mod purgeable;
pub mod site;
pub mod smtp_sink;
pub mod webhook_receiver;

/// The audit events that record changes, for `count`: everything but officers' views of
/// request pages, which reading a page before posting to it adds.
pub const CHANGE_EVENTS: &str = "audit_events WHERE action <> 'request.viewed'";

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Sqlite => f.write_str("sqlite"),
            Backend::Postgres(_) => f.write_str("postgres"),
        }
    }
}

/// Runs the real binary against `database_url`, with nothing from the caller's environment
/// but `PATH`, logging warnings only.
pub fn rightsdesk_cli(dir: &Path, database_url: &str, args: &[&str]) -> std::process::Output {
    deployed::rightsdesk_command(
        dir,
        &[("DATABASE_URL", database_url), ("RUST_LOG", "warn")],
        args,
    )
}

/// SQLite always; PostgreSQL too when `RIGHTSDESK_TEST_POSTGRES` is set.
pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if let Ok(value) = std::env::var("RIGHTSDESK_TEST_POSTGRES") {
        if !value.is_empty() {
            let url = if value.starts_with("postgres://") || value.starts_with("postgresql://") {
                value
            } else {
                DEFAULT_POSTGRES.to_string()
            };
            backends.push(Backend::Postgres(url));
        }
    }
    backends
}

/// A fresh, empty database: its URL, and for PostgreSQL the schema to drop afterwards.
pub struct TestDatabase {
    pub url: String,
    cleanup: Option<(String, String)>,
}

impl TestDatabase {
    pub fn create(backend: &Backend, dir: &Path) -> TestDatabase {
        match backend {
            Backend::Sqlite => TestDatabase {
                url: format!("sqlite://{}", dir.join("test.db").display()),
                cleanup: None,
            },
            Backend::Postgres(base) => {
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let mut conn = diesel::PgConnection::establish(base)
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base}: {e}"));
                conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("create test schema");
                let separator = if base.contains('?') { '&' } else { '?' };
                TestDatabase {
                    url: format!("{base}{separator}options=-c%20search_path%3D{schema}"),
                    cleanup: Some((base.clone(), schema)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.cleanup {
            if let Ok(mut conn) = diesel::PgConnection::establish(base) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// One mail as the requester would receive it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub file: PathBuf,
}

pub struct TestApp {
    pub backend: Backend,
    pub address: String,
    pub ctx: Context,
    pub client: reqwest::Client,
    pub dir: TempDir,
    statuses: Arc<Mutex<Vec<(String, StatusCode)>>>,
    // Dropped last: the schema goes once the app's pool is gone.
    _database: TestDatabase,
}

/// Variables for a test app; `extra` overrides or adds.
pub fn test_env(dir: &Path, database_url: &str, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("DATABASE_URL", database_url.to_string()),
        (
            "RIGHTSDESK_DATA_DIR",
            dir.join("data").display().to_string(),
        ),
        ("RIGHTSDESK_BIND", "127.0.0.1:0".to_string()),
        (
            "RIGHTSDESK_PUBLIC_URL",
            "http://rightsdesk.test".to_string(),
        ),
        ("RIGHTSDESK_RATE_LIMIT", "0".to_string()),
        ("RIGHTSDESK_OUTBOX_INTERVAL_MS", "50".to_string()),
        // The tests written before the policy setting sign officers in with a password
        // alone; tests of the policy itself name the roles they need.
        ("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    env
}

impl TestApp {
    pub async fn spawn(backend: &Backend) -> TestApp {
        TestApp::spawn_with(backend, &[], true).await
    }

    /// Spawns the app with extra variables; `migrate` false leaves the database empty.
    pub async fn spawn_with(backend: &Backend, extra: &[(&str, &str)], migrate: bool) -> TestApp {
        TestApp::spawn_configured(backend, extra, migrate, |_| {}).await
    }

    /// Spawns the app with settings adjusted beyond what variables reach (e.g. throttling).
    pub async fn spawn_configured(
        backend: &Backend,
        extra: &[(&str, &str)],
        migrate: bool,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(backend, dir.path());
        let env = test_env(dir.path(), &database.url, extra);
        let mut settings = Settings::from_env(&env).expect("test settings");
        configure(&mut settings);
        let ctx = Context::open(settings).expect("open database");
        if migrate {
            ctx.migrate().expect("migrate");
        }
        let mailer = Mailer::from_settings(&ctx.settings).expect("mailer");
        tokio::spawn(rightsdesk::jobs::outbox::run(ctx.clone(), mailer));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = rightsdesk::web::server(ctx.clone(), listener, Some(1)).expect("server");
        tokio::spawn(server);
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        TestApp {
            backend: backend.clone(),
            address: format!("http://127.0.0.1:{port}"),
            ctx,
            client,
            dir,
            statuses: Arc::new(Mutex::new(Vec::new())),
            _database: database,
        }
    }

    fn record(&self, what: String, status: StatusCode) {
        self.statuses.lock().unwrap().push((what, status));
    }

    pub async fn get(&self, path: &str) -> Response {
        let response = self
            .client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("GET");
        self.record(format!("GET {path}"), response.status());
        response
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let response = self
            .client
            .post(format!("{}{}", self.address, path))
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.record(format!("POST {path}"), response.status());
        response
    }

    /// A new browser (its own cookies) against this app.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(Policy::none())
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// Sends a raw body with the form content type (for malformed input).
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Response {
        let response = self
            .client
            .post(format!("{}{}", self.address, path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST raw");
        self.record(format!("POST {path} (raw)"), response.status());
        response
    }

    /// GETs a page and returns the CSRF token of its forms (the cookie stays in the client).
    pub async fn csrf_from(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "[{}] GET {path}",
            self.backend
        );
        let html = response.text().await.unwrap();
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf_token in {path}"))
    }

    /// Submits a request of `kind` with valid fields, overriding any of them.
    pub async fn submit(&self, kind: &str, overrides: &[(&str, &str)]) -> Response {
        let csrf = self.csrf_from(&format!("/requests/new?kind={kind}")).await;
        let mut fields: Vec<(&str, &str)> = vec![
            ("kind", kind),
            ("full_name", "Asha Rao"),
            ("email", "asha.rao@example.in"),
            ("region", "in"),
            ("account_ref", "ACC-1"),
            ("details", "Please act on my request."),
            ("csrf_token", &csrf),
        ];
        match kind {
            "rectification" => fields.push(("correction", "My address is 1 New Street.")),
            "consent_withdrawal" => fields.push(("purposes", "marketing")),
            "grievance" => fields.push(("content_removal", "on")),
            _ => {}
        }
        for (key, value) in overrides {
            fields.retain(|(k, _)| k != key);
            fields.push((key, value));
        }
        self.post_form("/requests", &fields).await
    }

    /// Submits, follows the verification mail and confirms; returns the status token.
    pub async fn submit_and_verify(&self, kind: &str, email: &str, region: &str) -> String {
        let earlier: Vec<PathBuf> = self.mails().into_iter().map(|m| m.file).collect();
        let response = self
            .submit(kind, &[("email", email), ("region", region)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{}] submit",
            self.backend
        );
        let mail = self.wait_for_new_mail(email, "/verify/", &earlier).await;
        let token = link_token(&mail.body, "/verify/").expect("verify link");
        let csrf = self.csrf_from(&format!("/verify/{token}")).await;
        let response = self
            .post_form(&format!("/verify/{token}"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{}] confirm",
            self.backend
        );
        let location = location(&response);
        location
            .strip_prefix("/status/")
            .and_then(|rest| rest.split('?').next())
            .expect("redirect to the status page")
            .to_string()
    }

    /// Every mail written so far, oldest first.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        let dir = self.dir.path().join("data").join("mail");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut mails: Vec<(std::time::SystemTime, ReceivedMail)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            // A file still being written does not parse yet; the next look will find it.
            .filter_map(|e| {
                let path = e.path();
                let bytes = std::fs::read(&path).ok()?;
                let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                Some((modified, try_parse_mail(&bytes, path)?))
            })
            .collect();
        mails.sort_by_key(|(modified, _)| *modified);
        mails.into_iter().map(|(_, mail)| mail).collect()
    }

    /// Waits until at least `count` mails were written (the sender runs in the background).
    pub async fn wait_for_mails(&self, count: usize) -> Vec<ReceivedMail> {
        let started = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "[{}] waited for {count} mails, found {}",
                self.backend,
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for a mail to `to` whose body contains `needle`, and returns it.
    pub async fn wait_for_mail(&self, to: &str, needle: &str) -> ReceivedMail {
        self.wait_for_new_mail(to, needle, &[]).await
    }

    /// [`TestApp::wait_for_mail`], passing over the mail files in `earlier`.
    pub async fn wait_for_new_mail(
        &self,
        to: &str,
        needle: &str,
        earlier: &[PathBuf],
    ) -> ReceivedMail {
        let started = Instant::now();
        loop {
            if let Some(mail) = self
                .mails()
                .into_iter()
                .find(|m| m.to == to && m.body.contains(needle) && !earlier.contains(&m.file))
            {
                return mail;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "[{}] no mail to {to} containing {needle:?}",
                self.backend
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Lets the mail sender run a few more passes, then returns what was written.
    pub async fn settled_mails(&self) -> Vec<ReceivedMail> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.mails()
    }

    /// Imports NDJSON `lines` of `kind` through the app, as `rightsdesk import` does; any
    /// rejected line fails the test.
    pub fn import_lines(
        &self,
        kind: rightsdesk::domain::import_row::ImportKind,
        lines: &[serde_json::Value],
        strict: bool,
        batch_size: usize,
    ) -> rightsdesk::app::import::ImportSummary {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        rightsdesk::app::import::run(
            &self.ctx,
            std::io::Cursor::new(body.into_bytes()),
            &rightsdesk::app::import::ImportOptions {
                kind,
                format: rightsdesk::files::import::Format::Ndjson,
                strict,
                dry_run: false,
                batch_size,
                actor: rightsdesk::domain::audit::Actor::Operator,
            },
            &mut |bad| panic!("[{}] rejected {bad:?}", self.backend),
        )
        .expect("import")
    }

    /// The URL of this app's database, for running the binary against it.
    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    pub fn conn(&self) -> store::PooledConn {
        self.ctx.pool.get().expect("connection")
    }

    pub fn count(&self, table: &str) -> i64 {
        count_on(&mut self.conn(), table)
    }

    /// Row counts of every table: equal before and after means nothing was stored.
    pub fn snapshot(&self) -> Vec<i64> {
        [
            "requests",
            "request_messages",
            "link_tokens",
            CHANGE_EVENTS,
            "mail_outbox",
        ]
        .iter()
        .map(|t| self.count(t))
        .collect()
    }

    pub fn assert_counts_match(&self) {
        assert_counts_match_on(&mut self.conn(), &self.backend.to_string());
    }

    /// The blind index requests with this email are stored under (emails are sealed).
    pub fn email_index(&self, email: &str) -> String {
        rightsdesk::store::seal::email_index(&self.ctx.keyring, email).expect("an email")
    }

    /// A SQL condition on `requests` for this email: `email_index = '...'`.
    pub fn email_is(&self, email: &str) -> String {
        format!("email_index = '{}'", self.email_index(email))
    }

    /// Puts the request of `email` in `status` as a fixture (an officer's question, say),
    /// keeping the per-status counts right as the app would.
    pub fn force_status(&self, email: &str, status: &str) {
        let row = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::email_index.eq(self.email_index(email)))
                .select((dsl::regime, dsl::status))
                .first::<(String, String)>(&mut *self.conn())
                .expect("the request")
        };
        self.execute(&format!(
            "UPDATE requests SET status = '{status}' WHERE {}",
            self.email_is(email)
        ));
        rightsdesk::store::requests::count_move(&mut self.conn(), &row.0, Some(&row.1), status)
            .expect("move the count");
    }

    pub fn execute(&self, sql: &str) {
        let mut conn = self.conn();
        let conn: &mut DbConn = &mut conn;
        conn.batch_execute(sql).expect(sql);
    }

    /// Asserts that no response of this test was a server error, and that the per-status
    /// counts the app keeps match the rows (every test ends with this check).
    pub fn assert_no_server_errors(&self) {
        self.assert_counts_match();
        let statuses = self.statuses.lock().unwrap();
        let bad: Vec<_> = statuses
            .iter()
            .filter(|(_, s)| s.is_server_error())
            .collect();
        assert!(bad.is_empty(), "[{}] server errors: {bad:?}", self.backend);
    }
}

/// Asserts that the per-status counts the app keeps (`request_counts`, summed over its
/// shards) match the rows;
/// `label` names the run in the message.
pub fn assert_counts_match_on(conn: &mut DbConn, label: &str) {
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        regime: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let counted: Vec<Row> = diesel::sql_query(
        "SELECT regime, status, COUNT(*) AS n FROM requests GROUP BY regime, status ORDER BY regime, status",
    )
    .load(conn)
    .expect("count rows");
    let kept: Vec<Row> = diesel::sql_query(
        "SELECT regime, status, CAST(SUM(n) AS BIGINT) AS n FROM request_counts \
         GROUP BY regime, status HAVING SUM(n) <> 0 ORDER BY regime, status",
    )
    .load(conn)
    .expect("kept counts");
    assert_eq!(kept, counted, "[{label}] kept counts differ from the rows");
}

/// `SELECT COUNT(*) FROM <from>`: `from` is a table, optionally with a WHERE clause.
pub fn count_on(conn: &mut DbConn, from: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {from}"))
        .get_result::<Count>(conn)
        .unwrap_or_else(|e| panic!("count {from}: {e}"))
        .n
}

pub fn parse_mail(bytes: &[u8], file: PathBuf) -> ReceivedMail {
    try_parse_mail(bytes, file).expect("a parseable mail")
}

pub fn try_parse_mail(bytes: &[u8], file: PathBuf) -> Option<ReceivedMail> {
    let message = mail_parser::MessageParser::default().parse(bytes)?;
    message.subject()?;
    Some(ReceivedMail {
        to: message
            .to()
            .and_then(|to| to.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        subject: message.subject().unwrap_or_default().to_string(),
        body: message.body_text(0).unwrap_or_default().to_string(),
        file,
    })
}

/// The token after `prefix` in a link in `text`.
pub fn link_token(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)? + prefix.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
