//! Data generator for the officer-queue benchmark (`bench/queue.sh`).
//!
//! Fills a MIGRATED, empty database (run `rightsdesk migrate` first) with verified rights
//! requests, fast: rows are built by a generator thread and inserted in large multi-row
//! `INSERT` statements inside transactions. It also creates the officers the benchmark
//! signs in as, each with a ready session, and prints their cookie tokens.
//!
//! ```text
//! queuegen --database-url sqlite:///tmp/x/bench.db --requests 1000000
//! queuegen --database-url postgres://postgres@127.0.0.1:5432/qb --cursor-at 0.9 --regime in
//! ```
//!
//! Generation prints (stdout), after progress on stderr:
//!
//! ```text
//! GENERATED requests=1000000 active=150123 secs=41.2 rows_per_sec=24271
//! SESSION admin=<cookie token>
//! SESSION officer=<cookie token>
//! ```
//!
//! `--sessions-only` generates nothing: it opens fresh sessions for the officers an earlier
//! run created and prints them as above, after `EXISTING requests=.. active=..`, so that a
//! filled database can be measured again (for instance after adding an index by hand).
//!
//! `--cursor-at FRACTION` generates nothing: it finds the active request at that fraction of
//! the queue's order (effective due date, id), optionally within `--regime`, and prints
//! `CURSOR <token>` (the `after=` value of the queue page that starts after it) and
//! `REFERENCE <reference>` (that request's reference, for a search).
//!
//! The data is pseudo-random but deterministic for a given `--seed` and `--requests`
//! (only times move with the clock, and the session tokens are truly random). Requests are
//! spread over the four regimes and eight kinds; about 85% are closed (fulfilled, rejected,
//! withdrawn) and 15% active (open, in progress, awaiting the requester), received over the
//! last two years in time order, due 30 days after receipt, some extended. The per-region,
//! per-status counts (`request_counts`) move with each transaction's rows, as the
//! application keeps them. The personal columns are sealed as the portal seals them (the
//! store's own sealing, under the secret key of `RIGHTSDESK_SECRET_KEY` or the data dir),
//! with the email's blind index and the key id beside them, so reading the queue, exporting
//! and `rekey` do the work they do on a real database. No audit events
//! are written for these rows: the queue never reads the audit trail, and a hash chain of a
//! million events would only slow the load down.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::mpsc;
use std::time::Instant;

use clap::Parser;
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use rightsdesk::app::officers::{self as app_officers, NewOfficerInput, Requester};
use rightsdesk::app::{auth, random_bytes, Context};
use rightsdesk::config::Settings;
use rightsdesk::domain::queue::QueueCursor;
use rightsdesk::domain::reference::Reference;
use rightsdesk::domain::totp::{TotpSecret, TOTP_SECRET_BYTES};
use rightsdesk::store::officers::{self, OfficerChanges};
use rightsdesk::store::requests::NewRequest;
use rightsdesk::store::schema::{request_counts, requests};
use rightsdesk::store::seal::email_index;
use rightsdesk::store::sessions::{self, NewSession};
use rightsdesk::store::time::{from_db, to_db};
use rightsdesk::store::DbConn;
use rightsdesk::vault::Keyring;

/// SQLite's highest bind-parameter number (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
const SQLITE_MAX_BINDS: usize = 32_766;
/// PostgreSQL's protocol limit on the parameters of one statement.
const POSTGRES_MAX_BINDS: usize = 65_535;
/// Columns of one generated row (every column of `requests` but `wiped_at`).
const COLUMNS: usize = 26;
/// Rows per transaction: each commit reports progress.
const ROWS_PER_TRANSACTION: usize = 50_000;
/// How far back requests were received.
const HISTORY_DAYS: i64 = 730;
/// Requests received this recently are mostly still being worked on.
const RECENT_DAYS: i64 = 45;
const ACTIVE_SHARE: f64 = 0.15;
const ACTIVE_SHARE_RECENT: f64 = 0.9;
const ACTIVE_STATUSES: [&str; 3] = ["open", "in_progress", "awaiting_requester"];

const REGIMES: [(&str, u32); 4] = [("in", 35), ("eu", 30), ("us-ca", 20), ("other", 15)];
const KINDS: [(&str, u32); 8] = [
    ("access", 30),
    ("erasure", 25),
    ("rectification", 10),
    ("consent_withdrawal", 10),
    ("objection", 8),
    ("portability", 7),
    ("restriction", 5),
    ("grievance", 5),
];
const ACTIVE_MIX: [(&str, u32); 3] = [
    ("open", 40),
    ("in_progress", 40),
    ("awaiting_requester", 20),
];
const CLOSED_MIX: [(&str, u32); 3] = [("fulfilled", 70), ("rejected", 18), ("withdrawn", 12)];

/// The last names as they appear in email addresses.
const LAST_NAMES_ASCII: [&str; 16] = [
    "rao", "sharma", "iyer", "nair", "gupta", "mueller", "rossi", "garcia", "dubois", "novak",
    "smith", "johnson", "lee", "kim", "tanaka", "haddad",
];
const FIRST_NAMES: [&str; 16] = [
    "Asha", "Ravi", "Priya", "Arjun", "Meera", "Kiran", "Sofia", "Lukas", "Emma", "Mateo", "Chloe",
    "Noah", "Olivia", "Liam", "Yuki", "Omar",
];
const LAST_NAMES: [&str; 16] = [
    "Rao", "Sharma", "Iyer", "Nair", "Gupta", "Müller", "Rossi", "García", "Dubois", "Novak",
    "Smith", "Johnson", "Lee", "Kim", "Tanaka", "Haddad",
];
const DETAILS: [&str; 6] = [
    "Please tell me what personal data you hold about me, where it came from and who you shared it with.",
    "I closed my account last year but I still receive messages. Delete everything you hold about me, including backups where the law allows.",
    "My address and phone number in your records are out of date; I moved in March. Please correct them everywhere, including with the delivery partner.",
    "Stop using my data for marketing and for profiling. I never agreed to the partner offers I keep getting by email and SMS.",
    "I want a copy of my order history and profile in a machine-readable format so I can move to another provider.",
    "I complained about the handling of my earlier request and heard nothing for weeks. Please look into it and tell me what happened.",
];
/// Stored as the app stores them: reason codes (the officer's words go in a message).
const REJECTION_REASONS: [&str; 3] = ["identity_not_verified", "legal_obligation", "excessive"];

#[derive(Parser, Debug)]
#[command(
    name = "queuegen",
    about = "Fill a migrated rightsdesk database with requests and officer sessions for the queue benchmark"
)]
struct Args {
    /// Database URL (sqlite://PATH or postgres://...); the database must be migrated.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,

    /// How many requests to generate.
    #[arg(long, default_value_t = 1_000_000)]
    requests: u64,

    /// Seed of the pseudo-random data.
    #[arg(long, default_value_t = 0x5EED_2026)]
    seed: u64,

    /// Rows per INSERT statement (0: as many as the backend's bind-parameter limit allows).
    #[arg(long, default_value_t = 0)]
    batch_rows: usize,

    /// Generate nothing; print the queue cursor at this fraction (0..1) of the active set.
    #[arg(long)]
    cursor_at: Option<f64>,

    /// With --cursor-at: only this regime's requests (as an officer of that region sees them).
    #[arg(long, requires = "cursor_at")]
    regime: Option<String>,

    /// Generate nothing; open new sessions for the officers of an earlier run.
    #[arg(long, conflicts_with = "cursor_at")]
    sessions_only: bool,
}

/// One generated request: every column, so that `None` binds NULL (not `DEFAULT`) and a
/// whole batch goes into one statement on SQLite too.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = requests)]
#[diesel(treat_none_as_default_value = false)]
struct BenchRequest {
    id: String,
    reference: String,
    kind: &'static str,
    regime: &'static str,
    status: &'static str,
    full_name: String,
    email: String,
    account_ref: Option<String>,
    details: String,
    correction: Option<String>,
    purposes: Option<String>,
    content_removal: bool,
    received_at: PrimitiveDateTime,
    verified_at: Option<PrimitiveDateTime>,
    acknowledge_due_at: Option<PrimitiveDateTime>,
    due_at: PrimitiveDateTime,
    extended_due_at: Option<PrimitiveDateTime>,
    closed_at: Option<PrimitiveDateTime>,
    assignee_id: Option<String>,
    outcome: Option<&'static str>,
    rejection_reason: Option<&'static str>,
    version: i64,
    updated_at: PrimitiveDateTime,
    effective_due_at: PrimitiveDateTime,
    email_index: Option<String>,
    seal_key_id: Option<String>,
}

/// splitmix64: tiny, fast and good enough for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            let weight = u64::from(*weight);
            if roll < weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    /// A span between `from` and `to` seconds, to the microsecond as the app stores times.
    fn seconds(&mut self, from: i64, to: i64) -> Duration {
        let micros = (to - from).max(1) as u64 * 1_000_000;
        Duration::microseconds(from * 1_000_000 + self.below(micros) as i64)
    }
}

/// The officers rows are assigned to, by regime.
struct Assignees {
    by_regime: HashMap<&'static str, Vec<String>>,
}

/// What the generator thread needs to build rows.
struct Plan {
    total: u64,
    seed: u64,
    now: OffsetDateTime,
    batch_rows: usize,
    assignees: Assignees,
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("queuegen: {message}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    // The server's settings, read the way it reads them, on the database named here. The
    // rows are sealed under the secret key, so it must be the server's: named outright, or
    // the one in (or generated into) its data dir, never a default ./data by accident.
    let mut env: HashMap<String, String> = std::env::vars().collect();
    env.insert("DATABASE_URL".into(), args.database_url.clone());
    if !env.contains_key("RIGHTSDESK_SECRET_KEY") && !env.contains_key("RIGHTSDESK_DATA_DIR") {
        return Err(
            "set RIGHTSDESK_SECRET_KEY or RIGHTSDESK_DATA_DIR as for the server: rows are sealed under its key"
                .into(),
        );
    }
    let settings = Settings::from_env(&env).map_err(|e| e.to_string())?;
    let ctx = Context::open(settings).map_err(|e| format!("cannot open the database: {e}"))?;
    {
        let mut conn = ctx.conn().map_err(|e| e.to_string())?;
        if rightsdesk::store::has_pending_migrations(&mut conn).map_err(|e| e.to_string())? {
            return Err("the database is not migrated: run `rightsdesk migrate` first".into());
        }
    }
    match args.cursor_at {
        Some(fraction) => print_cursor(&ctx, fraction, args.regime.as_deref()),
        None if args.sessions_only => reopen_sessions(&ctx),
        None => generate(&ctx, &args),
    }
}

fn officer_email(key: &str) -> String {
    format!("bench-{key}@example.test")
}

/// New sessions for the admin and the `in` officer that an earlier run created.
fn reopen_sessions(ctx: &Context) -> Result<(), String> {
    let mut conn = ctx.conn().map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    for key in ["admin", "officer-in"] {
        let row = officers::find_by_email(&mut conn, &officer_email(key))
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no officer {} here: generate first", officer_email(key)))?;
        ids.push(row.id.to_string());
    }
    let total: i64 = requests::table
        .count()
        .get_result(&mut *conn)
        .map_err(|e| e.to_string())?;
    let active: i64 = requests::table
        .filter(requests::status.eq_any(ACTIVE_STATUSES))
        .count()
        .get_result(&mut *conn)
        .map_err(|e| e.to_string())?;
    drop(conn);
    let admin_token = open_session(ctx, &ids[0], false)?;
    let officer_token = open_session(ctx, &ids[1], false)?;
    println!("EXISTING requests={total} active={active}");
    println!("SESSION admin={admin_token}");
    println!("SESSION officer={officer_token}");
    Ok(())
}

fn generate(ctx: &Context, args: &Args) -> Result<(), String> {
    let mut conn = ctx.conn().map_err(|e| e.to_string())?;
    let existing: i64 = requests::table
        .count()
        .get_result(&mut *conn)
        .map_err(|e| e.to_string())?;
    if existing > 0 {
        return Err(format!(
            "the database already holds {existing} requests; generate into an empty one"
        ));
    }
    let max_binds = match &*conn {
        DbConn::Sqlite(_) => SQLITE_MAX_BINDS,
        DbConn::Postgres(_) => POSTGRES_MAX_BINDS,
    };
    let limit = max_binds / COLUMNS;
    let batch_rows = match args.batch_rows {
        0 => limit,
        n if n > limit => return Err(format!("--batch-rows is at most {limit} on this backend")),
        n => n,
    };
    drop(conn);

    // Officers first: rows are assigned to them. Created through the application (password
    // hash, audit event) like `rightsdesk officer create` does.
    let started = Instant::now();
    let admin_id = create_officer(ctx, "admin", "Bench Admin", "admin", &[])?;
    let officer_id = create_officer(
        ctx,
        "officer-in",
        "Bench Officer (India)",
        "officer",
        &["in"],
    )?;
    let mut by_regime: HashMap<&'static str, Vec<String>> = HashMap::new();
    by_regime.insert("in", vec![officer_id.clone()]);
    for (key, name, regime) in [
        ("officer-in-2", "Anil Menon", "in"),
        ("officer-eu", "Claire Martin", "eu"),
        ("officer-eu-2", "Jonas Weber", "eu"),
        ("officer-us-ca", "Maria Lopez", "us-ca"),
        ("officer-other", "Sam Okafor", "other"),
    ] {
        let id = create_officer(ctx, key, name, "officer", &[regime])?;
        by_regime.entry(regime).or_default().push(id);
    }
    eprintln!(
        "queuegen: 7 officers created in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .map_err(|e| e.to_string())?;
    let plan = Plan {
        total: args.requests,
        seed: args.seed,
        now,
        batch_rows,
        assignees: Assignees { by_regime },
    };
    let (active, secs) = load_requests(ctx, plan)?;
    let rate = args.requests as f64 / secs.max(f64::EPSILON);
    eprintln!(
        "queuegen: {} requests ({active} active) in {secs:.1} s, {rate:.0} rows/s, {batch_rows} rows per INSERT",
        args.requests
    );

    // Sessions last: the idle limit (30 minutes by default) runs from now.
    let admin_token = open_session(ctx, &admin_id, true)?;
    let officer_token = open_session(ctx, &officer_id, false)?;
    println!(
        "GENERATED requests={} active={active} secs={secs:.1} rows_per_sec={rate:.0} batch_rows={batch_rows}",
        args.requests
    );
    println!("SESSION admin={admin_token}");
    println!("SESSION officer={officer_token}");
    Ok(())
}

fn create_officer(
    ctx: &Context,
    key: &str,
    name: &str,
    role: &str,
    regions: &[&str],
) -> Result<String, String> {
    let password = HEXLOWER.encode(&random_bytes::<16>().map_err(|e| e.to_string())?);
    let input = NewOfficerInput {
        email: officer_email(key),
        name: name.to_string(),
        role: role.to_string(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        password,
    };
    app_officers::create(ctx, Requester::Operator, &input)
        .map_err(|e| format!("cannot create officer {key}: {e}"))
}

/// Inserts a signed-in session (second step passed) and returns the cookie token. For the
/// admin, two-step sign-in is also switched on, so the workspace opens without enrolment.
fn open_session(ctx: &Context, officer_id: &str, enrol_totp: bool) -> Result<String, String> {
    let token = BASE64URL_NOPAD.encode(&random_bytes::<32>().map_err(|e| e.to_string())?);
    let hash = HEXLOWER.encode(&Sha256::digest(token.as_bytes()));
    let now = to_db(OffsetDateTime::now_utc());
    let secret =
        TotpSecret::from_bytes(random_bytes::<TOTP_SECRET_BYTES>().map_err(|e| e.to_string())?);
    // Sealed as the portal seals an enrolled secret.
    let sealed_secret =
        auth::seal_totp_secret(ctx, officer_id, &secret).map_err(|e| e.to_string())?;
    let mut conn = ctx.conn().map_err(|e| e.to_string())?;
    conn.transaction(|conn| {
        if enrol_totp {
            officers::update(
                conn,
                officer_id,
                &OfficerChanges {
                    totp_secret: Some(Some(sealed_secret.clone())),
                    totp_enabled_at: Some(Some(now)),
                    ..OfficerChanges::default()
                },
                now,
            )?;
        }
        sessions::insert(
            conn,
            &NewSession {
                id_hash: &hash,
                officer_id,
                mfa_passed: true,
                created_at: now,
                last_seen_at: now,
                expires_at: now + Duration::days(365),
            },
        )
    })
    .map_err(|e: diesel::result::Error| format!("cannot open a session: {e}"))?;
    Ok(token)
}

/// Generates on one thread and inserts on this one; returns (active rows, seconds).
fn load_requests(ctx: &Context, plan: Plan) -> Result<(u64, f64), String> {
    let total = plan.total;
    let (sender, receiver) = mpsc::sync_channel::<Vec<BenchRequest>>(4);
    let vault = std::sync::Arc::clone(&ctx.keyring);
    let generator = std::thread::spawn(move || generate_rows(&plan, &vault, &sender));

    let mut conn = ctx.conn().map_err(|e| e.to_string())?;
    if let DbConn::Sqlite(c) = &mut *conn {
        // A big page cache for this connection only: ten indexes on random keys.
        c.batch_execute("PRAGMA cache_size = -524288")
            .map_err(|e| e.to_string())?;
    }
    let started = Instant::now();
    let mut inserted: u64 = 0;
    let mut last_report = Instant::now();
    let mut pending: Vec<Vec<BenchRequest>> = Vec::new();
    let mut pending_rows = 0usize;
    let mut receiving = true;
    while receiving {
        match receiver.recv() {
            Ok(batch) => {
                pending_rows += batch.len();
                pending.push(batch);
            }
            Err(_) => receiving = false,
        }
        if pending_rows >= ROWS_PER_TRANSACTION || (!receiving && pending_rows > 0) {
            insert_batches(&mut conn, &pending)?;
            inserted += pending_rows as u64;
            pending.clear();
            pending_rows = 0;
            if last_report.elapsed().as_secs_f64() >= 1.0 || !receiving {
                let secs = started.elapsed().as_secs_f64();
                eprint!(
                    "\rqueuegen: {inserted:>9} / {total} requests, {:.0} rows/s   ",
                    inserted as f64 / secs.max(f64::EPSILON)
                );
                let _ = std::io::stderr().flush();
                last_report = Instant::now();
            }
        }
    }
    eprintln!();
    let active = generator
        .join()
        .map_err(|_| "the generator thread panicked".to_string())??;
    let secs = started.elapsed().as_secs_f64();

    // The rows went in directly: bring the kept per-status counts up to date, as the app's
    // own changes would have.
    conn.batch_execute(
        "UPDATE request_counts SET n = CASE WHEN shard = 0 THEN (SELECT COUNT(*) FROM requests \
         WHERE requests.regime = request_counts.regime AND requests.status = request_counts.status) \
         ELSE 0 END",
    )
    .map_err(|e| e.to_string())?;

    // Fresh planner statistics, as autovacuum would gather soon after such a load. SQLite's
    // are refreshed by the app itself when it starts (jobs/maintenance.rs).
    if let DbConn::Postgres(c) = &mut *conn {
        let t = Instant::now();
        c.batch_execute("ANALYZE requests")
            .map_err(|e| e.to_string())?;
        eprintln!(
            "queuegen: ANALYZE requests in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok((active, secs))
}

/// One transaction: one multi-row INSERT per batch, and the per-region, per-status counts
/// (`request_counts`, shard 0, which holds every seeded count) moved by as many.
fn insert_batches(conn: &mut DbConn, batches: &[Vec<BenchRequest>]) -> Result<(), String> {
    let mut counts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for row in batches.iter().flatten() {
        *counts.entry((row.regime, row.status)).or_insert(0) += 1;
    }
    conn.transaction(|conn| {
        for batch in batches {
            // Each backend's own connection: a multi-row INSERT of the whole batch.
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into(requests::table)
                    .values(batch.as_slice())
                    .execute(c)?,
                DbConn::Postgres(c) => diesel::insert_into(requests::table)
                    .values(batch.as_slice())
                    .execute(c)?,
            };
        }
        for ((regime, status), n) in &counts {
            // Shard 0 of each count: the row every migrated database starts with.
            let updated = diesel::update(request_counts::table.find((*regime, *status, 0)))
                .set(request_counts::n.eq(request_counts::n + *n))
                .execute(conn)?;
            if updated != 1 {
                return Err(diesel::result::Error::QueryBuilderError(
                    format!("request_counts has no row for ({regime}, {status}, 0)").into(),
                ));
            }
        }
        Ok(())
    })
    .map_err(|e: diesel::result::Error| format!("insert failed: {e}"))
}

/// Builds every row, in order of receipt, and sends them in batches; returns how many are
/// active.
fn generate_rows(
    plan: &Plan,
    vault: &Keyring,
    sender: &mpsc::SyncSender<Vec<BenchRequest>>,
) -> Result<u64, String> {
    let mut rng = SplitMix64(plan.seed);
    let mut references: HashSet<u64> = HashSet::with_capacity(plan.total as usize);
    let start = plan.now - Duration::days(HISTORY_DAYS);
    let span_secs = HISTORY_DAYS * 86_400;
    let step = span_secs as f64 / plan.total.max(1) as f64;
    let recent_share = RECENT_DAYS as f64 / HISTORY_DAYS as f64;
    // Older requests are active just often enough for the whole set to be ACTIVE_SHARE.
    let active_share_old =
        ((ACTIVE_SHARE - ACTIVE_SHARE_RECENT * recent_share) / (1.0 - recent_share)).max(0.0);
    let people = (plan.total * 3 / 4).max(1);
    let mut active = 0u64;
    let mut batch = Vec::with_capacity(plan.batch_rows);
    for i in 0..plan.total {
        let offset = (i as f64 * step) as i64 + rng.below(step.max(1.0) as u64) as i64;
        let received = start
            + Duration::seconds(offset.min(span_secs - 60))
            + Duration::microseconds(rng.below(1_000_000) as i64);
        let age = plan.now - received;
        let is_active = if age < Duration::days(RECENT_DAYS) {
            age < Duration::days(2) || rng.chance(ACTIVE_SHARE_RECENT)
        } else {
            rng.chance(active_share_old)
        };
        let row = build_row(plan, &mut rng, &mut references, received, is_active, people);
        let row = sealed(vault, row)?;
        active += u64::from(is_active);
        batch.push(row);
        if batch.len() == plan.batch_rows {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(plan.batch_rows));
            if sender.send(full).is_err() {
                return Err("the inserter stopped".into());
            }
        }
    }
    if !batch.is_empty() && sender.send(batch).is_err() {
        return Err("the inserter stopped".into());
    }
    Ok(active)
}

fn build_row(
    plan: &Plan,
    rng: &mut SplitMix64,
    references: &mut HashSet<u64>,
    received: OffsetDateTime,
    is_active: bool,
    people: u64,
) -> BenchRequest {
    let now = plan.now;
    let regime = rng.weighted(&REGIMES);
    let kind = rng.weighted(&KINDS);
    let status = if is_active {
        rng.weighted(&ACTIVE_MIX)
    } else {
        rng.weighted(&CLOSED_MIX)
    };

    // A v7 UUID from the time of receipt, like the application makes at submission.
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    random[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..2]);
    let millis = (received.unix_timestamp_nanos() / 1_000_000) as u64;
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string();

    // 40 random bits, drawn again on the rare collision (the column is unique).
    let reference = loop {
        let bits = rng.next_u64() & ((1u64 << 40) - 1);
        if references.insert(bits) {
            let bytes = bits.to_be_bytes();
            let mut five = [0u8; 5];
            five.copy_from_slice(&bytes[3..]);
            break Reference::from_random(five).as_str().to_string();
        }
    };

    let person = rng.below(people);
    let first = FIRST_NAMES[(person % 16) as usize];
    let last_index = ((person / 16) % 16) as usize;
    let last = LAST_NAMES[last_index];
    let tld = match regime {
        "in" => "in",
        "eu" => "eu",
        "us-ca" => "com",
        _ => "org",
    };
    let email = format!(
        "{}.{}.{person}@example.{tld}",
        first.to_lowercase(),
        LAST_NAMES_ASCII[last_index]
    );

    let verified = received + rng.seconds(60, 7_200);
    let acknowledge_due = (regime != "eu").then(|| received + Duration::days(1));
    let due = received + Duration::days(30);
    let extended = (status != "withdrawn" && rng.chance(0.08)).then(|| {
        due + match regime {
            "eu" => Duration::days(60),
            _ => Duration::days(45),
        }
    });
    let effective_due = extended.unwrap_or(due);
    let closed_at = (!is_active).then(|| (received + rng.seconds(86_400, 40 * 86_400)).min(now));
    let assigned = match status {
        "open" => rng.chance(0.15),
        "in_progress" | "awaiting_requester" => true,
        _ => rng.chance(0.95),
    };
    let assignee_id = assigned.then(|| {
        let pool = &plan.assignees.by_regime[regime];
        pool[rng.below(pool.len() as u64) as usize].clone()
    });
    let (outcome, rejection_reason) = match status {
        "fulfilled" => (Some("fulfilled"), None),
        "rejected" => (Some("rejected"), Some(rng.pick(&REJECTION_REASONS))),
        _ => (None, None),
    };
    let version = match status {
        "open" => 2,
        "in_progress" => 3,
        _ => 4,
    } + i64::from(assigned)
        + i64::from(extended.is_some());
    let updated = match closed_at {
        Some(at) => at,
        None => (verified + rng.seconds(0, 10 * 86_400)).min(now),
    };
    let details = match kind {
        "access" => DETAILS[0],
        "erasure" => DETAILS[1],
        "rectification" => DETAILS[2],
        "objection" | "restriction" | "consent_withdrawal" => DETAILS[3],
        "portability" => DETAILS[4],
        _ => DETAILS[5],
    };

    BenchRequest {
        id,
        reference,
        kind,
        regime,
        status,
        full_name: format!("{first} {last}"),
        email,
        account_ref: rng
            .chance(0.4)
            .then(|| format!("CUST-{:07}", rng.below(10_000_000))),
        details: details.to_string(),
        correction: (kind == "rectification")
            .then(|| "My postal address is now 12 Park Street, Kolkata 700016.".to_string()),
        purposes: (kind == "consent_withdrawal").then(|| {
            if rng.chance(0.5) {
                r#"["marketing"]"#
            } else {
                r#"["marketing","analytics"]"#
            }
            .to_string()
        }),
        content_removal: kind == "erasure" && rng.chance(0.15),
        received_at: to_db(received),
        verified_at: Some(to_db(verified)),
        acknowledge_due_at: acknowledge_due.map(to_db),
        due_at: to_db(due),
        extended_due_at: extended.map(to_db),
        closed_at: closed_at.map(to_db),
        assignee_id,
        outcome,
        rejection_reason,
        version,
        updated_at: to_db(updated),
        effective_due_at: to_db(effective_due),
        email_index: None,
        seal_key_id: None,
    }
}

/// The row with its personal columns sealed by the store, as `store::requests::insert`
/// seals a submission's, its email's blind index and the key id beside them.
fn sealed(vault: &Keyring, row: BenchRequest) -> Result<BenchRequest, String> {
    let plain = NewRequest {
        id: row.id.clone(),
        reference: row.reference.clone(),
        kind: row.kind.to_string(),
        regime: row.regime.to_string(),
        status: row.status.to_string(),
        full_name: row.full_name.clone(),
        email: row.email.clone(),
        account_ref: row.account_ref.clone(),
        details: row.details.clone(),
        correction: row.correction.clone(),
        purposes: row.purposes.clone(),
        content_removal: row.content_removal,
        received_at: row.received_at,
        acknowledge_due_at: row.acknowledge_due_at,
        due_at: row.due_at,
        version: row.version,
        updated_at: row.updated_at,
        effective_due_at: row.effective_due_at,
    };
    let sealed = plain.sealed(vault).map_err(|e| e.to_string())?;
    Ok(BenchRequest {
        full_name: sealed.full_name,
        email: sealed.email,
        account_ref: sealed.account_ref,
        details: sealed.details,
        correction: sealed.correction,
        purposes: sealed.purposes,
        email_index: email_index(vault, &row.email),
        seal_key_id: Some(vault.current_key_id().to_string()),
        ..row
    })
}

/// Prints the cursor after the active request at `fraction` of the queue order.
fn print_cursor(ctx: &Context, fraction: f64, regime: Option<&str>) -> Result<(), String> {
    if !(0.0..1.0).contains(&fraction) {
        return Err("--cursor-at takes a fraction in [0, 1)".into());
    }
    let regimes: Vec<&str> = match regime {
        Some(code) => vec![code],
        None => REGIMES.iter().map(|(code, _)| *code).collect(),
    };
    let mut conn = ctx.conn().map_err(|e| e.to_string())?;
    let active: i64 = requests::table
        .filter(requests::status.eq_any(ACTIVE_STATUSES))
        .filter(requests::regime.eq_any(&regimes))
        .count()
        .get_result(&mut *conn)
        .map_err(|e| e.to_string())?;
    if active == 0 {
        return Err("no active requests: generate some first".into());
    }
    let position = ((active as f64 * fraction) as i64).min(active - 1);
    let (due_at, id, reference): (PrimitiveDateTime, String, String) = requests::table
        .filter(requests::status.eq_any(ACTIVE_STATUSES))
        .filter(requests::regime.eq_any(&regimes))
        .order((requests::effective_due_at.asc(), requests::id.asc()))
        .offset(position)
        .limit(1)
        .select((
            requests::effective_due_at,
            requests::id,
            requests::reference,
        ))
        .first(&mut *conn)
        .map_err(|e| e.to_string())?;
    let cursor = QueueCursor {
        due_at: from_db(due_at),
        id,
    };
    eprintln!(
        "queuegen: row {position} of {active} active requests ({}), due {due_at}",
        regimes.join(",")
    );
    println!("CURSOR {}", cursor.encode());
    println!("REFERENCE {reference}");
    Ok(())
}
