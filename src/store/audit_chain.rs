//! The sequencer's questions: its turn, the head, the pending events, writing their numbers
//! and hashes back, and the checkpoints that seal each batch.

use diesel::prelude::*;

use super::audit::{stored, EventRow};
use super::schema::{audit_checkpoints, audit_events, audit_head};
use super::time::{from_db, to_db};
use super::{DbConn, StoreError};
use crate::domain::audit::chain::Sequenced;
use crate::domain::audit::{Checkpoint, StoredEvent};

/// The sequencer's advisory lock on PostgreSQL.
const SEQUENCER_LOCK: i32 = 7_231_050;

/// Takes the sequencer's turn for the rest of this transaction; false when another
/// sequencer (another instance) has it. On SQLite the write transaction already holds the
/// database's single write lock, so the turn is always this one's.
pub fn try_lock_sequencer(conn: &mut DbConn) -> QueryResult<bool> {
    super::advisory::try_lock_for_transaction(conn, SEQUENCER_LOCK)
}

/// The newest sequenced event's number and hash, as the head row records them.
pub fn head(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)
}

pub fn move_head(conn: &mut DbConn, seq: i64, hash: &str) -> QueryResult<()> {
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(hash)))
        .execute(conn)?;
    Ok(())
}

/// The oldest committed events not yet sequenced, in insertion order.
pub fn pending_batch(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = audit_events::table
        .filter(audit_events::seq.is_null())
        .order(audit_events::pos.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// Whether any committed event waits for the sequencer.
pub fn has_pending(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        audit_events::table.filter(audit_events::seq.is_null()),
    ))
    .get_result(conn)
}

/// Rows per UPDATE of [`assign`] on PostgreSQL.
const ASSIGN_CHUNK: usize = 1000;

/// Writes the numbers and hashes of a batch back to its rows. A row that changed under the
/// sequencer rolls the batch back rather than leave a gap.
pub fn assign(conn: &mut DbConn, sequenced: &[Sequenced], key_id: &str) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(_) => assign_joined(conn, sequenced, key_id),
        DbConn::Sqlite(_) => assign_each(conn, sequenced, key_id),
    }
}

/// SQLite: one prepared UPDATE per event, by its primary key. Each costs microseconds in
/// process; an UPDATE joined to a list of values would be planned as a scan of the table
/// per chunk.
fn assign_each(conn: &mut DbConn, sequenced: &[Sequenced], key_id: &str) -> QueryResult<()> {
    for event in sequenced {
        let updated = diesel::update(
            audit_events::table
                .filter(audit_events::pos.eq(event.position))
                .filter(audit_events::seq.is_null()),
        )
        .set((
            audit_events::seq.eq(event.seq),
            audit_events::prev_hash.eq(&event.prev_hash),
            audit_events::hash.eq(&event.hash),
            audit_events::key_id.eq(key_id),
        ))
        .execute(conn)?;
        if updated != 1 {
            return Err(diesel::result::Error::RollbackTransaction);
        }
    }
    Ok(())
}

/// PostgreSQL: one UPDATE joined to a list of values per thousand events instead of a round
/// trip each. The values are numbers and the hex the sequencer computed, quoted as SQL
/// strings.
fn assign_joined(conn: &mut DbConn, sequenced: &[Sequenced], key_id: &str) -> QueryResult<()> {
    let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
    for chunk in sequenced.chunks(ASSIGN_CHUNK) {
        let values: Vec<String> = chunk
            .iter()
            .map(|s| {
                format!(
                    "({}, {}, {}, {})",
                    s.position,
                    s.seq,
                    quote(&s.prev_hash),
                    quote(&s.hash)
                )
            })
            .collect();
        // VALUES names its columns column1, column2, ...
        let statement = format!(
            "UPDATE audit_events SET seq = v.column2, prev_hash = v.column3, hash = v.column4, key_id = {} \
             FROM (VALUES {}) AS v WHERE audit_events.pos = v.column1 AND audit_events.seq IS NULL",
            quote(key_id),
            values.join(", ")
        );
        let updated = diesel::sql_query(statement).execute(conn)?;
        if updated != chunk.len() {
            return Err(diesel::result::Error::RollbackTransaction);
        }
    }
    Ok(())
}

#[derive(Queryable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
struct CheckpointRow {
    seq: i64,
    head_hash: String,
    at: time::PrimitiveDateTime,
    key_id: String,
    mac: String,
}

impl From<CheckpointRow> for Checkpoint {
    fn from(row: CheckpointRow) -> Checkpoint {
        Checkpoint {
            seq: row.seq,
            head_hash: row.head_hash,
            at: from_db(row.at),
            key_id: row.key_id,
            mac: row.mac,
        }
    }
}

pub fn insert_checkpoint(conn: &mut DbConn, checkpoint: &Checkpoint) -> QueryResult<()> {
    diesel::insert_into(audit_checkpoints::table)
        .values(CheckpointRow {
            seq: checkpoint.seq,
            head_hash: checkpoint.head_hash.clone(),
            at: to_db(checkpoint.at),
            key_id: checkpoint.key_id.clone(),
            mac: checkpoint.mac.clone(),
        })
        .execute(conn)?;
    Ok(())
}

/// The checkpoint with the highest number.
pub fn newest_checkpoint(conn: &mut DbConn) -> QueryResult<Option<Checkpoint>> {
    audit_checkpoints::table
        .order(audit_checkpoints::seq.desc())
        .first::<CheckpointRow>(conn)
        .optional()
        .map(|row| row.map(Checkpoint::from))
}

/// The number of the first checkpoint: where the first era's unkeyed events end.
pub fn first_checkpoint_seq(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    audit_checkpoints::table
        .select(diesel::dsl::min(audit_checkpoints::seq))
        .first(conn)
}

/// Checkpoints numbered `from` or higher, in order.
pub fn checkpoints_from(conn: &mut DbConn, from: i64, limit: i64) -> QueryResult<Vec<Checkpoint>> {
    Ok(audit_checkpoints::table
        .filter(audit_checkpoints::seq.ge(from))
        .order(audit_checkpoints::seq.asc())
        .limit(limit)
        .load::<CheckpointRow>(conn)?
        .into_iter()
        .map(Checkpoint::from)
        .collect())
}

/// Sequenced events after `after_seq`, in chain order.
pub fn sequenced_after(
    conn: &mut DbConn,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The oldest time and the number of pending events stored before `before`, if any.
pub fn pending_before(
    conn: &mut DbConn,
    before: time::PrimitiveDateTime,
) -> Result<Option<(time::OffsetDateTime, i64)>, StoreError> {
    let (oldest, count): (Option<time::PrimitiveDateTime>, i64) = audit_events::table
        .filter(audit_events::seq.is_null())
        .filter(audit_events::at.lt(before))
        .select((
            diesel::dsl::min(audit_events::at),
            diesel::dsl::count_star(),
        ))
        .first(conn)?;
    Ok(oldest.map(|at| (from_db(at), count)))
}
