//! The requester's status page, reply and withdraw.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, see_other, CsrfForm, PlainForm};
use crate::app;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::presenters::status_page::status_page;
use crate::web::WebState;

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
    let page = status_page(
        &status,
        token,
        csrf.form_token.clone(),
        query.notice.as_deref(),
        app::clock::now(),
    );
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
    let _: PlainForm = read_checked_form(&state, &req, payload).await?;
    let ctx = state.ctx.clone();
    let token = token.into_inner();
    let target = format!("/status/{token}?notice=withdrawn");
    blocking(move || app::status::withdraw(&ctx, &token)).await?;
    Ok(see_other(&target))
}
