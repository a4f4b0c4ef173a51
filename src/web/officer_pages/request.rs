//! A request's page in the officer workspace.

use askama::Template;

use super::{OfficerNav, SelectOption};

/// One entry of a request's timeline as officers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    pub at: String,
    pub actor: String,
    pub label: String,
    pub message: Option<String>,
    /// An internal note (never shown to the requester).
    pub internal: bool,
}

/// An active legal hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRow {
    pub id: String,
    pub order_reference: String,
    pub placed_by: String,
    pub placed_at: String,
    /// `""` when the hold has no expiry.
    pub expires_on: String,
    /// What it covers, in words.
    pub covers: String,
    /// Whether this officer may release it (the release form is shown only then).
    pub may_release: bool,
    /// Why there is no release form, when there is none.
    pub release_note: String,
}

/// What the organisation holds about the requester, on the request page.
pub struct SubjectSection {
    /// `""` when no account reference is known.
    pub account_ref: String,
    /// `""` while the account is not cancelled.
    pub cancelled: String,
    pub categories: Vec<CategorySection>,
    /// Each configured purpose and whether consent is granted now.
    pub consent_state: Vec<ConsentStateRow>,
    pub consents: Vec<ConsentRow>,
    pub objections: Vec<ObjectionEntry>,
}

pub struct CategorySection {
    pub name: String,
    pub records: Vec<RecordEntry>,
}

pub struct RecordEntry {
    pub source: String,
    pub source_id: String,
    pub state: String,
    pub retention: String,
    pub fields: Vec<(String, String)>,
}

pub struct ConsentStateRow {
    pub purpose: String,
    pub granted: bool,
}

pub struct ConsentRow {
    pub purpose: String,
    pub granted_at: String,
    /// `""` while the consent stands.
    pub withdrawn_at: String,
    pub source: String,
}

pub struct ObjectionEntry {
    pub purpose: String,
    pub recorded_at: String,
}

/// `GET /officer/requests/{reference}`; every action form posts to `action_url`.
#[derive(Template)]
#[template(path = "officer/request.html")]
pub struct RequestPage {
    pub nav: OfficerNav,
    pub reference: String,
    pub version: i64,
    pub action_url: String,
    pub kind_label: String,
    pub regime_label: String,
    pub status_label: String,
    pub status_explanation: String,
    pub requester_name: String,
    pub requester_email: String,
    pub account_ref: String,
    pub details: String,
    pub correction: String,
    pub purposes: Vec<String>,
    pub content_removal: bool,
    pub received: String,
    /// `""` while the email is not confirmed.
    pub verified: String,
    pub due: String,
    pub due_note: String,
    pub due_state: String,
    pub due_rule: String,
    pub extended: bool,
    pub assignee: String,
    pub timeline: Vec<TimelineRow>,
    pub holds: Vec<HoldRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// Auditors: no forms at all, whatever the `can_*` flags say.
    pub read_only: bool,
    pub can_assign: bool,
    pub can_start: bool,
    pub can_ask: bool,
    pub can_extend: bool,
    /// The due date an extension would give, shown on the extend form.
    pub extension_until: String,
    pub can_reject: bool,
    pub can_fulfil: bool,
    pub can_note: bool,
    /// Place holds and release the active ones.
    pub can_hold: bool,
    /// The open request this one was linked to as a likely duplicate: (reference, status).
    pub duplicate_of: Option<(String, String)>,
    /// The requests linked to this one as its likely duplicates: (reference, status).
    pub duplicates: Vec<(String, String)>,
    /// Close this request into the one it was linked to.
    pub can_merge: bool,
    pub officers: Vec<SelectOption>,
    pub rejection_reasons: Vec<SelectOption>,
    pub subject: Option<SubjectSection>,
    /// The request's kind (`access`, `erasure`, ...): the fulfil form asks for what it needs.
    pub kind: String,
    /// The requester's records in use, for rectification, restriction and record holds.
    pub record_choices: Vec<SelectOption>,
    /// The configured purposes, those the requester named selected.
    pub purpose_choices: Vec<SelectOption>,
}

impl RequestPage {
    /// Whether any action form is shown (ignoring `read_only`).
    pub fn has_actions(&self) -> bool {
        self.can_assign
            || self.can_start
            || self.can_ask
            || self.can_extend
            || self.can_reject
            || self.can_fulfil
            || self.can_note
            || self.can_hold
    }
}
