//! The retention page from the retention overview.

use crate::app::retention::{RetentionOverview, LOOKAHEAD_DAYS};
use crate::domain::hold::HoldScope;
use crate::web::officer_pages::{OfficerNav, RetentionClassRow, RetentionHoldRow, RetentionPage};
use crate::web::view;

/// Fills the retention page: per class what is due, and the holds in force.
pub fn retention_page(overview: &RetentionOverview, nav: OfficerNav) -> RetentionPage {
    RetentionPage {
        nav,
        as_of: view::display_time(overview.as_of),
        lookahead_days: LOOKAHEAD_DAYS,
        classes: overview
            .classes
            .iter()
            .map(|c| RetentionClassRow {
                class: c.class.as_str().replace('_', " "),
                rule: c.rule.clone(),
                due_now: c.due_now,
                held: c.held,
                due_soon: c.due_soon,
            })
            .collect(),
        holds: overview
            .holds
            .iter()
            .map(|item| RetentionHoldRow {
                covers: match (item.hold.scope, &item.reference) {
                    (HoldScope::Request, Some(reference)) => format!("Request {reference}"),
                    (HoldScope::Request, None) => "A request no longer held".to_string(),
                    (HoldScope::Subject, _) => "All data about one person".to_string(),
                    (HoldScope::Record, _) => "One personal record".to_string(),
                },
                link: item
                    .reference
                    .as_ref()
                    .map(|reference| format!("/officer/requests/{reference}")),
                order_reference: item.hold.order_reference.clone(),
                placed_by: item.placed_by.clone(),
                placed_at: view::display_time(item.hold.placed_at),
                expires_on: view::hold_expiry(&item.hold),
            })
            .collect(),
    }
}
