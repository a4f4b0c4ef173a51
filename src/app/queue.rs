//! The officer queue: the requests one may read, filtered, by due date, a page at a time.

use super::officer::CurrentOfficer;
use super::requests::LoadedRequest;
use super::{clock, Context};
use crate::domain::queue::{AssigneeFilter, QueueCursor, QueueFilter, QueueSearch, PAGE_SIZE};
use crate::domain::regime::Regime;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::store::officers;
use crate::store::requests::{self, AssigneeQuery, QueueQuery, StatusQuery};
use crate::store::time::{from_db, to_db};

#[derive(Debug, Clone)]
pub struct QueueView {
    pub rows: Vec<LoadedRequest>,
    /// Officer id → name of every officer (an organisation's privacy team is small), for the
    /// rows' assignees and the assignee filter.
    pub officer_names: Vec<(String, String)>,
    pub counts: Vec<(RequestStatus, i64)>,
    pub next: Option<QueueCursor>,
}

pub fn list(
    ctx: &Context,
    officer: &CurrentOfficer,
    filter: &QueueFilter,
    after: Option<&QueueCursor>,
) -> Result<QueueView, AppError> {
    let mut conn = ctx.conn()?;
    let regimes_owned = officer.readable_regime_codes();
    let regimes: Vec<&str> = match filter.regime {
        Some(regime) if regimes_owned.contains(&regime.as_str()) => vec![regime.as_str()],
        Some(_) => Vec::new(),
        None => regimes_owned.clone(),
    };
    let statuses = match filter.status {
        Some(RequestStatus::Unverified) => StatusQuery::None,
        Some(status) => StatusQuery::One(status.as_str()),
        None => StatusQuery::Active,
    };
    let (reference, email) = match &filter.search {
        Some(QueueSearch::Reference(reference)) => (Some(reference.as_str()), None),
        Some(QueueSearch::Email(email)) => (None, Some(email.as_str())),
        None => (None, None),
    };
    let assignee = match &filter.assignee {
        AssigneeFilter::Anyone => AssigneeQuery::Anyone,
        AssigneeFilter::Me => AssigneeQuery::Officer(&officer.id),
        AssigneeFilter::Unassigned => AssigneeQuery::Unassigned,
        AssigneeFilter::Officer(id) => AssigneeQuery::Officer(id),
    };
    let kind = filter.kind.map(|k| k.as_str());
    let rows = requests::queue_page(
        &mut conn,
        &QueueQuery {
            regimes: (regimes.len() < Regime::ALL.len()).then_some(regimes.as_slice()),
            statuses,
            kind,
            assignee,
            due_before: filter.overdue.then(|| to_db(clock::now())),
            reference,
            email,
            after: after.map(|c| (to_db(c.due_at), c.id.as_str())),
            limit: PAGE_SIZE + 1,
        },
    )?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let rows: Vec<LoadedRequest> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(LoadedRequest::from_row)
        .collect::<Result<_, _>>()?;
    let next = if has_more {
        rows.last().map(|r| QueueCursor {
            due_at: from_db(r.row.effective_due_at),
            id: r.row.id.clone(),
        })
    } else {
        None
    };
    let officer_names = officers::list(&mut conn)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let counts = requests::count_by_status(&mut conn, &regimes_owned)?
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
