//! Reading a stored request back into domain types, and the mail and token helpers that
//! several use cases share.

use time::OffsetDateTime;

use super::{random_bytes, Context};
use crate::domain::kind::RequestKind;
use crate::domain::lifecycle::RequestState;
use crate::domain::regime::Regime;
use crate::domain::status::RequestStatus;
use crate::domain::token::{LinkToken, TokenHash, TokenPurpose, TOKEN_BYTES};
use crate::error::AppError;
use crate::mail::compose::OutgoingMail;
use crate::store::requests::RequestRow;
use crate::store::time::{from_db, to_db};
use crate::store::{outbox, tokens, DbConn};

/// A stored request with its text columns parsed.
#[derive(Debug, Clone)]
pub struct LoadedRequest {
    pub row: RequestRow,
    pub kind: RequestKind,
    pub regime: Regime,
    pub status: RequestStatus,
}

impl LoadedRequest {
    pub fn from_row(row: RequestRow) -> Result<LoadedRequest, AppError> {
        let corrupt =
            |what: &str| AppError::Internal(format!("request {} has an unknown {what}", row.id));
        Ok(LoadedRequest {
            kind: row.kind.parse().map_err(|_| corrupt("kind"))?,
            regime: row.regime.parse().map_err(|_| corrupt("regime"))?,
            status: row.status.parse().map_err(|_| corrupt("status"))?,
            row,
        })
    }

    pub fn state(&self) -> RequestState {
        RequestState {
            status: self.status,
            due_at: from_db(self.row.due_at),
            extended_due_at: self.row.extended_due_at.map(from_db),
        }
    }

    /// The audit target naming this request (its id, never personal data).
    pub fn audit_target(&self) -> String {
        audit_target(&self.row.id)
    }
}

pub fn audit_target(request_id: &str) -> String {
    format!("request:{request_id}")
}

/// Issues a new link token for a request and returns the secret for the link.
pub fn issue_token(
    conn: &mut DbConn,
    request_id: &str,
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
    request_id: &str,
    purpose: TokenPurpose,
    hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    tokens::insert(
        conn,
        &tokens::NewLinkToken {
            token_hash: hash.as_str(),
            request_id,
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
    mail: &OutgoingMail,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let id = uuid::Uuid::now_v7().to_string();
    outbox::enqueue(
        conn,
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
