//! The web layer's error: a use case's [`AppError`], or what only HTTP has (a forged or
//! stale form, a missing sign-in, a flood of posts, an oversized body). Statuses and pages
//! for both are chosen in one place, `web::error_response`.

use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    /// The form's CSRF token is missing or was not issued to this browser or session.
    #[error("the form was too old or not sent from this site")]
    Csrf,
    /// An officer page without a live session: the browser is sent to sign in.
    #[error("sign-in required")]
    SignInRequired,
    /// A client posted more public forms than its budget allows.
    #[error("too many requests")]
    RateLimited,
    #[error("the request body is too large")]
    PayloadTooLarge,
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(error: actix_web::error::BlockingError) -> WebError {
        WebError::App(AppError::Internal(error.to_string()))
    }
}
