//! What the export-spike rule reads and writes: officers' recent exports (ids, times and
//! row counts, nothing about the requests) and when the admins were last alerted about each.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{export_spike_alerts, officer_exports};
use super::DbConn;
use crate::domain::export_spike::ExportUsage;

/// Counts an officer's export as started, with no rows yet.
pub fn insert_started(
    conn: &mut DbConn,
    id: &str,
    officer_id: &str,
    started_at: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(officer_exports::table)
        .values((
            officer_exports::id.eq(id),
            officer_exports::officer_id.eq(officer_id),
            officer_exports::started_at.eq(started_at),
            officer_exports::row_count.eq(0_i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records how many rows an export wrote.
pub fn record_rows(conn: &mut DbConn, id: &str, rows: i64) -> QueryResult<()> {
    diesel::update(officer_exports::table.find(id))
        .set(officer_exports::row_count.eq(rows))
        .execute(conn)?;
    Ok(())
}

/// Deletes an officer's exports started before `before`: the rule no longer counts them.
pub fn forget_before(
    conn: &mut DbConn,
    officer_id: &str,
    before: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        officer_exports::table
            .filter(officer_exports::officer_id.eq(officer_id))
            .filter(officer_exports::started_at.lt(before)),
    )
    .execute(conn)
}

/// The exports an officer started at or after `since`, and the rows they wrote.
pub fn usage_since(
    conn: &mut DbConn,
    officer_id: &str,
    since: PrimitiveDateTime,
) -> QueryResult<ExportUsage> {
    // Row counts rather than SUM: PostgreSQL sums BIGINT as NUMERIC. An officer's hour of
    // exports is a short list (older rows are deleted as exports start).
    let counts: Vec<i64> = officer_exports::table
        .filter(officer_exports::officer_id.eq(officer_id))
        .filter(officer_exports::started_at.ge(since))
        .select(officer_exports::row_count)
        .load(conn)?;
    Ok(ExportUsage {
        exports: counts.len() as u64,
        rows: counts.iter().map(|n| (*n).max(0) as u64).sum(),
    })
}

/// Claims the right to alert the admins about an officer now: true when no alert about
/// them went out after `lapsed_by`. Two instances claiming at once get one true between
/// them: the insert waits on the other's uncommitted row, and the update re-reads it.
pub fn claim_alert(
    conn: &mut DbConn,
    officer_id: &str,
    now: PrimitiveDateTime,
    lapsed_by: PrimitiveDateTime,
) -> QueryResult<bool> {
    let row = (
        export_spike_alerts::officer_id.eq(officer_id),
        export_spike_alerts::alerted_at.eq(now),
    );
    let inserted = match conn {
        DbConn::Postgres(pg) => diesel::insert_into(export_spike_alerts::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConn::Sqlite(sqlite) => diesel::insert_or_ignore_into(export_spike_alerts::table)
            .values(row)
            .execute(sqlite)?,
    };
    if inserted == 1 {
        return Ok(true);
    }
    let updated = diesel::update(
        export_spike_alerts::table
            .filter(export_spike_alerts::officer_id.eq(officer_id))
            .filter(export_spike_alerts::alerted_at.le(lapsed_by)),
    )
    .set(export_spike_alerts::alerted_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}
