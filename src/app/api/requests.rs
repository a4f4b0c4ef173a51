//! What other systems read of requests: status, due dates and outcome, never the
//! requester's personal data. Each call is audited by the token's id through one
//! unsequenced insert (no transaction: nothing else changes).

use serde_json::json;
use time::OffsetDateTime;

use super::super::{clock, Context};
use crate::domain::access_events::{API_REQUESTS_LISTED, API_REQUEST_READ};
use crate::domain::api_token::ApiAccess;
use crate::domain::audit::{Actor, Target};
use crate::domain::kind::RequestKind;
use crate::domain::queue::QueueCursor;
use crate::domain::regime::Regime;
use crate::domain::request::Request;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::store::audit;
use crate::store::requests::{self, AssigneeQuery, ExportedRequest, QueueQuery, StatusQuery};
use crate::store::time::{from_db, to_db};
use crate::store::StoreError;

/// The most requests one page lists.
pub const MAX_PAGE: i64 = 100;

/// A request as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStatusView {
    pub reference: String,
    pub kind: RequestKind,
    pub regime: Regime,
    pub status: RequestStatus,
    pub received_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub extended_due_at: Option<OffsetDateTime>,
    /// The due date in force (extended or not).
    pub effective_due_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    /// `fulfilled` or `rejected` once closed that way.
    pub outcome: Option<String>,
}

/// Which requests to list, and from where.
#[derive(Debug, Clone, Default)]
pub struct RequestListing {
    pub status: Option<RequestStatus>,
    pub kind: Option<RequestKind>,
    pub after: Option<QueueCursor>,
    pub limit: i64,
}

/// A page, and the cursor of the next one when there may be more.
#[derive(Debug, Clone)]
pub struct RequestPage {
    pub items: Vec<RequestStatusView>,
    pub next: Option<String>,
}

pub fn get(
    ctx: &Context,
    access: &ApiAccess,
    reference: &str,
) -> Result<RequestStatusView, AppError> {
    let mut conn = ctx.conn()?;
    let request = requests::find_by_reference(&mut conn, &ctx.keyring, reference.trim())?
        .filter(|request| request.status != RequestStatus::Unverified)
        .filter(|request| access.can_see(request.regime))
        .ok_or(AppError::NotFound)?;
    drop(conn);
    ctx.write_statement(|conn| {
        audit::append_event(
            conn,
            clock::now(),
            &Actor::ApiToken(access.token_id),
            API_REQUEST_READ,
            &Target::Request(request.id),
            &json!({}),
        )?;
        Ok(())
    })?;
    Ok(view_of(&request))
}

pub fn list(
    ctx: &Context,
    access: &ApiAccess,
    listing: &RequestListing,
) -> Result<RequestPage, AppError> {
    let limit = listing.limit.clamp(1, MAX_PAGE);
    let regimes = access.visible_regimes();
    let codes: Vec<&str> = regimes.iter().map(|r| r.as_str()).collect();
    let every_regime = regimes.len() == Regime::ALL.len();
    let statuses = match listing.status {
        // Unverified requests are not requests yet: nobody outside sees them.
        Some(RequestStatus::Unverified) => StatusQuery::None,
        Some(status) => StatusQuery::One(status.as_str()),
        None => StatusQuery::Confirmed,
    };
    let after = listing
        .after
        .as_ref()
        .map(|c| (to_db(c.due_at), c.id.as_str()));
    let query = QueueQuery {
        regimes: (!every_regime).then_some(codes.as_slice()),
        statuses,
        kind: listing.kind.map(RequestKind::as_str),
        assignee: AssigneeQuery::Anyone,
        due_before: None,
        reference: None,
        email_indexes: None,
        after,
        limit: limit + 1,
    };
    let mut conn = ctx.conn()?;
    let mut rows = requests::export_batch(&mut conn, &query)?;
    drop(conn);
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last()).flatten().map(|row| {
        QueueCursor {
            due_at: from_db(row.effective_due_at),
            id: row.id.clone(),
        }
        .encode()
    });
    let items = rows
        .into_iter()
        .map(exported_view)
        .collect::<Result<Vec<_>, StoreError>>()?;
    ctx.write_statement(|conn| {
        audit::append_event(
            conn,
            clock::now(),
            &Actor::ApiToken(access.token_id),
            API_REQUESTS_LISTED,
            &Target::ApiToken(access.token_id),
            &json!({
                "status": listing.status.map(RequestStatus::as_str),
                "kind": listing.kind.map(RequestKind::as_str),
                "listed": items.len(),
            }),
        )?;
        Ok(())
    })?;
    Ok(RequestPage { items, next })
}

fn view_of(request: &Request) -> RequestStatusView {
    RequestStatusView {
        reference: request.reference.to_string(),
        kind: request.kind,
        regime: request.regime,
        status: request.status,
        received_at: request.received_at,
        due_at: request.due_at,
        extended_due_at: request.extended_due_at,
        effective_due_at: request.effective_due_at,
        closed_at: request.closed_at,
        outcome: request.outcome.map(|o| o.as_str().to_string()),
    }
}

fn exported_view(row: ExportedRequest) -> Result<RequestStatusView, StoreError> {
    let corrupt = || StoreError::corrupt("requests", &row.id);
    Ok(RequestStatusView {
        kind: row.kind.parse().map_err(|_| corrupt())?,
        regime: row.regime.parse().map_err(|_| corrupt())?,
        status: row.status.parse().map_err(|_| corrupt())?,
        received_at: from_db(row.received_at),
        due_at: from_db(row.due_at),
        extended_due_at: row.progress.extended_due_at.map(from_db),
        effective_due_at: from_db(row.effective_due_at),
        closed_at: row.progress.closed_at.map(from_db),
        outcome: row.progress.outcome.clone(),
        reference: row.reference,
    })
}
