//! The API's errors as RFC 9457 problem documents (`application/problem+json`), with a
//! field-level `errors` list for input that failed its checks. Statuses of use-case errors
//! come from `web::error_response`, as for pages; an unexpected failure is a 500 naming an
//! incident id and nothing else.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::api::auth::ApiAuthError;
use crate::error::AppError;
use crate::web::error_response::app_status;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `about:blank`: the status and title say what happened.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Each field that failed its checks (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field's problem: a JSON Pointer into the request body (or the query parameter's name)
/// and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub pointer: String,
    pub detail: String,
    /// The line of an NDJSON body the problem is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// What went wrong in an API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("a valid API token is required")]
    Unauthenticated,
    #[error("the token lacks the scope {0}")]
    MissingScope(&'static str),
    #[error("too many calls with this token")]
    RateLimited { retry_after: u64 },
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("{0}")]
    MalformedBody(String),
    /// The body is JSON of the wrong shape: a field of the wrong type, or one missing.
    #[error("{0}")]
    WrongShape(String),
    /// A line of an NDJSON body refused under `strict`: nothing was stored.
    #[error("line {line}: {detail}; nothing was imported (strict)")]
    StrictLine { line: u64, detail: String },
    /// An NDJSON body that cannot be read past a line.
    #[error("line {line}: {detail}")]
    UnreadableBody { line: u64, detail: String },
    /// A query parameter that cannot be used; the field names it.
    #[error("{detail}")]
    BadQuery { parameter: String, detail: String },
}

impl From<ApiAuthError> for ApiError {
    fn from(error: ApiAuthError) -> ApiError {
        match error {
            ApiAuthError::Unauthenticated => ApiError::Unauthenticated,
            ApiAuthError::MissingScope(scope) => ApiError::MissingScope(scope.as_str()),
            ApiAuthError::App(error) => ApiError::App(error),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> ApiError {
        ApiError::App(AppError::Internal(error.to_string()))
    }
}

/// How the API names a form field the domain checks: a JSON Pointer into the body.
pub fn pointer_for(field: &str) -> String {
    match field {
        "region" => "/regime".to_string(),
        "full_name" => "/requester/name".to_string(),
        "email" => "/requester/email".to_string(),
        "account_ref" => "/requester/account_ref".to_string(),
        other => format!("/{other}"),
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        let status = self.status_code();
        let title = status.canonical_reason().unwrap_or("Error").to_string();
        let (detail, errors) = match self {
            ApiError::App(AppError::Invalid(fields)) => (
                "The request body has fields that failed their checks.".to_string(),
                fields
                    .iter()
                    .map(|f| FieldProblem {
                        pointer: pointer_for(f.field),
                        detail: f.message.clone(),
                        line: None,
                    })
                    .collect(),
            ),
            ApiError::App(AppError::Database(_) | AppError::Pool(_) | AppError::Internal(_)) => {
                let incident = uuid::Uuid::now_v7().to_string();
                tracing::error!(incident = %incident, error = %self, "API call failed");
                (
                    format!("Something went wrong on our side (incident {incident})."),
                    vec![],
                )
            }
            ApiError::App(AppError::NotFound) => ("No such resource.".to_string(), vec![]),
            ApiError::WrongShape(message) => (
                "The body is JSON of the wrong shape.".to_string(),
                vec![FieldProblem {
                    pointer: String::new(),
                    detail: message.clone(),
                    line: None,
                }],
            ),
            ApiError::StrictLine { line, detail } => (
                "A line was refused and nothing was imported (strict).".to_string(),
                vec![FieldProblem {
                    pointer: String::new(),
                    detail: detail.clone(),
                    line: Some(*line),
                }],
            ),
            ApiError::BadQuery { parameter, detail } => (
                "A query parameter cannot be used.".to_string(),
                vec![FieldProblem {
                    pointer: parameter.clone(),
                    detail: detail.clone(),
                    line: None,
                }],
            ),
            other => (other.to_string(), vec![]),
        };
        Problem {
            kind: "about:blank".to_string(),
            title,
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::App(error) => app_status(error),
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::MissingScope(_) => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MalformedBody(_) | ApiError::UnreadableBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::WrongShape(_) | ApiError::BadQuery { .. } | ApiError::StrictLine { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut status = self.status_code();
        // An API has no sign-in page to send anyone to.
        if status == StatusCode::SEE_OTHER {
            status = StatusCode::UNAUTHORIZED;
        }
        let mut problem = self.problem();
        problem.status = status.as_u16();
        let mut response = HttpResponse::build(status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"rightsdesk\""));
        }
        let retry_after = match self {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            ApiError::App(error) => error.retry_after(),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}
