//! The purge's questions: what of each class is due, what legal holds keep, and the
//! deletion itself. Every "due" question is one indexed range on the class's trigger time.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use super::retention_notices::covering_notice;
use super::schema::retention_notices;
use super::schema::{
    data_packages, legal_holds, link_tokens, mail_outbox, officer_sessions, personal_records,
    request_messages, requests,
};
use super::{advisory, DbConn};

type Db = <DbConn as Connection>::Backend;

/// Serialises purges of one class across processes: each batch takes the class's lock in
/// its transaction, so two purges never pick the same rows. On SQLite the write transaction
/// already holds the database's single write lock.
pub fn lock_class(conn: &mut DbConn, class_number: i32) -> QueryResult<()> {
    advisory::lock_for_transaction(conn, 7_231_100 + class_number)
}

const RUN_LOCK: i32 = 7_231_099;

/// Takes the scheduled purge's lock for this session; false when another instance has it.
/// SQLite has a single writer anyway.
pub fn try_lock_run(conn: &mut DbConn) -> QueryResult<bool> {
    advisory::try_lock_for_session(conn, RUN_LOCK)
}

pub fn unlock_run(conn: &mut DbConn) -> QueryResult<()> {
    advisory::unlock_for_session(conn, RUN_LOCK)
}

/// Holds in force on `today` on a target of `scope` (the id column is filled in by the
/// caller's correlated filter).
macro_rules! active_hold {
    ($scope:expr, $target:expr, $today:expr) => {
        exists(
            legal_holds::table
                .filter(legal_holds::scope.eq($scope))
                .filter(legal_holds::target_id.eq($target))
                .filter(legal_holds::released_at.is_null())
                .filter(
                    legal_holds::expires_on
                        .is_null()
                        .or(legal_holds::expires_on.ge($today)),
                ),
        )
    };
}

// Batches are taken oldest clock first, ordered by the indexed time alone: a tie-breaker
// column outside the index would make the database sort every due row for each batch.

// ---- personal records (registration, removed content, erased records) ----

/// Records of `class` whose clock started at or before `cutoff`; with `unheld_on`, only
/// those that no legal hold (on the record or on its subject) keeps on that day.
pub(crate) fn due_records<'a>(
    class: &'a str,
    cutoff: PrimitiveDateTime,
    unheld_on: Option<Date>,
) -> personal_records::BoxedQuery<'a, Db> {
    let due = personal_records::table
        .filter(personal_records::retention_class.eq(class))
        .filter(personal_records::retention_from.le(cutoff))
        .into_boxed();
    let Some(today) = unheld_on else {
        return due;
    };
    due.filter(not(active_hold!("record", personal_records::id, today)))
        .filter(not(active_hold!(
            "subject",
            personal_records::subject_id,
            today
        )))
}

/// Records of a retention class whose clock started at or before `cutoff`, held or not.
pub fn count_due_records(
    conn: &mut DbConn,
    class: &str,
    cutoff: PrimitiveDateTime,
) -> QueryResult<i64> {
    due_records(class, cutoff, None).count().get_result(conn)
}

/// Of those, the ones no legal hold keeps on `today`.
pub fn count_unheld_records(
    conn: &mut DbConn,
    class: &str,
    cutoff: PrimitiveDateTime,
    today: Date,
) -> QueryResult<i64> {
    due_records(class, cutoff, Some(today))
        .count()
        .get_result(conn)
}

/// The next `limit` records to purge, oldest clock first. A record covered by a notice
/// before erasure goes only once one of its notices lets it (`erase_from` at or before
/// `as_of`); a record no notice covers is under no regime that needs one.
pub fn unheld_record_ids(
    conn: &mut DbConn,
    class: &str,
    cutoff: PrimitiveDateTime,
    today: Date,
    as_of: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    due_records(class, cutoff, Some(today))
        .filter(
            not(covering_notice!(erase_from gt as_of)).or(covering_notice!(erase_from le as_of)),
        )
        .order((
            personal_records::retention_from.asc(),
            personal_records::id.asc(),
        ))
        .limit(limit)
        .select((personal_records::id, personal_records::category))
        .load(conn)
}

pub fn delete_records(conn: &mut DbConn, ids: &[String]) -> QueryResult<usize> {
    diesel::delete(personal_records::table.filter(personal_records::id.eq_any(ids))).execute(conn)
}

// ---- requests never verified ----

/// Requests never verified, received at or before `cutoff`; with `unheld_on`, only those
/// no legal hold keeps on that day.
fn due_unverified(
    cutoff: PrimitiveDateTime,
    unheld_on: Option<Date>,
) -> requests::BoxedQuery<'static, Db> {
    let due = requests::table
        .filter(requests::status.eq("unverified"))
        .filter(requests::received_at.le(cutoff))
        .into_boxed();
    match unheld_on {
        None => due,
        Some(today) => due.filter(not(active_hold!("request", requests::id, today))),
    }
}

pub fn count_due_unverified(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<i64> {
    due_unverified(cutoff, None).count().get_result(conn)
}

pub fn count_unheld_unverified(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    today: Date,
) -> QueryResult<i64> {
    due_unverified(cutoff, Some(today)).count().get_result(conn)
}

/// `(id, regime)` of the next unverified requests to delete, their rows locked until the
/// batch commits. On PostgreSQL a request that someone is confirming at this moment is
/// passed over (`SKIP LOCKED`; the confirmation locks the row first), and one confirmed
/// since the batch began is not unverified any more: a purge never deletes a confirmed
/// request or counts it out of the wrong status.
pub fn unheld_unverified(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    today: Date,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    let query = requests::table
        .filter(requests::status.eq("unverified"))
        .filter(requests::received_at.le(cutoff))
        .filter(not(active_hold!("request", requests::id, today)))
        .order(requests::received_at.asc())
        .limit(limit)
        .select((requests::id, requests::regime));
    match conn {
        DbConn::Postgres(pg) => query.for_update().skip_locked().load(pg),
        DbConn::Sqlite(sqlite) => query.load(sqlite),
    }
}

/// Deletes requests; their tokens, messages and packages go with them (ON DELETE CASCADE).
pub fn delete_requests(conn: &mut DbConn, ids: &[String]) -> QueryResult<usize> {
    diesel::delete(requests::table.filter(requests::id.eq_any(ids))).execute(conn)
}

// ---- closed case files ----

/// Closed requests not wiped yet whose clock ended at or before `cutoff`; with
/// `unheld_on`, only those no legal hold keeps on that day.
fn due_case_files(
    cutoff: PrimitiveDateTime,
    unheld_on: Option<Date>,
) -> requests::BoxedQuery<'static, Db> {
    let due = requests::table
        .filter(requests::closed_at.le(cutoff))
        .filter(requests::wiped_at.is_null())
        .into_boxed();
    match unheld_on {
        None => due,
        Some(today) => due.filter(not(active_hold!("request", requests::id, today))),
    }
}

pub fn count_due_case_files(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<i64> {
    due_case_files(cutoff, None).count().get_result(conn)
}

pub fn count_unheld_case_files(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    today: Date,
) -> QueryResult<i64> {
    due_case_files(cutoff, Some(today)).count().get_result(conn)
}

pub fn unheld_case_files(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    today: Date,
    limit: i64,
) -> QueryResult<Vec<String>> {
    due_case_files(cutoff, Some(today))
        .order(requests::closed_at.asc())
        .limit(limit)
        .select(requests::id)
        .load(conn)
}

/// Wipes a closed request's personal fields, messages and links; the statistics stub
/// (kind, regime, status, times, outcome) stays. Returns whether it was not wiped yet.
pub fn wipe_case_file(conn: &mut DbConn, id: &str, now: PrimitiveDateTime) -> QueryResult<bool> {
    let wiped = diesel::update(
        requests::table
            .find(id)
            .filter(requests::wiped_at.is_null()),
    )
    .set((
        requests::full_name.eq(""),
        requests::email.eq(""),
        requests::account_ref.eq(None::<String>),
        requests::details.eq(""),
        requests::correction.eq(None::<String>),
        requests::purposes.eq(None::<String>),
        requests::email_index.eq(None::<String>),
        requests::wiped_at.eq(now),
        requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    if wiped == 1 {
        diesel::delete(request_messages::table.filter(request_messages::request_id.eq(id)))
            .execute(conn)?;
        diesel::delete(link_tokens::table.filter(link_tokens::request_id.eq(id))).execute(conn)?;
        diesel::delete(data_packages::table.filter(data_packages::request_id.eq(id)))
            .execute(conn)?;
    }
    Ok(wiped == 1)
}

// ---- expired things: packages, links, sessions, sent mail ----

pub fn count_due_packages(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<i64> {
    data_packages::table
        .filter(data_packages::expires_at.le(cutoff))
        .count()
        .get_result(conn)
}

/// `(id, request_id)` of expired packages.
pub fn due_packages(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    data_packages::table
        .filter(data_packages::expires_at.le(cutoff))
        .order(data_packages::expires_at.asc())
        .limit(limit)
        .select((data_packages::id, data_packages::request_id))
        .load(conn)
}

pub fn delete_packages(conn: &mut DbConn, ids: &[String]) -> QueryResult<usize> {
    diesel::delete(data_packages::table.filter(data_packages::id.eq_any(ids))).execute(conn)
}

pub fn count_due_tokens(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<i64> {
    link_tokens::table
        .filter(link_tokens::expires_at.le(cutoff))
        .count()
        .get_result(conn)
}

pub fn delete_due_tokens(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<usize> {
    let hashes: Vec<String> = link_tokens::table
        .filter(link_tokens::expires_at.le(cutoff))
        .order(link_tokens::expires_at.asc())
        .limit(limit)
        .select(link_tokens::token_hash)
        .load(conn)?;
    diesel::delete(link_tokens::table.filter(link_tokens::token_hash.eq_any(&hashes))).execute(conn)
}

pub fn count_due_sessions(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<i64> {
    officer_sessions::table
        .filter(officer_sessions::expires_at.le(cutoff))
        .count()
        .get_result(conn)
}

pub fn delete_due_sessions(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<usize> {
    let ids: Vec<String> = officer_sessions::table
        .filter(officer_sessions::expires_at.le(cutoff))
        .order(officer_sessions::expires_at.asc())
        .limit(limit)
        .select(officer_sessions::id_hash)
        .load(conn)?;
    diesel::delete(officer_sessions::table.filter(officer_sessions::id_hash.eq_any(&ids)))
        .execute(conn)
}

/// Sent mail, and mail given up as undeliverable, past the cutoff (each by its own index).
pub fn count_due_sent_mail(conn: &mut DbConn, cutoff: PrimitiveDateTime) -> QueryResult<i64> {
    let sent: i64 = mail_outbox::table
        .filter(mail_outbox::sent_at.le(cutoff))
        .count()
        .get_result(conn)?;
    let undeliverable: i64 = mail_outbox::table
        .filter(mail_outbox::failed_at.le(cutoff))
        .count()
        .get_result(conn)?;
    Ok(sent + undeliverable)
}

pub fn delete_due_sent_mail(
    conn: &mut DbConn,
    cutoff: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<usize> {
    let mut ids: Vec<String> = mail_outbox::table
        .filter(mail_outbox::sent_at.le(cutoff))
        .order(mail_outbox::sent_at.asc())
        .limit(limit)
        .select(mail_outbox::id)
        .load(conn)?;
    let room = limit - ids.len() as i64;
    if room > 0 {
        ids.extend(
            mail_outbox::table
                .filter(mail_outbox::failed_at.le(cutoff))
                .order(mail_outbox::failed_at.asc())
                .limit(room)
                .select(mail_outbox::id)
                .load::<String>(conn)?,
        );
    }
    diesel::delete(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids))).execute(conn)
}
