//! Applying a lifecycle transition: the guard, the change and its audit event, together.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::requests::LoadedRequest;
use crate::domain::audit::Actor;
use crate::domain::lifecycle::{self, Action, Transition};
use crate::error::AppError;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::requests::{self, RequestChanges};
use crate::store::time::to_db;
use crate::store::DbConn;

/// Checks the guard of `action`, stores `changes` plus the new status (only if nobody changed
/// the request since it was read) and appends the audit event. Must run inside
/// [`crate::store::write`], so that the change and its event commit together.
pub fn apply(
    conn: &mut DbConn,
    request: &LoadedRequest,
    action: Action,
    actor: &Actor,
    now: OffsetDateTime,
    mut changes: RequestChanges,
    details: Map<String, Value>,
) -> Result<Transition, AppError> {
    let transition = lifecycle::transition(&request.state(), action, now)?;
    if transition.to != transition.from {
        changes.status = Some(transition.to.as_str().to_string());
    }
    if transition.closes() {
        changes.closed_at = Some(to_db(now));
    }
    let current = requests::update_if_version(
        conn,
        &request.row.id,
        request.row.version,
        &changes,
        to_db(now),
    )?;
    if current && transition.to != transition.from {
        requests::count_move(
            conn,
            request.regime.as_str(),
            Some(transition.from.as_str()),
            transition.to.as_str(),
        )?;
    }
    if !current {
        return Err(AppError::Conflict(
            "Someone else changed this request a moment ago. Reload the page to see its current state.".to_string(),
        ));
    }
    record(
        conn,
        request,
        action.event_name(),
        actor,
        now,
        transition,
        details,
    )?;
    Ok(transition)
}

fn record(
    conn: &mut DbConn,
    request: &LoadedRequest,
    event_name: &str,
    actor: &Actor,
    now: OffsetDateTime,
    transition: Transition,
    mut details: Map<String, Value>,
) -> Result<(), AppError> {
    details.insert("reference".into(), request.row.reference.clone().into());
    details.insert("from".into(), transition.from.as_str().into());
    details.insert("to".into(), transition.to.as_str().into());
    let details = Value::Object(details).to_string();
    audit::append(
        conn,
        &NewAuditEvent {
            at: now,
            actor: &actor.to_audit_string(),
            action: event_name,
            target: &request.audit_target(),
            details: &details,
        },
    )?;
    Ok(())
}
