//! The mail sender: delivers what the outbox holds, retrying failures with backoff.

use std::time::Duration;

use crate::app::{self, Context};
use crate::error::AppError;
use crate::mail::Mailer;

/// How many mails one pass claims.
const BATCH: i64 = 50;

/// Runs until the process ends: delivers due mail, then sleeps until woken or the interval.
pub async fn run(ctx: Context, mailer: Mailer) {
    let wakeup = ctx.mail_wakeup();
    let interval = Duration::from_millis(ctx.settings.outbox_interval_ms);
    loop {
        match deliver_due(&ctx, &mailer).await {
            Ok(sent) if sent as i64 >= BATCH => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "mail outbox pass failed"),
        }
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// One pass: claims due mail and tries each once. Returns how many were claimed.
pub async fn deliver_due(ctx: &Context, mailer: &Mailer) -> Result<usize, AppError> {
    let claim_ctx = ctx.clone();
    let rows = tokio::task::spawn_blocking(move || app::outbox::claim_due(&claim_ctx, BATCH))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let claimed = rows.len();
    for row in rows {
        let result = mailer.send(&row.to_addr, &row.subject, &row.body).await;
        let record_ctx = ctx.clone();
        // Log the outbox id and template only: the address is personal data.
        let outcome = match result {
            Ok(()) => {
                tracing::debug!(mail = %row.id, template = %row.template, "mail sent");
                tokio::task::spawn_blocking(move || app::outbox::record_sent(&record_ctx, &row.id))
                    .await
            }
            Err(error) => {
                tracing::warn!(mail = %row.id, template = %row.template, attempt = row.attempts + 1, error = %error, "mail delivery failed; will retry");
                let message = error.to_string();
                tokio::task::spawn_blocking(move || {
                    app::outbox::record_failure(&record_ctx, &row, &message)
                })
                .await
            }
        };
        outcome.map_err(|e| AppError::Internal(e.to_string()))??;
    }
    Ok(claimed)
}
