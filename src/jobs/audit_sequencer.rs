//! The audit sequencer inside `serve`: every interval (a setting, well under a second by
//! default) it numbers, chains and checkpoints the events committed since its last pass.
//! Beside other instances on one PostgreSQL only one sequences at a time; the others find
//! the turn taken and try again at their next pass.

use std::time::Duration;

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
