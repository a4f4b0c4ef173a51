//! A requester who lost their link asks for a fresh one with their email and the reference.
//! The fresh link replaces every older one of that request: a link that leaked (a
//! forwarded mail, a shared computer) stops working once its owner asks for a new one.
//!
//! The answer is the same whether or not they matched, and so is the work behind it, so
//! that neither the page nor the time it takes tells whether a reference exists or belongs
//! to an email. Both paths: parse the same input; draw 256 random bits and hash them into a
//! token; read the request by reference (one indexed read, found or not, nothing opened);
//! compare the email's blind indexes in constant time; run the same revoking UPDATE (against the request's id, or an id that no
//! request has, so it changes nothing); and render the mail. Only a match then stores the
//! token and queues the mail: two small inserts that cannot be imitated without storing
//! something. The web handler answers no sooner than a fixed floor after the request came
//! in (`web::handlers::lookup::ANSWER_FLOOR`), which covers those inserts, so both answers
//! fall in one timing class.

use subtle::ConstantTimeEq;

use super::requests::{queue_mail, status_link, store_token};
use super::{clock, random_bytes, Context};
use crate::domain::email::Email;
use crate::domain::ids::RequestId;
use crate::domain::reference::Reference;
use crate::domain::submission::FieldError;
use crate::domain::token::{LinkToken, TokenPurpose, TOKEN_BYTES};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::mail::compose;
use crate::store::seal::email_index_candidates;
use crate::store::time::to_db;
use crate::store::{requests, tokens};

/// Stands in for a request id when nothing matched: no request has it (ids are UUIDs), so
/// the revoking statement runs and touches no row.
const NO_REQUEST: &str = "-";

pub fn request_link(ctx: &Context, email: &str, reference: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let email = Email::parse(email).map_err(|e| {
        errors.push(FieldError {
            field: "email",
            key: e.key(),
            message: e.to_string(),
        })
    });
    let reference = Reference::parse(reference).map_err(|e| {
        errors.push(FieldError {
            field: "reference",
            key: "error-reference-malformed",
            message: e.to_string(),
        })
    });
    let (Ok(email), Ok(reference)) = (email, reference) else {
        return Err(AppError::Invalid(errors));
    };
    let token = LinkToken::from_random(random_bytes::<TOKEN_BYTES>()?);
    let token_hash = token.hash();
    let link = status_link(ctx, &token);
    let sent = ctx.write(|conn| -> Result<bool, AppError> {
        let now = clock::now();
        let found = requests::lookup_by_reference(conn, reference.as_str())?;
        // The email is compared by its blind index (under every known key), so nothing is
        // opened whether or not the reference exists. Unverified requests have no status
        // page yet: their verification mail is the link.
        let locale_of = found.as_ref().map_or_else(RequestId::new, |(id, _, _)| *id);
        let candidates = email_index_candidates(&ctx.keyring, email.as_str());
        let matched = found.and_then(|(id, stored, verified)| {
            let stored = stored.unwrap_or_default();
            let same_email = candidates.iter().fold(false, |any, c| {
                any | bool::from(c.as_bytes().ct_eq(stored.as_bytes()))
            });
            (same_email && verified).then_some(id)
        });
        let request_id = matched.map(|id| id.to_string());
        tokens::expire_for_request(
            conn,
            request_id.as_deref().unwrap_or(NO_REQUEST),
            TokenPurpose::Status.as_str(),
            to_db(now),
        )?;
        // The language of the request the reference names, read whether or not the email
        // matched (a random id when no request has the reference): the same work either way.
        let messages = Messages::for_locale(&requests::find_locale(conn, locale_of)?);
        let mail = compose::lookup_link(&messages, email.as_str(), reference.as_str(), &link)?;
        let Some(request_id) = matched else {
            return Ok(false);
        };
        store_token(conn, request_id, TokenPurpose::Status, &token_hash, now)?;
        queue_mail(conn, &ctx.keyring, &mail, now)?;
        Ok(true)
    })?;
    if sent {
        ctx.wake_mailer();
    }
    Ok(())
}
