//! The mail outbox: mail is written here in the same transaction as the change it reports,
//! and a background sender delivers it.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::mail_outbox;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
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
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct NewOutboxMail<'a> {
    pub id: &'a str,
    pub to_addr: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub template: &'a str,
    pub created_at: PrimitiveDateTime,
    pub next_attempt_at: PrimitiveDateTime,
}

pub fn enqueue(conn: &mut DbConn, mail: &NewOutboxMail<'_>) -> QueryResult<()> {
    diesel::insert_into(mail_outbox::table)
        .values(mail)
        .execute(conn)
        .map(|_| ())
}

/// Claims up to `limit` unsent mails whose time has come and that no other sender holds,
/// until `claim_until`. Each claim is a conditional update, so two instances never send the
/// same mail at once.
pub fn claim_due(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
    claim_until: PrimitiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let candidates: Vec<String> = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::next_attempt_at.le(now))
        .filter(
            mail_outbox::claimed_until
                .is_null()
                .or(mail_outbox::claimed_until.lt(now)),
        )
        .order(mail_outbox::next_attempt_at.asc())
        .limit(limit)
        .select(mail_outbox::id)
        .load(conn)?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for id in candidates {
        let won = diesel::update(
            mail_outbox::table
                .find(&id)
                .filter(mail_outbox::sent_at.is_null())
                .filter(
                    mail_outbox::claimed_until
                        .is_null()
                        .or(mail_outbox::claimed_until.lt(now)),
                ),
        )
        .set(mail_outbox::claimed_until.eq(claim_until))
        .execute(conn)?;
        if won == 1 {
            claimed.push(
                mail_outbox::table
                    .find(&id)
                    .select(OutboxRow::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

pub fn mark_sent(conn: &mut DbConn, id: &str, now: PrimitiveDateTime) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::sent_at.eq(now),
            mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records a failed attempt and when to try again.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    next_attempt_at: PrimitiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::next_attempt_at.eq(next_attempt_at),
            mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(|_| ())
}

/// How many mails are waiting to be sent.
pub fn count_pending(conn: &mut DbConn) -> QueryResult<i64> {
    mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .count()
        .get_result(conn)
}
