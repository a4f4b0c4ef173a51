//! The requester proves they own the email address by confirming the link we sent.
//! Opening the link (GET) only shows the confirmation form: mail scanners prefetch links.

use crate::vault::Keyring;
use serde_json::Map;

use super::requests::{issue_token, queue_mail, request_id_in, status_link};
use super::{clock, Context};
use crate::domain::audit::Actor;
use crate::domain::kind::RequestKind;
use crate::domain::lifecycle::Action;
use crate::domain::local_time::requester_zone;
use crate::domain::request::Request;
use crate::domain::token::{is_live, LinkToken, TokenPurpose};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::mail::compose;
use crate::store::requests::{self, RequestChanges};
use crate::store::seal::email_index_candidates;
use crate::store::time::{from_db, to_db};
use crate::store::{tokens, DbConn};

/// What the confirmation page shows.
#[derive(Debug, Clone)]
pub struct PendingVerification {
    pub reference: String,
    pub kind: RequestKind,
    /// The language the request was made in.
    pub locale: crate::domain::locale::Locale,
}

/// What a used confirmation link answers (the web layer words it in the requester's language).
pub const ALREADY_USED: &str = "This request was already confirmed. Follow it with the link in the email we sent after confirming, or ask for a new link on the \"Find my request\" page.";
/// What an expired confirmation link answers.
pub const EXPIRED: &str = "This confirmation link has expired, and the unconfirmed request with it. You are welcome to submit the request again.";

/// Reads what a verification link is for, changing nothing.
pub fn pending(ctx: &Context, token: &str) -> Result<PendingVerification, AppError> {
    let mut conn = ctx.conn()?;
    let request = live_request(&mut conn, &ctx.keyring, token)?;
    Ok(PendingVerification {
        reference: request.reference.to_string(),
        kind: request.kind,
        locale: request.locale,
    })
}

/// Confirms the request and returns a status link token for the requester's next page.
pub fn confirm(ctx: &Context, token: &str) -> Result<LinkToken, AppError> {
    let status_token = ctx.write(|conn| {
        let now = clock::now();
        let request = live_request(conn, &ctx.keyring, token)?;
        // The request's row first, then its link: the order in which the purge takes them
        // (it deletes an expired request, and its links with it). Waiting for a purge
        // that took the request finds it gone.
        let request = requests::lock_by_id(conn, &ctx.keyring, request.id)?
            .ok_or_else(|| AppError::Gone(EXPIRED.to_string()))?;
        let hash = LinkToken::parse(token).ok_or(AppError::NotFound)?.hash();
        if !tokens::mark_used(conn, hash.as_str(), to_db(now))? {
            return Err(AppError::Gone(ALREADY_USED.to_string()));
        }
        let mut changes = RequestChanges {
            verified_at: Some(to_db(now)),
            ..RequestChanges::default()
        };
        // Under GDPR the acknowledgement is due on verification; it happens now.
        if request.acknowledge_due_at.is_none() {
            changes.acknowledge_due_at = Some(to_db(now));
        }
        // The same person's open request of the same kind: this one is linked to it. Only
        // now, once the address is proved, is the requester told of the other request.
        let candidates = email_index_candidates(&ctx.keyring, &request.email);
        let original =
            requests::open_original(conn, &ctx.keyring, &candidates, request.kind, request.id)?;
        let mut details = Map::new();
        if let Some(original) = &original {
            changes.duplicate_of = Some(original.id.to_string());
            details.insert("duplicate_of".into(), original.reference.as_str().into());
        }
        super::transition::apply(
            conn,
            &ctx.keyring,
            &request,
            Action::Verify,
            &Actor::Requester,
            now,
            changes,
            details,
        )?;
        let status_token = issue_token(conn, request.id, TokenPurpose::Status, now)?;
        let due = request.state().effective_due();
        let messages = Messages::for_locale(&request.locale);
        let zone = requester_zone(ctx.settings.configured_time_zone.as_ref(), request.regime);
        let reader = compose::Reader {
            to: &request.email,
            messages: &messages,
            zone: &zone,
        };
        let mail = compose::confirmation(
            &reader,
            request.reference.as_str(),
            &status_link(ctx, &status_token),
            due,
            original.as_ref().map(|o| o.reference.as_str()),
        )?;
        queue_mail(conn, &ctx.keyring, &mail, now)?;
        Ok(status_token)
    })?;
    ctx.wake_mailer();
    Ok(status_token)
}

/// The request a verification token belongs to, if the token is still usable.
fn live_request(conn: &mut DbConn, vault: &Keyring, token: &str) -> Result<Request, AppError> {
    let token = LinkToken::parse(token).ok_or(AppError::NotFound)?;
    let stored = tokens::find(conn, token.hash().as_str(), TokenPurpose::Verify.as_str())?
        .ok_or(AppError::NotFound)?;
    let now = clock::now();
    if stored.used_at.is_some() {
        return Err(AppError::Gone(ALREADY_USED.to_string()));
    }
    if !is_live(from_db(stored.expires_at), None, now) {
        return Err(AppError::Gone(EXPIRED.to_string()));
    }
    let request_id = request_id_in("link_tokens", &stored.request_id)?;
    requests::find_by_id(conn, vault, request_id)?.ok_or(AppError::NotFound)
}
