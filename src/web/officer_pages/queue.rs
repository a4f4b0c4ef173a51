//! The officer queue page.

use askama::Template;

use super::{OfficerNav, SelectOption};

/// A status with its number of requests and a link to the queue filtered by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub slug: String,
    pub label: String,
    pub count: i64,
    pub link: String,
}

/// One row of the queue table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub reference: String,
    pub link: String,
    pub kind_label: String,
    pub regime_label: String,
    pub status_label: String,
    pub received: String,
    pub due: String,
    pub due_note: String,
    /// `"overdue"`, `"due-soon"`, `"ok"` or `"closed"`; overdue and due-soon are also
    /// shown as a text tag in the due cell.
    pub due_state: String,
    /// `"Unassigned"` when nobody is assigned.
    pub assignee: String,
}

/// `GET /officer/queue`
#[derive(Template)]
#[template(path = "officer/queue.html")]
pub struct QueuePage {
    pub nav: OfficerNav,
    pub status_counts: Vec<StatusCount>,
    pub statuses: Vec<SelectOption>,
    pub kinds: Vec<SelectOption>,
    pub regimes: Vec<SelectOption>,
    /// Includes "me" and "unassigned"; the template adds "Any" (value `""`).
    pub assignees: Vec<SelectOption>,
    pub overdue: bool,
    pub q: String,
    /// Sorted by due date.
    pub rows: Vec<QueueRow>,
    pub next_link: Option<String>,
    pub first_link: Option<String>,
    /// The current filters as a query string without `?` (already URL-encoded).
    pub export_query: String,
}
