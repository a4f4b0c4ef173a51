//! A request as the officer works it: the detail view and every workflow action.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::fulfil::{subject_of, FulfilChoices};
use super::inventory::SubjectData;
use super::officer::{scope_of, CurrentOfficer};
use super::requests::{queue_mail, LoadedRequest};
use super::status::fresh_status_link;
use super::{clock, Context};
use crate::domain::fulfilment::outcome_summary;
use crate::domain::lifecycle::{self, Action};
use crate::domain::officer_action::{ActionRequest, HoldTarget, OfficerAction};
use crate::domain::regime::Regime;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::mail::compose;
use crate::store::audit::{self, AuditEventRow, NewAuditEvent};
use crate::store::holds::{self, HoldRow, NewHold};
use crate::store::messages::{self, MessageRow, NewMessage};
use crate::store::officers::{self, OfficerRow};
use crate::store::requests::{self, RequestChanges};
use crate::store::time::{from_db, to_db};
use crate::store::DbConn;

/// Legal holds on requests use this scope (subjects and records come with the inventory).
pub const REQUEST_HOLD_SCOPE: &str = "request";

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
}

/// Everything the request page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub request: LoadedRequest,
    pub events: Vec<AuditEventRow>,
    pub messages: Vec<MessageRow>,
    /// Active holds on the request, the requester's data as a whole, or one of their records.
    pub holds: Vec<HoldRow>,
    /// What the organisation holds about the requester (found by their email).
    pub subject: Option<SubjectData>,
    /// Officer id → name, for assignees and actors.
    pub officer_names: Vec<(String, String)>,
    /// Officers who may be assigned this request.
    pub assignable: Vec<OfficerRow>,
    pub allowed: AllowedActions,
    pub extension_until: Option<OffsetDateTime>,
    pub due_rule: String,
    pub read_only: bool,
}

pub fn view(
    ctx: &Context,
    officer: &CurrentOfficer,
    reference: &str,
) -> Result<CaseView, AppError> {
    let mut conn = ctx.conn()?;
    let request = load_readable(&mut conn, officer, reference)?;
    let now = clock::now();
    let policy = &ctx.settings.policy.deadlines;
    let can_act = officer.scope.can_act(request.regime);
    let state = request.state();
    let allows = |action| can_act && lifecycle::transition(&state, action, now).is_ok();
    let extension_until = policy.extended_due(
        request.regime,
        request.kind,
        request.row.content_removal,
        from_db(request.row.received_at),
    );
    let allowed = AllowedActions {
        assign: allows(Action::Assign),
        start: allows(Action::Start),
        ask_requester: allows(Action::AskRequester),
        extend: allows(Action::Extend) && extension_until.is_some(),
        reject: allows(Action::Reject),
        fulfil: allows(Action::Fulfil),
        note: allows(Action::Note),
        hold: can_act,
    };
    let events = audit::list_for_target(&mut conn, &request.audit_target())?;
    let messages = messages::list_for_request(&mut conn, &request.row.id)?;
    let subject = subject_of(ctx, &mut conn, &request)?;
    let mut holds = holds::active_for(&mut conn, REQUEST_HOLD_SCOPE, &request.row.id, now.date())?;
    if let Some(data) = &subject {
        holds.extend(holds::active_for(
            &mut conn,
            "subject",
            &data.subject.id,
            now.date(),
        )?);
        let record_ids: Vec<String> = data.records.iter().map(|r| r.row.id.clone()).collect();
        holds.extend(holds::active_for_targets(
            &mut conn,
            "record",
            &record_ids,
            now.date(),
        )?);
    }
    let all_officers = officers::list(&mut conn)?;
    let assignable = all_officers
        .iter()
        .filter(|o| o.disabled_at.is_none() && may_work_on(o, request.regime))
        .cloned()
        .collect();
    Ok(CaseView {
        due_rule: policy.describe(request.regime, request.kind, request.row.content_removal),
        officer_names: all_officers.into_iter().map(|o| (o.id, o.name)).collect(),
        request,
        events,
        messages,
        holds,
        subject,
        assignable,
        allowed,
        extension_until,
        read_only: !can_act,
    })
}

/// Whether an officer (by their stored row) may be given work in `regime`.
fn may_work_on(officer: &OfficerRow, regime: Regime) -> bool {
    scope_of(officer).is_ok_and(|scope| scope.can_act(regime))
}

fn load_readable(
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    reference: &str,
) -> Result<LoadedRequest, AppError> {
    let row = requests::find_by_reference(conn, reference)?.ok_or(AppError::NotFound)?;
    let request = LoadedRequest::from_row(row)?;
    officer.ensure_can_read(request.regime)?;
    // Unverified requests are not the officers' business until the requester confirms.
    if request.status == RequestStatus::Unverified {
        return Err(AppError::NotFound);
    }
    Ok(request)
}

/// What the officer is told after an action.
pub fn act(
    ctx: &Context,
    officer: &CurrentOfficer,
    reference: &str,
    input: ActionRequest,
) -> Result<(), AppError> {
    ctx.write(|conn| {
        let now = clock::now();
        let request = load_readable(conn, officer, reference)?;
        officer.ensure_can_act(request.regime)?;
        if request.row.version != input.version {
            return Err(stale());
        }
        apply(ctx, conn, officer, &request, &input.action, now)
    })?;
    ctx.wake_mailer();
    Ok(())
}

fn stale() -> AppError {
    AppError::Conflict(
        "Someone else changed this request after you opened it. Reload the page to see its current state, then try again.".to_string(),
    )
}

fn apply(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &LoadedRequest,
    action: &OfficerAction,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let actor = officer.actor();
    let mut changes = RequestChanges::default();
    let mut details = Map::new();
    // Messages for the requester or the file, stored beside the event that refers to them.
    let mut message: Option<(&str, String)> = None;
    let mut tell_requester = false;
    let mut effect_events = Vec::new();
    match action {
        OfficerAction::Assign { assignee } => {
            let target = officers::find_by_id(conn, assignee)?
                .filter(|o| o.disabled_at.is_none() && may_work_on(o, request.regime))
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "That officer cannot work on requests of this region.".to_string(),
                    )
                })?;
            changes.assignee_id = Some(target.id.clone());
            details.insert("assignee".into(), Value::String(target.id));
        }
        OfficerAction::Start => {
            if request.row.assignee_id.is_none() {
                changes.assignee_id = Some(officer.id.clone());
            }
        }
        OfficerAction::AskRequester { message: text } => {
            message = Some(("officer", text.clone()));
            tell_requester = true;
        }
        OfficerAction::Extend { reason } => {
            let extended = ctx
                .settings
                .policy
                .deadlines
                .extended_due(
                    request.regime,
                    request.kind,
                    request.row.content_removal,
                    from_db(request.row.received_at),
                )
                .ok_or_else(|| {
                    AppError::Conflict("This regime allows no extension.".to_string())
                })?;
            changes.extended_due_at = Some(to_db(extended));
            changes.effective_due_at = Some(to_db(extended));
            details.insert(
                "new_due_at".into(),
                Value::String(to_db(extended).to_string()),
            );
            message = Some(("officer", format!("We need more time to answer: {reason}")));
            tell_requester = true;
        }
        OfficerAction::Reject {
            reason,
            message: text,
        } => {
            changes.outcome = Some("rejected".to_string());
            changes.rejection_reason = Some(reason.as_str().to_string());
            details.insert(
                "reason_code".into(),
                Value::String(reason.as_str().to_string()),
            );
            let mut body = format!("{}.\n\n{text}", reason.label());
            if request.regime == Regime::Eu {
                body.push_str("\n\nYou have the right to lodge a complaint with a data protection supervisory authority, in particular in the country where you live or work, and to seek a judicial remedy.");
            }
            message = Some(("officer", body));
            tell_requester = true;
        }
        OfficerAction::Fulfil {
            message: text,
            records,
            correction,
            purposes,
        } => {
            // The data effects come first: a refused choice stops the action whole. Their
            // events are appended with the transition's, once every change is made.
            let fulfilment = super::fulfil::apply(
                ctx,
                conn,
                request,
                FulfilChoices {
                    records,
                    correction: correction.as_ref(),
                    purposes,
                },
                now,
            )?;
            effect_events = fulfilment.events;
            changes.outcome = Some("fulfilled".to_string());
            let body = match outcome_summary(&fulfilment.effects) {
                Some(summary) => format!("{text}\n\n{summary}"),
                None => text.clone(),
            };
            message = Some(("officer", body));
            tell_requester = true;
        }
        OfficerAction::Note { message: text } => {
            message = Some(("internal", text.clone()));
        }
        OfficerAction::Hold {
            target,
            order_reference,
            expires_on,
            reason,
        } => {
            let hold = HoldOrder {
                target,
                order_reference,
                expires_on: *expires_on,
                reason,
            };
            return place_hold(ctx, conn, officer, request, &hold, now);
        }
        OfficerAction::ReleaseHold { hold_id } => {
            return release_hold(ctx, conn, officer, request, hold_id, now);
        }
    }
    let lifecycle_action = action
        .lifecycle()
        .ok_or_else(|| AppError::Internal("action without a transition".to_string()))?;
    let message_id = uuid::Uuid::now_v7().to_string();
    if let Some((author, body)) = &message {
        messages::insert(
            conn,
            &NewMessage {
                id: &message_id,
                request_id: &request.row.id,
                author,
                body,
                created_at: to_db(now),
            },
        )?;
        details.insert("message_id".into(), Value::String(message_id.clone()));
    }
    let transition = super::transition::apply_after(
        conn,
        request,
        lifecycle_action,
        &actor,
        now,
        changes,
        details,
        &effect_events,
    )?;
    if tell_requester {
        let link = fresh_status_link(ctx, conn, &request.row.id, now)?;
        let label = match action {
            OfficerAction::Extend { .. } => {
                format!("{} (the deadline was extended)", transition.to.label())
            }
            _ => transition.to.label().to_string(),
        };
        let mail =
            compose::status_changed(&request.row.email, &request.row.reference, &label, &link)?;
        queue_mail(conn, &mail, now)?;
    }
    Ok(())
}

/// A legal hold as the officer asked for it.
struct HoldOrder<'a> {
    target: &'a HoldTarget,
    order_reference: &'a str,
    expires_on: Option<time::Date>,
    reason: &'a str,
}

fn place_hold(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &LoadedRequest,
    hold: &HoldOrder<'_>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let HoldOrder {
        target,
        order_reference,
        expires_on,
        reason,
    } = *hold;
    if expires_on.is_some_and(|date| date < now.date()) {
        return Err(AppError::BadRequest(
            "The hold's expiry date has already passed.".to_string(),
        ));
    }
    bump_version(conn, request, now)?;
    let target_id = match target {
        HoldTarget::Request => request.row.id.clone(),
        HoldTarget::Subject | HoldTarget::Record(_) => {
            let data = subject_of(ctx, conn, request)?.ok_or_else(|| {
                AppError::BadRequest(
                    "We hold no data about this person; place the hold on the request instead."
                        .to_string(),
                )
            })?;
            match target {
                HoldTarget::Record(id) => data
                    .records
                    .iter()
                    .find(|r| &r.row.id == id)
                    .map(|r| r.row.id.clone())
                    .ok_or_else(|| {
                        AppError::BadRequest(
                            "That record is not one of this person's records.".to_string(),
                        )
                    })?,
                _ => data.subject.id,
            }
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    holds::insert(
        conn,
        &NewHold {
            id: &id,
            scope: target.scope(),
            target_id: &target_id,
            order_reference,
            reason,
            placed_by: &officer.id,
            placed_at: to_db(now),
            expires_on,
            origin_request_id: Some(&request.row.id),
        },
    )?;
    let mut details = Map::new();
    details.insert("hold_id".into(), Value::String(id));
    details.insert("scope".into(), Value::String(target.scope().to_string()));
    details.insert("target_id".into(), Value::String(target_id));
    details.insert(
        "reference".into(),
        Value::String(request.row.reference.clone()),
    );
    details.insert(
        "expires_on".into(),
        expires_on.map_or(Value::Null, |d| Value::String(d.to_string())),
    );
    record(conn, officer, request, "request.hold_placed", details, now)
}

fn release_hold(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &LoadedRequest,
    hold_id: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    bump_version(conn, request, now)?;
    let not_active = || AppError::Conflict("That hold is not active on this request.".to_string());
    let hold = holds::find(conn, hold_id)?.ok_or_else(not_active)?;
    // Only holds this page shows can be released from it: on the request, or on the
    // requester's data.
    let covers_this_request = match hold.scope.as_str() {
        REQUEST_HOLD_SCOPE => hold.target_id == request.row.id,
        scope => subject_of(ctx, conn, request)?.is_some_and(|data| match scope {
            "subject" => data.subject.id == hold.target_id,
            "record" => data.records.iter().any(|r| r.row.id == hold.target_id),
            _ => false,
        }),
    };
    if !covers_this_request {
        return Err(not_active());
    }
    super::hold_authority::ensure_may_release(conn, officer, &hold)?;
    if !holds::release(
        conn,
        hold_id,
        &hold.scope,
        &hold.target_id,
        &officer.id,
        to_db(now),
    )? {
        return Err(not_active());
    }
    let mut details = Map::new();
    details.insert("hold_id".into(), Value::String(hold_id.to_string()));
    details.insert("scope".into(), Value::String(hold.scope));
    details.insert(
        "reference".into(),
        Value::String(request.row.reference.clone()),
    );
    record(
        conn,
        officer,
        request,
        "request.hold_released",
        details,
        now,
    )
}

/// Claims the request's version for a change that is not a status transition.
fn bump_version(
    conn: &mut DbConn,
    request: &LoadedRequest,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if requests::update_if_version(
        conn,
        &request.row.id,
        request.row.version,
        &RequestChanges::default(),
        to_db(now),
    )? {
        Ok(())
    } else {
        Err(stale())
    }
}

fn record(
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &LoadedRequest,
    action: &str,
    details: Map<String, Value>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &NewAuditEvent {
            at: now,
            actor: &officer.actor().to_audit_string(),
            action,
            target: &request.audit_target(),
            details: &Value::Object(details).to_string(),
        },
    )?;
    Ok(())
}
