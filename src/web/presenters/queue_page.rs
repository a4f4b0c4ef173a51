//! The officer queue page from a page of the queue.

use time::OffsetDateTime;

use crate::app::officer::{name_of, CurrentOfficer};
use crate::app::queue::QueueView;
use crate::domain::kind::RequestKind;
use crate::domain::queue::{due_state, QueueFilter, RawQueueQuery};
use crate::domain::regime::Regime;
use crate::domain::status::RequestStatus;
use crate::web::officer_pages::{OfficerNav, QueuePage, QueueRow, SelectOption, StatusCount};
use crate::web::queue_link::queue_query;
use crate::web::view;

/// What the officer asked the queue for.
#[derive(Clone, Copy)]
pub struct QueueRequest<'a> {
    pub officer: &'a CurrentOfficer,
    pub filter: &'a QueueFilter,
    /// The query string as sent (the filter form shows it back).
    pub raw: &'a RawQueueQuery,
    /// Whether this is the first page (no cursor).
    pub first_page: bool,
}

/// Fills the queue page: the rows, the filter form as sent, the counts and the page links.
pub fn queue_page(
    listing: &QueueView,
    asked: &QueueRequest<'_>,
    nav: OfficerNav,
    now: OffsetDateTime,
) -> QueuePage {
    let QueueRequest {
        officer,
        filter,
        raw,
        first_page,
    } = *asked;
    let rows = listing
        .rows
        .iter()
        .map(|r| {
            let due = r.effective_due_at;
            let closed = r.status.is_closed();
            QueueRow {
                reference: r.reference.to_string(),
                link: format!("/officer/requests/{}", r.reference),
                kind_label: r.kind.label().to_string(),
                regime_label: r.regime.label().to_string(),
                status_label: r.status.label().to_string(),
                received: view::display_time(r.received_at),
                due: view::display_time(due),
                due_note: view::due_note(due, now, closed),
                due_state: view::due_class(due_state(due, now, closed)).to_string(),
                assignee: r.assignee.map_or_else(
                    || "Unassigned".to_string(),
                    |id| name_of(&listing.officer_names, id),
                ),
            }
        })
        .collect();
    let selected = |value: Option<&str>| value.unwrap_or("").to_string();
    let status_value = selected(filter.status.as_query());
    let kind_value = selected(filter.kind.map(|k| k.as_str()));
    let regime_value = selected(filter.regime.map(|r| r.as_str()));
    let assignee_value = raw.assignee.clone().unwrap_or_default();
    let mut assignees = vec![
        SelectOption {
            value: "me".into(),
            label: "Me".into(),
            selected: assignee_value == "me",
        },
        SelectOption {
            value: "unassigned".into(),
            label: "Unassigned".into(),
            selected: assignee_value == "unassigned",
        },
    ];
    assignees.extend(
        listing
            .officer_names
            .iter()
            .filter(|o| o.id != officer.id)
            .map(|o| SelectOption {
                value: o.id.to_string(),
                label: o.name.clone(),
                selected: assignee_value == o.id.to_string(),
            }),
    );
    QueuePage {
        nav,
        status_counts: listing
            .counts
            .iter()
            .map(|(status, count)| StatusCount {
                slug: status.as_str().to_string(),
                label: status.label().to_string(),
                count: *count,
                link: format!("/officer/queue?status={}", status.as_str()),
            })
            .collect(),
        statuses: view::options(
            RequestStatus::ALL
                .into_iter()
                .filter(|s| *s != RequestStatus::Unverified)
                .map(|s| (s.as_str(), s.label()))
                .chain([("all", "All, closed ones included")]),
            &status_value,
        ),
        kinds: view::options(
            RequestKind::ALL
                .into_iter()
                .map(|k| (k.as_str(), k.label())),
            &kind_value,
        ),
        regimes: view::options(
            Regime::ALL
                .into_iter()
                .filter(|r| officer.scope.can_read(*r))
                .map(|r| (r.as_str(), r.label())),
            &regime_value,
        ),
        assignees,
        overdue: filter.overdue,
        q: raw.q.clone().unwrap_or_default(),
        rows,
        next_link: listing
            .next
            .as_ref()
            .map(|next| format!("/officer/queue?{}", queue_query(filter, Some(next)))),
        first_link: (!first_page).then(|| format!("/officer/queue?{}", queue_query(filter, None))),
        export_query: queue_query(filter, None),
    }
}
