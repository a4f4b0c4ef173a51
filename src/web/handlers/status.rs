//! The requester's status page, reply and withdraw.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, see_other, CsrfForm};
use crate::app;
use crate::domain::status::RequestStatus;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::pages::{PackageEntry, StatusPage, TimelineEntry};
use crate::web::{view, WebState};

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    message: String,
    csrf_token: String,
}

impl CsrfForm for ReplyForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    csrf_token: String,
}

impl CsrfForm for WithdrawForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    token: web::Path<String>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let ctx = state.ctx.clone();
    let lookup = token.clone();
    let status = blocking(move || app::status::view(&ctx, &lookup)).await?;
    let csrf = issue_csrf(&state, &req)?;
    let now = app::clock::now();
    let request = &status.request;
    let notice = match query.notice.as_deref() {
        Some("confirmed") => Some("Thank you: your request is confirmed. Keep this page's address private; it is also in the email we just sent you."),
        Some("replied") => Some("Your message was sent."),
        Some("withdrawn") => Some("Your request is withdrawn."),
        _ => None,
    };
    let page = StatusPage {
        token,
        csrf_token: csrf.form_token.clone(),
        reference: request.row.reference.clone(),
        kind_label: request.kind.label().to_string(),
        regime_label: format!("{} ({})", request.regime.label(), request.regime.law()),
        status_label: request.status.label().to_string(),
        status_explanation: request.status.explanation().to_string(),
        received_at: view::display_time(crate::store::time::from_db(request.row.received_at)),
        due_at: view::display_time(status.due_at),
        due_note: view::due_note(status.due_at, now, request.status.is_closed()),
        due_rule: status.due_rule.clone(),
        extended: status.extended,
        timeline: status
            .timeline
            .iter()
            .map(|item| TimelineEntry {
                at: view::display_time(item.at),
                label: item.label.clone(),
                message: item.message.clone(),
                from_requester: item.from_requester,
            })
            .collect(),
        can_reply: status.can_reply,
        can_withdraw: status.can_withdraw,
        awaiting_requester: request.status == RequestStatus::AwaitingRequester,
        notice: notice.map(str::to_string),
        outcome: request
            .status
            .is_closed()
            .then(|| {
                status
                    .timeline
                    .iter()
                    .rev()
                    .find(|item| !item.from_requester && item.message.is_some())
                    .and_then(|item| item.message.clone())
            })
            .flatten(),
        package: status.package.as_ref().map(|offer| PackageEntry {
            path: offer.path.clone(),
            expires_at: view::display_time(offer.expires_at),
            downloads_left: offer.downloads_left,
            size: view::display_size(offer.size_bytes),
        }),
    };
    render(&page, StatusCode::OK, Some(csrf))
}

/// Limited per client (the public POST limit) and per link (`web::reply_limit`).
pub async fn reply(
    state: web::Data<WebState>,
    req: HttpRequest,
    client: ClientAddr,
    token: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    state.limiter.check(&client)?;
    let form: ReplyForm = read_checked_form(&state, &req, payload).await?;
    let token = token.into_inner();
    state.reply_limiter.check(&token)?;
    let ctx = state.ctx.clone();
    let target = format!("/status/{token}?notice=replied");
    blocking(move || app::status::reply(&ctx, &token, &form.message)).await?;
    Ok(see_other(&target))
}

pub async fn withdraw(
    state: web::Data<WebState>,
    req: HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let _: WithdrawForm = read_checked_form(&state, &req, payload).await?;
    let ctx = state.ctx.clone();
    let token = token.into_inner();
    let target = format!("/status/{token}?notice=withdrawn");
    blocking(move || app::status::withdraw(&ctx, &token)).await?;
    Ok(see_other(&target))
}
