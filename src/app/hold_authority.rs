//! Who may release a legal hold: whoever has authority over the region of the request the
//! hold was placed from, or an admin. Seeing a hold (on a request of one's own region that
//! shares the requester's data) is not enough to lift an order placed from another region.

use super::officer::CurrentOfficer;
use crate::domain::hold::Hold;
use crate::domain::regime::Regime;
use crate::error::AppError;
use crate::store::{requests, DbConn};

/// Refuses (403) a release by an officer without authority over the hold's origin. Runs
/// inside the release's transaction, before anything is changed.
pub fn ensure_may_release(
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    hold: &Hold,
) -> Result<(), AppError> {
    let origin = origin_regime(conn, hold)?;
    if officer.scope.can_release_hold(origin) {
        return Ok(());
    }
    Err(AppError::Forbidden(match origin {
        Some(regime) => format!(
            "This hold was placed from a request of another region ({}). Only officers of that region or an admin can release it.",
            regime.label()
        ),
        None => "This hold was not placed from a request. Only an admin can release it."
            .to_string(),
    }))
}

/// A hold as a page shows it: with the region it came from and whether this officer may
/// release it (the same rule [`ensure_may_release`] enforces).
#[derive(Debug, Clone)]
pub struct ShownHold {
    pub hold: Hold,
    /// The regime of the request the hold was placed from; `None` when placed from none.
    pub origin: Option<Regime>,
    pub may_release: bool,
}

/// Pairs each hold with its origin and this officer's authority to release it.
pub fn shown_holds(
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    holds: Vec<Hold>,
) -> Result<Vec<ShownHold>, AppError> {
    holds
        .into_iter()
        .map(|hold| {
            let origin = origin_regime(conn, &hold)?;
            Ok(ShownHold {
                may_release: officer.scope.can_release_hold(origin),
                hold,
                origin,
            })
        })
        .collect()
}

/// The regime of the request the hold came from; `None` when it came from none (or that
/// request is gone).
fn origin_regime(conn: &mut DbConn, hold: &Hold) -> Result<Option<Regime>, AppError> {
    let Some(request_id) = hold.origin_request_id else {
        return Ok(None);
    };
    Ok(requests::find_regime(conn, request_id)?)
}
