//! `/api/v1/tasks`: a source system lists its open fulfilment tasks and reports each one
//! completed or failed.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::bearer::authorize;
use super::json::{FailTaskBody, TaskJson, TaskListJson};
use super::problem::{ApiError, Problem};
use super::requests::read_json;
use crate::app::api::tasks as api_tasks;
use crate::domain::api_token::ApiScope;
use crate::domain::ids::TaskId;
use crate::error::AppError;
use crate::web::WebState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// The source system whose open tasks to list (the inventory's `source`).
    #[param(required = true)]
    source: Option<String>,
    /// The `next_cursor` of the previous page.
    after: Option<String>,
    /// Tasks per page, 1 to 100 (default 50).
    limit: Option<String>,
}

/// List a source system's open tasks under the token's regions, oldest first, a page at a
/// time.
#[utoipa::path(
    get,
    path = "/api/v1/tasks",
    operation_id = "listTasks",
    tag = "tasks",
    params(TaskListParams),
    responses(
        (status = 200, description = "A page of open tasks", body = TaskListJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks tasks:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter cannot be used", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn list(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::TasksRead).await?;
    let params = web::Query::<TaskListParams>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|error| bad("", &error.to_string()))?;
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let source = present(&params.source).ok_or_else(|| bad("source", "name a source system"))?;
    let after = present(&params.after)
        .map(|s| {
            s.parse::<TaskId>()
                .map_err(|_| bad("after", "not a cursor this API gave"))
        })
        .transpose()?;
    let limit = present(&params.limit)
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .filter(|n| (1..=api_tasks::MAX_PAGE).contains(n))
                .ok_or_else(|| bad("limit", "a whole number from 1 to 100"))
        })
        .transpose()?
        .unwrap_or(50);
    let ctx = state.ctx.clone();
    let page = web::block(move || api_tasks::list(&ctx, &access, &source, after, limit))
        .await?
        .map_err(|error| match error {
            // The source is a query parameter here, not a field of a body.
            AppError::Invalid(fields) => bad(
                "source",
                &fields
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_default(),
            ),
            other => ApiError::App(other),
        })?;
    Ok(HttpResponse::Ok().json(TaskListJson::from(page)))
}

/// Report a task done by its source system. When it was the request's last open task, the
/// requester is told the outcome.
#[utoipa::path(
    post,
    path = "/api/v1/tasks/{id}/complete",
    operation_id = "completeTask",
    tag = "tasks",
    params(("id" = String, Path, description = "The task's id")),
    responses(
        (status = 200, description = "The task, completed", body = TaskJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks tasks:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task the token sees", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The task is already finished", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn complete(
    state: web::Data<WebState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::TasksWrite).await?;
    let ctx = state.ctx.clone();
    let id = id.into_inner();
    let view = web::block(move || api_tasks::complete(&ctx, &access, &id)).await??;
    Ok(HttpResponse::Ok().json(TaskJson::from(view)))
}

/// Report that the source system could not do its task, and why; the officer sees the
/// reason on the request page.
#[utoipa::path(
    post,
    path = "/api/v1/tasks/{id}/failed",
    operation_id = "failTask",
    tag = "tasks",
    params(("id" = String, Path, description = "The task's id")),
    request_body(content = FailTaskBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The task, failed", body = TaskJson),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks tasks:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task the token sees", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The task is already finished", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason failed its checks", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn fail(
    state: web::Data<WebState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::TasksWrite).await?;
    let body: FailTaskBody = read_json(&req, payload).await?;
    let ctx = state.ctx.clone();
    let id = id.into_inner();
    let view = web::block(move || api_tasks::fail(&ctx, &access, &id, &body.reason)).await??;
    Ok(HttpResponse::Ok().json(TaskJson::from(view)))
}

fn bad(parameter: &str, detail: &str) -> ApiError {
    ApiError::BadQuery {
        parameter: parameter.to_string(),
        detail: detail.to_string(),
    }
}
