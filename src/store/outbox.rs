//! The mail outbox: mail is written here in the same transaction as the change it reports,
//! and a background sender delivers it. A row is pending (unsent, not given up), sent
//! (`sent_at`) or undeliverable (`failed_at`).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::mail_outbox;
use super::seal::{open, seal};
use super::{DbConn, StoreError};
use crate::vault::Keyring;

const TABLE: &str = "mail_outbox";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxRow {
    pub id: String,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub template: String,
    pub created_at: PrimitiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: PrimitiveDateTime,
    pub claimed_until: Option<PrimitiveDateTime>,
    pub sent_at: Option<PrimitiveDateTime>,
    pub last_error: Option<String>,
    pub failed_at: Option<PrimitiveDateTime>,
    pub claim_token: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_outbox)]
// One SQL text for every mail, kept prepared (see `NewRequest`).
#[diesel(treat_none_as_default_value = false)]
pub struct NewOutboxMail<'a> {
    pub id: &'a str,
    pub to_addr: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub template: &'a str,
    pub created_at: PrimitiveDateTime,
    pub next_attempt_at: PrimitiveDateTime,
}

impl OutboxRow {
    /// The row with its recipient and body opened (a sent mail's body is empty).
    pub fn open(mut self, vault: &Keyring) -> Result<OutboxRow, StoreError> {
        self.to_addr = open(vault, TABLE, &self.id, "to_addr", self.to_addr)?;
        self.body = open(vault, TABLE, &self.id, "body", self.body)?;
        Ok(self)
    }
}

fn opened(vault: &Keyring, rows: Vec<OutboxRow>) -> Result<Vec<OutboxRow>, StoreError> {
    rows.into_iter().map(|row| row.open(vault)).collect()
}

/// Puts a mail in the outbox, its recipient and body (which holds links) sealed.
pub fn enqueue(
    conn: &mut DbConn,
    vault: &Keyring,
    mail: &NewOutboxMail<'_>,
) -> Result<(), StoreError> {
    let to_addr = seal(vault, TABLE, mail.id, "to_addr", mail.to_addr)?;
    let body = seal(vault, TABLE, mail.id, "body", mail.body)?;
    diesel::insert_into(mail_outbox::table)
        .values((
            &NewOutboxMail {
                to_addr: &to_addr,
                body: &body,
                ..mail.clone()
            },
            mail_outbox::seal_key_id.eq(vault.current_key_id()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Claims up to `limit` pending mails whose time has come and that no other sender holds,
/// marking them with `token` until `claim_until`, and returns them. On PostgreSQL rows
/// another instance is claiming are skipped (`FOR UPDATE SKIP LOCKED`), so senders never
/// wait for each other; SQLite has one writer at a time.
pub fn claim_due(
    conn: &mut DbConn,
    vault: &Keyring,
    token: &str,
    now: PrimitiveDateTime,
    claim_until: PrimitiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    // Written in SQL: diesel's DSL does not take a subquery on the table being updated.
    // The claimed rows come back from the UPDATE itself: reading them again by the claim's
    // token would walk every pending mail, and a backlog can be thousands.
    let claim_sql = match conn {
        DbConn::Postgres(_) => {
            "UPDATE mail_outbox SET claimed_until = $1, claim_token = $2 WHERE id IN (\
             SELECT id FROM mail_outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 \
             AND (claimed_until IS NULL OR claimed_until < $3) \
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, to_addr, subject, body, template, created_at, attempts, \
             next_attempt_at, claimed_until, sent_at, last_error, failed_at, claim_token"
        }
        DbConn::Sqlite(_) => {
            "UPDATE mail_outbox SET claimed_until = ?1, claim_token = ?2 WHERE id IN (\
             SELECT id FROM mail_outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?3 \
             AND (claimed_until IS NULL OR claimed_until < ?3) \
             ORDER BY next_attempt_at LIMIT ?4) \
             RETURNING id, to_addr, subject, body, template, created_at, attempts, \
             next_attempt_at, claimed_until, sent_at, last_error, failed_at, claim_token"
        }
    };
    let mut rows: Vec<OutboxRow> = diesel::sql_query(claim_sql)
        .bind::<Timestamp, _>(claim_until)
        .bind::<Text, _>(token)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    // RETURNING promises no order; mail goes out oldest first.
    rows.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    opened(vault, rows)
}

/// Whether any pending mail is due at `now` and held by no sender (the due index).
pub fn any_due(conn: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mail_outbox::table
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::failed_at.is_null())
            .filter(mail_outbox::next_attempt_at.le(now))
            .filter(
                mail_outbox::claimed_until
                    .is_null()
                    .or(mail_outbox::claimed_until.lt(now)),
            ),
    ))
    .get_result(conn)
}

/// Gives back what `token` claimed and did not finish, for another sender to take at once.
pub fn release_claims(conn: &mut DbConn, token: &str) -> QueryResult<usize> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::claim_token.eq(token))
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::failed_at.is_null()),
    )
    .set((
        mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
        mail_outbox::claim_token.eq(None::<String>),
    ))
    .execute(conn)
}

/// Marks mails sent and drops their bodies: nothing reads a sent mail's text again, and it
/// held links. One statement for a sender's whole pass, however many it delivered.
pub fn mark_sent(conn: &mut DbConn, ids: &[String], now: PrimitiveDateTime) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(ids)))
        .set((
            mail_outbox::sent_at.eq(now),
            mail_outbox::body.eq(""),
            mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
            mail_outbox::claim_token.eq(None::<String>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// What a failed attempt leaves: another try at a time, or none (undeliverable since then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailedAttempt {
    RetryAt(PrimitiveDateTime),
    GivenUpAt(PrimitiveDateTime),
}

/// Records a failed attempt by the holder of `token`, with what follows it.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    token: &str,
    after: AfterFailedAttempt,
    error: &str,
) -> QueryResult<()> {
    let (next_attempt_at, failed_at) = match after {
        AfterFailedAttempt::RetryAt(at) => (at, None),
        AfterFailedAttempt::GivenUpAt(at) => (at, Some(at)),
    };
    diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::claim_token.eq(token)),
    )
    .set((
        mail_outbox::next_attempt_at.eq(next_attempt_at),
        mail_outbox::failed_at.eq(failed_at),
        mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
        mail_outbox::claim_token.eq(None::<String>),
        mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        mail_outbox::last_error.eq(error),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Puts an undeliverable mail back in the queue, due now; false when there is no such mail.
pub fn requeue(conn: &mut DbConn, id: &str, now: PrimitiveDateTime) -> QueryResult<bool> {
    diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::failed_at.is_not_null())
            .filter(mail_outbox::sent_at.is_null()),
    )
    .set((
        mail_outbox::failed_at.eq(None::<PrimitiveDateTime>),
        mail_outbox::next_attempt_at.eq(now),
        mail_outbox::created_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// How many mails are waiting to be sent (not given up).
pub fn count_pending(conn: &mut DbConn) -> QueryResult<i64> {
    mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::failed_at.is_null())
        .count()
        .get_result(conn)
}

/// How many pending mails have failed at least once.
pub fn count_failing(conn: &mut DbConn) -> QueryResult<i64> {
    mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::failed_at.is_null())
        .filter(mail_outbox::attempts.gt(0))
        .count()
        .get_result(conn)
}

pub fn count_undeliverable(conn: &mut DbConn) -> QueryResult<i64> {
    mail_outbox::table
        .filter(mail_outbox::failed_at.is_not_null())
        .count()
        .get_result(conn)
}

/// Mail that is undeliverable or has failed at least once: the undeliverable first (newest
/// given up first), then the failing (newest first).
pub fn list_troubled(
    conn: &mut DbConn,
    vault: &Keyring,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    // Two reads, each on its own partial index (given up; pending): sent mail, which is
    // most of the table, is never walked.
    let mut rows: Vec<OutboxRow> = mail_outbox::table
        .filter(mail_outbox::failed_at.is_not_null())
        .order(mail_outbox::failed_at.desc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?;
    let room = limit - rows.len() as i64;
    if room > 0 {
        rows.extend(
            mail_outbox::table
                .filter(mail_outbox::sent_at.is_null())
                .filter(mail_outbox::failed_at.is_null())
                .filter(mail_outbox::attempts.gt(0))
                .order(mail_outbox::created_at.desc())
                .limit(room)
                .select(OutboxRow::as_select())
                .load::<OutboxRow>(conn)?,
        );
    }
    opened(vault, rows)
}
