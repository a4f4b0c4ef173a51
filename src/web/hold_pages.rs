//! `GET /officer/admin/holds`: legal holds on people, placed and released by admins.

use askama::Template;

use super::officer_pages::OfficerNav;
use super::pages::FieldError;

#[derive(Template)]
#[template(path = "officer/admin_holds.html")]
pub struct AdminHoldsPage {
    pub nav: OfficerNav,
    pub holds: Vec<SubjectHoldRow>,
    /// Errors of the place form (`email`, `order_reference`, `reason`, `expires_on`).
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub email: String,
    pub order_reference: String,
    pub reason: String,
    pub expires_on: String,
}

impl AdminHoldsPage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// One hold in force on a person's data.
pub struct SubjectHoldRow {
    pub id: String,
    pub email: String,
    pub order_reference: String,
    pub reason: String,
    /// "without a request" or "from request RD-...".
    pub origin: String,
    pub placed_by: String,
    pub placed_at: String,
    pub expires_on: String,
}
