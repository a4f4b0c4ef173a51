//! `GET /officer/admin/webhooks`: the endpoints other systems receive events at, their
//! delivery logs, and the form that adds one (its secret shown once, on the answer to it).

use askama::Template;

use super::officer_pages::OfficerNav;
use crate::domain::submission::FieldError;

/// The admin page of webhooks.
#[derive(Template)]
#[template(path = "officer/admin_webhooks.html")]
pub struct AdminWebhooksPage {
    pub nav: OfficerNav,
    pub endpoints: Vec<EndpointRow>,
    /// Every event type, with whether the form has it ticked.
    pub event_choices: Vec<(&'static str, bool)>,
    pub url: String,
    pub personal_data: bool,
    pub errors: Vec<FieldError>,
    /// The secret of the endpoint just added: shown on this answer only.
    pub new_secret: Option<String>,
    pub notice: Option<String>,
}

impl AdminWebhooksPage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// One endpoint, formatted.
pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub event_types: String,
    pub personal_data: bool,
    pub enabled: bool,
    pub delivered: i64,
    pub pending: i64,
    pub given_up: i64,
    pub log: Vec<DeliveryRow>,
}

/// One delivery in an endpoint's log, formatted.
pub struct DeliveryRow {
    pub id: String,
    pub event_type: String,
    pub queued: String,
    pub attempts: i32,
    /// "Delivered", "Given up", or "Next attempt …".
    pub state: String,
    /// The last HTTP status, or "" when the endpoint did not answer or was not tried.
    pub last_status: String,
    pub last_error: String,
}
