//! What a connected system reads of a person's consents: the current state per purpose,
//! found by the keyed hash of their email (never by the email in the database). Audited
//! under the token's id, the person named by their subject id only.

use serde_json::json;

use super::super::inventory::find_subject;
use super::super::{clock, Context};
use crate::domain::api_token::ApiAccess;
use crate::domain::audit::{Actor, Target};
use crate::domain::consent_state::{current_states, PurposeState};
use crate::domain::email::Email;
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::store::{audit, consents};

/// The action of the audit event each read leaves.
pub const CONSENTS_READ: &str = "api.consents_read";

/// The state of each purpose for the person with this email; every purpose is `none` for
/// someone the inventory does not know.
pub fn current(
    ctx: &Context,
    access: &ApiAccess,
    email: &str,
) -> Result<Vec<PurposeState>, AppError> {
    let email = Email::parse(email)
        .map_err(|e| AppError::Invalid(vec![FieldError::new("email", e.key(), e.to_string())]))?;
    let mut conn = ctx.conn()?;
    let subject = find_subject(ctx, &mut conn, &email)?;
    let ledger = match &subject {
        Some(subject) => consents::history(&mut conn, &subject.id.to_string())?,
        None => Vec::new(),
    };
    drop(conn);
    let purposes = ctx.settings.policy.purpose_slugs();
    let states = current_states(&purposes, &ledger);
    let target = match &subject {
        Some(subject) => Target::Subject(subject.id),
        None => Target::ApiToken(access.token_id),
    };
    ctx.write_statement(|conn| {
        audit::append_event(
            conn,
            clock::now(),
            &Actor::ApiToken(access.token_id),
            CONSENTS_READ,
            &target,
            &json!({ "known": subject.is_some() }),
        )?;
        Ok(())
    })?;
    Ok(states)
}
