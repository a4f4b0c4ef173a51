//! `GET /api/v1/consents?email=`: a person's consent per purpose, for a system that checks
//! before it sends marketing mail.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::bearer::authorize;
use super::json::ConsentsJson;
use super::problem::{ApiError, Problem};
use crate::app::api::consents;
use crate::domain::api_token::ApiScope;
use crate::error::AppError;
use crate::web::WebState;
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsentParams {
    /// The person's email address (compared by its keyed hash; never stored in the log).
    email: Option<String>,
}

/// The current consent state per purpose of the person with this email.
#[utoipa::path(
    get,
    path = "/api/v1/consents",
    operation_id = "getConsents",
    tag = "consents",
    params(ConsentParams),
    responses(
        (status = 200, description = "The state per purpose (`none` throughout for a person not in the inventory)", body = ConsentsJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks consents:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No usable email", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn show(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let access = authorize(&state, &req, ApiScope::ConsentsRead).await?;
    let params = web::Query::<ConsentParams>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|error| ApiError::BadQuery {
            parameter: String::new(),
            detail: error.to_string(),
        })?;
    let email = params.email.unwrap_or_default();
    let ctx = state.ctx.clone();
    let states = web::block(move || consents::current(&ctx, &access, &email))
        .await?
        .map_err(|error| match error {
            // The email is a query parameter here, not a field of a body.
            AppError::Invalid(fields) => ApiError::BadQuery {
                parameter: "email".to_string(),
                detail: fields
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_default(),
            },
            other => ApiError::App(other),
        })?;
    Ok(HttpResponse::Ok().json(ConsentsJson::from(states)))
}
