//! Applying a lifecycle transition: the guard, the change and its audit event, together.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::domain::audit::Actor;
use crate::domain::lifecycle::{self, Action, Transition};
use crate::domain::request::Request;
use crate::error::AppError;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::requests::{self, RequestChanges};
use crate::store::time::to_db;
use crate::store::DbConn;
use crate::vault::Keyring;

use super::webhooks;

/// The audit event of something an action did besides changing the request (a data
/// package made, records erased), by the action's actor at the action's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectEvent {
    pub action: &'static str,
    pub target: String,
    pub details: String,
}

/// Checks the guard of `action`, stores `changes` plus the new status (only if nobody changed
/// the request since it was read), queues the webhook event the transition causes and
/// appends the audit event. Must run inside
/// [`crate::store::write`], so that the change and its event commit together.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &Request,
    action: Action,
    actor: &Actor,
    now: OffsetDateTime,
    changes: RequestChanges,
    details: Map<String, Value>,
) -> Result<Transition, AppError> {
    apply_after(
        conn,
        vault,
        request,
        action,
        actor,
        now,
        changes,
        details,
        &[],
    )
}

/// [`apply`] for an action that has also changed other data: the `effects` events are
/// appended just before the transition's own, after the request and its count have
/// changed. The audit head is the last lock a transaction takes (see `store::audit`), so
/// everything an action changes is changed before its first event is appended.
#[allow(clippy::too_many_arguments)]
pub fn apply_after(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &Request,
    action: Action,
    actor: &Actor,
    now: OffsetDateTime,
    mut changes: RequestChanges,
    details: Map<String, Value>,
    effects: &[EffectEvent],
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
        &request.id.to_string(),
        request.version,
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
    // Other systems hear of the change in the same transaction, before the audit head's
    // lock (the last one a transaction takes).
    webhooks::enqueue::enqueue_transition(conn, vault, request, &transition, now)?;
    record(
        conn,
        request,
        action.event_name(),
        actor,
        now,
        transition,
        details,
        effects,
    )?;
    Ok(transition)
}

#[allow(clippy::too_many_arguments)]
fn record(
    conn: &mut DbConn,
    request: &Request,
    event_name: &str,
    actor: &Actor,
    now: OffsetDateTime,
    transition: Transition,
    mut details: Map<String, Value>,
    effects: &[EffectEvent],
) -> Result<(), AppError> {
    details.insert("reference".into(), request.reference.to_string().into());
    details.insert("from".into(), transition.from.as_str().into());
    details.insert("to".into(), transition.to.as_str().into());
    let details = Value::Object(details).to_string();
    let actor = actor.to_audit_string();
    let target = request.audit_target();
    let events: Vec<NewAuditEvent<'_>> = effects
        .iter()
        .map(|effect| NewAuditEvent {
            at: now,
            actor: &actor,
            action: effect.action,
            target: &effect.target,
            details: &effect.details,
        })
        .chain(std::iter::once(NewAuditEvent {
            at: now,
            actor: &actor,
            action: event_name,
            target: &target,
            details: &details,
        }))
        .collect();
    audit::append_many(conn, &events)?;
    Ok(())
}
