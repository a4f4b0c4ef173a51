//! The scheduled purge inside `serve`: on an interval from the settings, what is past its
//! retention period goes. With several instances on one PostgreSQL, one run at a time: the
//! run takes a session advisory lock and skips its turn when another instance holds it.

use std::time::Duration;

use super::Shutdown;
use crate::app::purge::{self, PurgeOptions, PurgeProgress};
use crate::app::{clock, Context};
use crate::domain::retention::PurgeClass;

pub async fn run(ctx: Context) {
    run_until(ctx, Shutdown::never()).await
}

/// Purges on the interval until `shutdown` fires; a run in progress stops after its
/// current batch.
pub async fn run_until(ctx: Context, mut shutdown: Shutdown) {
    let every = Duration::from_secs(ctx.settings.purge_interval_secs);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.requested() => return,
        }
        let worker = ctx.clone();
        let stop = shutdown.clone();
        let outcome = tokio::task::spawn_blocking(move || purge_once_until(&worker, &stop)).await;
        match outcome {
            Ok(Ok(Some(purged))) => tracing::info!(purged, "scheduled purge finished"),
            Ok(Ok(None)) => tracing::debug!("another instance is purging; skipped"),
            Ok(Err(error)) => tracing::warn!(error = %error, "scheduled purge failed"),
            Err(error) => tracing::warn!(error = %error, "scheduled purge failed"),
        }
    }
}

/// One scheduled run; `None` when another instance's run holds the lock.
pub fn purge_once(ctx: &Context) -> Result<Option<i64>, crate::error::AppError> {
    purge_once_until(ctx, &Shutdown::never())
}

/// Counts what a scheduled run purges, and stops it between batches on shutdown.
struct Scheduled<'a> {
    ctx: &'a Context,
    shutdown: &'a Shutdown,
}

impl PurgeProgress for Scheduled<'_> {
    fn class_started(&mut self, _: PurgeClass, _: i64) {}

    fn purged(&mut self, class: PurgeClass, count: i64) {
        self.ctx.metrics.purged(class.as_str(), count.max(0) as u64);
    }

    fn should_stop(&self) -> bool {
        self.shutdown.is_requested()
    }
}

fn purge_once_until(
    ctx: &Context,
    shutdown: &Shutdown,
) -> Result<Option<i64>, crate::error::AppError> {
    let report = purge::run_exclusive(
        ctx,
        PurgeOptions {
            as_of: clock::now(),
            dry_run: false,
            batch_size: purge::DEFAULT_BATCH_SIZE,
        },
        &mut Scheduled { ctx, shutdown },
    )?;
    Ok(report.map(|report| report.total_purged()))
}
