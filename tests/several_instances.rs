//! Several instances on one PostgreSQL behave as one. Two `rightsdesk serve` processes share
//! a database, a secret key and a mail server; requesters and officers use both at once
//! while both run the mail sender and the scheduled purge. Afterwards every mail has gone
//! out exactly once, every purged item was purged and audited once, the audit chain holds,
//! the kept per-status counts match the rows, and no answer was a server error.
//!
//! Runs when `RIGHTSDESK_TEST_POSTGRES` is set (PostgreSQL only: SQLite serves one instance).

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::StatusCode;

use common::cluster::{normalise, Browser, Cluster, Requester, SinkMail};
use common::deployed::{rightsdesk_command, Deployed};
use common::officer::PASSWORD;
use common::purgeable::{insert_purgeable, PurgeExpectations};
use common::smtp_sink::SmtpSink;
use common::{assert_counts_match_on, backends, count_on, Backend, TestDatabase};
use rightsdesk::store::{self, DbConn, Pool};

const SECRET_KEY: &str = "two-instances-share-one-secret-key-0123456789";
const OFFICER: &str = "omar@example.org";
/// Requests submitted, each worked through one of the scenarios below.
const REQUESTS: usize = 48;
/// Mails waiting in the outbox when the instances start.
const BACKLOG: usize = 100;
/// How long any one wait (a mail, the purge, the drained outbox) may take.
const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_send_each_mail_once_and_purge_each_item_once() {
    let Some(Backend::Postgres(base)) = backends().into_iter().find(|b| *b != Backend::Sqlite)
    else {
        println!("several_instances: skipped, RIGHTSDESK_TEST_POSTGRES is not set");
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(&Backend::Postgres(base), dir.path());
    // Declared after the database: the pool goes first, then the schema.
    let pool = store::connect(&store::DatabaseUrl::parse(&database.url).unwrap(), 2)
        .expect("a pool for the test's own queries");
    let operator = Operator {
        dir: dir.path().join("cli"),
        url: database.url.clone(),
    };

    // An operator migrates once and creates an officer, with the binary.
    operator.run(&["migrate"]);
    let created = operator.run(&[
        "officer", "create", "--email", OFFICER, "--name", "Omar", "--role", "officer", "--region",
        "in", "--region", "eu",
    ]);
    let officer_id = created
        .trim()
        .strip_prefix("officer created: ")
        .unwrap_or_else(|| panic!("officer id in {created:?}"))
        .to_string();

    // Work for both scheduled purges, there before either instance starts; and a backlog of
    // mail (as after a mail server outage) that falls due once both run.
    let purgeable = insert_purgeable(&mut conn(&pool), &officer_id);
    insert_backlog(&mut conn(&pool), BACKLOG, Duration::from_secs(2));

    let sink = SmtpSink::start(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
    let smtp_url = format!("smtp://127.0.0.1:{}", sink.port());
    let env = [
        ("DATABASE_URL", database.url.as_str()),
        ("RIGHTSDESK_SECRET_KEY", SECRET_KEY),
        ("RIGHTSDESK_SMTP_URL", smtp_url.as_str()),
        ("RIGHTSDESK_PUBLIC_URL", "http://rightsdesk.test"),
        ("RIGHTSDESK_PURGE_INTERVAL_SECS", "1"),
        ("RIGHTSDESK_OUTBOX_INTERVAL_MS", "20"),
        ("RIGHTSDESK_RATE_LIMIT", "0"),
    ];
    let (dir_a, dir_b) = (dir.path().join("a"), dir.path().join("b"));
    let (first, second) =
        tokio::join!(Deployed::start(&dir_a, &env), Deployed::start(&dir_b, &env));
    let cluster = Cluster::new([first.base_url(), second.base_url()], sink.clone());

    let outcomes = match work_through_both(&cluster, &officer_id).await {
        Ok(outcomes) => outcomes,
        Err(failures) => panic!(
            "{} of {REQUESTS} requests failed:\n{}\ntrouble the instances logged:\n{}\n{}",
            failures.len(),
            failures.join("\n"),
            trouble(&first.log()),
            trouble(&second.log())
        ),
    };
    println!(
        "several_instances: {REQUESTS} requests worked through two instances in {:?}",
        started.elapsed()
    );
    settle(&pool, &sink, &purgeable).await;
    let purge_runs = stop(first, second).await;

    let mut db = conn(&pool);
    assert_each_mail_sent_once(&mut db, &sink);
    assert_each_item_purged_once(&mut db, &purgeable);
    operator.run(&["audit", "verify"]);
    assert_counts_match_on(&mut db, "two instances");
    for (requester, expected) in &outcomes {
        use rightsdesk::store::schema::requests::dsl;
        let status: String = dsl::requests
            .filter(dsl::reference.eq(&requester.reference))
            .select(dsl::status)
            .first(&mut *db)
            .unwrap();
        assert_eq!(
            &status,
            expected,
            "request {} (scenario {})",
            requester.reference,
            requester.n % SCENARIOS
        );
    }
    let answers = cluster.answers.lock().unwrap();
    let server_errors: Vec<_> = answers
        .iter()
        .filter(|(_, s)| s.is_server_error())
        .collect();
    assert!(server_errors.is_empty(), "server errors: {server_errors:?}");
    println!(
        "several_instances: {} answers, none 5xx; purge runs per instance {purge_runs:?}; {:?} in all",
        answers.len(),
        started.elapsed()
    );
}

/// The binary run as an operator runs it, against the test's database.
struct Operator {
    dir: PathBuf,
    url: String,
}

impl Operator {
    /// Runs a one-shot command that must succeed; returns what it printed.
    fn run(&self, args: &[&str]) -> String {
        let env = [
            ("DATABASE_URL", self.url.as_str()),
            ("RIGHTSDESK_SECRET_KEY", SECRET_KEY),
            ("RIGHTSDESK_PASSWORD", PASSWORD),
            ("RUST_LOG", "warn"),
        ];
        let out = rightsdesk_command(&self.dir, &env, args);
        assert!(
            out.status.success(),
            "rightsdesk {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Signs an officer in on each instance, then works every request at once (a task each);
/// returns each verified request with the status it must end in, or what failed.
async fn work_through_both(
    cluster: &Cluster,
    officer_id: &str,
) -> Result<Vec<(Requester, String)>, Vec<String>> {
    // Each session then works through both instances.
    let officers = Arc::new([
        cluster.signed_in_officer(0, OFFICER, PASSWORD).await,
        cluster.signed_in_officer(1, OFFICER, PASSWORD).await,
    ]);
    let work: Vec<_> = (0..REQUESTS)
        .map(|n| {
            let (cluster, officers) = (cluster.clone(), Arc::clone(&officers));
            let officer_id = officer_id.to_string();
            tokio::spawn(async move {
                let requester = cluster.submit_and_verify(n).await;
                let expected = work_on(&officers, &officer_id, &requester).await;
                (requester, expected)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for task in work {
        match task.await {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => failures.push(error.to_string()),
        }
    }
    if failures.is_empty() {
        Ok(outcomes)
    } else {
        Err(failures)
    }
}

/// Waits until both purges have taken every due item, the outbox holds nothing to send and
/// the sink has had nothing new for a while.
async fn settle(pool: &Pool, sink: &SmtpSink, purgeable: &PurgeExpectations) {
    wait_until("the scheduled purge to take every due item", || {
        purgeable
            .gone
            .iter()
            .all(|place| count_on(&mut conn(pool), place) == 0)
    })
    .await;
    let mut stable_since = Instant::now();
    let mut last = usize::MAX;
    wait_until("the outbox to drain and the sink to settle", || {
        let pending = count_on(
            &mut conn(pool),
            "mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        );
        let received = sink.messages.lock().unwrap().len();
        if received != last {
            (last, stable_since) = (received, Instant::now());
        }
        pending == 0 && stable_since.elapsed() > Duration::from_millis(500)
    })
    .await;
}

/// Stops both instances as a service manager does; each must exit 0 with nothing worse
/// than information in its log. Returns how many scheduled purges each ran to the end.
async fn stop(first: Deployed, second: Deployed) -> Vec<usize> {
    let (first, second) = tokio::join!(first.terminate(), second.terminate());
    let mut purge_runs = Vec::new();
    for (name, (status, log)) in [("first", first), ("second", second)] {
        assert_eq!(
            status.code(),
            Some(0),
            "{name} instance: exit {status}; log:\n{log}"
        );
        assert!(
            !log.contains("panicked"),
            "{name} instance panicked; log:\n{log}"
        );
        assert!(
            trouble(&log).is_empty(),
            "{name} instance warned:\n{}",
            trouble(&log)
        );
        purge_runs.push(log.matches("scheduled purge finished").count());
    }
    assert!(
        purge_runs.iter().all(|&runs| runs > 0),
        "each instance ran the scheduled purge: {purge_runs:?}"
    );
    purge_runs
}

/// The instances' vault (they share `SECRET_KEY`).
fn vault() -> rightsdesk::vault::Keyring {
    let key = rightsdesk::crypto::SecretKey::from_text(SECRET_KEY).expect("a secret key");
    rightsdesk::vault::Keyring::new(&key, &[])
}

/// Queues `count` mails directly in the outbox, due `after` from now.
fn insert_backlog(db: &mut DbConn, count: usize, after: Duration) {
    use rightsdesk::store::outbox::{enqueue, NewOutboxMail};
    use rightsdesk::store::time::to_db;
    let now = time::OffsetDateTime::now_utc();
    let due = to_db(now + after);
    for n in 0..count {
        let (id, to) = (format!("backlog-{n}"), format!("backlog{n}@example.org"));
        let (subject, body) = (format!("Backlog {n}"), format!("Mail {n} of the backlog."));
        let mail = NewOutboxMail {
            id: &id,
            to_addr: &to,
            subject: &subject,
            body: &body,
            template: "backlog",
            created_at: to_db(now),
            next_attempt_at: due,
        };
        enqueue(db, &vault(), &mail).expect("queue a mail");
    }
}

/// The warnings and errors of a log.
fn trouble(log: &str) -> String {
    log.lines()
        .filter(|line| line.contains("WARN") || line.contains("ERROR"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn conn(pool: &Pool) -> store::PooledConn {
    pool.get().expect("a connection")
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < WAIT, "waited {WAIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every outbox row made during the test reached the sink exactly once: the same
/// (recipient, subject) multiset on both sides (a sent mail's body is dropped from the
/// outbox, so bodies are compared only among the messages received), no Message-ID twice, each row sent in
/// one attempt.
fn assert_each_mail_sent_once(db: &mut DbConn, sink: &SmtpSink) {
    use rightsdesk::store::schema::mail_outbox::dsl;
    type Row = (
        String,
        String,
        String,
        String,
        Option<time::PrimitiveDateTime>,
        i32,
    );
    let rows: Vec<Row> = dsl::mail_outbox
        .filter(dsl::id.not_like("due-%"))
        .select((
            dsl::id,
            dsl::to_addr,
            dsl::subject,
            dsl::body,
            dsl::sent_at,
            dsl::attempts,
        ))
        .load::<Row>(db)
        .unwrap()
        .into_iter()
        .map(|(id, to, subject, body, sent_at, attempts)| {
            let to = rightsdesk::store::seal::open(&vault(), "mail_outbox", &id, "to_addr", to)
                .expect("open a recipient");
            (id, to, subject, body, sent_at, attempts)
        })
        .collect();
    let messages = sink.messages.lock().unwrap().clone();
    let received: Vec<SinkMail> = messages.iter().map(|raw| SinkMail::parse(raw)).collect();
    println!(
        "several_instances: {} messages at the sink, {} outbox rows created during the test",
        received.len(),
        rows.len()
    );
    let mut delivered: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for mail in &received {
        *delivered
            .entry((mail.to.clone(), mail.subject.clone(), normalise(&mail.body)))
            .or_default() += 1;
    }
    let duplicates: Vec<String> = delivered
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|((to, subject, _), n)| format!("{n}x {to} {subject:?}"))
        .collect();
    assert!(
        duplicates.is_empty(),
        "{} of {} distinct mails arrived more than once ({} messages for {} outbox rows): {duplicates:?}",
        duplicates.len(),
        delivered.len(),
        received.len(),
        rows.len()
    );
    let mut ids = HashSet::new();
    let twice: Vec<&String> = received
        .iter()
        .map(|m| &m.message_id)
        .filter(|id| !ids.insert(*id))
        .collect();
    assert!(twice.is_empty(), "Message-IDs received twice: {twice:?}");
    // Each message names its outbox row: a second send of one row would repeat its id.
    let row_ids: HashSet<String> = rows.iter().map(|row| row.0.clone()).collect();
    let named: HashSet<String> = received
        .iter()
        .filter_map(|m| {
            m.message_id
                .trim_matches(|c| c == '<' || c == '>')
                .split_once('@')
                .map(|(id, _)| id.to_string())
        })
        .collect();
    assert_eq!(named, row_ids, "every Message-ID is an outbox row's id");
    assert_eq!(
        received.len(),
        rows.len(),
        "messages at the sink vs outbox rows created"
    );
    let mut queued: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (_, to, subject, _, _, _) in &rows {
        *queued.entry((to.clone(), subject.clone())).or_default() += 1;
    }
    let mut delivered_to: BTreeMap<(String, String), i64> = BTreeMap::new();
    for ((to, subject, _), n) in &delivered {
        *delivered_to
            .entry((to.clone(), subject.clone()))
            .or_default() += n;
    }
    assert_eq!(
        delivered_to, queued,
        "the sink got exactly what the outbox held"
    );
    let not_once: Vec<String> = rows
        .iter()
        .filter(|(_, _, _, _, sent_at, attempts)| sent_at.is_none() || *attempts != 1)
        .map(|(_, to, subject, _, sent_at, attempts)| {
            format!("{to} {subject:?} sent {sent_at:?} in {attempts} attempts")
        })
        .collect();
    assert!(
        not_once.is_empty(),
        "every mail is sent in one attempt: {not_once:?}"
    );
}

/// Each purged personal item has exactly one audit event, each housekeeping class's batch
/// events add up to its items, what was due is gone and what holds keep is there.
fn assert_each_item_purged_once(db: &mut DbConn, expect: &PurgeExpectations) {
    use rightsdesk::store::schema::audit_events::dsl;
    let events: Vec<(String, String, String)> = dsl::audit_events
        .filter(dsl::action.like("retention.%"))
        .order(dsl::pos.asc())
        .select((dsl::action, dsl::target, dsl::details))
        .load(db)
        .unwrap();
    let mut per_item: Vec<(String, String)> = events
        .iter()
        .filter(|(_, target, _)| !target.starts_with("retention:"))
        .map(|(action, target, _)| (action.clone(), target.clone()))
        .collect();
    per_item.sort();
    let mut targets = HashSet::new();
    let twice: Vec<_> = per_item.iter().filter(|e| !targets.insert(*e)).collect();
    assert!(twice.is_empty(), "items purged twice: {twice:?}");
    let mut wanted = expect.per_item.clone();
    wanted.sort();
    assert_eq!(per_item, wanted, "one event per purged item, none other");
    let mut batches: BTreeMap<String, i64> = BTreeMap::new();
    for (_, target, details) in &events {
        if let Some(class) = target.strip_prefix("retention:") {
            let details: serde_json::Value = serde_json::from_str(details).unwrap();
            *batches.entry(class.to_string()).or_default() += details["count"].as_i64().unwrap();
        }
    }
    let wanted: BTreeMap<String, i64> = expect
        .batches
        .iter()
        .map(|(class, n)| (class.to_string(), *n))
        .collect();
    assert_eq!(batches, wanted, "housekeeping items purged, per class");
    for place in &expect.gone {
        assert_eq!(count_on(db, place), 0, "{place}");
    }
    for (place, n) in &expect.kept {
        assert_eq!(count_on(db, place), *n, "{place}");
    }
}

/// How many ways of working a request there are (request `n` gets scenario `n % SCENARIOS`).
const SCENARIOS: usize = 8;

/// An officer's side of one request: each step goes through the other instance than the
/// last, by the officer signed in on the instance not used.
struct Casework<'a> {
    officers: &'a [Browser; 2],
    reference: &'a str,
    step: usize,
}

impl Casework<'_> {
    /// One action that must succeed.
    async fn act(&mut self, fields: &[(&str, &str)]) {
        self.step += 1;
        let instance = self.step % 2;
        let answer = self.officers[1 - instance]
            .act(instance, self.reference, fields)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{} {fields:?} on {instance}: {}",
            self.reference,
            answer.body
        );
    }
}

/// Works one request through both instances and returns the status it must end in.
async fn work_on(officers: &[Browser; 2], officer_id: &str, requester: &Requester) -> String {
    let n = requester.n;
    let reference = requester.reference.as_str();
    let mut casework = Casework {
        officers,
        reference,
        step: n,
    };
    let see_other = StatusCode::SEE_OTHER;
    // Which instance the requester uses, and which officer races them (scenario 6).
    let (mine, theirs) = (n % 2, 1 - n % 2);
    let finished = match n % SCENARIOS {
        0 => {
            casework
                .act(&[("action", "assign"), ("assignee", officer_id)])
                .await;
            casework
                .act(&[("action", "note"), ("message", "Searched the CRM.")])
                .await;
            casework
                .act(&[("action", "fulfil"), ("message", "Here is what we hold.")])
                .await;
            "fulfilled"
        }
        1 => {
            casework.act(&[("action", "start")]).await;
            casework
                .act(&[
                    ("action", "extend"),
                    ("reason", "Several systems to search."),
                ])
                .await;
            casework
                .act(&[
                    ("action", "reject"),
                    ("reason", "no_data_held"),
                    ("message", "Nothing found."),
                ])
                .await;
            "rejected"
        }
        2 => {
            casework
                .act(&[("action", "ask_requester"), ("message", "Which account?")])
                .await;
            assert_eq!(requester.reply(mine, "The main one.").await, see_other);
            casework
                .act(&[("action", "ask_requester"), ("message", "Since when?")])
                .await;
            assert_eq!(requester.reply(theirs, "Since 2020.").await, see_other);
            casework
                .act(&[("action", "fulfil"), ("message", "Done.")])
                .await;
            "fulfilled"
        }
        3 => {
            assert_eq!(requester.withdraw(mine).await, see_other);
            "withdrawn"
        }
        4 => {
            casework.act(&[("action", "start")]).await;
            assert_eq!(requester.reply(mine, "Any news?").await, see_other);
            assert_eq!(requester.withdraw(theirs).await, see_other);
            "withdrawn"
        }
        5 => {
            // Both officers start it at once, each through another instance: one wins.
            let start: &[(&str, &str)] = &[("action", "start")];
            let (a, b) = tokio::join!(
                officers[0].act(0, reference, start),
                officers[1].act(1, reference, start)
            );
            let mut both = [a.status, b.status];
            both.sort();
            assert_eq!(
                both,
                [see_other, StatusCode::CONFLICT],
                "{reference} started twice"
            );
            casework
                .act(&[("action", "fulfil"), ("message", "All done.")])
                .await;
            "fulfilled"
        }
        6 => {
            // The officer fulfils through one instance while the requester withdraws
            // through the other: one of them wins.
            casework.act(&[("action", "start")]).await;
            let fulfil: &[(&str, &str)] = &[("action", "fulfil"), ("message", "Finished.")];
            let (fulfilled, withdrawn) = tokio::join!(
                officers[theirs].act(theirs, reference, fulfil),
                requester.withdraw(mine)
            );
            let fulfilled = fulfilled.status;
            let mut both = [fulfilled, withdrawn];
            both.sort();
            assert_eq!(
                both,
                [see_other, StatusCode::CONFLICT],
                "{reference} fulfilled and withdrawn at once"
            );
            if fulfilled == see_other {
                "fulfilled"
            } else {
                "withdrawn"
            }
        }
        _ => {
            casework
                .act(&[
                    ("action", "note"),
                    ("message", "Waiting for the CRM export."),
                ])
                .await;
            "open"
        }
    };
    finished.to_string()
}
