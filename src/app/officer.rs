//! The signed-in officer as every officer use case sees them.

use crate::domain::access::OfficerScope;
use crate::domain::audit::Actor;
use crate::domain::ids::OfficerId;
use crate::domain::regime::Regime;
use crate::error::AppError;
use crate::store::{officers, DbConn};

/// An officer with a live session. Use cases take this, so none can forget to check access.
#[derive(Debug, Clone)]
pub struct CurrentOfficer {
    pub id: OfficerId,
    pub name: String,
    pub email: String,
    pub scope: OfficerScope,
    pub session_hash: String,
}

impl CurrentOfficer {
    pub fn actor(&self) -> Actor {
        Actor::Officer(self.id)
    }

    /// A request outside one's regions does not exist as far as this officer can tell.
    pub fn ensure_can_read(&self, regime: Regime) -> Result<(), AppError> {
        if self.scope.can_read(regime) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Reading is checked first (404), then acting (403: the officer can see it, so saying
    /// so reveals nothing).
    pub fn ensure_can_act(&self, regime: Regime) -> Result<(), AppError> {
        self.ensure_can_read(regime)?;
        if self.scope.can_act(regime) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Your role lets you read requests, not change them.".to_string(),
            ))
        }
    }

    pub fn readable_regime_codes(&self) -> Vec<&'static str> {
        self.scope
            .readable_regimes()
            .into_iter()
            .map(Regime::as_str)
            .collect()
    }
}

/// An officer as lists show them: id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerName {
    pub id: OfficerId,
    pub name: String,
}

/// Every officer's name by id (an organisation's privacy team is small).
pub fn names(conn: &mut DbConn) -> Result<Vec<OfficerName>, AppError> {
    Ok(officers::list(conn)?
        .into_iter()
        .map(|officer| OfficerName {
            id: officer.id,
            name: officer.name,
        })
        .collect())
}

/// The name of officer `id` among `names`, for pages.
pub fn name_of(names: &[OfficerName], id: OfficerId) -> String {
    names
        .iter()
        .find(|o| o.id == id)
        .map_or_else(|| "Unknown officer".to_string(), |o| o.name.clone())
}
