//! The email confirmation link: GET shows a button, POST confirms.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{blocking, issue_csrf, read_checked_form, render, see_other, PlainForm};
use crate::app;
use crate::web::error::WebError;
use crate::web::pages::VerifyPage;
use crate::web::WebState;

pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let ctx = state.ctx.clone();
    let lookup = token.clone();
    let pending = blocking(move || app::verify::pending(&ctx, &lookup)).await?;
    let csrf = issue_csrf(&state, &req)?;
    let page = VerifyPage {
        csrf_token: csrf.form_token.clone(),
        token,
        reference: pending.reference,
        kind_label: pending.kind.label().to_string(),
    };
    render(&page, StatusCode::OK, Some(csrf))
}

pub async fn confirm(
    state: web::Data<WebState>,
    req: HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let _: PlainForm = read_checked_form(&state, &req, payload).await?;
    let ctx = state.ctx.clone();
    let token = token.into_inner();
    let status_token = blocking(move || app::verify::confirm(&ctx, &token)).await?;
    Ok(see_other(&format!(
        "/status/{}?notice=confirmed",
        status_token.as_str()
    )))
}
