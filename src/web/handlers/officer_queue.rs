//! The officer queue.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{blocking, issue_csrf, render};
use crate::app::{self, clock};
use crate::domain::kind::RequestKind;
use crate::domain::queue::{due_state, QueueFilter, RawQueueQuery};
use crate::domain::regime::Regime;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::store::time::from_db;
use crate::web::error::WebError;
use crate::web::officer_pages::{QueuePage, QueueRow, SelectOption, StatusCount};
use crate::web::queue_link::queue_query;
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

/// The queue's filters from the query string; unusable ones are a 400 naming each field.
/// The export reads the same filters.
pub fn parse_filter(raw: &RawQueueQuery) -> Result<QueueFilter, AppError> {
    QueueFilter::parse(raw).map_err(|errors| {
        AppError::BadRequest(format!(
            "These filters could not be used: {}.",
            errors
                .iter()
                .map(|e| e.field())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

pub async fn queue(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<RawQueueQuery>,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let raw = query.into_inner();
    let filter = parse_filter(&raw)?;
    let cursor = raw.cursor();
    let ctx = state.ctx.clone();
    let (listing_officer, listing_filter, listing_cursor) =
        (officer.clone(), filter.clone(), cursor.clone());
    let listing = blocking(move || {
        app::queue::list(
            &ctx,
            &listing_officer,
            &listing_filter,
            listing_cursor.as_ref(),
        )
    })
    .await?;
    let csrf = issue_csrf(&state, &req)?;
    let now = clock::now();
    let name_of = |id: &Option<String>| match id {
        Some(id) => listing
            .officer_names
            .iter()
            .find(|(officer_id, _)| officer_id == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| "Unknown officer".to_string()),
        None => "Unassigned".to_string(),
    };
    let rows = listing
        .rows
        .iter()
        .map(|r| {
            let due = from_db(r.row.effective_due_at);
            let closed = r.status.is_closed();
            QueueRow {
                reference: r.row.reference.clone(),
                link: format!("/officer/requests/{}", r.row.reference),
                kind_label: r.kind.label().to_string(),
                regime_label: r.regime.label().to_string(),
                status_label: r.status.label().to_string(),
                received: view::display_time(from_db(r.row.received_at)),
                due: view::display_time(due),
                due_note: view::due_note(due, now, closed),
                due_state: view::due_class(due_state(due, now, closed)).to_string(),
                assignee: name_of(&r.row.assignee_id),
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
            .filter(|(id, _)| *id != officer.id)
            .map(|(id, name)| SelectOption {
                value: id.clone(),
                label: name.clone(),
                selected: assignee_value == *id,
            }),
    );
    let page = QueuePage {
        nav: view::officer_nav(&officer, &csrf.form_token),
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
            .map(|next| format!("/officer/queue?{}", queue_query(&filter, Some(next)))),
        first_link: cursor
            .is_some()
            .then(|| format!("/officer/queue?{}", queue_query(&filter, None))),
        export_query: queue_query(&filter, None),
    };
    render(&page, StatusCode::OK, Some(csrf))
}
