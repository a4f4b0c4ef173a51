//! What the audit trail gives out: sequenced events for a log shipper, and the newest
//! checkpoint for an operator to keep off the box.

use super::Context;
use crate::domain::audit::Checkpoint;
use crate::error::AppError;
use crate::files::audit_feed;
use crate::store::audit_chain;

/// The newest checkpoint, if the sequencer has written one.
pub fn newest_checkpoint(ctx: &Context) -> Result<Option<Checkpoint>, AppError> {
    Ok(audit_chain::newest_checkpoint(&mut *ctx.conn()?)?)
}

/// Up to `limit` sequenced events after `since`, in order, each with its number and its
/// NDJSON line.
pub fn events_after(ctx: &Context, since: i64, limit: i64) -> Result<Vec<(i64, String)>, AppError> {
    let events = audit_chain::sequenced_after(&mut *ctx.conn()?, since, limit)?;
    Ok(events
        .iter()
        .map(|event| (event.seq.unwrap_or_default(), audit_feed::event_line(event)))
        .collect())
}
