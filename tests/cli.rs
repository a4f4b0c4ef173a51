//! The command line as an operator uses it: the real binary against a real database.

mod common;

use std::process::{Command, Output};

use common::{backends, Backend, TestDatabase};

fn rightsdesk(dir: &std::path::Path, database_url: &str, args: &[&str]) -> Output {
    common::rightsdesk_cli(dir, database_url, args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[test]
fn audit_verify_passes_on_the_demo_data_and_names_the_first_tampered_event() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(&backend, dir.path());
        let url = database.url.as_str();

        let demo = rightsdesk(dir.path(), url, &["demo"]);
        assert!(demo.status.success(), "[{backend}] demo: {}", stderr(&demo));
        assert!(
            stdout(&demo).contains("loaded 8 demo requests"),
            "[{backend}]"
        );

        let verify = rightsdesk(dir.path(), url, &["audit", "verify"]);
        assert!(verify.status.success(), "[{backend}] {}", stderr(&verify));
        assert!(
            stdout(&verify).contains("audit chain intact"),
            "[{backend}]"
        );

        let sql = |statement: &str| {
            use diesel::connection::SimpleConnection;
            let pool =
                rightsdesk::store::connect(&rightsdesk::store::DatabaseUrl::parse(url).unwrap(), 1)
                    .unwrap();
            let mut conn = pool.get().unwrap();
            conn.batch_execute(statement).unwrap();
        };

        // An edited row is named.
        sql("UPDATE audit_events SET details = '{\"edited\":true}' WHERE seq = 5");
        let verify = rightsdesk(dir.path(), url, &["audit", "verify"]);
        assert_eq!(verify.status.code(), Some(1), "[{backend}]");
        let message = stderr(&verify);
        assert!(message.contains("audit event 5"), "[{backend}] {message}");
        assert_eq!(
            message.trim().lines().count(),
            1,
            "[{backend}] one clear line: {message}"
        );

        // A deleted row is found at the event after it.
        sql("DELETE FROM audit_events WHERE seq <= 5; ");
        let verify = rightsdesk(dir.path(), url, &["audit", "verify"]);
        assert_eq!(verify.status.code(), Some(1), "[{backend}]");
        assert!(
            stderr(&verify).contains("audit event 6"),
            "[{backend}] {}",
            stderr(&verify)
        );

        // A fresh chain with its newest event deleted is found too.
        let dir2 = tempfile::tempdir().unwrap();
        let database2 = TestDatabase::create(&backend, dir2.path());
        let url2 = database2.url.as_str();
        assert!(rightsdesk(dir2.path(), url2, &["demo"]).status.success());
        let pool =
            rightsdesk::store::connect(&rightsdesk::store::DatabaseUrl::parse(url2).unwrap(), 1)
                .unwrap();
        let mut conn = pool.get().unwrap();
        let (head, _) = rightsdesk::store::audit::head(&mut conn).unwrap();
        {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&format!("DELETE FROM audit_events WHERE seq = {head}"))
                .unwrap();
        }
        drop(conn);
        drop(pool);
        let verify = rightsdesk(dir2.path(), url2, &["audit", "verify"]);
        assert_eq!(verify.status.code(), Some(1), "[{backend}]");
        assert!(
            stderr(&verify).contains("newest audit events are missing"),
            "[{backend}] {}",
            stderr(&verify)
        );
    }
}

#[test]
fn migrate_is_idempotent() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(&backend, dir.path());
        let first = rightsdesk(dir.path(), &database.url, &["migrate"]);
        assert!(first.status.success(), "[{backend}] {}", stderr(&first));
        assert!(stdout(&first).contains("applied migration"), "[{backend}]");
        let second = rightsdesk(dir.path(), &database.url, &["migrate"]);
        assert!(second.status.success());
        assert!(stdout(&second).contains("up to date"), "[{backend}]");
    }
}

#[test]
fn help_is_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["audit", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["demo", "--help"],
    ] {
        let output = rightsdesk(dir.path(), "sqlite://unused.db", &args);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage"), "{args:?}");
    }
    let output = rightsdesk(dir.path(), "sqlite://unused.db", &["frobnicate"]);
    assert!(!output.status.success());
}

#[test]
fn a_bad_setting_stops_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .arg("migrate")
        .env("RIGHTSDESK_DATA_DIR", dir.path())
        .env("RIGHTSDESK_BIND", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(message.contains("RIGHTSDESK_BIND"), "{message}");

    let output = rightsdesk(dir.path(), "mysql://localhost/x", &["migrate"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("DATABASE_URL"));
}

#[test]
fn serve_on_sqlite_migrates_by_itself_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .current_dir(dir.path())
        .env_clear()
        .env("RIGHTSDESK_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut ready = false;
    while started.elapsed() < std::time::Duration::from_secs(20) {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                ready = true;
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(ready, "serve did not become ready");
    // Defaults: the database, the generated key and the mail directory under ./data.
    assert!(dir.path().join("data/rightsdesk.db").exists());
    assert!(dir.path().join("data/secret_key").exists());
    assert!(dir.path().join("data/mail").is_dir());
    let _ = Backend::Sqlite;
}

#[test]
fn officer_create_refuses_weak_passwords_with_the_reason_and_creates_with_a_good_one() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(&backend, dir.path());
        let run = |password: &str| {
            Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
                .args([
                    "officer",
                    "create",
                    "--email",
                    "grace@example.org",
                    "--name",
                    "Grace Officer",
                    "--role",
                    "officer",
                    "--region",
                    "in",
                    "--region",
                    "eu",
                ])
                .env("DATABASE_URL", &database.url)
                .env("RIGHTSDESK_DATA_DIR", dir.path().join("data"))
                .env("RIGHTSDESK_PASSWORD", password)
                .env("RUST_LOG", "warn")
                .output()
                .unwrap()
        };
        for (password, reason) in [
            ("tooshort", "at least 12 characters"),
            ("grace@example.org", "email"),
            ("aaaaaaaaaaaaaaaa", "repeat"),
        ] {
            let output = run(password);
            assert_eq!(output.status.code(), Some(1), "[{backend}] {password}");
            let message = stderr(&output);
            assert!(
                message.contains(reason),
                "[{backend}] {password}: {message}"
            );
            assert_eq!(
                message.trim().lines().count(),
                1,
                "[{backend}] one line: {message}"
            );
        }
        let output = run("a long and fine passphrase");
        assert!(output.status.success(), "[{backend}] {}", stderr(&output));
        assert!(stdout(&output).contains("officer created"));
        let again = run("a long and fine passphrase");
        assert_eq!(again.status.code(), Some(1), "[{backend}] duplicate email");
        assert!(
            stderr(&again).contains("exists"),
            "[{backend}] {}",
            stderr(&again)
        );
    }
}
