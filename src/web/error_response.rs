//! The only place that turns errors into status codes and error pages. Unexpected failures
//! become a 500 with an incident id and no detail; the detail goes to the log. A form shown
//! again with its error beside it takes its status from here too ([`form_with_errors`]).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::error::WebError;
use super::language::PageLang;
use super::pages::ErrorPage;
use crate::error::AppError;
use crate::i18n::Messages;

/// Where a browser without a session is sent.
const SIGN_IN: &str = "/officer/login";

/// The status of a use case's error, for pages and for the API's problem documents alike.
pub(crate) fn app_status(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::BadCredentials(_) => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        AppError::SessionEnded => StatusCode::SEE_OTHER,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Database(_) | AppError::Pool(_) | AppError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

fn status(error: &WebError) -> StatusCode {
    match error {
        WebError::App(error) => app_status(error),
        WebError::Csrf => StatusCode::FORBIDDEN,
        WebError::SignInRequired => StatusCode::SEE_OTHER,
        WebError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

/// Seconds a client should wait before trying again, for a `Retry-After` header.
fn retry_after(error: &WebError) -> Option<u64> {
    match error {
        WebError::App(error) => error.retry_after(),
        WebError::RateLimited => Some(60),
        _ => None,
    }
}

/// Where the browser is sent instead of seeing a page.
fn location(error: &WebError) -> Option<&'static str> {
    match error {
        WebError::SignInRequired | WebError::App(AppError::SessionEnded) => Some(SIGN_IN),
        _ => None,
    }
}

fn app_title_and_message(error: &AppError) -> (&'static str, String) {
    match error {
        AppError::Invalid(errors) => (
            "Please check the form",
            errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::BadRequest(message) => ("Something is wrong with that request", message.clone()),
        AppError::Forbidden(message) => ("You cannot do that", message.clone()),
        AppError::BadCredentials(message) => ("Sign-in failed", message.clone()),
        AppError::TooManyAttempts { message, .. } => ("Too many attempts", message.clone()),
        AppError::Busy => (
            "Please try again in a moment",
            "Many sign-ins are being checked right now. Wait a moment and send the form again.".to_string(),
        ),
        AppError::SessionEnded => signed_out(),
        AppError::NotFound => (
            "Page not found",
            "There is nothing here. If you followed a link from an email, it may be mistyped or no longer valid; you can ask for a new link on the \"Find my request\" page.".to_string(),
        ),
        AppError::Gone(message) => ("This link no longer works", message.clone()),
        AppError::Conflict(message) => ("That is not possible now", message.clone()),
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

fn signed_out() -> (&'static str, String) {
    (
        "Please sign in",
        "Your session has ended. Sign in again to continue.".to_string(),
    )
}

fn title_and_message(error: &WebError) -> (&'static str, String) {
    match error {
        WebError::App(error) => app_title_and_message(error),
        WebError::Csrf => (
            "This form has expired",
            "For your security the form could not be accepted. Go back, reload the page and send it again.".to_string(),
        ),
        WebError::SignInRequired => signed_out(),
        WebError::RateLimited => (
            "Too many attempts",
            "You have sent this form many times in a short while. Please wait a minute and try again.".to_string(),
        ),
        WebError::PayloadTooLarge => (
            "That was too much text",
            "The form was larger than we accept. Please shorten your text and try again.".to_string(),
        ),
    }
}

/// Sets the headers an error's answer carries whatever its body: where to go, when to retry.
fn add_error_headers(error: &WebError, response: &mut HttpResponse) {
    if let Some(location) = location(error) {
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static(location));
    }
    set_retry_after(response, retry_after(error));
}

fn set_retry_after(response: &mut HttpResponse, seconds: Option<u64>) {
    if let Some(seconds) = seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        status(self)
    }

    fn error_response(&self) -> HttpResponse {
        let status = status(self);
        let request_id = status.is_server_error().then(|| {
            let incident = uuid::Uuid::now_v7().to_string();
            tracing::error!(incident = %incident, error = %self, "request failed");
            incident
        });
        let (title, message) = title_and_message(self);
        let page = ErrorPage {
            lang: PageLang::default(),
            status: status.as_u16(),
            title: title.to_string(),
            message,
            request_id: request_id.clone(),
        };
        let mut response = error_page(self, &page);
        if let Some(id) = request_id {
            response.extensions_mut().insert(Incident(id));
        }
        response
    }
}

fn error_page(error: &WebError, page: &ErrorPage) -> HttpResponse {
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{} {}", page.status, page.title));
    let mut response = HttpResponse::build(status(error))
        .content_type("text/html; charset=utf-8")
        .body(body);
    add_error_headers(error, &mut response);
    response
}

/// The incident id an error page showed, so that the page in another language shows it too.
#[derive(Debug, Clone)]
pub struct Incident(pub String);

/// The message ids of an error's title and text in a requester's language. An error
/// carrying a message of its own is told in words its message id names, where one does,
/// or in its kind's general words.
fn message_ids(error: &WebError) -> (&'static str, &'static str) {
    match error {
        WebError::App(error) => match error {
            AppError::Invalid(_) | AppError::BadRequest(_) => {
                let known = match error {
                    AppError::BadRequest(m) if m == crate::app::status::REPLY_EMPTY => {
                        "error-reply-empty"
                    }
                    _ => "error-bad-request-message",
                };
                ("error-bad-request", known)
            }
            AppError::Forbidden(_) | AppError::BadCredentials(_) | AppError::SessionEnded => {
                ("error-forbidden", "error-forbidden-message")
            }
            AppError::TooManyAttempts { .. } | AppError::Busy => {
                ("error-rate-limited", "error-rate-limited-message")
            }
            AppError::NotFound => ("error-not-found", "error-not-found-message"),
            AppError::Gone(m) => {
                let known = if m == crate::app::verify::ALREADY_USED {
                    "error-verify-used"
                } else if m == crate::app::verify::EXPIRED {
                    "error-verify-expired"
                } else if m == crate::app::status::EXPIRED {
                    "error-link-expired"
                } else {
                    "error-gone-message"
                };
                ("error-gone", known)
            }
            AppError::Conflict(_) => ("error-conflict", "error-conflict-message"),
            AppError::Unavailable(_) => ("error-unavailable", "error-unavailable-message"),
            AppError::Database(_) | AppError::Pool(_) | AppError::Internal(_) => {
                ("error-internal", "error-internal-message")
            }
        },
        WebError::Csrf => ("error-form-expired", "error-form-expired-message"),
        WebError::SignInRequired => ("error-forbidden", "error-forbidden-message"),
        WebError::RateLimited => ("error-rate-limited", "error-rate-limited-message"),
        WebError::PayloadTooLarge => ("error-too-large", "error-too-large-message"),
    }
}

/// The error's page in the requester's language, with the same status, headers and
/// incident id as the English one.
pub fn localised(
    error: &WebError,
    messages: &Messages,
    incident: Option<Incident>,
) -> HttpResponse {
    let (title, message) = message_ids(error);
    let page = ErrorPage {
        lang: PageLang::new(messages.clone(), "/"),
        status: status(error).as_u16(),
        title: messages.t(title),
        message: messages.t(message),
        request_id: incident.map(|i| i.0),
    };
    let mut response = error_page(error, &page);
    if let Some(id) = page.request_id {
        response.extensions_mut().insert(Incident(id));
    }
    response
}

/// A form page shown again because of `error` (its message beside the form instead of an
/// error page): the status, and `Retry-After` where waiting helps, are the error's own.
pub fn form_with_errors(error: &AppError, mut page: HttpResponse) -> HttpResponse {
    *page.status_mut() = app_status(error);
    set_retry_after(&mut page, error.retry_after());
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_shown_again_takes_the_status_and_wait_of_its_error() {
        let wrong = AppError::BadCredentials("no".into());
        let page = form_with_errors(&wrong, HttpResponse::Ok().finish());
        assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
        assert!(page.headers().get(header::RETRY_AFTER).is_none());

        let throttled = AppError::TooManyAttempts {
            message: "wait".into(),
            retry_after: 42,
        };
        let page = form_with_errors(&throttled, HttpResponse::Ok().finish());
        assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(page.headers().get(header::RETRY_AFTER).unwrap(), "42");

        let invalid = AppError::Invalid(Vec::new());
        let page = form_with_errors(&invalid, HttpResponse::Ok().finish());
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn web_only_errors_and_ended_sessions_have_their_own_answers() {
        for error in [
            WebError::SignInRequired,
            WebError::App(AppError::SessionEnded),
        ] {
            let response = error.error_response();
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            assert_eq!(response.headers().get(header::LOCATION).unwrap(), SIGN_IN);
        }
        assert_eq!(WebError::Csrf.status_code(), StatusCode::FORBIDDEN);
        assert_eq!(
            WebError::PayloadTooLarge.status_code(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let limited = WebError::RateLimited.error_response();
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.headers().get(header::RETRY_AFTER).unwrap(), "60");
        let failed = WebError::from(AppError::Internal("detail".into())).error_response();
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
