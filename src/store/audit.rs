//! The audit trail's events: appended unsequenced with the change they record, read back
//! sequenced or pending. Numbering, chaining and checkpoints are `store::audit_chain`.

use diesel::prelude::*;
use time::OffsetDateTime;

use super::schema::{audit_events, requests};
use super::time::{from_db, to_db};
use super::{DbConn, StoreError};
use crate::domain::audit::{Actor, AuditCursor, AuditEvent, StoredEvent, Target};

pub use super::audit_chain::head;

/// An event's row: sequenced, or pending (`seq`, hashes and key id all `None`).
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub(super) struct EventRow {
    pos: i64,
    seq: Option<i64>,
    id: String,
    at: time::PrimitiveDateTime,
    actor: String,
    action: String,
    target: String,
    details: String,
    prev_hash: Option<String>,
    hash: Option<String>,
    key_id: Option<String>,
}

/// The event a row holds, as stored (the text unparsed, as hashed).
pub(super) fn stored(row: EventRow) -> StoredEvent {
    StoredEvent {
        position: row.pos,
        seq: row.seq,
        id: row.id,
        at: from_db(row.at),
        actor: row.actor,
        action: row.action,
        target: row.target,
        details: row.details,
        prev_hash: row.prev_hash,
        hash: row.hash,
        key_id: row.key_id,
    }
}

fn parsed(row: EventRow) -> Result<AuditEvent, StoreError> {
    let position = row.pos;
    AuditEvent::try_from(stored(row)).map_err(|_| StoreError::corrupt("audit_events", position))
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
// One SQL text for every event, kept prepared (see `NewRequest`).
#[diesel(treat_none_as_default_value = false)]
struct NewAuditEventRow<'a> {
    id: String,
    at: time::PrimitiveDateTime,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    details: &'a str,
}

impl<'a> NewAuditEventRow<'a> {
    fn from(event: &NewAuditEvent<'a>) -> NewAuditEventRow<'a> {
        NewAuditEventRow {
            id: uuid::Uuid::now_v7().to_string(),
            at: to_db(event.at),
            actor: event.actor,
            action: event.action,
            target: event.target,
            details: event.details,
        }
    }
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

/// Appends one event, unsequenced; returns its local position (insertion order). Must run
/// inside [`super::write`], so that the event commits with the change it records. It takes
/// no lock beyond its own row: the sequencer numbers and chains it after the commit.
pub fn append(conn: &mut DbConn, event: &NewAuditEvent<'_>) -> QueryResult<i64> {
    let row = NewAuditEventRow::from(event);
    match conn {
        DbConn::Postgres(pg) => diesel::insert_into(audit_events::table)
            .values(&row)
            .returning(audit_events::pos)
            .get_result(pg),
        DbConn::Sqlite(sqlite) => {
            diesel::insert_into(audit_events::table)
                .values(&row)
                .execute(sqlite)?;
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "last_insert_rowid()",
            ))
            .get_result(sqlite)
        }
    }
}

/// Appends one event named by its typed actor and target, its details a JSON object
/// without personal data; returns its local position.
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

/// Appends several events in order, in a few multi-row inserts: a purge batch's thousand
/// events cost a few round trips, not a thousand.
pub fn append_many(conn: &mut DbConn, events: &[NewAuditEvent<'_>]) -> QueryResult<()> {
    let rows: Vec<NewAuditEventRow<'_>> = events.iter().map(NewAuditEventRow::from).collect();
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
    Ok(())
}

/// Events about one target in log order: the sequenced by number, then the pending in the
/// order they were stored (the order the sequencer will give them).
pub fn list_for_target(conn: &mut DbConn, target: &str) -> Result<Vec<AuditEvent>, StoreError> {
    audit_events::table
        .filter(audit_events::target.eq(target))
        .order((
            audit_events::seq.is_null().asc(),
            audit_events::seq.asc(),
            audit_events::pos.asc(),
        ))
        .select(EventRow::as_select())
        .load::<EventRow>(conn)?
        .into_iter()
        .map(parsed)
        .collect()
}

/// The events after the first `skip` in log order (sequenced by number, then pending in
/// insertion order), at most `limit`: a look at the whole trail, pending events included.
pub fn batch_after(conn: &mut DbConn, skip: i64, limit: i64) -> QueryResult<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = audit_events::table
        .order((
            audit_events::seq.is_null().asc(),
            audit_events::seq.asc(),
            audit_events::pos.asc(),
        ))
        .offset(skip)
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// Filters of the audit viewer; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub target: Option<&'a str>,
    pub from: Option<time::PrimitiveDateTime>,
    pub until: Option<time::PrimitiveDateTime>,
    /// Only events older than this one (the previous page's last).
    pub before: Option<AuditCursor>,
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

type Backend = <DbConn as diesel::Connection>::Backend;

/// The viewer's filters, but not its order or page.
fn filtered<'a>(filter: &AuditFilter<'a>) -> audit_events::BoxedQuery<'a, Backend> {
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
}

/// A page of events, newest first: the pending (newest stored first), then the sequenced
/// (highest number first). Each part walks its own index, so a page costs the same at the
/// start and deep into a long trail.
pub fn list_filtered(
    conn: &mut DbConn,
    filter: &AuditFilter<'_>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut rows: Vec<EventRow> = Vec::new();
    if !matches!(filter.before, Some(AuditCursor::Sequenced(_))) {
        let mut pending = filtered(filter).filter(audit_events::seq.is_null());
        if let Some(AuditCursor::Pending(position)) = filter.before {
            pending = pending.filter(audit_events::pos.lt(position));
        }
        rows = pending
            .order(audit_events::pos.desc())
            .limit(limit)
            .select(EventRow::as_select())
            .load(conn)?;
    }
    let wanted = limit - rows.len() as i64;
    if wanted > 0 {
        let mut sequenced = filtered(filter).filter(audit_events::seq.is_not_null());
        if let Some(AuditCursor::Sequenced(seq)) = filter.before {
            sequenced = sequenced.filter(audit_events::seq.lt(seq));
        }
        let more: Vec<EventRow> = sequenced
            .order(audit_events::seq.desc())
            .limit(wanted)
            .select(EventRow::as_select())
            .load(conn)?;
        // An event sequenced between the two reads is shown once, as pending.
        let seen: std::collections::HashSet<i64> = rows.iter().map(|row| row.pos).collect();
        rows.extend(more.into_iter().filter(|row| !seen.contains(&row.pos)));
    }
    rows.into_iter().map(parsed).collect()
}
