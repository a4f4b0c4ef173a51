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
    // The rows change in the order of their keys (as the purge changes them too): a move
    // one way (asked) and one the other way (answered) at once would otherwise each hold
    // the row the other needs until PostgreSQL broke the deadlock.
    let mut moves = vec![(to, 1)];
    moves.extend(from.map(|from| (from, -1)));
    moves.sort_unstable();
    for (status, delta) in moves {
        count_add(conn, regime, status, delta)?;
    }
    Ok(())
}

fn count_add(conn: &mut DbConn, regime: &str, status: &str, delta: i64) -> QueryResult<()> {
    diesel::update(request_counts::table.find((regime, status)))
        .set(request_counts::n.eq(request_counts::n + delta))
        .execute(conn)
        .map(|_| ())
}

/// Takes deleted requests out of the per-status counts.
pub fn count_remove(conn: &mut DbConn, regime: &str, status: &str, n: i64) -> QueryResult<()> {
    count_add(conn, regime, status, -n)
}
