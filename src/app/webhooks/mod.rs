//! Webhooks: admins configure endpoints (a secret generated and shown once), events are
//! queued in the transaction of the change that causes them ([`enqueue`]), and the sender in
//! `jobs::webhooks` delivers them ([`delivery`]).

pub mod delivery;
pub mod enqueue;

use serde_json::json;
use time::OffsetDateTime;

use super::officer::CurrentOfficer;
use super::{clock, random_bytes, Context};
use crate::domain::audit::Target;
use crate::domain::ids::WebhookEndpointId;
use crate::domain::submission::FieldError;
use crate::domain::webhook::{EndpointUrl, EventTypes, SigningSecret, SECRET_BYTES};
use crate::error::AppError;
use crate::store::audit;
use crate::store::time::from_db;
use crate::store::webhook_deliveries::{self, DeliveryCounts};
use crate::store::webhook_endpoints::{self, Endpoint};

pub use enqueue::{enqueue_consent_withdrawn, enqueue_task_created};

/// What an admin asks for when adding an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEndpointInput {
    pub url: String,
    pub event_types: Vec<String>,
    pub personal_data: bool,
}

/// A new endpoint and its secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct CreatedEndpoint {
    pub id: WebhookEndpointId,
    pub secret: String,
}

/// One delivery as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLogEntry {
    pub id: String,
    pub event_type: String,
    pub queued_at: OffsetDateTime,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<OffsetDateTime>,
    pub delivered: bool,
    pub given_up: bool,
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// An endpoint with its delivery counts and newest deliveries.
#[derive(Debug, Clone)]
pub struct EndpointOverview {
    pub endpoint: Endpoint,
    pub counts: DeliveryCounts,
    pub recent: Vec<DeliveryLogEntry>,
}

/// How many deliveries per endpoint the admin page lists.
pub const LOG_LENGTH: i64 = 10;

/// Every endpoint with its delivery log, for admins.
pub fn overview(
    ctx: &Context,
    officer: &CurrentOfficer,
) -> Result<Vec<EndpointOverview>, AppError> {
    ensure_admin(officer)?;
    let mut conn = ctx.conn()?;
    let endpoints = webhook_endpoints::list(&mut conn)?;
    endpoints
        .into_iter()
        .map(|endpoint| {
            let id = endpoint.id.to_string();
            let counts = webhook_deliveries::counts_for(&mut conn, &id)?;
            let recent = webhook_deliveries::recent_for(&mut conn, &id, LOG_LENGTH)?
                .into_iter()
                .map(|row| DeliveryLogEntry {
                    delivered: row.delivered_at.is_some(),
                    given_up: row.failed_at.is_some(),
                    next_attempt_at: (row.delivered_at.is_none() && row.failed_at.is_none())
                        .then(|| from_db(row.next_attempt_at)),
                    queued_at: from_db(row.created_at),
                    last_attempt_at: row.last_attempt_at.map(from_db),
                    id: row.id,
                    event_type: row.event_type,
                    attempts: row.attempts,
                    last_status: row.last_status,
                    last_error: row.last_error,
                })
                .collect();
            Ok(EndpointOverview {
                endpoint,
                counts,
                recent,
            })
        })
        .collect()
}

/// Adds an endpoint with a fresh signing secret; audited (the secret never is).
pub fn create(
    ctx: &Context,
    officer: &CurrentOfficer,
    input: &NewEndpointInput,
) -> Result<CreatedEndpoint, AppError> {
    ensure_admin(officer)?;
    let mut errors = Vec::new();
    let url = EndpointUrl::parse(&input.url)
        .map_err(|problem| errors.push(FieldError::new("url", "", problem.to_string())))
        .ok();
    let event_types = EventTypes::parse(input.event_types.iter().map(String::as_str));
    if event_types.is_none() {
        errors.push(FieldError::new(
            "event_types",
            "",
            "Choose at least one event type.",
        ));
    }
    let (Some(url), Some(event_types)) = (url, event_types) else {
        return Err(AppError::Invalid(errors));
    };
    let secret = SigningSecret::from_random(random_bytes::<SECRET_BYTES>()?);
    let now = clock::now();
    let endpoint = Endpoint {
        id: WebhookEndpointId::new(),
        url,
        event_types,
        personal_data: input.personal_data,
        enabled: true,
        created_at: now,
    };
    ctx.write(|conn| {
        webhook_endpoints::insert(conn, &ctx.keyring, &endpoint, &secret)?;
        audit::append_event(
            conn,
            now,
            &officer.actor(),
            "webhook.created",
            &Target::Webhook(endpoint.id),
            &json!({
                "event_types": endpoint.event_types.names(),
                "personal_data": endpoint.personal_data,
            }),
        )?;
        Ok(())
    })?;
    Ok(CreatedEndpoint {
        id: endpoint.id,
        secret: secret.to_text(),
    })
}

/// Turns an endpoint on or off; audited. Deliveries to a disabled endpoint wait in the
/// queue and go out once it is enabled again.
pub fn set_enabled(
    ctx: &Context,
    officer: &CurrentOfficer,
    id: &str,
    enabled: bool,
) -> Result<(), AppError> {
    ensure_admin(officer)?;
    let id: WebhookEndpointId = id.parse().map_err(|_| AppError::NotFound)?;
    let now = clock::now();
    ctx.write(|conn| {
        if !webhook_endpoints::set_enabled(conn, id, enabled)? {
            return Err(AppError::NotFound);
        }
        let action = if enabled {
            "webhook.enabled"
        } else {
            "webhook.disabled"
        };
        audit::append_event(
            conn,
            now,
            &officer.actor(),
            action,
            &Target::Webhook(id),
            &json!({}),
        )?;
        Ok(())
    })
}

fn ensure_admin(officer: &CurrentOfficer) -> Result<(), AppError> {
    if officer.scope.can_manage_officers() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only admins can see and change webhooks.".to_string(),
        ))
    }
}
