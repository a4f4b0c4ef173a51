//! The use cases' error: what went wrong, in terms of the portal, with no HTTP in it. The web
//! layer turns it into a status and an error page in one place (`web::error_response`);
//! the command line prints it.

use crate::domain::lifecycle::Refusal;
use crate::domain::submission::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Form input that failed its checks; handlers usually re-render the form instead.
    #[error("the form has errors")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
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
    /// The officer's session is unknown, has expired, or its officer is disabled: they must
    /// sign in again.
    #[error("the session has ended")]
    SessionEnded,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Conflict(String),
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

impl AppError {
    /// The fields an `Invalid` error names; none for any other error.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) => errors,
            _ => &[],
        }
    }

    /// Seconds to wait before trying again, when waiting helps.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after, .. } => Some(*retry_after),
            AppError::Busy => Some(1),
            _ => None,
        }
    }
}
