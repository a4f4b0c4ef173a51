//! Readiness: the database answers and no migration is pending.

use super::Context;
use crate::error::AppError;
use crate::store;

pub fn check_ready(ctx: &Context) -> Result<(), AppError> {
    let mut conn = ctx
        .pool
        .get()
        .map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
    match store::has_pending_migrations(&mut conn) {
        Ok(false) => Ok(()),
        Ok(true) => Err(AppError::Unavailable("migrations are pending".to_string())),
        Err(e) => Err(AppError::Unavailable(e.to_string())),
    }
}
