//! A request as the officer works it: the detail view, and the entry point of every
//! workflow action (the actions themselves in `action.rs`, legal holds in `hold.rs`).

mod action;
mod duplicates;
mod hold;

pub use duplicates::DuplicateLinks;

use crate::vault::Keyring;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::fulfil::subject_of;
use super::hold_authority::{shown_holds, ShownHold};
use super::inventory::SubjectData;
use super::officer::{CurrentOfficer, OfficerName};
use super::{clock, Context};
use crate::domain::access_events::{on_request_timeline, REQUEST_VIEWED};
use crate::domain::audit::{AuditEvent, Target};
use crate::domain::hold::HoldScope;
use crate::domain::lifecycle::{self, Action};
use crate::domain::message::Message;
use crate::domain::officer::Officer;
use crate::domain::officer_action::ActionRequest;
use crate::domain::regime::Regime;
use crate::domain::request::Request;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::store::audit;
use crate::store::officers;
use crate::store::requests::{self, RequestChanges};
use crate::store::time::to_db;
use crate::store::{holds, messages, DbConn};

/// Which action forms the officer may use on this request now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllowedActions {
    pub assign: bool,
    pub start: bool,
    pub ask_requester: bool,
    pub extend: bool,
    pub reject: bool,
    pub fulfil: bool,
    pub note: bool,
    pub hold: bool,
    /// Close this request into the open request it was linked to.
    pub merge: bool,
}

/// Everything the request page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub request: Request,
    pub events: Vec<AuditEvent>,
    pub messages: Vec<Message>,
    /// Active holds on the request, the requester's data as a whole, or one of their records,
    /// each with whether this officer may release it.
    pub holds: Vec<ShownHold>,
    /// What the organisation holds about the requester (found by their email).
    pub subject: Option<SubjectData>,
    /// Every officer, for assignees, actors and who placed a hold.
    pub officers: Vec<OfficerName>,
    /// Officers who may be assigned this request.
    pub assignable: Vec<OfficerName>,
    pub allowed: AllowedActions,
    pub extension_until: Option<OffsetDateTime>,
    pub due_rule: String,
    pub read_only: bool,
    /// The request this one was linked to as a likely duplicate, and those linked to it.
    pub links: DuplicateLinks,
}

pub fn view(
    ctx: &Context,
    officer: &CurrentOfficer,
    reference: &str,
) -> Result<CaseView, AppError> {
    let mut conn = ctx.conn()?;
    let request = load_readable(&mut conn, &ctx.keyring, officer, reference)?;
    let now = clock::now();
    let policy = &ctx.settings.policy.deadlines;
    let can_act = officer.scope.can_act(request.regime);
    let state = request.state();
    let allows = |action| can_act && lifecycle::transition(&state, action, now).is_ok();
    let extension_until = policy.extended_due(
        request.regime,
        request.kind,
        request.content_removal,
        request.received_at,
    );
    let links = duplicates::links(&mut conn, &request)?;
    let allowed = AllowedActions {
        merge: allows(Action::Merge) && links.can_merge(),
        assign: allows(Action::Assign),
        start: allows(Action::Start),
        ask_requester: allows(Action::AskRequester),
        extend: allows(Action::Extend) && extension_until.is_some(),
        reject: allows(Action::Reject),
        fulfil: allows(Action::Fulfil),
        note: allows(Action::Note),
        hold: can_act,
    };
    let events: Vec<AuditEvent> = audit::list_for_target(&mut conn, &request.audit_target())?
        .into_iter()
        .filter(|event| on_request_timeline(&event.action))
        .collect();
    let messages = messages::list_for_request(&mut conn, &ctx.keyring, request.id)?;
    let subject = subject_of(ctx, &mut conn, &request)?;
    let mut holds = holds::active_for(
        &mut conn,
        &ctx.keyring,
        HoldScope::Request.as_str(),
        &request.id.to_string(),
        now.date(),
    )?;
    if let Some(data) = &subject {
        holds.extend(holds::active_for(
            &mut conn,
            &ctx.keyring,
            HoldScope::Subject.as_str(),
            &data.subject.id.to_string(),
            now.date(),
        )?);
        let record_ids: Vec<String> = data
            .records
            .iter()
            .map(|r| r.record.id.to_string())
            .collect();
        holds.extend(holds::active_for_targets(
            &mut conn,
            &ctx.keyring,
            HoldScope::Record.as_str(),
            &record_ids,
            now.date(),
        )?);
    }
    let holds = shown_holds(&mut conn, officer, holds)?;
    let mut officers = Vec::new();
    let mut assignable = Vec::new();
    for officer in officers::list(&mut conn)? {
        let name = OfficerName {
            id: officer.id,
            name: officer.name.clone(),
        };
        if may_work_on(&officer, request.regime) {
            assignable.push(name.clone());
        }
        officers.push(name);
    }
    drop(conn);
    record_view(ctx, officer, &request, now)?;
    Ok(CaseView {
        due_rule: policy.describe(request.regime, request.kind, request.content_removal),
        officers,
        request,
        events,
        messages,
        holds,
        subject,
        assignable,
        allowed,
        extension_until,
        read_only: !can_act,
        links,
    })
}

/// Audits the officer's view of the request, in its own short transaction: who read which
/// request's personal data, and when. The details are empty; the target names the request.
fn record_view(
    ctx: &Context,
    officer: &CurrentOfficer,
    request: &Request,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    ctx.write(|conn| {
        audit::append_event(
            conn,
            now,
            &officer.actor(),
            REQUEST_VIEWED,
            &Target::Request(request.id),
            &serde_json::json!({}),
        )?;
        Ok(())
    })
}

/// Whether an officer may be given work in `regime`: active, and acting there.
fn may_work_on(officer: &Officer, regime: Regime) -> bool {
    officer.is_active() && officer.scope().can_act(regime)
}

fn load_readable(
    conn: &mut DbConn,
    vault: &Keyring,
    officer: &CurrentOfficer,
    reference: &str,
) -> Result<Request, AppError> {
    let request = requests::find_by_reference(conn, vault, reference)?.ok_or(AppError::NotFound)?;
    officer.ensure_can_read(request.regime)?;
    // Unverified requests are not the officers' business until the requester confirms.
    if request.status == RequestStatus::Unverified {
        return Err(AppError::NotFound);
    }
    Ok(request)
}

/// Runs one workflow action on the request, refused when the request changed since the
/// officer's page showed it (`input.version`). The change, its message, its mail and its
/// audit event commit together.
pub fn act(
    ctx: &Context,
    officer: &CurrentOfficer,
    reference: &str,
    input: ActionRequest,
) -> Result<(), AppError> {
    ctx.write(|conn| {
        let now = clock::now();
        let request = load_readable(conn, &ctx.keyring, officer, reference)?;
        officer.ensure_can_act(request.regime)?;
        if request.version != input.version {
            return Err(stale());
        }
        action::apply(ctx, conn, officer, &request, &input.action, now)
    })?;
    ctx.wake_mailer();
    Ok(())
}

fn stale() -> AppError {
    AppError::Conflict(
        "Someone else changed this request after you opened it. Reload the page to see its current state, then try again.".to_string(),
    )
}

/// Claims the request's version for a change that is not a status transition.
fn bump_version(conn: &mut DbConn, request: &Request, now: OffsetDateTime) -> Result<(), AppError> {
    if requests::update_if_version(
        conn,
        &request.id.to_string(),
        request.version,
        &RequestChanges::default(),
        to_db(now),
    )? {
        Ok(())
    } else {
        Err(stale())
    }
}

/// Appends the audit event of a change that is not a status transition.
fn record(
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &Request,
    action: &str,
    details: Map<String, Value>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append_event(
        conn,
        now,
        &officer.actor(),
        action,
        &Target::Request(request.id),
        &Value::Object(details),
    )?;
    Ok(())
}
