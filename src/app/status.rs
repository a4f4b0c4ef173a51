//! The requester's status page and what they can do from it: reply and withdraw.

use crate::vault::Keyring;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::requests::{audit_target, queue_mail, status_link};
use super::{clock, Context};
use crate::domain::audit::Actor;
use crate::domain::deadline::DueRuleFacts;
use crate::domain::ids::RequestId;
use crate::domain::lifecycle::{self, Action};
use crate::domain::local_time::requester_zone;
use crate::domain::message::Author;
use crate::domain::report::ReportZone;
use crate::domain::request::Request;
use crate::domain::submission::MAX_TEXT_CHARS;
use crate::domain::token::{is_live, LinkToken, TokenPurpose};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::mail::compose;
use crate::store::requests::{self, RequestChanges};
use crate::store::time::{from_db, to_db};
use crate::store::{audit, messages, tokens, DbConn};

/// One line of the requester's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineItem {
    pub at: OffsetDateTime,
    /// What happened, as the message id of its words (`timeline-*` in `locales/`).
    pub label: &'static str,
    pub message: Option<String>,
    pub from_requester: bool,
}

/// Everything the status page shows.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub request: Request,
    pub due_at: OffsetDateTime,
    pub extended: bool,
    pub due_rule: DueRuleFacts,
    /// The clock the requester reads times on (`domain::local_time::requester_zone`).
    pub zone: ReportZone,
    pub timeline: Vec<TimelineItem>,
    pub can_reply: bool,
    pub can_withdraw: bool,
    pub package: Option<super::downloads::PackageOffer>,
    /// The reference of the requester's own open request this one was linked to (the page
    /// is reached only through the link mailed to the requester's address).
    pub linked_to: Option<String>,
}

/// What an expired status link answers (the web layer words it in the requester's language).
pub const EXPIRED: &str = "This link has expired. Ask for a new one on the \"Find my request\" page with your email address and the request's reference.";

/// What an empty reply answers.
pub const REPLY_EMPTY: &str = "Write your message before sending it.";

pub fn view(ctx: &Context, token: &str) -> Result<StatusView, AppError> {
    let mut conn = ctx.conn()?;
    let request = request_for_token(&mut conn, &ctx.keyring, token)?;
    let now = clock::now();
    let state = request.state();
    let can = |action| lifecycle::transition(&state, action, now).is_ok();
    let timeline = timeline(&mut conn, &ctx.keyring, &request)?;
    let package = super::downloads::offer(ctx, &mut conn, &request.id.to_string())?;
    let linked_to = match request.duplicate_of {
        Some(id) => requests::linked(&mut conn, id)?.map(|linked| linked.reference),
        None => None,
    };
    Ok(StatusView {
        linked_to,
        package,
        due_at: state.effective_due(),
        extended: state.extended_due_at.is_some(),
        due_rule: ctx.settings.policy.deadlines.facts(
            request.regime,
            request.kind,
            request.content_removal,
        ),
        zone: requester_zone(ctx.settings.configured_time_zone.as_ref(), request.regime),
        timeline,
        can_reply: can(Action::RequesterReply),
        can_withdraw: can(Action::Withdraw),
        request,
    })
}

/// The requester answers (or adds information); an open question moves the request back to
/// the officers.
pub fn reply(ctx: &Context, token: &str, message: &str) -> Result<(), AppError> {
    let message = message.trim();
    if message.is_empty() {
        return Err(AppError::BadRequest(REPLY_EMPTY.to_string()));
    }
    if message.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::BadRequest(format!(
            "A message has at most {MAX_TEXT_CHARS} characters."
        )));
    }
    ctx.write(|conn| {
        let now = clock::now();
        let request = request_for_token(conn, &ctx.keyring, token)?;
        let message_id = uuid::Uuid::now_v7().to_string();
        let mut details = Map::new();
        details.insert("message_id".into(), Value::String(message_id.clone()));
        super::transition::apply(
            conn,
            &ctx.keyring,
            &request,
            Action::RequesterReply,
            &Actor::Requester,
            now,
            RequestChanges::default(),
            details,
        )?;
        messages::insert(
            conn,
            &ctx.keyring,
            &message_id,
            request.id,
            Author::Requester,
            message,
            to_db(now),
        )?;
        Ok(())
    })
}

/// The requester withdraws the request; they get a mail saying so.
pub fn withdraw(ctx: &Context, token: &str) -> Result<(), AppError> {
    ctx.write(|conn| {
        let now = clock::now();
        let request = request_for_token(conn, &ctx.keyring, token)?;
        let transition = super::transition::apply(
            conn,
            &ctx.keyring,
            &request,
            Action::Withdraw,
            &Actor::Requester,
            now,
            RequestChanges::default(),
            Map::new(),
        )?;
        let link = ctx.link(&format!("/status/{token}"));
        let mail = compose::status_changed(
            &Messages::for_locale(&request.locale),
            &request.email,
            request.reference.as_str(),
            transition.to,
            false,
            &link,
        )?;
        queue_mail(conn, &ctx.keyring, &mail, now)
    })?;
    ctx.wake_mailer();
    Ok(())
}

/// The request a status token belongs to; unknown tokens are a 404, expired ones a 410.
pub(crate) fn request_for_token(
    conn: &mut DbConn,
    vault: &Keyring,
    token: &str,
) -> Result<Request, AppError> {
    let token = LinkToken::parse(token).ok_or(AppError::NotFound)?;
    let stored = tokens::find(conn, token.hash().as_str(), TokenPurpose::Status.as_str())?
        .ok_or(AppError::NotFound)?;
    if !is_live(from_db(stored.expires_at), None, clock::now()) {
        return Err(AppError::Gone(EXPIRED.to_string()));
    }
    let request_id = super::requests::request_id_in("link_tokens", &stored.request_id)?;
    requests::find_by_id(conn, vault, request_id)?.ok_or(AppError::NotFound)
}

/// The request's history in the requester's words; internal notes are left out.
fn timeline(
    conn: &mut DbConn,
    vault: &Keyring,
    request: &Request,
) -> Result<Vec<TimelineItem>, AppError> {
    let events = audit::list_for_target(conn, &audit_target(request.id))?;
    let messages = messages::list_for_request(conn, vault, request.id)?;
    let message_body = |details: &Value| {
        let id = details.get("message_id")?.as_str()?;
        messages
            .iter()
            .find(|m| m.id == id && m.author.requester_sees())
            .map(|m| m.body.clone())
    };
    let mut items = Vec::with_capacity(events.len());
    for event in events {
        let details: Value = serde_json::from_str(&event.details).unwrap_or(Value::Null);
        let label = match event.action.as_str() {
            "request.submitted" => "timeline-submitted",
            "request.verified" => "timeline-verified",
            "request.assigned" | "request.started" => "timeline-working",
            "request.asked_requester" => "timeline-asked",
            "request.requester_replied" => "timeline-replied",
            "request.extended" => "timeline-extended",
            "request.rejected" => "timeline-rejected",
            "request.fulfilled" => "timeline-fulfilled",
            "request.withdrawn" => "timeline-withdrawn",
            "package.downloaded" => "timeline-downloaded",
            "request.merged" => "timeline-merged",
            _ => continue,
        };
        let reason = details
            .get("reason")
            .and_then(Value::as_str)
            .map(str::to_string);
        items.push(TimelineItem {
            at: event.at,
            label,
            message: message_body(&details).or(reason),
            from_requester: event.actor == Actor::Requester,
        });
    }
    Ok(items)
}

/// The link a requester keeps for this request, fresh.
pub fn fresh_status_link(
    ctx: &Context,
    conn: &mut DbConn,
    request_id: RequestId,
    now: OffsetDateTime,
) -> Result<String, AppError> {
    let token = super::requests::issue_token(conn, request_id, TokenPurpose::Status, now)?;
    Ok(status_link(ctx, &token))
}
