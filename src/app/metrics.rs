//! The figures `/metrics` reads from the database at each scrape: the outbox, the audit
//! events waiting for the sequencer, and the requests being worked and overdue by regime.

use super::{clock, outbox, Context};
use crate::domain::regime::Regime;
use crate::error::AppError;
use crate::metrics::RegimeLabels;
use crate::store::time::to_db;
use crate::store::{audit_chain, requests};

/// Beyond any event's time: every pending event counts (clocks of instances may differ).
const SOON: time::Duration = time::Duration::HOUR;

/// Sets the database gauges, then returns the whole text.
pub fn scrape(ctx: &Context) -> Result<String, AppError> {
    let metrics = &ctx.metrics;
    let health = outbox::health(ctx)?;
    metrics.outbox_pending.set(health.pending);
    metrics.outbox_failing.set(health.failing);
    metrics.outbox_undeliverable.set(health.undeliverable);
    let mut conn = ctx.conn()?;
    let now = clock::now();
    let (pending, oldest) = match audit_chain::pending_before(&mut conn, to_db(now + SOON))? {
        Some((oldest, count)) => (count, (now - oldest).whole_seconds().max(0)),
        None => (0, 0),
    };
    metrics.audit_pending.set(pending);
    metrics.audit_pending_oldest_seconds.set(oldest);
    let open = requests::count_active_by_regime(&mut conn)?;
    let overdue = requests::count_overdue_by_regime(&mut conn, to_db(clock::now()))?;
    // Every regime is listed, with 0 where nothing is open, so a graph never has gaps.
    for regime in Regime::ALL {
        let code = regime.as_str();
        let of =
            |rows: &[(String, i64)]| rows.iter().find(|(r, _)| r == code).map_or(0, |(_, n)| *n);
        let labels = RegimeLabels {
            regime: code.to_string(),
        };
        metrics.requests_open.get_or_create(&labels).set(of(&open));
        metrics
            .requests_overdue
            .get_or_create(&labels)
            .set(of(&overdue));
    }
    Ok(metrics.encode())
}
