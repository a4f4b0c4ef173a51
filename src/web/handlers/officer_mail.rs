//! Admin page of mail delivery: the outbox's counts, the mail in trouble, and a retry for
//! mail that was given up.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{render_officer_page, see_other, OfficerPost, PlainForm};
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
    SignedIn(officer): SignedIn,
    query: web::Query<MailQuery>,
) -> Result<HttpResponse, WebError> {
    let (health, mails) = state.run_as(&officer, outbox::troubled).await?;
    render_officer_page(&state, &req, &officer, |nav| {
        let notice = query.done.as_deref().and_then(notice_for);
        admin_mail_page(nav, health, mails, outbox::TROUBLED_PAGE as usize, notice)
    })
}

pub async fn retry(
    state: web::Data<WebState>,
    id: web::Path<String>,
    OfficerPost { officer, .. }: OfficerPost<PlainForm>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    state
        .run(move |ctx| outbox::requeue(ctx, &officer, &id))
        .await?;
    Ok(see_other("/officer/admin/mail?done=requeued"))
}
