//! Data past its retention period, written straight into the database as an older
//! deployment or another system would have left it, with what a purge must do to each item:
//! the audit events it must write, what must be gone and what legal holds must keep.
//!
//! Ids say what becomes of a row: `due-...` goes, `kept-...` stays.

use diesel::connection::SimpleConnection;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

use rightsdesk::store::{Backend, DbConn};

const SQL_TIME: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// What the inserted items must come to once a purge has run.
#[derive(Debug, Default)]
pub struct PurgeExpectations {
    /// `(action, target)` of the single audit event each personal item must get.
    pub per_item: Vec<(String, String)>,
    /// Housekeeping classes (audited one event per batch, `details.count` items each) and
    /// how many items of each must go.
    pub batches: Vec<(&'static str, i64)>,
    /// Places (`table WHERE ...`) that must hold no row afterwards.
    pub gone: Vec<String>,
    /// Places that must still hold exactly this many rows afterwards.
    pub kept: Vec<(String, i64)>,
}

/// A timestamp as SQL text, `days` before now.
fn days_ago(days: i64) -> String {
    let at = OffsetDateTime::now_utc() - Duration::days(days);
    format!("'{}'", at.format(SQL_TIME).expect("format a time"))
}

/// The statements being written, and the values they share.
struct Script {
    sql: String,
    /// Three years ago: past every class's period.
    old: String,
    /// A one-byte BLOB literal (sealed values are never opened by a purge).
    bytes: &'static str,
    officer_id: String,
}

impl Script {
    fn subject(&mut self, id: &str) {
        let (old, bytes) = (&self.old, self.bytes);
        self.sql += &format!(
            "INSERT INTO subjects (id, email_hash, key_id, identity, cancelled_at, created_at, updated_at) \
             VALUES ('{id}', 'hash-{id}', 'k1', {bytes}, {old}, {old}, {old});\n"
        );
    }

    /// A record whose retention clock started at `clock` (none: in active use).
    fn record(&mut self, id: &str, subject: &str, category: &str, class: &str, clock: bool) {
        let (old, bytes) = (&self.old, self.bytes);
        let clock = if clock { old.as_str() } else { "NULL" };
        self.sql += &format!(
            "INSERT INTO personal_records (id, subject_id, source, source_key, category, retention_class, \
             state, key_id, sealed, removed_at, erased_at, retention_from, created_at, updated_at) \
             VALUES ('{id}', '{subject}', 'legacy', 'key-{id}', '{category}', '{class}', 'active', 'k1', \
             {bytes}, {clock}, {clock}, {clock}, {old}, {old});\n"
        );
    }

    /// A request received three years ago, closed at `closed` if given, counted.
    fn request(&mut self, id: &str, regime: &str, status: &str, closed: Option<&str>) {
        let old = &self.old;
        let closed_at = closed.unwrap_or("NULL");
        let verified_at = if status == "unverified" { "NULL" } else { old };
        self.sql += &format!(
            "INSERT INTO requests (id, reference, kind, regime, status, full_name, email, details, \
             received_at, verified_at, due_at, effective_due_at, closed_at, version, updated_at) \
             VALUES ('{id}', 'RD-{id}', 'access', '{regime}', '{status}', 'Old Name', '{id}@old.example', \
             'old details', {old}, {verified_at}, {old}, {old}, {closed_at}, 1, {old});\n\
             UPDATE request_counts SET n = n + 1 WHERE regime = '{regime}' AND status = '{status}';\n"
        );
    }

    fn link(&mut self, hash: &str, request: &str, purpose: &str, expires_at: &str) {
        let old = &self.old;
        self.sql += &format!(
            "INSERT INTO link_tokens (token_hash, request_id, purpose, created_at, expires_at) \
             VALUES ('{hash}', '{request}', '{purpose}', {old}, {expires_at});\n"
        );
    }

    /// A legal hold in force, without expiry.
    fn hold(&mut self, id: &str, scope: &str, target: &str) {
        let (old, officer_id) = (&self.old, &self.officer_id);
        self.sql += &format!(
            "INSERT INTO legal_holds (id, scope, target_id, order_reference, reason, placed_by, placed_at) \
             VALUES ('{id}', '{scope}', '{target}', 'ORDER-{id}', 'court order', '{officer_id}', {old});\n"
        );
    }
}

/// Inserts items of every purge class three years past their clock, in the regions `in`
/// and `eu`, and legal holds (placed by `officer_id`) that keep some of them; the
/// per-status counts are kept right.
pub fn insert_purgeable(conn: &mut DbConn, officer_id: &str) -> PurgeExpectations {
    let mut script = Script {
        sql: String::new(),
        old: days_ago(3 * 365),
        bytes: match conn.backend() {
            Backend::Postgres => "decode('00', 'hex')",
            Backend::Sqlite => "X'00'",
        },
        officer_id: officer_id.to_string(),
    };
    let old = script.old.clone();
    let mut expect = PurgeExpectations::default();

    // Cancelled accounts: registration data, removed content and erased records, each past
    // its 180 days; one subject and one record under a legal hold; one record in use.
    let subjects = ["due-subject-0", "due-subject-1", "due-subject-2"];
    for subject in subjects.iter().chain(&["kept-subject"]) {
        script.subject(subject);
    }
    for subject in subjects {
        for (n, (category, class)) in [
            ("registration", "registration"),
            ("registration", "registration"),
            ("content", "removed_content"),
            ("profile", "erased_records"),
        ]
        .into_iter()
        .enumerate()
        {
            let id = format!("due-record-{subject}-{n}");
            script.record(&id, subject, category, class, true);
            expect.per_item.push(purged(&format!("record:{id}")));
        }
    }
    script.record(
        "kept-record-0",
        "kept-subject",
        "registration",
        "registration",
        true,
    );
    script.record(
        "kept-record-1",
        "kept-subject",
        "registration",
        "registration",
        true,
    );
    script.record(
        "kept-record-held",
        "due-subject-0",
        "content",
        "removed_content",
        true,
    );
    script.record(
        "kept-record-live",
        "due-subject-1",
        "profile",
        "registration",
        false,
    );
    script.hold("kept-hold-subject", "subject", "kept-subject");
    script.hold("kept-hold-record", "record", "kept-record-held");
    expect
        .kept
        .push(("personal_records WHERE id LIKE 'kept-%'".into(), 4));
    expect
        .gone
        .push("personal_records WHERE id LIKE 'due-%'".into());

    // Requests never verified, with their expired verify links (which go with them); one
    // under a hold, whose link goes on its own.
    for n in 0..4 {
        let id = format!("due-unverified-{n}");
        script.request(
            &id,
            if n % 2 == 0 { "in" } else { "eu" },
            "unverified",
            None,
        );
        script.link(&format!("due-link-unverified-{n}"), &id, "verify", &old);
        expect.per_item.push(purged(&format!("request:{id}")));
    }
    script.request("kept-unverified-held", "in", "unverified", None);
    script.hold("kept-hold-unverified", "request", "kept-unverified-held");
    script.link("due-link-held", "kept-unverified-held", "verify", &old);
    expect
        .gone
        .push("requests WHERE id LIKE 'due-unverified-%'".into());

    // Case files closed three years ago: personal fields, messages and links (still valid)
    // are wiped, a statistics stub stays; one is under a hold.
    let later = days_ago(-30);
    for n in 0..2 {
        let id = format!("due-closed-{n}");
        let status = if n == 0 { "fulfilled" } else { "rejected" };
        script.request(&id, "eu", status, Some(&old));
        script.link(&format!("due-link-closed-{n}"), &id, "status", &later);
        script.sql += &format!(
            "INSERT INTO request_messages (id, request_id, author, body, created_at) \
             VALUES ('due-message-{n}', '{id}', 'officer', 'old answer', {old});\n"
        );
        expect
            .per_item
            .push(("retention.wiped".into(), format!("request:{id}")));
    }
    script.request("kept-closed-held", "in", "fulfilled", Some(&old));
    script.hold("kept-hold-closed", "request", "kept-closed-held");
    expect.gone.push(
        "requests WHERE id LIKE 'due-closed-%' AND (wiped_at IS NULL OR email <> '' OR full_name <> '')"
            .into(),
    );
    expect
        .gone
        .push("request_messages WHERE id LIKE 'due-%'".into());
    expect
        .kept
        .push(("requests WHERE id LIKE 'due-closed-%'".into(), 2));

    // Requests fulfilled yesterday whose data packages and status links have expired.
    let yesterday = days_ago(1);
    for n in 0..3 {
        let id = format!("kept-package-request-{n}");
        script.request(&id, "in", "fulfilled", Some(&yesterday));
        script.link(&format!("due-link-package-{n}"), &id, "status", &old);
        let bytes = script.bytes;
        script.sql += &format!(
            "INSERT INTO data_packages (id, request_id, token_hash, key_id, sealed_token, content, \
             size_bytes, created_at, expires_at, downloads, max_downloads) \
             VALUES ('due-package-{n}', '{id}', 'package-token-{n}', 'k1', {bytes}, {bytes}, 1, \
             {old}, {old}, 0, 3);\n"
        );
        expect.per_item.push(purged(&format!("request:{id}")));
    }
    expect
        .gone
        .push("data_packages WHERE id LIKE 'due-%'".into());
    expect.kept.push((
        "requests WHERE id LIKE 'kept-%' AND wiped_at IS NULL".into(),
        5,
    ));
    // The held request's link and the packages' links; the others went with their request.
    expect.batches.push(("link_tokens", 4));
    expect
        .gone
        .push("link_tokens WHERE token_hash LIKE 'due-%'".into());

    // Expired sign-ins of the officer.
    for n in 0..3 {
        script.sql += &format!(
            "INSERT INTO officer_sessions (id_hash, officer_id, mfa_passed, created_at, last_seen_at, expires_at) \
             VALUES ('due-session-{n}', '{officer_id}', FALSE, {old}, {old}, {old});\n"
        );
    }
    expect.batches.push(("sessions", 3));
    expect
        .gone
        .push("officer_sessions WHERE id_hash LIKE 'due-%'".into());

    // Mail sent long ago, and one given up long ago.
    for n in 0..5 {
        let (sent_at, failed_at) = if n < 4 {
            (old.as_str(), "NULL")
        } else {
            ("NULL", old.as_str())
        };
        script.sql += &format!(
            "INSERT INTO mail_outbox (id, to_addr, subject, body, template, created_at, attempts, \
             next_attempt_at, sent_at, failed_at) \
             VALUES ('due-mail-{n}', 'old@old.example', 'Old mail', 'old body', 'old', {old}, 1, \
             {old}, {sent_at}, {failed_at});\n"
        );
    }
    expect.batches.push(("sent_mail", 5));
    expect.gone.push("mail_outbox WHERE id LIKE 'due-%'".into());

    conn.batch_execute(&script.sql)
        .unwrap_or_else(|e| panic!("insert purgeable data: {e}"));
    expect
}

fn purged(target: &str) -> (String, String) {
    ("retention.purged".to_string(), target.to_string())
}
