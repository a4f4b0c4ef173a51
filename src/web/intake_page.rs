//! `GET /officer/intake`: "Record a request received offline" — a request that reached
//! the organisation by post, phone, in person, by email or through an agent, entered with
//! its real time of receipt.

use askama::Template;

use super::officer_pages::OfficerNav;
use super::pages::FieldError;

#[derive(Template)]
#[template(path = "officer/intake.html")]
pub struct IntakePage {
    pub nav: OfficerNav,
    pub errors: Vec<FieldError>,
    pub kinds: Vec<Choice>,
    pub regions: Vec<Choice>,
    pub channels: Vec<Choice>,
    /// The languages the requester's mail and pages can speak, each named in itself.
    pub languages: Vec<LanguageChoice>,
    pub purposes: Vec<Choice>,
    pub full_name: String,
    pub email: String,
    pub account_ref: String,
    pub details: String,
    pub correction: String,
    pub received_at: String,
    pub content_removal: bool,
    /// The latest time of receipt the form accepts (now, UTC), for the input's `max`.
    pub max_received_at: String,
    pub max_age_days: u64,
}

impl IntakePage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// One choice of a select or a checkbox group, and whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

/// A language the requester may read, named in that language ("हिन्दी"), with its tag for
/// the option's `lang` attribute.
pub struct LanguageChoice {
    pub tag: String,
    pub name: String,
    pub chosen: bool,
}
