//! The requester's status page from the status view, in the requester's language and on
//! their clock.

use time::OffsetDateTime;

use crate::app::status::StatusView;
use crate::domain::status::RequestStatus;
use crate::i18n::{self, Arg};
use crate::web::language::PageLang;
use crate::web::pages::{PackageEntry, StatusPage, TimelineEntry};
use crate::web::requester_view as words;

/// Fills the status page; `notice` names what the requester just did (from the redirect).
pub fn status_page(
    status: &StatusView,
    lang: PageLang,
    token: String,
    csrf_token: String,
    notice: Option<&str>,
    now: OffsetDateTime,
) -> StatusPage {
    let messages = lang.messages.clone();
    let request = &status.request;
    let at = |t| i18n::datetime(&messages, t, &status.zone);
    let notice = match notice {
        Some("confirmed") => Some(messages.t("status-notice-confirmed")),
        Some("replied") => Some(messages.t("status-notice-replied")),
        Some("withdrawn") => Some(messages.t("status-notice-withdrawn")),
        _ => None,
    };
    let status_key = format!("status-{}", request.status.as_str());
    StatusPage {
        linked_to: status.linked_to.clone(),
        token,
        csrf_token,
        reference: request.reference.to_string(),
        kind_label: words::kind_label(request.kind, &messages),
        regime_label: messages.t_with(
            "regime-with-law",
            &[
                (
                    "regime",
                    Arg::from(words::regime_label(request.regime, &messages)),
                ),
                (
                    "law",
                    Arg::from(words::regime_law(request.regime, &messages)),
                ),
            ],
        ),
        status_label: messages.t(&status_key),
        status_explanation: messages.t(&format!("{status_key}-explanation")),
        received_at: at(request.received_at),
        due_at: at(status.due_at),
        due_note: words::due_note(status.due_at, now, request.status.is_closed(), &messages),
        due_rule: words::due_rule(&status.due_rule, &messages),
        extended: status.extended,
        timeline: status
            .timeline
            .iter()
            .map(|item| TimelineEntry {
                at: at(item.at),
                label: messages.t(item.label),
                message: item.message.clone(),
                from_requester: item.from_requester,
            })
            .collect(),
        can_reply: status.can_reply,
        can_withdraw: status.can_withdraw,
        awaiting_requester: request.status == RequestStatus::AwaitingRequester,
        notice,
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
        package: status.package.as_ref().map(|offer| {
            let expires_at = at(offer.expires_at);
            PackageEntry {
                path: offer.path.clone(),
                availability: messages.t_with(
                    "status-package-until",
                    &[
                        ("until", Arg::from(expires_at.as_str())),
                        ("left", Arg::Number(i64::from(offer.downloads_left))),
                    ],
                ),
                expires_at,
                downloads_left: offer.downloads_left,
                size: words::display_size(offer.size_bytes, &messages),
            }
        }),
        lang,
    }
}
