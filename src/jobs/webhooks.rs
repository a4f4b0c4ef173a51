//! The webhook sender: posts queued events to their endpoints, signed per Standard Webhooks,
//! retrying failures with growing waits up to a bounded number of attempts. Several senders
//! (instances) share one queue: each claims its own deliveries and starts one only while
//! its claim has time left for it, so each event reaches each endpoint once. Redirects are
//! not followed: a 3xx counts as a failure, as does any status but 2xx, a timeout or a
//! refused connection.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use reqwest::redirect::Policy;

use super::Shutdown;
use crate::app::webhooks::delivery::{self, DeliveryClaim, DueDelivery};
use crate::app::{clock, Context};
use crate::domain::mail_delivery::AfterFailure;
use crate::domain::webhook::is_delivered;
use crate::error::AppError;

/// How many deliveries one pass claims.
const BATCH: i64 = 50;
/// How many deliveries of a pass are in flight at once: a slow endpoint holds one slot.
const IN_FLIGHT: usize = 8;

/// The HTTP client of the sender: no redirects, every attempt bounded by `timeout`.
pub fn client(timeout: Duration) -> Result<reqwest::Client, AppError> {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .connect_timeout(timeout)
        .timeout(timeout)
        .user_agent(concat!("rightsdesk-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AppError::Internal(format!("webhook client: {e}")))
}

/// Delivers due events, then sleeps for the interval or until `shutdown` fires. Attempts in
/// flight when it fires are finished (bounded by the timeout); the rest is given back.
pub async fn run_until(ctx: Context, mut shutdown: Shutdown) {
    let timeout = Duration::from_secs(ctx.settings.webhook_timeout_secs);
    let client = match client(timeout) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %error, "webhook sender not started");
            return;
        }
    };
    let interval = Duration::from_millis(ctx.settings.webhook_interval_ms);
    while !shutdown.is_requested() {
        match deliver_due(&ctx, &client, timeout, &shutdown).await {
            Ok(claimed) if claimed as i64 >= BATCH => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "webhook pass failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.requested() => {}
        }
    }
    tracing::info!("webhook sender stopped");
}

/// One pass: claims due deliveries and tries each once. Returns how many were claimed.
pub async fn deliver_due(
    ctx: &Context,
    client: &reqwest::Client,
    timeout: Duration,
    shutdown: &Shutdown,
) -> Result<usize, AppError> {
    let claim_ctx = ctx.clone();
    let bound = time::Duration::try_from(timeout)
        .map_err(|e| AppError::Internal(format!("webhook timeout: {e}")))?;
    let claim = blocking(move || delivery::claim_due(&claim_ctx, BATCH, bound)).await?;
    let DeliveryClaim {
        token,
        latest_start,
        deliveries,
    } = claim;
    let claimed = deliveries.len();
    let results: Vec<Result<bool, AppError>> = stream::iter(deliveries)
        .map(|due| {
            let token = token.clone();
            async move {
                if shutdown.is_requested() || clock::now() > latest_start {
                    return Ok(false);
                }
                attempt(ctx, client, &token, due).await.map(|()| true)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let attempted = results.iter().filter(|r| matches!(r, Ok(true))).count();
    if attempted < claimed {
        let release_ctx = ctx.clone();
        blocking(move || delivery::release(&release_ctx, &token)).await?;
    }
    results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(claimed)
}

/// Posts one delivery and records how it went.
async fn attempt(
    ctx: &Context,
    client: &reqwest::Client,
    token: &str,
    due: DueDelivery,
) -> Result<(), AppError> {
    let timestamp = clock::now().unix_timestamp();
    let signature = due.secret.sign(&due.id, timestamp, due.body.as_bytes());
    let sent = client
        .post(&due.url)
        .header("content-type", "application/json")
        .header("webhook-id", &due.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(due.body.clone())
        .send()
        .await;
    // The log names the message and the event type only: a body may hold personal data.
    let (status, error) = match sent {
        Ok(response) if is_delivered(response.status().as_u16()) => {
            let status = response.status().as_u16();
            tracing::debug!(webhook = %due.id, event = %due.event_type, status, "webhook delivered");
            let (record_ctx, token) = (ctx.clone(), token.to_string());
            return blocking(move || delivery::record_delivered(&record_ctx, &due, &token, status))
                .await;
        }
        Ok(response) => {
            let status = response.status();
            (
                Some(status.as_u16()),
                format!("the endpoint answered {status}"),
            )
        }
        Err(error) if error.is_timeout() => (None, "no answer within the timeout".to_string()),
        Err(error) if error.is_connect() => (None, "could not connect".to_string()),
        Err(error) => (None, error.without_url().to_string()),
    };
    let (id, event, attempt) = (due.id.clone(), due.event_type.clone(), due.attempts + 1);
    let (record_ctx, token, message) = (ctx.clone(), token.to_string(), error.clone());
    let decision =
        blocking(move || delivery::record_failure(&record_ctx, &due, &token, status, &message))
            .await?;
    match decision {
        AfterFailure::RetryAt(_) => {
            tracing::warn!(webhook = %id, event = %event, attempt, error = %error, "webhook delivery failed; will retry")
        }
        AfterFailure::GiveUp => {
            tracing::error!(webhook = %id, event = %event, attempt, error = %error, "webhook delivery given up after its last attempt")
        }
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}
