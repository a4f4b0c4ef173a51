//! The mail and token helpers that several request use cases share.

use crate::vault::Keyring;
use time::OffsetDateTime;

use super::{random_bytes, Context};
use crate::domain::audit::Target;
use crate::domain::ids::RequestId;
use crate::domain::token::{LinkToken, TokenHash, TokenPurpose, TOKEN_BYTES};
use crate::error::AppError;
use crate::mail::compose::OutgoingMail;
use crate::store::time::to_db;
use crate::store::{outbox, tokens, DbConn};

/// The audit target naming a request (its id, never personal data).
pub fn audit_target(request_id: RequestId) -> String {
    Target::Request(request_id).to_audit_string()
}

/// A request id read from a row of `table` that points at a request; one that does not
/// parse makes that row corrupt.
pub(crate) fn request_id_in(table: &'static str, text: &str) -> Result<RequestId, AppError> {
    text.parse()
        .map_err(|_| crate::store::StoreError::corrupt(table, text).into())
}

/// Issues a new link token for a request and returns the secret for the link.
pub fn issue_token(
    conn: &mut DbConn,
    request_id: RequestId,
    purpose: TokenPurpose,
    now: OffsetDateTime,
) -> Result<LinkToken, AppError> {
    let token = LinkToken::from_random(random_bytes::<TOKEN_BYTES>()?);
    store_token(conn, request_id, purpose, &token.hash(), now)?;
    Ok(token)
}

/// Stores a token made beforehand (by its hash), valid for its purpose's lifetime.
pub fn store_token(
    conn: &mut DbConn,
    request_id: RequestId,
    purpose: TokenPurpose,
    hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    tokens::insert(
        conn,
        &tokens::NewLinkToken {
            token_hash: hash.as_str(),
            request_id: &request_id.to_string(),
            purpose: purpose.as_str(),
            created_at: to_db(now),
            expires_at: to_db(now + purpose.lifetime()),
        },
    )?;
    Ok(())
}

/// Puts a mail in the outbox, in the caller's transaction.
pub fn queue_mail(
    conn: &mut DbConn,
    vault: &Keyring,
    mail: &OutgoingMail,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let id = uuid::Uuid::now_v7().to_string();
    outbox::enqueue(
        conn,
        vault,
        &outbox::NewOutboxMail {
            id: &id,
            to_addr: &mail.to,
            subject: &mail.subject,
            body: &mail.body,
            template: mail.template,
            created_at: to_db(now),
            next_attempt_at: to_db(now),
        },
    )?;
    Ok(())
}

/// The status page link for a token.
pub fn status_link(ctx: &Context, token: &LinkToken) -> String {
    ctx.link(&format!("/status/{}", token.as_str()))
}
