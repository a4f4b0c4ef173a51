//! Queuing events for the endpoints that receive them, inside the caller's transaction: an
//! event exists exactly when the change that caused it committed.

use time::OffsetDateTime;

use crate::domain::lifecycle::{Action, Transition};
use crate::domain::request::Request;
use crate::domain::webhook::WebhookEvent;
use crate::domain::webhook_events::{self, CreatedTask};
use crate::error::AppError;
use crate::store::time::to_db;
use crate::store::webhook_deliveries::{self, NewDelivery};
use crate::store::{webhook_endpoints, DbConn};
use crate::vault::Keyring;

/// Queues `event` once for each enabled endpoint that receives its type, with or without
/// personal data as the endpoint is marked; returns how many deliveries were queued. Must
/// run inside the transaction of the change the event reports.
pub fn enqueue(
    conn: &mut DbConn,
    vault: &Keyring,
    event: &WebhookEvent,
) -> Result<usize, AppError> {
    let endpoints = webhook_endpoints::subscribed(conn, event.event_type)?;
    let (plain, personal) = (event.body(false), event.body(true));
    for endpoint in &endpoints {
        // The message id is also the webhook-id header: the same on every retry, so that a
        // receiver can drop a repeat.
        let id = format!("msg_{}", uuid::Uuid::now_v7().simple());
        let body = if endpoint.personal_data {
            &personal
        } else {
            &plain
        };
        webhook_deliveries::enqueue(
            conn,
            vault,
            &NewDelivery {
                id: &id,
                endpoint_id: &endpoint.id.to_string(),
                event_type: event.event_type.as_str(),
                body,
                created_at: to_db(event.at),
                next_attempt_at: to_db(event.at),
            },
        )?;
    }
    Ok(endpoints.len())
}

/// The event a lifecycle transition causes, if any: `request.created` when the requester
/// confirms, `request.status_changed` when the status moves.
pub fn enqueue_transition(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &Request,
    transition: &Transition,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let event = if transition.action == Action::Verify {
        webhook_events::request_created(request, at)
    } else if transition.to != transition.from {
        webhook_events::status_changed(request, transition, at)
    } else {
        return Ok(());
    };
    enqueue(conn, vault, &event).map(|_| ())
}

/// Queues `task.created` for a fulfilment task; call it in the transaction that creates the
/// task.
pub fn enqueue_task_created(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &Request,
    task: &CreatedTask<'_>,
    at: OffsetDateTime,
) -> Result<usize, AppError> {
    enqueue(
        conn,
        vault,
        &webhook_events::task_created(request, task, at),
    )
}

/// Queues `consent.withdrawn` for one purpose whose consent a withdrawal closed.
pub fn enqueue_consent_withdrawn(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &Request,
    purpose: &str,
    at: OffsetDateTime,
) -> Result<usize, AppError> {
    enqueue(
        conn,
        vault,
        &webhook_events::consent_withdrawn(request, purpose, at),
    )
}
