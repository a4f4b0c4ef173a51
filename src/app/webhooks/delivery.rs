//! The queue side of webhook delivery: claiming due deliveries with what is needed to send
//! them (URL, secret), and recording how each attempt went.

use std::collections::HashMap;

use time::{Duration, OffsetDateTime};

use crate::app::{clock, Context};
use crate::domain::ids::WebhookEndpointId;
use crate::domain::mail_delivery::{AfterFailure, ClaimWindow};
use crate::domain::webhook::SigningSecret;
use crate::error::AppError;
use crate::store::time::{from_db, to_db};
use crate::store::webhook_deliveries::{self, AfterFailedDelivery};
use crate::store::webhook_endpoints;

/// One delivery to make: the message and where it goes.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The message id (`webhook-id`), the same on every attempt.
    pub id: String,
    pub event_type: String,
    pub url: String,
    pub secret: SigningSecret,
    pub body: String,
    pub queued_at: OffsetDateTime,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Deliveries one sender holds; it starts none after `latest_start`.
#[derive(Debug)]
pub struct DeliveryClaim {
    pub token: String,
    pub latest_start: OffsetDateTime,
    pub deliveries: Vec<DueDelivery>,
}

/// Claims up to `limit` due deliveries for a sender whose attempts take at most `timeout`.
pub fn claim_due(ctx: &Context, limit: i64, timeout: Duration) -> Result<DeliveryClaim, AppError> {
    let now = clock::now();
    let ClaimWindow {
        until,
        latest_start,
    } = ClaimWindow::starting(now, timeout);
    let token = uuid::Uuid::now_v7().to_string();
    let empty = |token| DeliveryClaim {
        token,
        latest_start,
        deliveries: Vec::new(),
    };
    // A read first: most passes find nothing and need not queue for the writer.
    if !webhook_deliveries::any_due(&mut *ctx.conn()?, to_db(now))? {
        return Ok(empty(token));
    }
    let rows = ctx.write_statement(|conn| {
        Ok(webhook_deliveries::claim_due(
            conn,
            &ctx.keyring,
            &token,
            to_db(now),
            to_db(until),
            limit,
        )?)
    })?;
    if rows.is_empty() {
        return Ok(empty(token));
    }
    let mut conn = ctx.conn()?;
    let urls: HashMap<String, String> = webhook_endpoints::list(&mut conn)?
        .into_iter()
        .map(|endpoint| (endpoint.id.to_string(), endpoint.url.as_str().to_string()))
        .collect();
    let mut secrets: HashMap<String, SigningSecret> = HashMap::new();
    let mut deliveries = Vec::with_capacity(rows.len());
    for row in rows {
        let endpoint: WebhookEndpointId = row.endpoint_id.parse().map_err(|_| {
            AppError::Internal(format!("webhook delivery {} names no endpoint", row.id))
        })?;
        let secret = match secrets.get(&row.endpoint_id) {
            Some(secret) => secret.clone(),
            None => {
                let secret = webhook_endpoints::secret_of(&mut conn, &ctx.keyring, endpoint)?
                    .ok_or(AppError::NotFound)?;
                secrets.insert(row.endpoint_id.clone(), secret.clone());
                secret
            }
        };
        let url = urls
            .get(&row.endpoint_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        deliveries.push(DueDelivery {
            id: row.id,
            event_type: row.event_type,
            url,
            secret,
            body: row.body,
            queued_at: from_db(row.created_at),
            attempts: row.attempts.max(0) as u32,
        });
    }
    Ok(DeliveryClaim {
        token,
        latest_start,
        deliveries,
    })
}

/// Records a delivered message (any 2xx).
pub fn record_delivered(
    ctx: &Context,
    delivery: &DueDelivery,
    token: &str,
    status: u16,
) -> Result<(), AppError> {
    let now = to_db(clock::now());
    ctx.write_statement(|conn| {
        webhook_deliveries::mark_delivered(conn, &delivery.id, token, now, i32::from(status))?;
        Ok(())
    })
}

/// Records a failed attempt (`status` when the endpoint answered) and decides what follows:
/// another try after a growing wait, or none once the attempts are used up.
pub fn record_failure(
    ctx: &Context,
    delivery: &DueDelivery,
    token: &str,
    status: Option<u16>,
    error: &str,
) -> Result<AfterFailure, AppError> {
    let now = clock::now();
    let decision = ctx
        .settings
        .webhook_delivery
        .after_failure(delivery.attempts + 1, now);
    let after = match decision {
        AfterFailure::RetryAt(next) => AfterFailedDelivery::RetryAt(to_db(next)),
        AfterFailure::GiveUp => AfterFailedDelivery::GivenUpAt(to_db(now)),
    };
    ctx.write_statement(|conn| {
        Ok(webhook_deliveries::mark_failed(
            conn,
            &delivery.id,
            token,
            to_db(now),
            after,
            status.map(i32::from),
            error,
        )?)
    })?;
    Ok(decision)
}

/// Gives back claimed deliveries that were not attempted (the sender is stopping).
pub fn release(ctx: &Context, token: &str) -> Result<usize, AppError> {
    ctx.write_statement(|conn| Ok(webhook_deliveries::release_claims(conn, token)?))
}
