//! The append-only audit trail and its head row.

use diesel::prelude::*;
use time::OffsetDateTime;

use super::schema::{audit_events, audit_head, requests};
use super::time::{from_db, to_db};
use super::{DbConn, StoreError};
use crate::domain::audit::{chain_hash, Actor, AuditEvent, EventContent, StoredEvent, Target};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub(crate) struct AuditEventRow {
    pub seq: i64,
    pub id: String,
    pub at: time::PrimitiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = StoreError;

    fn try_from(row: AuditEventRow) -> Result<AuditEvent, StoreError> {
        let corrupt = || StoreError::corrupt("audit_events", row.seq);
        Ok(AuditEvent {
            seq: row.seq,
            at: from_db(row.at),
            actor: Actor::parse(&row.actor).map_err(|_| corrupt())?,
            target: Target::parse(&row.target).map_err(|_| corrupt())?,
            action: row.action,
            details: row.details,
        })
    }
}

impl AuditEventRow {
    /// The event as the chain verifier reads it: the stored text, unparsed, as hashed.
    fn into_stored(self) -> StoredEvent {
        StoredEvent {
            seq: self.seq,
            id: self.id,
            at: from_db(self.at),
            actor: self.actor,
            action: self.action,
            target: self.target,
            details: self.details,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewAuditEventRow<'a> {
    seq: i64,
    id: &'a str,
    at: time::PrimitiveDateTime,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    details: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

/// An event to append. `details` is a JSON object without personal data.
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    pub at: OffsetDateTime,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
}

/// Takes the write lock on the head row (a no-op update): appends are serialised by it,
/// and it holds until the transaction ends.
pub fn lock_head(conn: &mut DbConn) -> QueryResult<()> {
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::seq.eq(audit_head::seq))
        .execute(conn)?;
    Ok(())
}

/// The head, read under its write lock: one round trip on PostgreSQL (`FOR UPDATE`), a
/// no-op update then a read on SQLite (which has no row locks).
fn locked_head(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    match conn {
        DbConn::Postgres(pg) => audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::seq, audit_head::hash))
            .for_update()
            .first(pg),
        DbConn::Sqlite(_) => {
            lock_head(conn)?;
            head(conn)
        }
    }
}

/// The newest event's sequence number and hash, as the head row records them.
pub fn head(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)
}

/// Appends one event to the chain. Must run inside [`super::write`], so that the event
/// commits with the change it records.
///
/// On PostgreSQL the head's lock is the last lock a transaction takes: change every row
/// first, then append. A transaction that holds the head and then waits for a row deadlocks
/// with one that holds that row and waits for the head.
pub fn append(conn: &mut DbConn, event: &NewAuditEvent<'_>) -> QueryResult<i64> {
    append_chained(conn, std::slice::from_ref(event))
}

/// Appends one event named by its typed actor and target, its details a JSON object
/// without personal data.
pub fn append_event(
    conn: &mut DbConn,
    at: OffsetDateTime,
    actor: &Actor,
    action: &str,
    target: &Target,
    details: &serde_json::Value,
) -> QueryResult<i64> {
    append(
        conn,
        &NewAuditEvent {
            at,
            actor: &actor.to_audit_string(),
            action,
            target: &target.to_audit_string(),
            details: &details.to_string(),
        },
    )
}

/// Appends several events in order, reading and moving the head once: a purge batch's
/// thousand events cost one head update and a few multi-row inserts instead of a thousand
/// round trips each.
pub fn append_many(conn: &mut DbConn, events: &[NewAuditEvent<'_>]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    append_chained(conn, events).map(|_| ())
}

/// Chains `events` (at least one) onto the head and moves the head; returns the last `seq`.
fn append_chained(conn: &mut DbConn, events: &[NewAuditEvent<'_>]) -> QueryResult<i64> {
    let (mut seq, mut last_hash) = locked_head(conn)?;
    let mut owned: Vec<(i64, String, time::PrimitiveDateTime, String, String)> =
        Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let id = uuid::Uuid::now_v7().to_string();
        // Stored timestamps keep microseconds; hash exactly what will be read back.
        let at = from_db(to_db(event.at));
        let hash = chain_hash(
            &last_hash,
            &EventContent {
                seq,
                id: &id,
                at,
                actor: event.actor,
                action: event.action,
                target: event.target,
                details: event.details,
            },
        );
        owned.push((seq, id, to_db(at), last_hash, hash.clone()));
        last_hash = hash;
    }
    let rows: Vec<NewAuditEventRow<'_>> = owned
        .iter()
        .zip(events)
        .map(|((seq, id, at, prev_hash, hash), event)| NewAuditEventRow {
            seq: *seq,
            id,
            at: *at,
            actor: event.actor,
            action: event.action,
            target: event.target,
            details: event.details,
            prev_hash,
            hash,
        })
        .collect();
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(c),
            DbConn::Postgres(c) => diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(c),
        }?;
    }
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(&last_hash)))
        .execute(conn)?;
    Ok(seq)
}

/// Events about one target, oldest first.
pub fn list_for_target(conn: &mut DbConn, target: &str) -> Result<Vec<AuditEvent>, StoreError> {
    audit_events::table
        .filter(audit_events::target.eq(target))
        .order(audit_events::seq.asc())
        .select(AuditEventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AuditEvent::try_from)
        .collect()
}

/// The next batch of events after `after_seq`, in chain order.
pub fn batch_after(conn: &mut DbConn, after_seq: i64, limit: i64) -> QueryResult<Vec<StoredEvent>> {
    let rows: Vec<AuditEventRow> = audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(AuditEventRow::into_stored).collect())
}

/// Filters of the audit viewer; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub target: Option<&'a str>,
    pub from: Option<time::PrimitiveDateTime>,
    pub until: Option<time::PrimitiveDateTime>,
    /// Only events older than this sequence number (the previous page's last).
    pub before_seq: Option<i64>,
    /// `None`: every event. Otherwise only what this reader may see.
    pub visible_to: Option<AuditReader<'a>>,
}

/// A reader of part of the trail: events about requests of `regimes`, and events whose
/// actor or target is `own` (`officer:<id>`: their sign-ins, their own actions).
#[derive(Debug, Clone, Copy)]
pub struct AuditReader<'a> {
    pub regimes: &'a [&'a str],
    pub own: &'a str,
}

diesel::define_sql_function! {
    /// `substr(text, start)`, the same in SQLite and PostgreSQL (1-based).
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// Where a request's id starts in its audit target, `request:<id>` (1-based).
const REQUEST_ID_AT: i32 = "request:".len() as i32 + 1;

/// A page of events, newest first.
pub fn list_filtered(
    conn: &mut DbConn,
    filter: &AuditFilter<'_>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut query = audit_events::table.into_boxed();
    if let Some(actor) = filter.actor {
        query = query.filter(audit_events::actor.eq(actor));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_events::action.eq(action));
    }
    if let Some(target) = filter.target {
        query = query.filter(audit_events::target.eq(target));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::at.lt(until));
    }
    if let Some(before) = filter.before_seq {
        query = query.filter(audit_events::seq.lt(before));
    }
    if let Some(reader) = filter.visible_to {
        // One primary-key probe per event read: the request named by the target, in one
        // of the reader's regimes. Events of a request that was deleted are nobody's region.
        let about_their_requests = diesel::dsl::exists(
            requests::table
                .filter(requests::id.eq(substr(audit_events::target, REQUEST_ID_AT)))
                .filter(requests::regime.eq_any(reader.regimes)),
        );
        query = query.filter(
            audit_events::actor
                .eq(reader.own)
                .or(audit_events::target.eq(reader.own))
                .or(audit_events::target
                    .like("request:%")
                    .and(about_their_requests)),
        );
    }
    query
        .order(audit_events::seq.desc())
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AuditEvent::try_from)
        .collect()
}
