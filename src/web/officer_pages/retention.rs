//! The retention overview page.

use askama::Template;

use super::OfficerNav;

/// `GET /officer/retention`
#[derive(Template)]
#[template(path = "officer/retention.html")]
pub struct RetentionPage {
    pub nav: OfficerNav,
    pub as_of: String,
    pub lookahead_days: i64,
    pub classes: Vec<RetentionClassRow>,
    pub holds: Vec<RetentionHoldRow>,
}

pub struct RetentionClassRow {
    pub class: String,
    pub rule: String,
    pub due_now: i64,
    pub held: i64,
    pub due_soon: i64,
}

pub struct RetentionHoldRow {
    pub covers: String,
    /// `/officer/requests/RD-...` for holds on requests.
    pub link: Option<String>,
    pub order_reference: String,
    pub placed_by: String,
    pub placed_at: String,
    pub expires_on: String,
}
