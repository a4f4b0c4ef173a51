//! One error type for the app and the web layer, and the only place that turns errors into
//! status codes and error pages. Unexpected failures become a 500 with an incident id and
//! no detail; the detail goes to the log.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::domain::lifecycle::Refusal;
use crate::domain::submission::FieldError;
use crate::web::pages::ErrorPage;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Form input that failed its checks; handlers usually re-render the form instead.
    #[error("the form has errors")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("the form was too old or not sent from this site")]
    Csrf,
    #[error("{0}")]
    Forbidden(String),
    /// A wrong password or code; sign-in pages show it beside the form.
    #[error("{0}")]
    BadCredentials(String),
    /// Failed sign-ins must wait: the message says how long, `retry_after` in seconds.
    #[error("{message}")]
    TooManyAttempts { message: String, retry_after: u64 },
    /// Every password hasher is busy: try again in a moment.
    #[error("too busy to check a password now")]
    Busy,
    /// An officer page without a live session: the handler layer sends them to sign in.
    #[error("sign-in required")]
    SignInRequired,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("too many requests")]
    RateLimited,
    #[error("the service is not ready: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        AppError::Conflict(refusal.to_string())
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> AppError {
        AppError::Internal(error.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> AppError {
        AppError::Internal(error.to_string())
    }
}

impl AppError {
    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            AppError::Invalid(errors) => (
                "Please check the form",
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::BadRequest(message) => ("Something is wrong with that request", message.clone()),
            AppError::Csrf => (
                "This form has expired",
                "For your security the form could not be accepted. Go back, reload the page and send it again.".to_string(),
            ),
            AppError::Forbidden(message) => ("You cannot do that", message.clone()),
            AppError::BadCredentials(message) => ("Sign-in failed", message.clone()),
            AppError::TooManyAttempts { message, .. } => ("Too many attempts", message.clone()),
            AppError::Busy => (
                "Please try again in a moment",
                "Many sign-ins are being checked right now. Wait a moment and send the form again.".to_string(),
            ),
            AppError::SignInRequired => (
                "Please sign in",
                "Your session has ended. Sign in again to continue.".to_string(),
            ),
            AppError::NotFound => (
                "Page not found",
                "There is nothing here. If you followed a link from an email, it may be mistyped or no longer valid; you can ask for a new link on the \"Find my request\" page.".to_string(),
            ),
            AppError::Gone(message) => ("This link no longer works", message.clone()),
            AppError::Conflict(message) => ("That is not possible now", message.clone()),
            AppError::PayloadTooLarge => (
                "That was too much text",
                "The form was larger than we accept. Please shorten your text and try again.".to_string(),
            ),
            AppError::RateLimited => (
                "Too many attempts",
                "You have sent this form many times in a short while. Please wait a minute and try again.".to_string(),
            ),
            AppError::Unavailable(_) => (
                "Service not ready",
                "The service is starting or under maintenance. Please try again shortly.".to_string(),
            ),
            AppError::Database(_) | AppError::Pool(_) | AppError::Internal(_) => (
                "Something went wrong on our side",
                "Your request could not be completed. Nothing was changed; please try again later.".to_string(),
            ),
        }
    }
}

impl AppError {
    /// Seconds a client should wait before trying again, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited => Some(60),
            AppError::TooManyAttempts { retry_after, .. } => Some(*retry_after),
            AppError::Busy => Some(1),
            _ => None,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadCredentials(_) => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::SignInRequired => StatusCode::SEE_OTHER,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Pool(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let request_id = status.is_server_error().then(|| {
            let incident = uuid::Uuid::now_v7().to_string();
            tracing::error!(incident = %incident, error = %self, "request failed");
            incident
        });
        let (title, message) = self.title_and_message();
        let page = ErrorPage {
            status: status.as_u16(),
            title: title.to_string(),
            message,
            request_id,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{} {}", status.as_u16(), title));
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8");
        if matches!(self, AppError::SignInRequired) {
            response.insert_header((header::LOCATION, HeaderValue::from_static("/officer/login")));
        }
        if let Some(seconds) = self.retry_after() {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        response.body(body)
    }
}
