//! Fulfilment tasks, and the outcome mails they hold back.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{fulfilment_tasks, held_outcomes, requests};
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::task::{Task, TaskAction, TaskState};

const TABLE: &str = "fulfilment_tasks";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fulfilment_tasks)]
struct TaskRow {
    id: String,
    request_id: String,
    source: String,
    action: String,
    state: String,
    failure_reason: Option<String>,
    created_at: PrimitiveDateTime,
    finished_at: Option<PrimitiveDateTime>,
    finished_by: Option<String>,
}

impl TryFrom<TaskRow> for Task {
    type Error = StoreError;

    fn try_from(row: TaskRow) -> Result<Task, StoreError> {
        let corrupt = || StoreError::corrupt(TABLE, &row.id);
        Ok(Task {
            id: row.id.parse().map_err(|_| corrupt())?,
            request_id: row.request_id.parse().map_err(|_| corrupt())?,
            action: TaskAction::parse(&row.action).ok_or_else(corrupt)?,
            state: TaskState::read(&row.state, row.failure_reason.as_deref())
                .ok_or_else(corrupt)?,
            created_at: from_db(row.created_at),
            finished_at: row.finished_at.map(from_db),
            finished_by: row.finished_by,
            source: row.source,
        })
    }
}

/// A task to store, open.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = fulfilment_tasks)]
pub struct NewTask<'a> {
    pub id: &'a str,
    pub request_id: &'a str,
    pub source: &'a str,
    pub action: &'a str,
    pub state: &'a str,
    pub created_at: PrimitiveDateTime,
}

pub fn insert_many(conn: &mut DbConn, tasks: &[NewTask<'_>]) -> QueryResult<()> {
    for task in tasks {
        diesel::insert_into(fulfilment_tasks::table)
            .values(task)
            .execute(conn)?;
    }
    Ok(())
}

fn load(rows: Vec<TaskRow>) -> Result<Vec<Task>, StoreError> {
    rows.into_iter().map(Task::try_from).collect()
}

/// The open tasks of one source, oldest first, after the task `after` (keyset paging on
/// the time-ordered id); with `regimes`, only tasks of requests under those regimes.
pub fn open_for_source(
    conn: &mut DbConn,
    source: &str,
    regimes: Option<&[&str]>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Task>, StoreError> {
    let mut query = fulfilment_tasks::table
        .filter(fulfilment_tasks::source.eq(source))
        .filter(fulfilment_tasks::state.eq("open"))
        .order(fulfilment_tasks::id.asc())
        .limit(limit)
        .select(TaskRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(fulfilment_tasks::id.gt(after));
    }
    if let Some(regimes) = regimes {
        query = query.filter(
            fulfilment_tasks::request_id.eq_any(
                requests::table
                    .filter(requests::regime.eq_any(regimes.to_vec()))
                    .select(requests::id),
            ),
        );
    }
    load(query.load(conn)?)
}

/// The reference and regime of each of these requests, by id: nothing personal is opened.
pub fn request_facts(
    conn: &mut DbConn,
    request_ids: &[String],
) -> QueryResult<Vec<(String, String, String)>> {
    requests::table
        .filter(requests::id.eq_any(request_ids.to_vec()))
        .select((requests::id, requests::reference, requests::regime))
        .load(conn)
}

/// A request's tasks, by source.
pub fn of_request(conn: &mut DbConn, request_id: &str) -> Result<Vec<Task>, StoreError> {
    load(
        fulfilment_tasks::table
            .filter(fulfilment_tasks::request_id.eq(request_id))
            .order(fulfilment_tasks::source.asc())
            .select(TaskRow::as_select())
            .load(conn)?,
    )
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<Task>, StoreError> {
    fulfilment_tasks::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?
        .map(Task::try_from)
        .transpose()
}

/// Moves an open task to `state` (completed or failed); returns whether it was still open,
/// so that of two reports at once only one counts.
pub fn finish(
    conn: &mut DbConn,
    id: &str,
    state: &TaskState,
    at: PrimitiveDateTime,
    by: &str,
) -> QueryResult<bool> {
    let reason = match state {
        TaskState::Failed(reason) => Some(reason.as_str()),
        _ => None,
    };
    let updated = diesel::update(
        fulfilment_tasks::table
            .find(id)
            .filter(fulfilment_tasks::state.eq("open")),
    )
    .set((
        fulfilment_tasks::state.eq(state.as_str()),
        fulfilment_tasks::failure_reason.eq(reason),
        fulfilment_tasks::finished_at.eq(Some(at)),
        fulfilment_tasks::finished_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Holds a request's outcome mail until its tasks are done.
pub fn hold_outcome(conn: &mut DbConn, request_id: &str, at: PrimitiveDateTime) -> QueryResult<()> {
    diesel::insert_into(held_outcomes::table)
        .values((
            held_outcomes::request_id.eq(request_id),
            held_outcomes::held_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Takes the lock of a request's held outcome mail, so that two tasks finishing at once
/// decide one after the other whether the mail goes; returns whether it is still held.
pub fn lock_held_outcome(conn: &mut DbConn, request_id: &str) -> QueryResult<bool> {
    let touched = diesel::update(
        held_outcomes::table
            .find(request_id)
            .filter(held_outcomes::released_at.is_null()),
    )
    .set(held_outcomes::held_at.eq(held_outcomes::held_at))
    .execute(conn)?;
    Ok(touched == 1)
}

/// Releases a held outcome mail (`by`: `tasks_completed` or the closing officer); returns
/// whether it was still held.
pub fn release_outcome(
    conn: &mut DbConn,
    request_id: &str,
    at: PrimitiveDateTime,
    by: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        held_outcomes::table
            .find(request_id)
            .filter(held_outcomes::released_at.is_null()),
    )
    .set((
        held_outcomes::released_at.eq(Some(at)),
        held_outcomes::released_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Whether a request's outcome mail is held now.
pub fn outcome_held(conn: &mut DbConn, request_id: &str) -> QueryResult<bool> {
    let held: i64 = held_outcomes::table
        .filter(held_outcomes::request_id.eq(request_id))
        .filter(held_outcomes::released_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(held > 0)
}
