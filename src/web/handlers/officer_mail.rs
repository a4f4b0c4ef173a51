//! Admin page of mail delivery: the outbox's counts, the mail in trouble, and a retry for
//! mail that was given up.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, officer_csrf, read_checked_form, render, see_other, PlainForm};
use crate::app::outbox;
use crate::web::error::WebError;
use crate::web::presenters::admin_mail_page::{admin_mail_page, notice_for};
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct MailQuery {
    done: Option<String>,
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<MailQuery>,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    let (health, mails) = blocking(move || outbox::troubled(&ctx, &admin)).await?;
    let (csrf, nav) = officer_csrf(&state, &req, &officer)?;
    let page = admin_mail_page(
        nav,
        health,
        mails,
        outbox::TROUBLED_PAGE as usize,
        query.done.as_deref().and_then(notice_for),
    );
    render(&page, StatusCode::OK, Some(csrf))
}

pub async fn retry(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let _: PlainForm = read_checked_form(&state, &req, payload).await?;
    let ctx = state.ctx.clone();
    let id = id.into_inner();
    blocking(move || outbox::requeue(&ctx, &officer, &id)).await?;
    Ok(see_other("/officer/admin/mail?done=requeued"))
}
