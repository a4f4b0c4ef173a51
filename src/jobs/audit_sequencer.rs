//! The audit sequencer inside `serve`: every interval (a setting, well under a second by
//! default) it numbers, chains and checkpoints the events committed since its last pass.
//! Beside other instances on one PostgreSQL only one sequences at a time; the others find
//! the turn taken and try again at their next pass. When `serve` stops, one last pass
//! ([`final_pass`]) sequences what the requests finished during shutdown appended, so a
//! stopped instance leaves nothing pending.

use std::time::{Duration, Instant};

use super::Shutdown;
use crate::app::{audit, Context};

/// Runs until `shutdown` fires; a pass in progress stops after its current batch, which
/// commits or rolls back whole.
pub async fn run_until(ctx: Context, mut shutdown: Shutdown) {
    let every = Duration::from_millis(ctx.settings.audit_sequence_interval_ms);
    while !shutdown.is_requested() {
        let worker = ctx.clone();
        let stop = shutdown.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            audit::sequence_pending(&worker, audit::DEFAULT_BATCH, Duration::ZERO, || {
                stop.is_requested()
            })
        })
        .await;
        match outcome {
            Ok(Ok(run)) if run.sequenced > 0 => {
                ctx.metrics.audit_sequenced.inc_by(run.sequenced);
                tracing::debug!(sequenced = run.sequenced, "audit events sequenced")
            }
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(error = %error, "audit sequencing failed"),
            Err(error) => tracing::warn!(error = %error, "audit sequencing failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.requested() => {}
        }
    }
    tracing::info!("audit sequencer stopped");
}

/// One last pass once the web server and the other jobs have stopped: sequences the events
/// still pending, batch by batch, for at most `within` (a batch in progress at the limit
/// commits or rolls back whole; whatever is left waits for the next sequencer). Another
/// instance holding the turn is doing the same work, so that ends the pass too.
pub async fn final_pass(ctx: Context, within: Duration) {
    let deadline = Instant::now() + within;
    let worker = ctx.clone();
    let pass = tokio::task::spawn_blocking(move || {
        audit::sequence_pending(
            &worker,
            audit::DEFAULT_BATCH,
            Duration::from_millis(500).min(within),
            || Instant::now() >= deadline,
        )
    });
    // The blocking pass checks the deadline between batches; waiting a little past it lets
    // the batch in hand finish rather than abandoning it mid-commit.
    match tokio::time::timeout(within + Duration::from_secs(5), pass).await {
        Ok(Ok(Ok(run))) => {
            ctx.metrics.audit_sequenced.inc_by(run.sequenced);
            tracing::info!(
                sequenced = run.sequenced,
                other_instance = run.busy,
                "audit sequencer: final pass done"
            );
        }
        Ok(Ok(Err(error))) => tracing::warn!(error = %error, "audit sequencer: final pass failed"),
        Ok(Err(error)) => tracing::warn!(error = %error, "audit sequencer: final pass failed"),
        Err(_) => tracing::warn!("audit sequencer: final pass did not end in time; the rest waits for the next sequencer"),
    }
}
