//! The sequenced, keyed audit log as an operator runs it: the real binary (`audit sequence`,
//! `checkpoint`, `verify`, `tail`) against a real database, on both backends. Events are
//! appended as the app appends them (unsequenced); the tests then tamper with the tables
//! as someone with database access but without the secret key could.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use time::OffsetDateTime;

use common::{backends, count_on, Backend, TestDatabase};
use rightsdesk::domain::audit::{chain_hash, EventContent, StoredEvent, GENESIS_HASH};
use rightsdesk::store::audit::{self, NewAuditEvent};
use rightsdesk::store::{self, Pool};

const SECRET_KEY: &str = "audit-log-tests-share-one-secret-key-0123456789";

/// One database, the binary's environment for it, and a pool for the test's own queries.
struct Site {
    // Dropped first: the pool goes before the schema.
    pool: Pool,
    database: TestDatabase,
    dir: tempfile::TempDir,
    backend: Backend,
}

impl Site {
    fn new(backend: &Backend) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(backend, dir.path());
        let pool = store::connect(&store::DatabaseUrl::parse(&database.url).unwrap(), 2).unwrap();
        let site = Site {
            pool,
            database,
            dir,
            backend: backend.clone(),
        };
        site.ok(&["migrate"]);
        site
    }

    fn env(&self) -> Vec<(&str, &str)> {
        vec![
            ("DATABASE_URL", self.database.url.as_str()),
            ("RIGHTSDESK_SECRET_KEY", SECRET_KEY),
            ("RUST_LOG", "warn"),
        ]
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&[], args)
    }

    /// Runs a command with settings added to the site's own.
    fn run_with(&self, settings: &[(&str, &str)], args: &[&str]) -> Output {
        let mut env = self.env();
        env.extend_from_slice(settings);
        common::deployed::rightsdesk_command(self.dir.path(), &env, args)
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "[{}] {args:?}: {}",
            self.backend,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    }

    /// Runs a command that must fail with one line; returns that line.
    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(
            output.status.code(),
            Some(1),
            "[{}] {args:?} must fail: {stderr}",
            self.backend
        );
        assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
        stderr
    }

    fn conn(&self) -> store::PooledConn {
        self.pool.get().unwrap()
    }

    fn sql(&self, statements: &str) {
        self.conn().batch_execute(statements).unwrap();
    }

    fn count(&self, from: &str) -> i64 {
        count_on(&mut self.conn(), from)
    }

    /// Appends `n` events as the app does, in one transaction, stamped `at`.
    fn append_at(&self, n: usize, at: OffsetDateTime) {
        let details: Vec<String> = (0..n).map(|i| format!("{{\"n\":{i}}}")).collect();
        let events: Vec<NewAuditEvent<'_>> = details
            .iter()
            .map(|details| NewAuditEvent {
                at,
                actor: "system",
                action: "test.event",
                target: "retention:test",
                details,
            })
            .collect();
        store::write(&mut self.conn(), |conn| audit::append_many(conn, &events)).unwrap();
    }

    fn append(&self, n: usize) {
        self.append_at(n, rightsdesk::app::clock::now());
    }

    /// The whole log in order, pending events last.
    fn events(&self) -> Vec<StoredEvent> {
        audit::batch_after(&mut self.conn(), 0, 1_000_000).unwrap()
    }

    /// Writes `n` events as a version before the sequencer did: numbered, chained with the
    /// unkeyed hash, the head moved, no checkpoint (the one `migrate` wrote on the empty
    /// chain goes: this is the database as it was before that migration).
    fn write_first_era(&self, n: i64) {
        use rightsdesk::store::schema::{audit_events, audit_head};
        self.sql("DELETE FROM audit_checkpoints");
        let mut conn = self.conn();
        let mut prev = GENESIS_HASH.to_string();
        for seq in 1..=n {
            let at = time::macros::datetime!(2026-11-01 10:00 UTC) + time::Duration::minutes(seq);
            let id = format!("first-era-{seq}");
            let details = format!("{{\"n\":{seq}}}");
            let content = EventContent {
                seq,
                id: &id,
                at,
                actor: "system",
                action: "request.submitted",
                target: "retention:old",
                details: &details,
            };
            let hash = chain_hash(&prev, &content);
            diesel::insert_into(audit_events::table)
                .values((
                    audit_events::seq.eq(Some(seq)),
                    audit_events::id.eq(&id),
                    audit_events::at.eq(store::time::to_db(at)),
                    audit_events::actor.eq("system"),
                    audit_events::action.eq("request.submitted"),
                    audit_events::target.eq("retention:old"),
                    audit_events::details.eq(&details),
                    audit_events::prev_hash.eq(Some(&prev)),
                    audit_events::hash.eq(Some(&hash)),
                ))
                .execute(&mut *conn)
                .unwrap();
            prev = hash;
        }
        diesel::update(audit_head::table)
            .set((audit_head::seq.eq(n), audit_head::hash.eq(&prev)))
            .execute(&mut *conn)
            .unwrap();
    }

    /// Recomputes, without the key, the unkeyed hash of every event from `from` on, as
    /// someone who edited one would; the head follows.
    fn rehash_without_key(&self, from: i64) {
        let events: Vec<StoredEvent> = self
            .events()
            .into_iter()
            .filter(|e| e.seq.is_some())
            .collect();
        let mut prev = match from {
            1 => GENESIS_HASH.to_string(),
            _ => events[from as usize - 2].hash.clone().unwrap(),
        };
        let mut statements = String::new();
        for event in events.iter().filter(|e| e.seq.unwrap() >= from) {
            let seq = event.seq.unwrap();
            let hash = chain_hash(
                &prev,
                &EventContent {
                    seq,
                    id: &event.id,
                    at: event.at,
                    actor: &event.actor,
                    action: &event.action,
                    target: &event.target,
                    details: &event.details,
                },
            );
            statements.push_str(&format!(
                "UPDATE audit_events SET prev_hash = '{prev}', hash = '{hash}', key_id = NULL WHERE seq = {seq};"
            ));
            prev = hash;
        }
        statements.push_str(&format!("UPDATE audit_head SET hash = '{prev}';"));
        self.sql(&statements);
    }

    /// Sequence numbers are exactly 1..=n, each once.
    fn assert_gapless(&self, n: i64) {
        let numbers: Vec<i64> = self.events().iter().filter_map(|e| e.seq).collect();
        assert_eq!(
            numbers,
            (1..=n).collect::<Vec<_>>(),
            "[{}] one gapless chain",
            self.backend
        );
    }
}

/// A log of both eras: five events of the first era, sealed by the first sequencer run,
/// then ten and five keyed events in two more runs (checkpoints at 5, 15 and 20).
fn log_of_both_eras(backend: &Backend) -> Site {
    let site = Site::new(backend);
    site.write_first_era(5);
    // The migration path seals the first era under the key.
    site.ok(&["migrate"]);
    assert_eq!(site.count("audit_checkpoints"), 1, "[{backend}]");
    assert!(site
        .ok(&["audit", "verify"])
        .contains("audit chain intact: 5 events verified"));
    site.append(10);
    assert!(site.ok(&["audit", "sequence"]).contains("sequenced: 10"));
    site.append(5);
    site.ok(&["audit", "sequence"]);
    site.assert_gapless(20);
    assert_eq!(site.count("audit_checkpoints"), 3, "[{backend}]");
    assert!(site
        .ok(&["audit", "verify"])
        .contains("audit chain intact: 20 events verified"));
    site
}

#[test]
fn both_eras_verify_and_every_kind_of_tampering_fails() {
    let tampering: &[(&str, &str, &str)] = &[
        (
            "an edited keyed event",
            "UPDATE audit_events SET details = '{\"edited\":true}' WHERE seq = 8",
            "audit event 8 was changed",
        ),
        (
            "an edited first-era event",
            "UPDATE audit_events SET details = '{\"edited\":true}' WHERE seq = 3",
            "audit event 3 was changed",
        ),
        (
            "a deleted event",
            "DELETE FROM audit_events WHERE seq = 12",
            "audit event 13 does not follow event 11",
        ),
        (
            "two events swapped",
            "UPDATE audit_events SET seq = -9 WHERE seq = 9; UPDATE audit_events SET seq = 9 WHERE seq = 10; UPDATE audit_events SET seq = 10 WHERE seq = -9",
            "audit event 9 does not point to the hash",
        ),
        (
            "the newest event deleted",
            "DELETE FROM audit_events WHERE seq = 20; UPDATE audit_head SET seq = 19",
            "newest audit events are missing",
        ),
        (
            "a keyed event given an unkeyed hash",
            "UPDATE audit_events SET key_id = NULL WHERE seq = 7",
            "audit event 7 carries an unkeyed hash",
        ),
        (
            "the checkpoints removed",
            "DELETE FROM audit_checkpoints",
            "no checkpoint seals them",
        ),
        (
            "a checkpoint forged",
            "UPDATE audit_checkpoints SET head_hash = 'ab' WHERE seq = 15",
            "does not carry a valid MAC",
        ),
        (
            "an event sequenced outside the sequencer",
            "UPDATE audit_events SET seq = 21 WHERE seq = 20",
            "audit event 21 does not follow event 19",
        ),
    ];
    for backend in backends() {
        for (what, statements, message) in tampering {
            let site = log_of_both_eras(&backend);
            site.sql(statements);
            let stderr = site.fails(&["audit", "verify"]);
            assert!(stderr.contains(message), "[{backend}] {what}: {stderr}");
        }

        // Edited, then every hash after it recomputed without the key: in the keyed era the
        // unkeyed hashes give it away, in the first era the checkpoint that sealed it.
        let site = log_of_both_eras(&backend);
        site.sql("UPDATE audit_events SET details = '{\"edited\":true}' WHERE seq = 12");
        site.rehash_without_key(12);
        let stderr = site.fails(&["audit", "verify"]);
        assert!(
            stderr.contains("audit event 12 carries an unkeyed hash"),
            "[{backend}] {stderr}"
        );
        let site = log_of_both_eras(&backend);
        site.sql("UPDATE audit_events SET details = '{\"edited\":true}' WHERE seq = 2");
        site.rehash_without_key(2);
        let stderr = site.fails(&["audit", "verify"]);
        assert!(
            stderr.contains("the checkpoint at 5 does not match the chain"),
            "[{backend}] {stderr}"
        );
    }
}

#[test]
fn a_log_truncated_after_an_exported_checkpoint_fails_verify_checkpoint() {
    for backend in backends() {
        let site = log_of_both_eras(&backend);
        let exported = site.dir.path().join("checkpoint.json");
        let path = exported.to_str().unwrap();
        site.ok(&["audit", "checkpoint", "--out", path]);
        let line = std::fs::read_to_string(&exported).unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(json["seq"], 20, "[{backend}] {line}");
        assert_eq!(line.lines().count(), 1);
        assert_eq!(site.ok(&["audit", "checkpoint"]), line, "[{backend}]");

        // The log grows: it still contains the exported checkpoint.
        site.append(5);
        site.ok(&["audit", "sequence"]);
        assert!(site
            .ok(&["audit", "verify", "--checkpoint", path])
            .contains("still contains the exported checkpoint at 20"));

        // Someone with the database cuts it back to 15, checkpoints and head included: the
        // log on its own looks whole, but not against what was exported.
        let head_15 = site.events()[14].hash.clone().unwrap();
        site.sql(&format!(
            "DELETE FROM audit_events WHERE seq > 15; DELETE FROM audit_checkpoints WHERE seq > 15; \
             UPDATE audit_head SET seq = 15, hash = '{head_15}'"
        ));
        site.ok(&["audit", "verify"]);
        let stderr = site.fails(&["audit", "verify", "--checkpoint", path]);
        assert!(
            stderr.contains("no longer contains the exported checkpoint"),
            "[{backend}] {stderr}"
        );

        // An exported checkpoint that was changed is refused as such.
        let forged = line.replace(json["head_hash"].as_str().unwrap(), &"0".repeat(64));
        std::fs::write(&exported, forged).unwrap();
        let stderr = site.fails(&["audit", "verify", "--checkpoint", path]);
        assert!(stderr.contains("valid MAC"), "[{backend}] {stderr}");
        std::fs::write(&exported, "not json").unwrap();
        let stderr = site.fails(&["audit", "verify", "--checkpoint", path]);
        assert!(stderr.contains("not a checkpoint"), "[{backend}] {stderr}");
    }
}

#[test]
fn a_killed_sequencer_loses_nothing_and_a_second_run_completes() {
    const BACKLOG: usize = 40_000;
    const BATCH: &str = "500";
    for backend in backends() {
        let site = Site::new(&backend);
        for _ in 0..BACKLOG / 10_000 {
            site.append(10_000);
        }
        let mut command = common::deployed::command(site.dir.path(), &site.env());
        let mut child = command
            .args(["audit", "sequence", "--batch-size", BATCH])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Killed once a few batches have committed, in the middle of the run.
        let started = Instant::now();
        while site.count("audit_checkpoints") < 4 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "[{backend}] no progress"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let sequenced = site.count("audit_events WHERE seq IS NOT NULL");
        assert_eq!(
            site.count("audit_events"),
            BACKLOG as i64,
            "[{backend}] nothing lost"
        );
        assert!(
            sequenced > 0 && sequenced < BACKLOG as i64,
            "[{backend}] killed mid-run: {sequenced} sequenced"
        );
        assert_eq!(sequenced % 500, 0, "[{backend}] whole batches only");
        site.ok(&["audit", "verify"]);

        site.ok(&["audit", "sequence"]);
        site.assert_gapless(BACKLOG as i64);
        site.ok(&["audit", "verify"]);
    }
}

#[test]
fn events_waiting_too_long_for_the_sequencer_fail_verify() {
    for backend in backends() {
        let site = Site::new(&backend);
        site.append(2);
        site.ok(&["audit", "verify"]);
        site.append_at(
            3,
            rightsdesk::app::clock::now() - time::Duration::minutes(10),
        );
        let stderr = site.fails(&["audit", "verify"]);
        assert!(
            stderr.contains("3 audit events have waited more than 300 s"),
            "[{backend}] {stderr}"
        );
        // An operator who allows an hour sees the same log pass.
        let patient = site.run_with(
            &[("RIGHTSDESK_AUDIT_MAX_PENDING_SECS", "3600")],
            &["audit", "verify"],
        );
        assert!(
            patient.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&patient.stderr)
        );
        site.ok(&["audit", "sequence"]);
        assert!(site.ok(&["audit", "verify"]).contains("5 events verified"));
    }
}

#[test]
fn tail_streams_sequenced_events_as_ndjson_and_follows_until_sigterm() {
    for backend in backends() {
        let site = log_of_both_eras(&backend);
        site.append(2);
        let all = site.ok(&["audit", "tail", "--format", "ndjson"]);
        let lines: Vec<serde_json::Value> = all
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 20, "[{backend}] sequenced events only");
        assert_eq!(lines[0]["seq"], 1);
        assert_eq!(lines[19]["seq"], 20);
        assert_eq!(lines[19]["details"]["n"], 4, "[{backend}] details as JSON");
        assert!(lines[19]["key_id"].is_string() && lines[0]["key_id"].is_null());
        let since = site.ok(&["audit", "tail", "--format", "ndjson", "--since", "18"]);
        assert_eq!(since.lines().count(), 2, "[{backend}]");

        let mut command = common::deployed::command(site.dir.path(), &site.env());
        let mut child = command
            .env("RIGHTSDESK_AUDIT_SEQUENCE_INTERVAL_MS", "50")
            .args([
                "audit", "tail", "--format", "ndjson", "--follow", "--since", "20",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, received) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        site.ok(&["audit", "sequence"]);
        for seq in [21, 22] {
            let line = received
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("[{backend}] event {seq} followed"));
            let event: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(event["seq"], seq, "[{backend}]");
        }
        let sent = std::process::Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        assert!(
            status.success(),
            "[{backend}] SIGTERM ends the feed cleanly: {status}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_writing_at_once_give_one_gapless_chain() {
    use common::cluster::Cluster;
    use common::deployed::Deployed;
    use common::smtp_sink::SmtpSink;
    const REQUESTS: usize = 16;
    for backend in backends() {
        let site = Site::new(&backend);
        let sink = SmtpSink::start(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
        let smtp_url = format!("smtp://127.0.0.1:{}", sink.port());
        let mut env = site.env();
        env.extend([
            ("RIGHTSDESK_SMTP_URL", smtp_url.as_str()),
            ("RIGHTSDESK_OUTBOX_INTERVAL_MS", "20"),
            ("RIGHTSDESK_AUDIT_SEQUENCE_INTERVAL_MS", "30"),
            ("RUST_LOG", "info"),
        ]);
        let (dir_a, dir_b) = (site.dir.path().join("a"), site.dir.path().join("b"));
        let (first, second) =
            tokio::join!(Deployed::start(&dir_a, &env), Deployed::start(&dir_b, &env));
        let cluster = Cluster::new([first.base_url(), second.base_url()], sink.clone());
        // Each request is submitted through one instance and confirmed through the other,
        // all at once: both write events while both sequence.
        let tasks: Vec<_> = (0..REQUESTS)
            .map(|n| {
                let cluster = cluster.clone();
                tokio::spawn(async move { cluster.submit_and_verify(n).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let started = Instant::now();
        while site.count("audit_events WHERE seq IS NULL") > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "[{backend}] the sequencers fall behind"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for instance in [first, second] {
            let (status, log) = instance.terminate().await;
            assert!(status.success(), "[{backend}] {log}");
            assert!(log.contains("audit sequencer stopped"), "[{backend}] {log}");
        }
        let events = site.count("audit_events");
        assert!(
            events >= 2 * REQUESTS as i64,
            "[{backend}] {events} events for {REQUESTS} requests"
        );
        site.assert_gapless(events);
        assert!(site
            .ok(&["audit", "verify"])
            .contains(&format!("{events} events verified")));
        let answers = cluster.answers.lock().unwrap();
        assert!(
            answers.iter().all(|(_, status)| !status.is_server_error()),
            "[{backend}] {answers:?}"
        );
    }
}
