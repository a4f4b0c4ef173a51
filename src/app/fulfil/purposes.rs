//! Objections and consent withdrawals: the purposes a request covers, recorded against the
//! person (created when the inventory does not know them yet, for an objection).

use serde_json::json;

use super::Effect;
use crate::app::inventory::{find_subject, subject_or_new};
use crate::app::{webhooks, Context};
use crate::domain::audit::Target;
use crate::domain::email::Email;
use crate::domain::fulfilment::Effects;
use crate::domain::request::Request;
use crate::domain::subject::Objection;
use crate::error::AppError;
use crate::store::consents;
use crate::store::time::to_db;
use crate::store::DbConn;

/// Records the person's objection to each purpose the request covers.
pub(super) fn object(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    email: &Email,
    purposes: Vec<String>,
) -> Result<Effects, AppError> {
    let (ctx, request, now) = (effect.ctx, effect.request, effect.now);
    let subject = subject_or_new(ctx, conn, email, now)?;
    for purpose in &purposes {
        let recorded = consents::insert_objection(
            conn,
            &Objection {
                id: uuid::Uuid::now_v7().to_string(),
                subject_id: subject.id,
                purpose: purpose.clone(),
                request_id: request.id,
                recorded_at: now,
            },
        )?;
        if recorded {
            effect.record(
                "objection.recorded",
                Target::Subject(subject.id),
                json!({ "purpose": purpose }),
            );
        }
    }
    Ok(Effects::Objected { purposes })
}

/// Closes the person's open consents to each purpose the request covers.
pub(super) fn withdraw_consent(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    email: &Email,
    purposes: Vec<String>,
) -> Result<Effects, AppError> {
    let (ctx, request, now) = (effect.ctx, effect.request, effect.now);
    if let Some(subject) = find_subject(ctx, conn, email)? {
        for purpose in &purposes {
            let mut closed = 0;
            for entry in consents::open_for(conn, &subject.id.to_string(), purpose)? {
                if consents::close(conn, &entry.id, to_db(now))? {
                    closed += 1;
                }
            }
            if closed > 0 {
                webhooks::enqueue_consent_withdrawn(conn, &ctx.keyring, request, purpose, now)?;
                effect.record(
                    "consent.withdrawn",
                    Target::Subject(subject.id),
                    json!({ "purpose": purpose, "entries": closed }),
                );
            }
        }
    }
    Ok(Effects::ConsentWithdrawn { purposes })
}

/// The purposes the officer chose, or else the ones the requester named; each one must be
/// a configured purpose.
pub(super) fn chosen_purposes(
    ctx: &Context,
    request: &Request,
    chosen: &[String],
) -> Result<Vec<String>, AppError> {
    let configured = ctx.settings.policy.purpose_slugs();
    let purposes: Vec<String> = if chosen.is_empty() {
        request.purposes.clone()
    } else {
        chosen.to_vec()
    };
    if purposes.is_empty() {
        return Err(AppError::BadRequest(
            "Choose the purposes this request covers.".to_string(),
        ));
    }
    if let Some(unknown) = purposes.iter().find(|p| !configured.contains(&p.as_str())) {
        return Err(AppError::BadRequest(format!(
            "{unknown:?} is not one of the configured purposes."
        )));
    }
    Ok(purposes)
}
