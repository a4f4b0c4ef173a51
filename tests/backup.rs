//! `rightsdesk backup`, `backup --verify` and `restore` as an operator runs them: the real
//! binary against real databases, on both backends.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;

use common::deployed::{rightsdesk_command, Deployed};
use common::{backends, Backend, TestApp, TestDatabase};
use rightsdesk::domain::backup::Cell;
use rightsdesk::store::{self, dump, DatabaseUrl};

const KEY: &str = "backup-test-secret-key-0123456789abcdef-0123456789";
const OTHER_KEY: &str = "another-secret-key-entirely-0123456789abcdef-98765";
const PUBLIC_URL: &str = "http://rightsdesk.test";

fn cli(dir: &Path, url: &str, key: &str, args: &[&str]) -> Output {
    rightsdesk_command(
        dir,
        &[
            ("DATABASE_URL", url),
            ("RIGHTSDESK_SECRET_KEY", key),
            ("RIGHTSDESK_PUBLIC_URL", PUBLIC_URL),
            ("RUST_LOG", "warn"),
        ],
        args,
    )
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn assert_ok(output: &Output, what: &str) {
    assert!(output.status.success(), "{what}: {}", stderr(output));
}

/// Exit 1 with one line on standard error that contains `needle`.
fn assert_fails_with(output: &Output, needle: &str, what: &str) {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{what}: {message}");
    assert_eq!(
        message.trim().lines().count(),
        1,
        "{what}: one line: {message}"
    );
    assert!(message.contains(needle), "{what}: {message}");
}

fn pool(url: &str) -> store::Pool {
    store::connect(&DatabaseUrl::parse(url).unwrap(), 1).unwrap()
}

/// Every table's rows, in key order, as backend-neutral cells.
fn contents(url: &str) -> Vec<(String, Vec<Vec<Cell>>)> {
    let pool = pool(url);
    let mut conn = pool.get().unwrap();
    dump::backup_tables()
        .into_iter()
        .map(|spec| {
            let rows = dump::rows::batch_after(&mut conn, &spec, None, 1_000_000).unwrap();
            (spec.name, rows)
        })
        .collect()
}

fn row_counts(url: &str) -> Vec<(String, usize)> {
    contents(url)
        .into_iter()
        .map(|(table, rows)| (table, rows.len()))
        .collect()
}

/// Empty: never migrated (a restore refused before it began), or holding nothing but what
/// the migrations insert.
fn is_empty(url: &str) -> bool {
    let pool = pool(url);
    let mut conn = pool.get().unwrap();
    if dump::rows::database_tables(&mut conn).unwrap().is_empty() {
        return true;
    }
    dump::is_empty(&mut conn, &dump::backup_tables()).unwrap()
}

/// A portal with a confirmed request (its status token returned), imported records (sealed
/// bytes) and an officer.
async fn portal_with_data(backend: &Backend) -> (TestApp, String, String) {
    let (app, token, url) = portal_with_pending_events(backend).await;
    // Number the events as the portal's sequencer would, so that the restore, which numbers
    // what is pending, leaves every row as it was.
    assert_ok(
        &cli(app.dir.path(), &url, KEY, &["audit", "sequence"]),
        "audit sequence",
    );
    (app, token, url)
}

/// As [`portal_with_data`], its audit events not yet numbered by the sequencer.
async fn portal_with_pending_events(backend: &Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn_with(backend, &[("RIGHTSDESK_SECRET_KEY", KEY)], true).await;
    let token = app
        .submit_and_verify("access", "backup-person@example.org", "eu")
        .await;
    let url = app.ctx.settings.database_url.to_string();
    let records = app.dir.path().join("records.ndjson");
    std::fs::write(
        &records,
        "{\"email\":\"backup-person@example.org\",\"source\":\"crm\",\"source_id\":\"1\",\"category\":\"profile\",\"payload\":{\"name\":\"B\"}}\n\
         {\"email\":\"other@example.org\",\"source\":\"crm\",\"source_id\":\"2\",\"category\":\"contact\",\"payload\":{\"phone\":\"1\"}}\n",
    )
    .unwrap();
    let import = cli(
        app.dir.path(),
        &url,
        KEY,
        &["import", "--format", "ndjson", records.to_str().unwrap()],
    );
    assert_ok(&import, "import");
    // Number the events as the portal's sequencer would, so that the restore, which numbers
    // what is pending, leaves every row as it was.
    assert_ok(
        &cli(app.dir.path(), &url, KEY, &["audit", "sequence"]),
        "audit sequence",
    );
    (app, token, url)
}

/// The status page without what differs per browser (the form token).
fn comparable(page: &str) -> String {
    page.lines()
        .filter(|line| !line.contains("csrf"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_table_the_migrations_create_is_in_the_backup_on_both_backends() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(&backend, dir.path());
        let pool = pool(&database.url);
        let mut conn = pool.get().unwrap();
        store::run_migrations(&mut conn).unwrap();
        let mut names: Vec<String> = dump::backup_tables().into_iter().map(|t| t.name).collect();
        names.sort();
        assert_eq!(
            dump::rows::database_tables(&mut conn).unwrap(),
            names,
            "[{backend}]"
        );
        for spec in dump::backup_tables() {
            // Columns are named in every statement, so their order does not matter (a column
            // added by a later migration comes last in PostgreSQL).
            let mut columns: Vec<String> = spec.columns.iter().map(|c| c.name.clone()).collect();
            columns.sort();
            let mut found = dump::rows::database_columns(&mut conn, &spec.name).unwrap();
            found.sort();
            assert_eq!(found, columns, "[{backend}] {}", spec.name);
        }
        assert!(dump::is_empty(&mut conn, &dump::backup_tables()).unwrap());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restored_portal_has_the_same_rows_a_verifying_chain_and_the_same_status_page() {
    for backend in backends() {
        let (app, token, url) = portal_with_data(&backend).await;
        let before = app.get(&format!("/status/{token}")).await;
        assert_eq!(before.status(), 200, "[{backend}]");
        let before = before.text().await.unwrap();
        assert!(
            before.contains("RD-"),
            "[{backend}] the page names its reference"
        );
        let file = app.dir.path().join("nightly.rdbk");
        let backup = cli(
            app.dir.path(),
            &url,
            KEY,
            &["backup", "--out", file.to_str().unwrap()],
        );
        assert_ok(&backup, "backup");
        assert!(String::from_utf8_lossy(&backup.stdout).contains("backed up"));
        let verify = cli(
            app.dir.path(),
            &url,
            KEY,
            &["backup", "--verify", file.to_str().unwrap()],
        );
        assert_ok(&verify, "backup --verify");
        assert!(String::from_utf8_lossy(&verify.stdout).contains("backup intact"));

        // A fresh data dir and database, the same secret key.
        let fresh = tempfile::tempdir().unwrap();
        let target = TestDatabase::create(&backend, fresh.path());
        let restore = cli(
            fresh.path(),
            &target.url,
            KEY,
            &["restore", file.to_str().unwrap()],
        );
        assert_ok(&restore, "restore");
        assert!(
            String::from_utf8_lossy(&restore.stdout).contains("audit chain intact"),
            "[{backend}]"
        );
        assert_eq!(row_counts(&url), row_counts(&target.url), "[{backend}]");
        assert_eq!(contents(&url), contents(&target.url), "[{backend}]");
        assert_ok(
            &cli(fresh.path(), &target.url, KEY, &["audit", "verify"]),
            "audit verify",
        );

        let deployed = Deployed::start(
            fresh.path(),
            &[
                ("DATABASE_URL", target.url.as_str()),
                ("RIGHTSDESK_SECRET_KEY", KEY),
                ("RIGHTSDESK_PUBLIC_URL", PUBLIC_URL),
            ],
        )
        .await;
        let after = reqwest::get(format!("{}/status/{token}", deployed.base_url()))
            .await
            .unwrap();
        assert_eq!(after.status(), 200, "[{backend}]");
        let after = after.text().await.unwrap();
        assert_eq!(comparable(&before), comparable(&after), "[{backend}]");
        deployed.terminate().await;

        // Once restored, the database is not empty: refused without --force.
        let again = cli(
            fresh.path(),
            &target.url,
            KEY,
            &["restore", file.to_str().unwrap()],
        );
        assert_fails_with(&again, "not empty", "restore over data");
        let forced = cli(
            fresh.path(),
            &target.url,
            KEY,
            &["restore", "--force", file.to_str().unwrap()],
        );
        assert_ok(&forced, "restore --force");
        assert_eq!(contents(&url), contents(&target.url), "[{backend}]");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sqlite_backup_restores_into_postgresql_and_back() {
    let Some(postgres) = backends().into_iter().find(|b| *b != Backend::Sqlite) else {
        return;
    };
    let (app, _token, url) = portal_with_data(&Backend::Sqlite).await;
    let first = app.dir.path().join("from-sqlite.rdbk");
    assert_ok(
        &cli(
            app.dir.path(),
            &url,
            KEY,
            &["backup", "--out", first.to_str().unwrap()],
        ),
        "backup",
    );

    let pg_dir = tempfile::tempdir().unwrap();
    let pg = TestDatabase::create(&postgres, pg_dir.path());
    assert_ok(
        &cli(
            pg_dir.path(),
            &pg.url,
            KEY,
            &["restore", first.to_str().unwrap()],
        ),
        "into postgres",
    );
    assert_eq!(contents(&url), contents(&pg.url));

    let second = pg_dir.path().join("from-postgres.rdbk");
    assert_ok(
        &cli(
            pg_dir.path(),
            &pg.url,
            KEY,
            &["backup", "--out", second.to_str().unwrap()],
        ),
        "backup pg",
    );
    let back_dir = tempfile::tempdir().unwrap();
    let back = TestDatabase::create(&Backend::Sqlite, back_dir.path());
    assert_ok(
        &cli(
            back_dir.path(),
            &back.url,
            KEY,
            &["restore", second.to_str().unwrap()],
        ),
        "back",
    );
    assert_eq!(contents(&url), contents(&back.url));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_altered_or_cut_file_or_the_wrong_key_fails_and_leaves_the_target_empty() {
    for backend in backends() {
        let (app, _token, url) = portal_with_data(&backend).await;
        let file = app.dir.path().join("b.rdbk");
        assert_ok(
            &cli(
                app.dir.path(),
                &url,
                KEY,
                &["backup", "--out", file.to_str().unwrap()],
            ),
            "backup",
        );
        let good = std::fs::read(&file).unwrap();
        let len = good.len();
        let mut bad_files: Vec<(String, Vec<u8>)> = Vec::new();
        let mac = good.windows(5).position(|w| w == b"\n--- ").unwrap() + 8;
        for (name, at) in [
            ("header's stanza", 40),
            ("header's MAC", mac),
            ("middle", len / 2),
            ("last chunk", len - 5),
        ] {
            let mut bytes = good.clone();
            bytes[at] ^= 0x20;
            bad_files.push((format!("flipped byte in the {name}"), bytes));
        }
        bad_files.push(("cut short".into(), good[..len - 100].to_vec()));
        bad_files.push(("cut in half".into(), good[..len / 2].to_vec()));

        let dir = tempfile::tempdir().unwrap();
        let target = TestDatabase::create(&backend, dir.path());
        for (what, bytes) in &bad_files {
            let path = dir.path().join("bad.rdbk");
            std::fs::write(&path, bytes).unwrap();
            let path = path.to_str().unwrap();
            let verify = cli(dir.path(), &target.url, KEY, &["backup", "--verify", path]);
            assert_fails_with(&verify, "bad.rdbk", &format!("[{backend}] verify, {what}"));
            let restore = cli(dir.path(), &target.url, KEY, &["restore", path]);
            assert_fails_with(
                &restore,
                "bad.rdbk",
                &format!("[{backend}] restore, {what}"),
            );
            let message = stderr(&restore);
            assert!(message.contains("damaged"), "[{backend}] {what}: {message}");
            assert!(
                is_empty(&target.url),
                "[{backend}] {what}: the target is empty"
            );
        }

        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "not a backup\n").unwrap();
        let refused = cli(
            dir.path(),
            &target.url,
            KEY,
            &["restore", other.to_str().unwrap()],
        );
        assert_fails_with(
            &refused,
            "not a rightsdesk backup",
            &format!("[{backend}] other file"),
        );

        let wrong = cli(
            dir.path(),
            &target.url,
            OTHER_KEY,
            &["restore", file.to_str().unwrap()],
        );
        assert_fails_with(&wrong, "backup key id", &format!("[{backend}] wrong key"));
        assert!(
            is_empty(&target.url),
            "[{backend}] wrong key: the target is empty"
        );
        let wrong = cli(
            dir.path(),
            &target.url,
            OTHER_KEY,
            &["backup", "--verify", file.to_str().unwrap()],
        );
        assert_fails_with(
            &wrong,
            "backup key id",
            &format!("[{backend}] verify, wrong key"),
        );
    }
}

/// Decrypts an age file with `identity`, changes its plaintext with `edit` and encrypts it
/// again to `recipient`.
fn reencrypt(
    bytes: &[u8],
    identity: &age::x25519::Identity,
    edit: impl FnOnce(String) -> String,
) -> Vec<u8> {
    let decryptor = age::Decryptor::new_buffered(bytes).unwrap();
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .unwrap();
    let mut compressed = Vec::new();
    reader.read_to_end(&mut compressed).unwrap();
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut plain)
        .unwrap();
    let plain = edit(plain);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(plain.as_bytes()).unwrap();
    let compressed = gzip.finish().unwrap();
    let recipient = identity.to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).unwrap();
    writer.write_all(&compressed).unwrap();
    writer.finish().unwrap();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recipient_backup_opens_with_its_identity_and_a_newer_schema_is_refused() {
    use age::secrecy::ExposeSecret;
    for backend in backends() {
        let (app, _token, url) = portal_with_data(&backend).await;
        let identity = age::x25519::Identity::generate();
        let identity_file = app.dir.path().join("backup-identity.txt");
        std::fs::write(
            &identity_file,
            format!("{}\n", identity.to_string().expose_secret()),
        )
        .unwrap();
        let identity_arg = identity_file.to_str().unwrap();
        let file = app.dir.path().join("offsite.rdbk");
        let backup = cli(
            app.dir.path(),
            &url,
            KEY,
            &[
                "backup",
                "--out",
                file.to_str().unwrap(),
                "--recipient",
                &identity.to_public().to_string(),
            ],
        );
        assert_ok(&backup, "backup --recipient");

        let dir = tempfile::tempdir().unwrap();
        let target = TestDatabase::create(&backend, dir.path());
        let path = file.to_str().unwrap();
        let without = cli(dir.path(), &target.url, KEY, &["restore", path]);
        assert_fails_with(&without, "--identity", &format!("[{backend}] no identity"));
        assert_ok(
            &cli(
                dir.path(),
                &target.url,
                KEY,
                &["backup", "--verify", path, "--identity", identity_arg],
            ),
            "verify --identity",
        );

        // A manifest naming a schema newer than this program's.
        let newer = reencrypt(&std::fs::read(&file).unwrap(), &identity, |plain| {
            let (first, rest) = plain.split_once('\n').unwrap();
            let mut manifest: serde_json::Value = serde_json::from_str(first).unwrap();
            manifest["schema"] = serde_json::json!("99991231000099");
            format!("{manifest}\n{rest}")
        });
        let newer_path = dir.path().join("newer.rdbk");
        std::fs::write(&newer_path, newer).unwrap();
        let refused = cli(
            dir.path(),
            &target.url,
            KEY,
            &[
                "restore",
                newer_path.to_str().unwrap(),
                "--identity",
                identity_arg,
            ],
        );
        assert_fails_with(
            &refused,
            "newer than this program",
            &format!("[{backend}] newer schema"),
        );
        assert!(
            is_empty(&target.url),
            "[{backend}] newer schema: the target is empty"
        );

        // A count that does not match its rows.
        let miscounted = reencrypt(&std::fs::read(&file).unwrap(), &identity, |plain| {
            let (first, rest) = plain.split_once('\n').unwrap();
            let mut manifest: serde_json::Value = serde_json::from_str(first).unwrap();
            let tables = manifest["tables"].as_array_mut().unwrap();
            let requests = tables.iter_mut().find(|t| t["name"] == "requests").unwrap();
            requests["rows"] = serde_json::json!(0);
            format!("{manifest}\n{rest}")
        });
        let miscounted_path = dir.path().join("miscounted.rdbk");
        std::fs::write(&miscounted_path, miscounted).unwrap();
        let refused = cli(
            dir.path(),
            &target.url,
            KEY,
            &[
                "restore",
                miscounted_path.to_str().unwrap(),
                "--identity",
                identity_arg,
            ],
        );
        assert_fails_with(&refused, "damaged", &format!("[{backend}] miscounted"));
        assert!(
            is_empty(&target.url),
            "[{backend}] miscounted: the target is empty"
        );

        let restore = cli(
            dir.path(),
            &target.url,
            KEY,
            &["restore", path, "--identity", identity_arg],
        );
        assert_ok(&restore, "restore --identity");
        assert_eq!(contents(&url), contents(&target.url), "[{backend}]");
    }
}

#[test]
fn backup_and_restore_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    for args in [vec!["backup", "--help"], vec!["restore", "--help"]] {
        let output = cli(dir.path(), "sqlite://unused.db", KEY, &args);
        assert_ok(&output, &format!("{args:?}"));
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(text.contains("Usage"), "{args:?}");
        assert!(text.contains("--identity"), "{args:?}");
    }
    // Neither --out nor --verify: a usage error, nothing written.
    let output = cli(dir.path(), "sqlite://unused.db", KEY, &["backup"]);
    assert!(!output.status.success());
    let output = cli(
        dir.path(),
        "sqlite://unused.db",
        KEY,
        &["backup", "--out", "a", "--verify", "b"],
    );
    assert!(!output.status.success());
}

#[test]
fn restored_keys_move_postgresql_sequences_on() {
    let Some(postgres) = backends().into_iter().find(|b| *b != Backend::Sqlite) else {
        return;
    };
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(&postgres, dir.path());
    let pool = pool(&database.url);
    let mut conn = pool.get().unwrap();
    conn.batch_execute(
        "CREATE TABLE numbered (id BIGSERIAL PRIMARY KEY); \
         INSERT INTO numbered (id) VALUES (1), (2), (41);",
    )
    .unwrap();
    dump::rows::advance_sequences(&mut conn).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let next: Next = diesel::sql_query("INSERT INTO numbered DEFAULT VALUES RETURNING id")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(next.id, 42);
}

#[tokio::test(flavor = "multi_thread")]
async fn events_pending_at_the_snapshot_are_numbered_by_the_restore() {
    for backend in backends() {
        let (app, _token, url) = portal_with_pending_events(&backend).await;
        let file = app.dir.path().join("pending.rdbk");
        assert_ok(
            &cli(
                app.dir.path(),
                &url,
                KEY,
                &["backup", "--out", file.to_str().unwrap()],
            ),
            "backup",
        );
        let dir = tempfile::tempdir().unwrap();
        let target = TestDatabase::create(&backend, dir.path());
        let restore = cli(
            dir.path(),
            &target.url,
            KEY,
            &["restore", file.to_str().unwrap()],
        );
        assert_ok(&restore, "restore");
        let printed = String::from_utf8_lossy(&restore.stdout).to_string();
        assert!(
            printed.contains("audit chain intact: 3 events verified"),
            "[{backend}] {printed}"
        );
    }
}
