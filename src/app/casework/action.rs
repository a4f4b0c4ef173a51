//! The workflow actions that change a request's status, with their message and mail.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::hold;
use crate::app::fulfil::FulfilChoices;
use crate::app::officer::CurrentOfficer;
use crate::app::requests::queue_mail;
use crate::app::status::fresh_status_link;
use crate::app::transition::EffectEvent;
use crate::app::Context;
use crate::domain::fulfilment::outcome_summary;
use crate::domain::message::Author;
use crate::domain::officer_action::OfficerAction;
use crate::domain::rejection::refusal_message;
use crate::domain::request::{Outcome, Request};
use crate::error::AppError;
use crate::mail::compose;
use crate::store::requests::RequestChanges;
use crate::store::time::to_db;
use crate::store::{messages, officers, DbConn};

pub(super) fn apply(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &Request,
    action: &OfficerAction,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let actor = officer.actor();
    let mut changes = RequestChanges::default();
    let mut details = Map::new();
    // Messages for the requester or the file, stored beside the event that refers to them.
    let mut message: Option<(Author, String)> = None;
    let mut tell_requester = false;
    let mut effect_events = Vec::new();
    let mut merged_into: Option<String> = None;
    match action {
        OfficerAction::Assign { assignee } => {
            let target = officers::find_by_id(conn, assignee)?
                .filter(|o| super::may_work_on(o, request.regime))
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "That officer cannot work on requests of this region.".to_string(),
                    )
                })?;
            changes.assignee_id = Some(target.id.to_string());
            details.insert("assignee".into(), Value::String(target.id.to_string()));
        }
        OfficerAction::Start => {
            if request.assignee.is_none() {
                changes.assignee_id = Some(officer.id.to_string());
            }
        }
        OfficerAction::AskRequester { message: text } => {
            message = Some((Author::Officer, text.clone()));
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
                    request.content_removal,
                    request.received_at,
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
            message = Some((
                Author::Officer,
                format!("We need more time to answer: {reason}"),
            ));
            tell_requester = true;
        }
        OfficerAction::Reject {
            reason,
            message: text,
        } => {
            changes.outcome = Some(Outcome::Rejected.as_str().to_string());
            changes.rejection_reason = Some(reason.as_str().to_string());
            details.insert(
                "reason_code".into(),
                Value::String(reason.as_str().to_string()),
            );
            message = Some((
                Author::Officer,
                refusal_message(*reason, text, request.regime),
            ));
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
            let fulfilment = crate::app::fulfil::apply(
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
            changes.outcome = Some(Outcome::Fulfilled.as_str().to_string());
            let body = match outcome_summary(&fulfilment.effects) {
                Some(summary) => format!("{text}\n\n{summary}"),
                None => text.clone(),
            };
            message = Some((Author::Officer, body));
            tell_requester = true;
        }
        OfficerAction::Note { message: text } => {
            message = Some((Author::Internal, text.clone()));
        }
        OfficerAction::Hold {
            target,
            order_reference,
            expires_on,
            reason,
        } => {
            let hold = hold::HoldOrder {
                target,
                order_reference,
                expires_on: *expires_on,
                reason,
            };
            return hold::place(ctx, conn, officer, request, &hold, now);
        }
        OfficerAction::ReleaseHold { hold_id } => {
            return hold::release(ctx, conn, officer, request, hold_id, now);
        }
        OfficerAction::Merge => {
            let original = super::duplicates::merge_target(ctx, conn, request)?;
            details.insert(
                "merged_into".into(),
                Value::String(original.reference.to_string()),
            );
            effect_events.push(EffectEvent {
                action: "request.duplicate_merged",
                target: original.audit_target(),
                details: serde_json::json!({ "duplicate": request.reference.as_str() }).to_string(),
            });
            message = Some((
                Author::Officer,
                format!(
                    "This request repeats your request {}, which is still open. We have merged it \
                     into that request and will answer both there.",
                    original.reference
                ),
            ));
            merged_into = Some(original.reference.to_string());
            tell_requester = true;
        }
    }
    let lifecycle_action = action
        .lifecycle()
        .ok_or_else(|| AppError::Internal("action without a transition".to_string()))?;
    let message_id = uuid::Uuid::now_v7().to_string();
    if let Some((author, body)) = &message {
        messages::insert(
            conn,
            &ctx.keyring,
            &message_id,
            request.id,
            *author,
            body,
            to_db(now),
        )?;
        details.insert("message_id".into(), Value::String(message_id.clone()));
    }
    let transition = crate::app::transition::apply_after(
        conn,
        &ctx.keyring,
        request,
        lifecycle_action,
        &actor,
        now,
        changes,
        details,
        &effect_events,
    )?;
    if tell_requester {
        let link = fresh_status_link(ctx, conn, request.id, now)?;
        let messages = crate::i18n::Messages::for_locale(&request.locale);
        let mail = match &merged_into {
            Some(original) => compose::merged(
                &messages,
                &request.email,
                request.reference.as_str(),
                original,
                &link,
            )?,
            None => compose::status_changed(
                &messages,
                &request.email,
                request.reference.as_str(),
                transition.to,
                matches!(action, OfficerAction::Extend { .. }),
                &link,
            )?,
        };
        queue_mail(conn, &ctx.keyring, &mail, now)?;
    }
    Ok(())
}
