//! Database upkeep inside `serve`: planner statistics now and every hour, so that queries
//! keep their indexes as the tables grow; sign-in counts nobody added to for an hour.

use std::time::Duration;

use crate::app::Context;

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run(ctx: Context) {
    loop {
        let worker = ctx.clone();
        match tokio::task::spawn_blocking(move || worker.refresh_planner_statistics()).await {
            Ok(Ok(())) => tracing::debug!("planner statistics refreshed"),
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "refreshing planner statistics failed")
            }
            Err(error) => tracing::warn!(error = %error, "refreshing planner statistics failed"),
        }
        let worker = ctx.clone();
        match tokio::task::spawn_blocking(move || {
            crate::app::sign_in_throttle::forget_quiet(&worker)
        })
        .await
        {
            Ok(Ok(forgotten)) => tracing::debug!(forgotten, "quiet sign-in counts forgotten"),
            Ok(Err(error)) => tracing::warn!(error = %error, "forgetting sign-in counts failed"),
            Err(error) => tracing::warn!(error = %error, "forgetting sign-in counts failed"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
