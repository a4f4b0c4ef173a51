//! One deployment of the binary on one backend: a data dir and a database that outlive the
//! processes started on them, so that a test can stop the binary and start it again the
//! way an operator restarts a service. The test reads the database directly to see what
//! the process left behind.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rightsdesk::store::outbox::OutboxRow;
use rightsdesk::store::schema::mail_outbox;
use rightsdesk::store::{self, DbConn};
use tempfile::TempDir;

use super::deployed::{rightsdesk_command, serve_refusing_to_start, Deployed};
use super::{Backend, TestDatabase};

pub struct Site {
    pub backend: Backend,
    pub dir: TempDir,
    // Dropped last: a PostgreSQL schema goes once the processes and connections are gone.
    database: TestDatabase,
}

impl Site {
    /// A fresh data dir and database, migrated with `rightsdesk migrate` as an operator
    /// does before the first start (`serve` would migrate SQLite by itself, but a command
    /// such as `officer create` may come first).
    pub fn new(backend: &Backend) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(backend, dir.path());
        let site = Site {
            backend: backend.clone(),
            dir,
            database,
        };
        let migrated = site.command(&[], &["migrate"]);
        assert!(
            migrated.status.success(),
            "[{backend}] rightsdesk migrate: {}",
            String::from_utf8_lossy(&migrated.stderr)
        );
        site
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `name` in the site's directory (a certificate an operator
    /// installs, say) and returns the path.
    pub fn write_file(&self, name: &str, contents: &str) -> String {
        let path = self.path().join(name);
        std::fs::write(&path, contents).expect("write a file of the site");
        path.to_str().expect("a UTF-8 path").to_string()
    }

    pub fn database_url(&self) -> &str {
        &self.database.url
    }

    /// `rightsdesk serve` on this site's data dir and database, plus `env`.
    pub async fn start(&self, env: &[(&str, &str)]) -> Deployed {
        Deployed::start(self.path(), &self.env_with(env)).await
    }

    /// `rightsdesk serve` with a setting it must refuse: what it printed once it exited.
    pub fn refuse_to_start(&self, env: &[(&str, &str)]) -> Output {
        serve_refusing_to_start(self.path(), &self.env_with(env))
    }

    /// A one-shot command on this site's data dir and database, plus `env`.
    pub fn command(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        rightsdesk_command(self.path(), &self.env_with(env), args)
    }

    fn env_with<'a>(&'a self, env: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut all = vec![("DATABASE_URL", self.database_url())];
        all.extend_from_slice(env);
        all
    }

    /// Creates an officer with `rightsdesk officer create`, the password given as an
    /// operator gives it in a script; officers work India's requests.
    pub fn create_officer(&self, email: &str, role: &str, password: &str) {
        let mut args = vec![
            "officer",
            "create",
            "--email",
            email,
            "--name",
            "Test Officer",
            "--role",
            role,
        ];
        if role == "officer" {
            args.extend(["--region", "in"]);
        }
        let created = self.command(&[("RIGHTSDESK_PASSWORD", password)], &args);
        assert!(
            created.status.success(),
            "[{}] officer create: {}",
            self.backend,
            String::from_utf8_lossy(&created.stderr)
        );
    }

    /// Waits until the outbox satisfies `done`; fails with the rows after `timeout`.
    pub async fn wait_for_outbox(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&[OutboxRow]) -> bool,
    ) -> Vec<OutboxRow> {
        let started = Instant::now();
        loop {
            let rows = self.outbox();
            if done(&rows) {
                return rows;
            }
            assert!(
                started.elapsed() < timeout,
                "[{}] waited {timeout:?} for {what}; the outbox: {rows:#?}",
                self.backend
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A connection of the test's own to the site's database.
    pub fn conn(&self) -> store::PooledConn {
        store::connect(&store::DatabaseUrl::parse(self.database_url()).unwrap(), 1)
            .expect("connect to the site's database")
            .get()
            .expect("a connection")
    }

    /// Every row of the mail outbox, oldest first.
    /// (Recipients and unsent bodies opened with the site's generated key.)
    pub fn outbox(&self) -> Vec<OutboxRow> {
        let vault = self.keyring();
        mail_outbox::table
            .order(mail_outbox::created_at.asc())
            .select(OutboxRow::as_select())
            .load(&mut *self.conn())
            .expect("read the outbox")
            .into_iter()
            .map(|row| row.open(&vault).expect("open an outbox row"))
            .collect()
    }

    /// The vault of the key the binary generated in the site's data dir.
    pub fn keyring(&self) -> rightsdesk::vault::Keyring {
        let path = self.dir.path().join("data").join("secret_key");
        let text = std::fs::read_to_string(&path).expect("the site's secret key");
        let key = rightsdesk::crypto::SecretKey::from_text(&text).expect("a secret key");
        rightsdesk::vault::Keyring::new(&key, &[])
    }

    /// `SELECT COUNT(*) FROM {from}`, e.g. `audit_events WHERE action = 'mail.requeued'`.
    pub fn count(&self, from: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn();
        let conn: &mut DbConn = &mut conn;
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {from}"))
            .get_result::<Count>(conn)
            .expect("count")
            .n
    }

    pub fn execute(&self, sql: &str) {
        let mut conn = self.conn();
        let conn: &mut DbConn = &mut conn;
        conn.batch_execute(sql).expect(sql);
    }

    /// Makes every pending mail due now, so that a test need not wait out the backoff.
    pub fn make_mail_due(&self) {
        self.execute(
            "UPDATE mail_outbox SET next_attempt_at = '2000-01-01 00:00:00' \
             WHERE sent_at IS NULL AND failed_at IS NULL",
        );
    }
}

/// Stops the binary as a service manager does (SIGTERM) and asserts that it exited 0
/// without a panic; returns its whole log.
pub async fn stop_cleanly(app: Deployed, backend: &Backend) -> String {
    let (status, log) = app.terminate().await;
    assert_eq!(
        status.code(),
        Some(0),
        "[{backend}] exit {status}; log:\n{log}"
    );
    assert!(!log.contains("panicked"), "[{backend}] {log}");
    log
}

/// Asserts that the binary exited 1 with one line on standard error (no panic) that
/// contains `needle`; returns the line.
pub fn assert_refused_in_one_line(output: &Output, needle: &str, backend: &Backend) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "[{backend}] {stderr}");
    assert!(!stderr.contains("panicked"), "[{backend}] {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "[{backend}] one line on standard error: {stderr}"
    );
    assert!(
        lines[0].starts_with("rightsdesk: ") && lines[0].contains(needle),
        "[{backend}] expected {needle:?} in {:?}",
        lines[0]
    );
    lines[0].to_string()
}

/// Asserts that the log names no requester: neither the address nor its local part.
pub fn assert_log_free_of(log: &str, email: &str, backend: &Backend) {
    let local = email.split('@').next().unwrap();
    assert!(
        !log.contains(email) && !log.contains(local),
        "[{backend}] the log names the requester {email}:\n{log}"
    );
}
