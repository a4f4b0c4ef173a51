//! Likely duplicates on the officer's side: the links a request page shows (the request this
//! one repeats, or the ones that repeat it), and which request a merge closes this one into.

use super::Context;
use crate::domain::request::{LinkedRequest, Request};
use crate::error::AppError;
use crate::store::requests;
use crate::store::DbConn;

/// The links of a request: the open request it was linked to, and those linked to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DuplicateLinks {
    pub duplicate_of: Option<LinkedRequest>,
    pub duplicates: Vec<LinkedRequest>,
}

impl DuplicateLinks {
    /// Whether a merge into the linked request is possible: it is still open.
    pub fn can_merge(&self) -> bool {
        self.duplicate_of
            .as_ref()
            .is_some_and(|original| !original.status.is_closed())
    }
}

pub(super) fn links(conn: &mut DbConn, request: &Request) -> Result<DuplicateLinks, AppError> {
    let duplicate_of = match request.duplicate_of {
        Some(id) => requests::linked(conn, id)?,
        None => None,
    };
    Ok(DuplicateLinks {
        duplicate_of,
        duplicates: requests::duplicates_of(conn, request.id)?,
    })
}

/// The request a duplicate is merged into: the one it was linked to, which must still be
/// open.
pub(super) fn merge_target(
    ctx: &Context,
    conn: &mut DbConn,
    request: &Request,
) -> Result<Request, AppError> {
    let id = request.duplicate_of.ok_or_else(|| {
        AppError::Conflict(
            "This request is not linked to another request: only a linked duplicate can be merged."
                .to_string(),
        )
    })?;
    let original = requests::find_by_id(conn, &ctx.keyring, id)?.ok_or(AppError::NotFound)?;
    if original.status.is_closed() {
        return Err(AppError::Conflict(
            "The request this one was linked to is closed: answer this request on its own."
                .to_string(),
        ));
    }
    Ok(original)
}
