//! The audit trail viewer.

use askama::Template;

use super::OfficerNav;

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Its number in the chain; `None` while it waits for the sequencer.
    pub seq: Option<i64>,
    pub pending: bool,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

/// `GET /officer/audit`; the verify form posts to `/officer/audit/verify`.
#[derive(Template)]
#[template(path = "officer/audit.html")]
pub struct AuditPage {
    pub nav: OfficerNav,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// `YYYY-MM-DD` or `""`.
    pub from: String,
    /// `YYYY-MM-DD` or `""`.
    pub to: String,
    pub rows: Vec<AuditRow>,
    pub next_link: Option<String>,
    pub can_verify: bool,
    pub verify_result: Option<String>,
    pub verify_ok: bool,
}
