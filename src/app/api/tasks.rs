//! What source systems do with their fulfilment tasks over the API: list a source's open
//! tasks and report them completed or failed, only for requests under the token's regions
//! (outside them a task does not exist). Listing is audited by the token's id; finishing a
//! task is audited by `app::tasks` in the change's transaction.

use serde_json::json;

use super::super::{clock, tasks, Context};
use crate::domain::access_events::API_TASKS_LISTED;
use crate::domain::api_token::ApiAccess;
use crate::domain::audit::{Actor, Target};
use crate::domain::ids::TaskId;
use crate::domain::regime::Regime;
use crate::domain::submission::FieldError;
use crate::domain::task::{FailureReason, Task};
use crate::error::AppError;
use crate::store::audit;
use crate::store::tasks as task_store;

/// The most tasks one page lists.
pub const MAX_PAGE: i64 = 100;

/// The longest source name a listing accepts.
pub const MAX_SOURCE_CHARS: usize = 200;

/// A task as the API shows it: with its request's reference.
#[derive(Debug, Clone)]
pub struct TaskView {
    pub task: Task,
    pub reference: String,
}

/// A page of tasks, and the cursor of the next one when there may be more.
#[derive(Debug, Clone)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    pub next: Option<String>,
}

/// The open tasks of `source` under the token's regions, oldest first, after the task
/// `after`.
pub fn list(
    ctx: &Context,
    access: &ApiAccess,
    source: &str,
    after: Option<TaskId>,
    limit: i64,
) -> Result<TaskPage, AppError> {
    let source = source.trim();
    if source.is_empty()
        || source.chars().count() > MAX_SOURCE_CHARS
        || source.chars().any(char::is_control)
    {
        return Err(AppError::Invalid(vec![FieldError::untranslated(
            "source",
            format!(
                "Name a source system: at most {MAX_SOURCE_CHARS} characters, none of them control characters."
            ),
        )]));
    }
    let limit = limit.clamp(1, MAX_PAGE);
    let regimes = access.visible_regimes();
    let every_regime = regimes.len() == Regime::ALL.len();
    let filter = (!every_regime).then_some(regimes.as_slice());
    let mut found = tasks::list_tasks_in(ctx, filter, source, after, limit + 1)?;
    let more = found.len() as i64 > limit;
    found.truncate(limit as usize);
    let next = more
        .then(|| found.last())
        .flatten()
        .map(|t| t.id.to_string());
    let items = with_references(ctx, found)?;
    ctx.write_statement(|conn| {
        audit::append_event(
            conn,
            clock::now(),
            &Actor::ApiToken(access.token_id),
            API_TASKS_LISTED,
            &Target::ApiToken(access.token_id),
            &json!({ "source": source, "listed": items.len() }),
        )?;
        Ok(())
    })?;
    Ok(TaskPage { items, next })
}

/// Reports the task `id` completed by the token's system.
pub fn complete(ctx: &Context, access: &ApiAccess, id: &str) -> Result<TaskView, AppError> {
    let (id, reference) = visible(ctx, access, id)?;
    let task = tasks::complete_task(ctx, &Actor::ApiToken(access.token_id), id)?;
    Ok(TaskView { task, reference })
}

/// Reports that the token's system could not do the task `id`, and why.
pub fn fail(
    ctx: &Context,
    access: &ApiAccess,
    id: &str,
    reason: &str,
) -> Result<TaskView, AppError> {
    let (id, reference) = visible(ctx, access, id)?;
    if let Err(message) = FailureReason::parse(reason) {
        return Err(AppError::Invalid(vec![FieldError::untranslated(
            "reason", message,
        )]));
    }
    let task = tasks::fail_task(ctx, &Actor::ApiToken(access.token_id), id, reason)?;
    Ok(TaskView { task, reference })
}

/// The task's id and its request's reference, when the task exists under the token's
/// regions; otherwise not found (a malformed id too).
fn visible(ctx: &Context, access: &ApiAccess, id: &str) -> Result<(TaskId, String), AppError> {
    let id: TaskId = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut conn = ctx.conn()?;
    let task = task_store::find(&mut conn, &id.to_string())?.ok_or(AppError::NotFound)?;
    let facts = task_store::request_facts(&mut conn, &[task.request_id.to_string()])?;
    let (_, reference, regime) = facts.into_iter().next().ok_or(AppError::NotFound)?;
    let regime: Regime = regime.parse().map_err(|_| AppError::NotFound)?;
    if !access.can_see(regime) {
        return Err(AppError::NotFound);
    }
    Ok((id, reference))
}

fn with_references(ctx: &Context, found: Vec<Task>) -> Result<Vec<TaskView>, AppError> {
    let ids: Vec<String> = found.iter().map(|t| t.request_id.to_string()).collect();
    let facts = task_store::request_facts(&mut *ctx.conn()?, &ids)?;
    Ok(found
        .into_iter()
        .filter_map(|task| {
            let request_id = task.request_id.to_string();
            facts
                .iter()
                .find(|(id, _, _)| *id == request_id)
                .map(|(_, reference, _)| TaskView {
                    reference: reference.clone(),
                    task,
                })
        })
        .collect())
}
