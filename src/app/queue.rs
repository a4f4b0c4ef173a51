//! The officer queue: the requests one may read, filtered, by due date, a page at a time.

use super::officer::{CurrentOfficer, OfficerName};
use super::{clock, Context};
use crate::domain::queue::{
    AssigneeFilter, QueueCursor, QueueFilter, QueueSearch, StatusFilter, PAGE_SIZE,
};
use crate::domain::regime::Regime;
use crate::domain::request::Request;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::store::requests::{self, AssigneeQuery, QueueQuery, StatusQuery};
use crate::store::time::to_db;
use crate::vault::Keyring;
use time::PrimitiveDateTime;

#[derive(Debug, Clone)]
pub struct QueueView {
    pub rows: Vec<Request>,
    /// Officer id → name of every officer (an organisation's privacy team is small), for the
    /// rows' assignees and the assignee filter.
    pub officer_names: Vec<OfficerName>,
    pub counts: Vec<(RequestStatus, i64)>,
    pub next: Option<QueueCursor>,
}

/// The statuses a filter lists; unconfirmed requests are never listed to officers.
pub fn status_query(status: StatusFilter) -> StatusQuery<'static> {
    match status {
        StatusFilter::Active => StatusQuery::Active,
        StatusFilter::All => StatusQuery::Confirmed,
        StatusFilter::One(RequestStatus::Unverified) => StatusQuery::None,
        StatusFilter::One(status) => StatusQuery::One(status.as_str()),
    }
}

/// The regimes a filter lists, within those the caller may read.
pub fn listed_regimes(filter: &QueueFilter, readable: &[&'static str]) -> Vec<&'static str> {
    match filter.regime {
        Some(regime) if readable.contains(&regime.as_str()) => vec![regime.as_str()],
        Some(_) => Vec::new(),
        None => readable.to_vec(),
    }
}

/// The store's query for a filter: `regimes` from [`listed_regimes`], `me` the signed-in
/// officer (none on the command line, where `assignee=me` is refused).
pub fn query_of<'a>(
    vault: &Keyring,
    filter: &'a QueueFilter,
    regimes: &'a [&'static str],
    me: Option<&'a str>,
    after: Option<(PrimitiveDateTime, &'a str)>,
    limit: i64,
) -> Result<QueueQuery<'a>, AppError> {
    let (reference, email) = match &filter.search {
        Some(QueueSearch::Reference(reference)) => (Some(reference.as_str()), None),
        Some(QueueSearch::Email(email)) => (
            None,
            Some(crate::store::seal::email_index_candidates(
                vault,
                email.as_str(),
            )),
        ),
        None => (None, None),
    };
    let assignee = match &filter.assignee {
        AssigneeFilter::Anyone => AssigneeQuery::Anyone,
        AssigneeFilter::Me => AssigneeQuery::Officer(me.ok_or_else(|| {
            AppError::BadRequest("assignee=me needs a signed-in officer".to_string())
        })?),
        AssigneeFilter::Unassigned => AssigneeQuery::Unassigned,
        AssigneeFilter::Officer(id) => AssigneeQuery::Officer(id),
    };
    Ok(QueueQuery {
        regimes: (regimes.len() < Regime::ALL.len()).then_some(regimes),
        statuses: status_query(filter.status),
        kind: filter.kind.map(|k| k.as_str()),
        assignee,
        due_before: filter.overdue.then(|| to_db(clock::now())),
        reference,
        email_indexes: email,
        after,
        limit,
    })
}

pub fn list(
    ctx: &Context,
    officer: &CurrentOfficer,
    filter: &QueueFilter,
    after: Option<&QueueCursor>,
) -> Result<QueueView, AppError> {
    let mut conn = ctx.conn()?;
    let readable = officer.readable_regime_codes();
    let regimes = listed_regimes(filter, &readable);
    let me = officer.id.to_string();
    let rows = requests::queue_page(
        &mut conn,
        &ctx.keyring,
        &query_of(
            &ctx.keyring,
            filter,
            &regimes,
            Some(&me),
            after.map(|c| (to_db(c.due_at), c.id.as_str())),
            PAGE_SIZE + 1,
        )?,
    )?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let rows: Vec<Request> = rows.into_iter().take(PAGE_SIZE as usize).collect();
    let next = if has_more {
        rows.last().map(|r| QueueCursor {
            due_at: r.effective_due_at,
            id: r.id.to_string(),
        })
    } else {
        None
    };
    let officer_names = super::officer::names(&mut conn)?;
    let counts = requests::count_by_status(&mut conn, &readable)?
        .into_iter()
        .filter_map(|(status, n)| status.parse::<RequestStatus>().ok().map(|s| (s, n)))
        .filter(|(status, _)| *status != RequestStatus::Unverified)
        .collect();
    Ok(QueueView {
        rows,
        officer_names,
        counts,
        next,
    })
}
