//! Making a fulfilment's tasks: one per source system holding the person's records in use,
//! each announced by `task.created`, inside the fulfilment's transaction.

use time::OffsetDateTime;

use crate::app::inventory::find_subject;
use crate::app::{webhooks, Context};
use crate::domain::email::Email;
use crate::domain::ids::TaskId;
use crate::domain::request::Request;
use crate::domain::task::{task_sources, TaskAction, TaskState};
use crate::domain::webhook_events::CreatedTask;
use crate::error::AppError;
use crate::store::tasks::{self, NewTask};
use crate::store::time::to_db;
use crate::store::{records, DbConn};

/// A task a fulfilment made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeTask {
    pub id: TaskId,
    pub source: String,
}

/// Makes the tasks of fulfilling `request`, before the fulfilment changes the records (an
/// erasure takes them out of use), and holds the outcome mail when there is any. Must run
/// inside the fulfilment's transaction.
pub fn create_for_fulfilment(
    ctx: &Context,
    conn: &mut DbConn,
    request: &Request,
    now: OffsetDateTime,
) -> Result<Vec<MadeTask>, AppError> {
    let Some(action) = TaskAction::for_kind(request.kind) else {
        return Ok(Vec::new());
    };
    let Ok(email) = Email::parse(&request.email) else {
        return Ok(Vec::new());
    };
    let Some(subject) = find_subject(ctx, conn, &email)? else {
        return Ok(Vec::new());
    };
    let held = records::sources_in_use(conn, &subject.id.to_string())?;
    let sources = task_sources(held.iter().map(String::as_str));
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let made: Vec<MadeTask> = sources
        .into_iter()
        .map(|source| MadeTask {
            id: TaskId::new(),
            source,
        })
        .collect();
    let (request_id, ids): (String, Vec<String>) = (
        request.id.to_string(),
        made.iter().map(|t| t.id.to_string()).collect(),
    );
    let rows: Vec<NewTask<'_>> = made
        .iter()
        .zip(&ids)
        .map(|(task, id)| NewTask {
            id,
            request_id: &request_id,
            source: &task.source,
            action: action.as_str(),
            state: TaskState::Open.as_str(),
            created_at: to_db(now),
        })
        .collect();
    tasks::insert_many(conn, &rows)?;
    tasks::hold_outcome(conn, &request_id, to_db(now))?;
    for (task, id) in made.iter().zip(&ids) {
        webhooks::enqueue_task_created(
            conn,
            &ctx.keyring,
            request,
            &CreatedTask {
                task_id: id,
                source: &task.source,
                action: action.as_str(),
            },
            now,
        )?;
    }
    Ok(made)
}
