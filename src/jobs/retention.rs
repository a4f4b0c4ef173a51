//! The scheduled purge inside `serve`: on an interval from the settings, what is past its
//! retention period goes. With several instances on one PostgreSQL, one run at a time: the
//! run takes a session advisory lock and skips its turn when another instance holds it.

use std::time::Duration;

use crate::app::purge::{self, PurgeOptions, Quiet};
use crate::app::{clock, Context};

pub async fn run(ctx: Context) {
    let every = Duration::from_secs(ctx.settings.purge_interval_secs);
    loop {
        tokio::time::sleep(every).await;
        let worker = ctx.clone();
        let outcome = tokio::task::spawn_blocking(move || purge_once(&worker)).await;
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
    let mut lock_conn = ctx.conn()?;
    if !crate::store::retention::try_lock_run(&mut lock_conn)? {
        return Ok(None);
    }
    let result = purge::run(
        ctx,
        PurgeOptions {
            as_of: clock::now(),
            dry_run: false,
            batch_size: purge::DEFAULT_BATCH_SIZE,
        },
        &mut Quiet,
    );
    crate::store::retention::unlock_run(&mut lock_conn)?;
    Ok(Some(result?.total_purged()))
}
