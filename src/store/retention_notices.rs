//! Notices before erasure (DPDP Rules r.8(2)): which subjects are under a regime that needs
//! one, what of theirs is due and not yet covered by a notice, and the notices themselves.
//! A notice row covers the records of one class whose clock started at or before
//! `covers_until`; they may go from `erase_from` on.

use std::collections::BTreeMap;

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use super::retention::due_records;
use super::schema::{personal_records, requests, retention_notices, subjects};
use super::{advisory, DbConn};

type Backend = <DbConn as diesel::Connection>::Backend;

/// A notice on one class of a subject's records.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = retention_notices)]
pub struct NewRetentionNotice<'a> {
    pub id: &'a str,
    pub subject_id: &'a str,
    pub retention_class: &'a str,
    pub covers_until: PrimitiveDateTime,
    pub erase_from: PrimitiveDateTime,
    pub sent_at: PrimitiveDateTime,
    pub items: i64,
}

/// Beside the purge's class locks (7_231_100 + class).
const NOTICE_LOCK: i32 = 7_231_200;

/// Serialises the giving of notices across processes, so two purges at once never tell one
/// subject twice: each notice re-reads what is still uncovered under this lock. On SQLite
/// the write transaction already holds the database's single write lock.
pub fn lock_notices(conn: &mut DbConn) -> QueryResult<()> {
    advisory::lock_for_transaction(conn, NOTICE_LOCK)
}

pub fn insert(conn: &mut DbConn, notice: &NewRetentionNotice<'_>) -> QueryResult<()> {
    diesel::insert_into(retention_notices::table)
        .values(notice)
        .execute(conn)
        .map(|_| ())
}

/// A notice of the record's own subject and class that covers the record's clock (the
/// record is correlated by the enclosing query), optionally with a condition on its
/// `erase_from`.
macro_rules! covering_notice {
    () => {
        exists(covering_notice!(@notices))
    };
    ($erase_from:ident $op:ident $as_of:expr) => {
        exists(covering_notice!(@notices).filter(retention_notices::$erase_from.$op($as_of)))
    };
    (@notices) => {
        retention_notices::table
            .filter(retention_notices::subject_id.eq(personal_records::subject_id))
            .filter(retention_notices::retention_class.eq(personal_records::retention_class))
            .filter(personal_records::retention_from.le(retention_notices::covers_until.nullable()))
    };
}

pub(crate) use covering_notice;

/// The addresses requests under these regimes were made from (normalised as submitted),
/// opened, each once; a wiped case file has none. The keyed hashes that find their
/// subjects are computed by the caller.
pub fn request_emails_under(
    conn: &mut DbConn,
    vault: &crate::vault::Keyring,
    regimes: &[&str],
) -> Result<Vec<String>, crate::store::StoreError> {
    let rows: Vec<(String, String)> = requests::table
        .filter(requests::regime.eq_any(regimes))
        .filter(requests::email.ne(""))
        .select((requests::id, requests::email))
        .load(conn)?;
    let mut emails = rows
        .into_iter()
        .map(|(id, email)| crate::store::seal::open(vault, "requests", &id, "email", email))
        .collect::<Result<Vec<_>, _>>()?;
    emails.sort();
    emails.dedup();
    Ok(emails)
}

/// The subjects stored under any of these email hashes.
pub fn subject_ids_by_email_hashes(
    conn: &mut DbConn,
    hashes: &[String],
) -> QueryResult<Vec<String>> {
    subjects::table
        .filter(subjects::email_hash.eq_any(hashes))
        .select(subjects::id)
        .load(conn)
}

/// Records of `class` of these subjects due by `cutoff` and not held on `today`.
fn due_unheld<'a>(
    class: &'a str,
    cutoff: PrimitiveDateTime,
    today: Date,
    subject_ids: &'a [String],
) -> personal_records::BoxedQuery<'a, Backend> {
    due_records(class, cutoff, Some(today)).filter(personal_records::subject_id.eq_any(subject_ids))
}

/// Per subject, its due and unheld records of `class` that no notice covers yet.
pub fn uncovered_by_subject(
    conn: &mut DbConn,
    class: &str,
    cutoff: PrimitiveDateTime,
    today: Date,
    subject_ids: &[String],
) -> QueryResult<Vec<(String, i64)>> {
    // Counted here rather than by GROUP BY: diesel cannot group a boxed query on the
    // two-backend connection, and these are the few records of people due a notice.
    let owners: Vec<String> = due_unheld(class, cutoff, today, subject_ids)
        .filter(not(covering_notice!()))
        .select(personal_records::subject_id)
        .load(conn)?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for owner in owners {
        *counts.entry(owner).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}

/// Of these subjects' due and unheld records of `class`, how many no notice given by
/// `as_of` minus the notice period lets go yet: they wait for their notice.
pub fn count_waiting(
    conn: &mut DbConn,
    class: &str,
    cutoff: PrimitiveDateTime,
    today: Date,
    as_of: PrimitiveDateTime,
    subject_ids: &[String],
) -> QueryResult<i64> {
    due_unheld(class, cutoff, today, subject_ids)
        .filter(not(covering_notice!(erase_from le as_of)))
        .count()
        .get_result(conn)
}
