//! The requester's status page from the status view.

use time::OffsetDateTime;

use crate::app::status::StatusView;
use crate::domain::status::RequestStatus;
use crate::web::pages::{PackageEntry, StatusPage, TimelineEntry};
use crate::web::view;

/// Fills the status page; `notice` names what the requester just did (from the redirect).
pub fn status_page(
    status: &StatusView,
    token: String,
    csrf_token: String,
    notice: Option<&str>,
    now: OffsetDateTime,
) -> StatusPage {
    let request = &status.request;
    let notice = match notice {
        Some("confirmed") => Some("Thank you: your request is confirmed. Keep this page's address private; it is also in the email we just sent you."),
        Some("replied") => Some("Your message was sent."),
        Some("withdrawn") => Some("Your request is withdrawn."),
        _ => None,
    };
    StatusPage {
        linked_to: status.linked_to.clone(),
        token,
        csrf_token,
        reference: request.reference.to_string(),
        kind_label: request.kind.label().to_string(),
        regime_label: format!("{} ({})", request.regime.label(), request.regime.law()),
        status_label: request.status.label().to_string(),
        status_explanation: request.status.explanation().to_string(),
        received_at: view::display_time(request.received_at),
        due_at: view::display_time(status.due_at),
        due_note: view::due_note(status.due_at, now, request.status.is_closed()),
        due_rule: status.due_rule.clone(),
        extended: status.extended,
        timeline: status
            .timeline
            .iter()
            .map(|item| TimelineEntry {
                at: view::display_time(item.at),
                label: item.label.clone(),
                message: item.message.clone(),
                from_requester: item.from_requester,
            })
            .collect(),
        can_reply: status.can_reply,
        can_withdraw: status.can_withdraw,
        awaiting_requester: request.status == RequestStatus::AwaitingRequester,
        notice: notice.map(str::to_string),
        outcome: request
            .status
            .is_closed()
            .then(|| {
                status
                    .timeline
                    .iter()
                    .rev()
                    .find(|item| !item.from_requester && item.message.is_some())
                    .and_then(|item| item.message.clone())
            })
            .flatten(),
        package: status.package.as_ref().map(|offer| PackageEntry {
            path: offer.path.clone(),
            expires_at: view::display_time(offer.expires_at),
            downloads_left: offer.downloads_left,
            size: view::display_size(offer.size_bytes),
        }),
    }
}
