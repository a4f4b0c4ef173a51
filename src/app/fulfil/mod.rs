//! What `fulfil` does to the data held, by kind of request. Runs inside the action's
//! transaction: every effect and its one audit event commit with the status change.

use crate::domain::audit::Target;
use std::cell::RefCell;

use serde_json::Value;
use time::OffsetDateTime;

use super::inventory::{subject_data, SubjectData};
use super::transition::EffectEvent;
use super::Context;
use crate::domain::email::Email;
use crate::domain::fulfilment::{Correction, Effects};
use crate::domain::kind::RequestKind;
use crate::domain::request::Request;
use crate::error::AppError;
use crate::store::DbConn;

mod erasure;
mod package;
mod purposes;
mod records;

pub use package::{PACKAGE_DAYS, PACKAGE_MAX_DOWNLOADS};

/// The officer's choices for a fulfilment.
#[derive(Debug, Clone, Copy)]
pub struct FulfilChoices<'a> {
    pub records: &'a [String],
    pub correction: Option<&'a Correction>,
    pub purposes: &'a [String],
}

struct Effect<'a> {
    ctx: &'a Context,
    request: &'a Request,
    now: OffsetDateTime,
    /// The audit events of what was done, written after the request's own change.
    events: RefCell<Vec<EffectEvent>>,
}

impl Effect<'_> {
    fn record(&self, action: &'static str, target: Target, mut details: Value) {
        details["reference"] = Value::String(self.request.reference.to_string());
        self.events.borrow_mut().push(EffectEvent {
            action,
            target: target.to_audit_string(),
            details: details.to_string(),
        });
    }
}

/// What a fulfilment did to the data held, and the audit events that record it. The events
/// are appended with the request's transition (see [`super::transition::apply_after`]),
/// once every row the action changes has been changed.
#[derive(Debug)]
pub struct Fulfilment {
    pub effects: Effects,
    pub events: Vec<EffectEvent>,
}

pub fn apply(
    ctx: &Context,
    conn: &mut DbConn,
    request: &Request,
    choices: FulfilChoices<'_>,
    now: OffsetDateTime,
) -> Result<Fulfilment, AppError> {
    let effect = Effect {
        ctx,
        request,
        now,
        events: RefCell::new(Vec::new()),
    };
    let effects = apply_effects(&effect, conn, choices)?;
    Ok(Fulfilment {
        effects,
        events: effect.events.into_inner(),
    })
}

fn apply_effects(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    choices: FulfilChoices<'_>,
) -> Result<Effects, AppError> {
    let (ctx, request) = (effect.ctx, effect.request);
    let email = Email::parse(&request.email)
        .map_err(|_| AppError::Internal("a stored request email does not parse".to_string()))?;
    match request.kind {
        RequestKind::Access | RequestKind::Portability => {
            let data = subject_data(ctx, conn, &email)?;
            package::make_package(effect, conn, &email, data.as_ref())
        }
        RequestKind::Rectification => {
            let data = subject_data(ctx, conn, &email)?.ok_or_else(no_data)?;
            records::rectify(effect, conn, &data, choices)
        }
        RequestKind::Erasure => {
            let data = subject_data(ctx, conn, &email)?;
            erasure::erase(effect, conn, data)
        }
        RequestKind::Restriction => {
            let data = subject_data(ctx, conn, &email)?;
            records::restrict(effect, conn, data.as_ref(), choices.records)
        }
        RequestKind::Objection => {
            let purposes = purposes::chosen_purposes(ctx, request, choices.purposes)?;
            purposes::object(effect, conn, &email, purposes)
        }
        RequestKind::ConsentWithdrawal => {
            let purposes = purposes::chosen_purposes(ctx, request, choices.purposes)?;
            purposes::withdraw_consent(effect, conn, &email, purposes)
        }
        RequestKind::Grievance => Ok(Effects::None),
    }
}

fn no_data() -> AppError {
    AppError::Conflict(
        "We hold no records about this requester to correct. Reject the request with the reason \"We hold no data about you\" instead.".to_string(),
    )
}

/// The subject a request's email belongs to, for pages (no change).
pub fn subject_of(
    ctx: &Context,
    conn: &mut DbConn,
    request: &Request,
) -> Result<Option<SubjectData>, AppError> {
    match Email::parse(&request.email) {
        Ok(email) => subject_data(ctx, conn, &email),
        Err(_) => Ok(None),
    }
}
