//! Recording a request received elsewhere (post, phone, in person, email, an agent), by an
//! officer on the workspace page or by another system over the API. The request is stored
//! open and verified (the organisation took it in), its clock counted from the real receipt,
//! and the requester is mailed a status link — all in one transaction with its audit event.

use serde_json::json;

use super::officer::CurrentOfficer;
use super::requests::{audit_target, issue_token, queue_mail, status_link};
use super::webhooks::enqueue::enqueue;
use super::{clock, random_bytes, Context};
use crate::domain::api_token::ApiAccess;
use crate::domain::audit::Actor;
use crate::domain::ids::RequestId;
use crate::domain::intake::{Intake, IntakeRules, RawIntake};
use crate::domain::local_time::requester_zone;
use crate::domain::reference::{Reference, REFERENCE_BYTES};
use crate::domain::regime::Regime;
use crate::domain::status::RequestStatus;
use crate::domain::submission::FieldError;
use crate::domain::token::TokenPurpose;
use crate::domain::webhook_events::request_created;
use crate::error::AppError;
use crate::i18n::{self, Messages};
use crate::mail::compose;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::requests::{self, NewRequest};
use crate::store::time::to_db;
use crate::store::StoreError;

/// Who records the request.
#[derive(Debug, Clone, Copy)]
pub enum Recorder<'a> {
    Officer(&'a CurrentOfficer),
    Api(&'a ApiAccess),
}

impl Recorder<'_> {
    fn actor(&self) -> Actor {
        match self {
            Recorder::Officer(officer) => officer.actor(),
            Recorder::Api(access) => Actor::ApiToken(access.token_id),
        }
    }

    fn may_record(&self, regime: Regime) -> bool {
        match self {
            Recorder::Officer(officer) => officer.scope.can_act(regime),
            Recorder::Api(access) => access.can_see(regime),
        }
    }
}

/// What was recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub request_id: RequestId,
    pub reference: Reference,
}

/// A reference drawn twice is drawn again, as for the public form.
const REFERENCE_ATTEMPTS: usize = 5;

enum RecordError {
    ReferenceTaken,
    App(AppError),
}

impl From<AppError> for RecordError {
    fn from(error: AppError) -> RecordError {
        RecordError::App(error)
    }
}

impl From<diesel::result::Error> for RecordError {
    fn from(error: diesel::result::Error) -> RecordError {
        RecordError::App(error.into())
    }
}

pub fn record(
    ctx: &Context,
    recorder: Recorder<'_>,
    raw: &RawIntake,
) -> Result<Recorded, AppError> {
    if let Recorder::Officer(officer) = recorder {
        if !officer
            .scope
            .readable_regimes()
            .iter()
            .any(|r| officer.scope.can_act(*r))
        {
            return Err(AppError::Forbidden(
                "Your role lets you read requests, not record them.".to_string(),
            ));
        }
    }
    let now = clock::now();
    let purposes = ctx.settings.policy.purpose_slugs();
    let max_age = time::Duration::days(ctx.settings.intake_max_age_days as i64);
    let rules = IntakeRules {
        known_purposes: &purposes,
        languages: &i18n::supported(),
        now,
        max_age,
    };
    let intake = Intake::parse(raw, &rules).map_err(AppError::Invalid)?;
    if !recorder.may_record(intake.submission.regime) {
        return Err(AppError::Invalid(vec![FieldError::untranslated(
            "region",
            "requests of this region are not yours to record",
        )]));
    }
    for attempt in 1..=REFERENCE_ATTEMPTS {
        let reference = Reference::from_random(random_bytes::<REFERENCE_BYTES>()?);
        match store_intake(ctx, recorder, &intake, &reference, now) {
            Ok(request_id) => {
                ctx.wake_mailer();
                return Ok(Recorded {
                    request_id,
                    reference,
                });
            }
            Err(RecordError::ReferenceTaken) if attempt < REFERENCE_ATTEMPTS => {}
            Err(RecordError::ReferenceTaken) => break,
            Err(RecordError::App(error)) => return Err(error),
        }
    }
    Err(AppError::Internal(
        "no free reference after retries".to_string(),
    ))
}

fn store_intake(
    ctx: &Context,
    recorder: Recorder<'_>,
    intake: &Intake,
    reference: &Reference,
    now: time::OffsetDateTime,
) -> Result<RequestId, RecordError> {
    let submission = &intake.submission;
    let deadlines = ctx.settings.policy.deadlines.deadlines_for(
        submission.regime,
        submission.kind,
        submission.content_removal,
        intake.received_at,
    );
    // Where the law counts the acknowledgement from verification, recording is that moment:
    // the mail below acknowledges the request.
    let acknowledge_due_at = deadlines.acknowledge_by.unwrap_or(now);
    let request_id = RequestId::new();
    let purposes = (!submission.purposes.is_empty())
        .then(|| serde_json::to_string(&submission.purposes))
        .transpose()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let status = RequestStatus::Open;
    let row = NewRequest {
        id: request_id.to_string(),
        reference: reference.as_str().to_string(),
        kind: submission.kind.as_str().to_string(),
        regime: submission.regime.as_str().to_string(),
        status: status.as_str().to_string(),
        full_name: submission.full_name.clone(),
        email: submission.email.as_str().to_string(),
        account_ref: submission.account_ref.clone(),
        details: submission.details.clone(),
        correction: submission.correction.clone(),
        purposes,
        content_removal: submission.content_removal,
        received_at: to_db(intake.received_at),
        acknowledge_due_at: Some(to_db(acknowledge_due_at)),
        due_at: to_db(deadlines.respond_by),
        effective_due_at: to_db(deadlines.respond_by),
        version: 1,
        updated_at: to_db(now),
    };
    ctx.write_as(|conn| {
        requests::insert_recorded(
            conn,
            &ctx.keyring,
            &row,
            &intake.locale,
            intake.channel.as_str(),
            to_db(now),
        )
        .map_err(|error| match error {
            StoreError::Duplicate => RecordError::ReferenceTaken,
            other => RecordError::App(other.into()),
        })?;
        // Recorded is created and open at once: systems that receive `request.created` hear
        // of it as of a request its requester confirmed.
        let stored = requests::find_by_id(conn, &ctx.keyring, request_id)
            .map_err(AppError::from)?
            .ok_or_else(|| AppError::Internal("a recorded request reads back".to_string()))?;
        enqueue(conn, &ctx.keyring, &request_created(&stored, now))?;
        let token = issue_token(conn, request_id, TokenPurpose::Status, now)?;
        let messages = Messages::for_locale(&intake.locale);
        let zone = requester_zone(
            ctx.settings.configured_time_zone.as_ref(),
            submission.regime,
        );
        let reader = compose::Reader {
            to: submission.email.as_str(),
            messages: &messages,
            zone: &zone,
        };
        let mail = compose::recorded(
            &reader,
            reference.as_str(),
            intake.channel,
            intake.received_at,
            &status_link(ctx, &token),
            deadlines.respond_by,
        )?;
        queue_mail(conn, &ctx.keyring, &mail, now)?;
        requests::count_move(conn, submission.regime.as_str(), None, status.as_str())?;
        let details = json!({
            "reference": reference.as_str(),
            "kind": submission.kind.as_str(),
            "regime": submission.regime.as_str(),
            "channel": intake.channel.as_str(),
            "received_at": intake.received_at.unix_timestamp(),
            "to": status.as_str(),
        })
        .to_string();
        audit::append(
            conn,
            &NewAuditEvent {
                at: now,
                actor: &recorder.actor().to_audit_string(),
                action: "request.recorded",
                target: &audit_target(request_id),
                details: &details,
            },
        )?;
        Ok(request_id)
    })
}
