//! Officer page views (`/officer/...`): one askama template struct per page.
//!
//! As with the public pages, every field is owned and already formatted for display;
//! templates hold no logic beyond choosing what to show. Signed-in pages extend
//! `templates/officer/layout.html` (header with the officer nav and a sign-out form) and
//! carry an [`OfficerNav`]; the sign-in pages extend `templates/officer/layout_public.html`
//! (same layout without nav). The MFA enrolment page can be shown with or without a
//! session, so its `nav` is an `Option`.

mod admin;
mod audit;
mod queue;
mod report;
mod request;
mod retention;
mod sign_in;

pub use admin::*;
pub use audit::*;
pub use queue::*;
pub use report::*;
pub use request::*;
pub use retention::*;
pub use sign_in::*;

/// What the officer layout's header needs: who is signed in, and the CSRF token for the
/// sign-out form (also used by every form on the page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerNav {
    pub name: String,
    pub role_label: String,
    /// Shows the admin links ("Officers", "Mail delivery").
    pub is_admin: bool,
    /// Shows the "Retention" link (admins and auditors).
    pub sees_retention: bool,
    /// Shows "Record a request" (everyone who may act on requests: not auditors).
    pub can_record: bool,
    pub csrf_token: String,
}

/// One `<option>` (or checkbox) of a select or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A validation message for one form field (`field` is the field's name and the id of
/// its control).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[cfg(test)]
mod tests;
