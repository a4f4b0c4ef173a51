//! The admin page of webhooks from the endpoints' overview.

use crate::app::webhooks::{DeliveryLogEntry, EndpointOverview, NewEndpointInput};
use crate::domain::submission::FieldError;
use crate::domain::webhook::EventType;
use crate::web::officer_pages::OfficerNav;
use crate::web::view;
use crate::web::webhook_page::{AdminWebhooksPage, DeliveryRow, EndpointRow};

/// Fills the page; `form` and `errors` come back after a failed add, `new_secret` after a
/// successful one.
pub fn admin_webhooks_page(
    nav: OfficerNav,
    endpoints: Vec<EndpointOverview>,
    form: &NewEndpointInput,
    errors: &[FieldError],
    new_secret: Option<String>,
    done: Option<&str>,
) -> AdminWebhooksPage {
    AdminWebhooksPage {
        nav,
        endpoints: endpoints.into_iter().map(endpoint_row).collect(),
        event_choices: EventType::ALL
            .into_iter()
            .map(|t| (t.as_str(), form.event_types.iter().any(|c| c == t.as_str())))
            .collect(),
        url: form.url.clone(),
        personal_data: form.personal_data,
        errors: errors.to_vec(),
        new_secret,
        notice: done.and_then(notice_for),
    }
}

fn endpoint_row(overview: EndpointOverview) -> EndpointRow {
    let EndpointOverview {
        endpoint,
        counts,
        recent,
    } = overview;
    EndpointRow {
        id: endpoint.id.to_string(),
        url: endpoint.url.as_str().to_string(),
        event_types: endpoint.event_types.names().join(", "),
        personal_data: endpoint.personal_data,
        enabled: endpoint.enabled,
        delivered: counts.delivered,
        pending: counts.pending,
        given_up: counts.given_up,
        log: recent.into_iter().map(delivery_row).collect(),
    }
}

fn delivery_row(entry: DeliveryLogEntry) -> DeliveryRow {
    let state = if entry.delivered {
        "Delivered".to_string()
    } else if entry.given_up {
        "Given up".to_string()
    } else {
        match entry.next_attempt_at {
            Some(at) => format!("Next attempt {}", view::display_time(at)),
            None => "Waiting".to_string(),
        }
    };
    DeliveryRow {
        queued: view::display_time(entry.queued_at),
        last_status: entry.last_status.map(|s| s.to_string()).unwrap_or_default(),
        last_error: entry.last_error.unwrap_or_default(),
        id: entry.id,
        event_type: entry.event_type,
        attempts: entry.attempts,
        state,
    }
}

/// What the admin is told after a change (its name comes back in the URL).
pub fn notice_for(done: &str) -> Option<String> {
    match done {
        "enabled" => Some("The endpoint is enabled: events waiting for it go out now.".to_string()),
        "disabled" => Some(
            "The endpoint is disabled: its events wait in the queue until it is enabled again."
                .to_string(),
        ),
        _ => None,
    }
}
