//! `/api/v1/requests`: record a request received elsewhere, list requests, read one.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::bearer::authorize;
use super::json::{NewRequestBody, RequestJson, RequestListJson};
use super::problem::{ApiError, Problem};
use crate::app::api::requests::{self as api_requests, RequestListing};
use crate::app::intake::{self, Recorder};
use crate::domain::api_token::ApiScope;
use crate::domain::queue::QueueCursor;
use crate::error::AppError;
use crate::web::WebState;

/// The largest JSON body a call may send.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Record a request received by post, phone, in person, by email or through an agent.
///
/// The statutory clock starts at `received_at`; the requester is mailed a status link.
#[utoipa::path(
    post,
    path = "/api/v1/requests",
    operation_id = "createRequest",
    tag = "requests",
    request_body(content = NewRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = RequestJson,
            headers(("Location" = String, description = "The request's address on the API"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks requests:write", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields failed their checks", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<WebState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::RequestsWrite).await?;
    let body: NewRequestBody = read_json(&req, payload).await?;
    let raw = body.raw();
    let ctx = state.ctx.clone();
    let recorded = web::block(move || {
        let recorded = intake::record(&ctx, Recorder::Api(&access), &raw)?;
        let view = api_requests::get(&ctx, &access, recorded.reference.as_str())?;
        Ok::<_, AppError>(view)
    })
    .await??;
    let location = format!("/api/v1/requests/{}", recorded.reference);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(RequestJson::from(recorded)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only requests in this status (`open`, `in_progress`, `awaiting_requester`,
    /// `fulfilled`, `rejected`, `withdrawn`).
    status: Option<String>,
    /// Only requests of this kind.
    kind: Option<String>,
    /// The `next_cursor` of the previous page.
    after: Option<String>,
    /// Requests per page, 1 to 100 (default 50).
    limit: Option<String>,
}

/// List requests the token sees, soonest due first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/requests",
    operation_id = "listRequests",
    tag = "requests",
    params(ListParams),
    responses(
        (status = 200, description = "A page of requests", body = RequestListJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks requests:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter cannot be used", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn list(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::RequestsRead).await?;
    let params = web::Query::<ListParams>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|error| ApiError::BadQuery {
            parameter: String::new(),
            detail: error.to_string(),
        })?;
    let listing = listing(&params)?;
    let ctx = state.ctx.clone();
    let page = web::block(move || api_requests::list(&ctx, &access, &listing)).await??;
    Ok(HttpResponse::Ok().json(RequestListJson::from(page)))
}

/// Read one request's status, due dates and outcome.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{reference}",
    operation_id = "getRequest",
    tag = "requests",
    params(("reference" = String, Path, description = "The request's reference")),
    responses(
        (status = 200, description = "The request", body = RequestJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks requests:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request the token sees", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    reference: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::RequestsRead).await?;
    let ctx = state.ctx.clone();
    let reference = reference.into_inner();
    let view = web::block(move || api_requests::get(&ctx, &access, &reference)).await??;
    Ok(HttpResponse::Ok().json(RequestJson::from(view)))
}

fn bad(parameter: &str, detail: &str) -> ApiError {
    ApiError::BadQuery {
        parameter: parameter.to_string(),
        detail: detail.to_string(),
    }
}

fn listing(params: &ListParams) -> Result<RequestListing, ApiError> {
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let status = present(&params.status)
        .map(|s| s.parse().map_err(|_| bad("status", "not a request status")))
        .transpose()?;
    let kind = present(&params.kind)
        .map(|s| s.parse().map_err(|_| bad("kind", "not a request kind")))
        .transpose()?;
    let after = present(&params.after)
        .map(|s| QueueCursor::decode(&s).ok_or_else(|| bad("after", "not a cursor this API gave")))
        .transpose()?;
    let limit = present(&params.limit)
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .filter(|n| (1..=api_requests::MAX_PAGE).contains(n))
                .ok_or_else(|| bad("limit", "a whole number from 1 to 100"))
        })
        .transpose()?
        .unwrap_or(50);
    Ok(RequestListing {
        status,
        kind,
        after,
        limit,
    })
}

/// Reads a JSON body of at most [`MAX_BODY_BYTES`]: 415 for another content type, 413 past
/// the cap, 400 for text that is no JSON, 422 for JSON of the wrong shape.
pub(super) async fn read_json<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<actix_web::mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == actix_web::mime::APPLICATION
                && (m.subtype() == actix_web::mime::JSON
                    || m.suffix() == Some(actix_web::mime::JSON))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedBody(e.to_string()))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|error| {
        if error.is_data() {
            ApiError::WrongShape(error.to_string())
        } else {
            ApiError::MalformedBody(format!("The body is not valid JSON: {error}"))
        }
    })
}
