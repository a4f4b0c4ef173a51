//! Fulfilment tasks: made when an officer fulfils a request that changes data
//! ([`create_for_fulfilment`]), listed and finished by the source systems ([`list_tasks`],
//! [`complete_task`], [`fail_task`]); the requester's outcome mail waits for them or for an
//! officer to close the request with the ones left ([`close_with_open_tasks`]).

mod close;
mod create;
mod outcome;

pub use close::close_with_open_tasks;
pub use create::{create_for_fulfilment, MadeTask};

use serde_json::json;

use super::{clock, Context};
use crate::domain::audit::Actor;
use crate::domain::ids::TaskId;
use crate::domain::regime::Regime;
use crate::domain::task::{self, FailureReason, Task, TaskReport};
use crate::error::AppError;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::requests;
use crate::store::tasks;
use crate::store::time::to_db;

/// At most this many tasks per page of [`list_tasks`].
pub const MAX_PAGE: i64 = 200;

/// The open tasks of `source`, oldest first, after the task `after` (the last id of the
/// previous page); `limit` is kept within 1..=[`MAX_PAGE`].
pub fn list_tasks(
    ctx: &Context,
    source: &str,
    after: Option<TaskId>,
    limit: i64,
) -> Result<Vec<Task>, AppError> {
    list_tasks_in(ctx, None, source, after, limit)
}

/// As [`list_tasks`], only tasks of requests under `regimes` when given (a token limited
/// to regions).
pub fn list_tasks_in(
    ctx: &Context,
    regimes: Option<&[Regime]>,
    source: &str,
    after: Option<TaskId>,
    limit: i64,
) -> Result<Vec<Task>, AppError> {
    let after = after.map(|id| id.to_string());
    let limit = limit.clamp(1, MAX_PAGE);
    let codes: Option<Vec<&str>> = regimes.map(|r| r.iter().map(|r| r.as_str()).collect());
    Ok(tasks::open_for_source(
        &mut *ctx.conn()?,
        source,
        codes.as_deref(),
        after.as_deref(),
        limit,
    )?)
}

/// Reports a task done by its source system. `actor` is who reports it (an API token, an
/// officer, an operator at the command line), as the audit event records it. When it was the request's last task, the
/// requester's outcome mail goes in the same transaction. A task no longer open is a
/// conflict.
pub fn complete_task(ctx: &Context, actor: &Actor, id: TaskId) -> Result<Task, AppError> {
    finish(ctx, actor, id, TaskReport::Completed)
}

/// Reports that a source system could not do its task, and why; the officer sees it on
/// the request page and may close the request with it left open.
pub fn fail_task(ctx: &Context, actor: &Actor, id: TaskId, reason: &str) -> Result<Task, AppError> {
    let reason = FailureReason::parse(reason).map_err(AppError::BadRequest)?;
    finish(ctx, actor, id, TaskReport::Failed(reason))
}

fn finish(ctx: &Context, actor: &Actor, id: TaskId, report: TaskReport) -> Result<Task, AppError> {
    let actor = actor.to_audit_string();
    let finished = ctx.write(|conn| {
        let now = clock::now();
        let found = tasks::find(conn, &id.to_string())?.ok_or(AppError::NotFound)?;
        let request = requests::find_by_id(conn, &ctx.keyring, found.request_id)?
            .ok_or(AppError::NotFound)?;
        // The held mail's lock first: two last tasks finishing at once decide in turn.
        let held = tasks::lock_held_outcome(conn, &request.id.to_string())?;
        let state = task::finish(&found.state, report.clone())
            .map_err(|conflict| AppError::Conflict(conflict.0))?;
        if !tasks::finish(conn, &id.to_string(), &state, to_db(now), &actor)? {
            return Err(AppError::Conflict(
                "This task was finished by another report a moment ago.".to_string(),
            ));
        }
        let mailed = held && outcome::release_if_done(ctx, conn, &request, now)?;
        let mut details = json!({
            "reference": request.reference.as_str(),
            "task_id": id.to_string(),
            "source": found.source,
        });
        // The failure's reason stays on the task: a source system's free text may name
        // the person, and audit details never do.
        if mailed {
            details["outcome_mailed"] = true.into();
        }
        let event = match report {
            TaskReport::Completed => "task.completed",
            TaskReport::Failed(_) => "task.failed",
        };
        audit::append(
            conn,
            &NewAuditEvent {
                at: now,
                actor: &actor,
                action: event,
                target: &request.audit_target(),
                details: &details.to_string(),
            },
        )?;
        Ok(Task {
            state,
            finished_at: Some(now),
            finished_by: Some(actor),
            ..found
        })
    })?;
    ctx.wake_mailer();
    Ok(finished)
}
