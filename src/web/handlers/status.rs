//! The requester's status page, reply and withdraw.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{render_with_csrf, see_other, CheckedForm, CsrfForm, LimitedPost, PlainForm};
use crate::app;
use crate::web::error::WebError;
use crate::web::language::PageLang;
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
    lang: PageLang,
    token: web::Path<String>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let lookup = token.clone();
    let status = state
        .run(move |ctx| app::status::view(ctx, &lookup))
        .await?;
    // The language the request was made in, unless this very visit chose another.
    let lang = if lang.explicit {
        lang
    } else {
        lang.in_locale(&status.request.locale)
    };
    render_with_csrf(&state, &req, |csrf_token| {
        let notice = query.notice.as_deref();
        status_page(&status, lang, token, csrf_token, notice, app::clock::now())
    })
}

/// Limited per client (the public POST limit) and per link (`web::reply_limit`).
pub async fn reply(
    state: web::Data<WebState>,
    token: web::Path<String>,
    LimitedPost(form): LimitedPost<ReplyForm>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    state.reply_limiter.check(&token)?;
    let target = format!("/status/{token}?notice=replied");
    state
        .run(move |ctx| app::status::reply(ctx, &token, &form.message))
        .await?;
    Ok(see_other(&target))
}

pub async fn withdraw(
    state: web::Data<WebState>,
    token: web::Path<String>,
    _: CheckedForm<PlainForm>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let target = format!("/status/{token}?notice=withdrawn");
    state
        .run(move |ctx| app::status::withdraw(ctx, &token))
        .await?;
    Ok(see_other(&target))
}
