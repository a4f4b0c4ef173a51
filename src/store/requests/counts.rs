//! The kept counts of requests per regime and status, and the figures read from them.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::queue::ACTIVE_PREDICATE;
use crate::store::schema::{request_counts, requests};
use crate::store::DbConn;

/// How many requests of the given regimes are in each status (from the kept counts).
pub fn count_by_status(conn: &mut DbConn, regimes: &[&str]) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = request_counts::table
        .filter(request_counts::regime.eq_any(regimes))
        .select((request_counts::status, request_counts::n))
        .load(conn)?;
    let mut totals: Vec<(String, i64)> = Vec::new();
    for (status, n) in rows {
        match totals.iter_mut().find(|(s, _)| *s == status) {
            Some((_, total)) => *total += n,
            None => totals.push((status, n)),
        }
    }
    Ok(totals)
}

/// Requests being worked, by regime (from the kept counts).
pub fn count_active_by_regime(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(String, String, i64)> = request_counts::table
        .select((
            request_counts::regime,
            request_counts::status,
            request_counts::n,
        ))
        .load(conn)?;
    let mut totals = std::collections::BTreeMap::<String, i64>::new();
    for (regime, status, n) in rows {
        let active = status
            .parse::<crate::domain::status::RequestStatus>()
            .is_ok_and(|s| s.is_active());
        *totals.entry(regime).or_default() += if active { n } else { 0 };
    }
    Ok(totals.into_iter().collect())
}

/// Requests being worked whose due date in force has passed, by regime: a range on the
/// partial index of active requests by due date.
pub fn count_overdue_by_regime(
    conn: &mut DbConn,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<(String, i64)>> {
    requests::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            ACTIVE_PREDICATE,
        ))
        .filter(requests::effective_due_at.lt(now))
        .group_by(requests::regime)
        .select((requests::regime, diesel::dsl::count_star()))
        .load(conn)
}

/// Keeps the counts: one request of `regime` moved from `from` (none when new) to `to`.
/// Runs in the transaction of the change.
pub fn count_move(
    conn: &mut DbConn,
    regime: &str,
    from: Option<&str>,
    to: &str,
) -> QueryResult<()> {
    if from == Some(to) {
        return Ok(());
    }
    // One shard for the whole move, and its rows changed in the order of their keys (as the
    // purge changes them too): a move one way (asked) and one the other way (answered) at
    // once would otherwise each hold the row the other needs until PostgreSQL broke the
    // deadlock.
    let shard = any_shard();
    let mut moves = vec![(to, 1)];
    moves.extend(from.map(|from| (from, -1)));
    moves.sort_unstable();
    for (status, delta) in moves {
        count_add(conn, regime, status, shard, delta)?;
    }
    Ok(())
}

/// How many rows share one count: more than the writers a pool keeps in flight, few enough
/// that reading every count stays under a thousand rows.
const SHARDS: u32 = 32;

/// The shards are taken in turn, so that the transactions one process has in flight hold
/// different rows; each process starts its turn at a random shard, so that instances
/// sharing a database seldom meet either.
fn any_shard() -> i32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::OnceLock;
    static START: OnceLock<u32> = OnceLock::new();
    static TURN: AtomicU32 = AtomicU32::new(0);
    // Spreading writes needs no secrecy; a failed draw only means starting at shard 0.
    let start = *START.get_or_init(|| getrandom::u32().unwrap_or(0));
    let turn = TURN.fetch_add(1, Ordering::Relaxed);
    i32::try_from(start.wrapping_add(turn) % SHARDS).unwrap_or(0)
}

/// Adds `delta` to one shard of a count, creating the shard at its first use.
fn count_add(
    conn: &mut DbConn,
    regime: &str,
    status: &str,
    shard: i32,
    delta: i64,
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    let upsert = || {
        diesel::insert_into(request_counts::table)
            .values((
                request_counts::regime.eq(regime),
                request_counts::status.eq(status),
                request_counts::shard.eq(shard),
                request_counts::n.eq(delta),
            ))
            .on_conflict((
                request_counts::regime,
                request_counts::status,
                request_counts::shard,
            ))
            .do_update()
            .set(request_counts::n.eq(request_counts::n + excluded(request_counts::n)))
    };
    match conn {
        DbConn::Sqlite(c) => upsert().execute(c),
        DbConn::Postgres(c) => upsert().execute(c),
    }
    .map(|_| ())
}

/// Takes deleted requests out of the per-status counts.
pub fn count_remove(conn: &mut DbConn, regime: &str, status: &str, n: i64) -> QueryResult<()> {
    count_add(conn, regime, status, any_shard(), -n)
}
