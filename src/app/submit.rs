//! A requester submits a request: it is stored unverified and a confirmation link is mailed.

use serde_json::json;

use super::requests::{audit_target, issue_token, queue_mail};
use super::{clock, random_bytes, Context};
use crate::domain::audit::Actor;
use crate::domain::ids::RequestId;
use crate::domain::locale::Locale;
use crate::domain::reference::{Reference, REFERENCE_BYTES};
use crate::domain::status::RequestStatus;
use crate::domain::submission::{RawSubmission, Submission};
use crate::domain::token::TokenPurpose;
use crate::error::AppError;
use crate::i18n::Messages;
use crate::mail::compose;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::requests::{self, NewRequest};
use crate::store::time::to_db;
use crate::store::StoreError;

/// Why storing a submission failed: a reference drawn twice is tried again.
enum SubmitError {
    ReferenceTaken,
    App(AppError),
}

impl From<AppError> for SubmitError {
    fn from(error: AppError) -> SubmitError {
        SubmitError::App(error)
    }
}

impl From<diesel::result::Error> for SubmitError {
    fn from(error: diesel::result::Error) -> SubmitError {
        SubmitError::App(error.into())
    }
}

/// What the requester is told after submitting.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub reference: Reference,
    pub request_id: RequestId,
}

/// References are random; a collision with an existing one is retried with a fresh draw.
const REFERENCE_ATTEMPTS: usize = 5;

/// Stores the submission made in `locale`: its mail, and every later one, speak it.
pub fn submit(ctx: &Context, raw: &RawSubmission, locale: &Locale) -> Result<Submitted, AppError> {
    let purposes = ctx.settings.policy.purpose_slugs();
    let submission = Submission::parse(raw, &purposes).map_err(AppError::Invalid)?;
    for attempt in 1..=REFERENCE_ATTEMPTS {
        let reference = Reference::from_random(random_bytes::<REFERENCE_BYTES>()?);
        match store_submission(ctx, &submission, &reference, locale) {
            Ok(request_id) => {
                ctx.wake_mailer();
                tracing::info!(reference = %reference, kind = %submission.kind, "request submitted");
                return Ok(Submitted {
                    reference,
                    request_id,
                });
            }
            Err(SubmitError::ReferenceTaken) if attempt < REFERENCE_ATTEMPTS => {}
            Err(SubmitError::ReferenceTaken) => break,
            Err(SubmitError::App(error)) => return Err(error),
        }
    }
    Err(AppError::Internal(
        "no free reference after retries".to_string(),
    ))
}

fn store_submission(
    ctx: &Context,
    submission: &Submission,
    reference: &Reference,
    locale: &Locale,
) -> Result<RequestId, SubmitError> {
    let now = clock::now();
    let deadlines = ctx.settings.policy.deadlines.deadlines_for(
        submission.regime,
        submission.kind,
        submission.content_removal,
        now,
    );
    let request_id = RequestId::new();
    let purposes = (!submission.purposes.is_empty())
        .then(|| serde_json::to_string(&submission.purposes))
        .transpose()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let row = NewRequest {
        id: request_id.to_string(),
        reference: reference.as_str().to_string(),
        kind: submission.kind.as_str().to_string(),
        regime: submission.regime.as_str().to_string(),
        status: crate::domain::status::RequestStatus::Unverified
            .as_str()
            .to_string(),
        full_name: submission.full_name.clone(),
        email: submission.email.as_str().to_string(),
        account_ref: submission.account_ref.clone(),
        details: submission.details.clone(),
        correction: submission.correction.clone(),
        purposes,
        content_removal: submission.content_removal,
        received_at: to_db(now),
        acknowledge_due_at: deadlines.acknowledge_by.map(to_db),
        due_at: to_db(deadlines.respond_by),
        effective_due_at: to_db(deadlines.respond_by),
        version: 1,
        updated_at: to_db(now),
    };
    ctx.write_as(|conn| {
        requests::insert_in(conn, &ctx.keyring, &row, locale).map_err(|error| match error {
            StoreError::Duplicate => SubmitError::ReferenceTaken,
            other => SubmitError::App(other.into()),
        })?;
        let token = issue_token(conn, request_id, TokenPurpose::Verify, now)?;
        let link = ctx.link(&format!("/verify/{}", token.as_str()));
        let mail = compose::verification(
            &Messages::for_locale(locale),
            &submission.email,
            reference,
            &link,
        )?;
        queue_mail(conn, &ctx.keyring, &mail, now)?;
        requests::count_move(
            conn,
            submission.regime.as_str(),
            None,
            RequestStatus::Unverified.as_str(),
        )?;
        // The event is appended after every row it reports is changed (the lock order).
        let details = json!({
            "reference": reference.as_str(),
            "kind": submission.kind.as_str(),
            "regime": submission.regime.as_str(),
            "to": "unverified",
        })
        .to_string();
        audit::append(
            conn,
            &NewAuditEvent {
                at: now,
                actor: &Actor::Requester.to_audit_string(),
                action: "request.submitted",
                target: &audit_target(request_id),
                details: &details,
            },
        )?;
        Ok(request_id)
    })
}
