//! The audit trail: the viewer's pages, the sequencer, the chain check, the rotation seals
//! that retire keys, and the feed.

mod feed;
mod rotation;
mod sequencer;
mod verify;

pub use feed::{events_after, newest_checkpoint};
pub use rotation::{seal_retired_era, Rotation};
pub use sequencer::{seal_chain, sequence_batch, sequence_pending, SequenceRun, DEFAULT_BATCH};
pub use verify::{verify_chain, verify_log, VerifyError};

use super::Context;
use crate::domain::audit::AuditCursor;
use crate::domain::day;
use crate::error::AppError;
use crate::store::audit;

/// The audit viewer's filters, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub to: String,
    pub before: String,
}

pub const AUDIT_PAGE: i64 = 100;

/// A page of events, limited to what the officer may see. Admins and auditors read the
/// whole trail. An officer reads the events about requests of their regions (the request
/// named by the event's target, `request:<id>`) and the events by or about themselves (their
/// sign-ins, their own actions wherever they were). Everything else is for admins and
/// auditors only: events not about a request (other officers' sign-ins, settings, officer
/// management, imports, purges, mail), the inventory effects of a fulfilment (targets
/// `record:`/`subject:`, which may span requesters of several regions), holds placed on a
/// person without a request, and events of requests since deleted.
pub fn list_events(
    ctx: &Context,
    officer: &crate::app::officer::CurrentOfficer,
    query: &AuditQuery,
) -> Result<Vec<crate::domain::audit::AuditEvent>, AppError> {
    let date = |text: &str, field: &str| -> Result<Option<time::Date>, AppError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        day::parse(text)
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("Enter the {field} date like 2026-11-23.")))
    };
    // Actors, actions and targets are written by the app and hold no control characters;
    // one in a filter matches nothing, and a NUL is more than PostgreSQL can compare.
    let non_empty = |text: &str, field: &str| -> Result<Option<String>, AppError> {
        let text = text.trim();
        if text.chars().any(char::is_control) {
            return Err(AppError::BadRequest(format!(
                "Enter the {field} as the audit trail shows it."
            )));
        }
        Ok(Some(text).filter(|t| !t.is_empty()).map(str::to_string))
    };
    let (actor, action, target) = (
        non_empty(&query.actor, "actor")?,
        non_empty(&query.action, "action")?,
        non_empty(&query.target, "target")?,
    );
    // The to date is included: events before the next day's midnight. 9999-12-31 has no
    // next day, and no event can come after it, so it means what a reader asks for by
    // typing it: no upper bound.
    let until = date(&query.to, "to")?
        .and_then(time::Date::next_day)
        .map(time::Date::midnight);
    let (regimes, own) = (
        officer.readable_regime_codes(),
        officer.actor().to_audit_string(),
    );
    let filter = crate::store::audit::AuditFilter {
        actor: actor.as_deref(),
        action: action.as_deref(),
        target: target.as_deref(),
        from: date(&query.from, "from")?.map(time::Date::midnight),
        until,
        before: AuditCursor::parse(&query.before),
        visible_to: (!officer.scope.reads_whole_audit_trail()).then_some(
            crate::store::audit::AuditReader {
                regimes: &regimes,
                own: &own,
            },
        ),
    };
    let mut conn = ctx.conn()?;
    Ok(audit::list_filtered(&mut conn, &filter, AUDIT_PAGE)?)
}
