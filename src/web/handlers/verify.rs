//! The email confirmation link: GET shows a button, POST confirms.

use actix_web::{web, HttpRequest, HttpResponse};

use super::{render_with_csrf, see_other, CheckedForm, PlainForm};
use crate::app;
use crate::web::error::WebError;
use crate::web::language::PageLang;
use crate::web::pages::VerifyPage;
use crate::web::requester_view;
use crate::web::WebState;

pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    lang: PageLang,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let lookup = token.clone();
    let pending = state
        .run(move |ctx| app::verify::pending(ctx, &lookup))
        .await?;
    let lang = if lang.explicit {
        lang
    } else {
        lang.in_locale(&pending.locale)
    };
    render_with_csrf(&state, &req, |csrf_token| VerifyPage {
        csrf_token,
        token,
        reference: pending.reference,
        kind_label: requester_view::kind_label(pending.kind, &lang.messages),
        lang,
    })
}

pub async fn confirm(
    state: web::Data<WebState>,
    token: web::Path<String>,
    _: CheckedForm<PlainForm>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let status_token = state
        .run(move |ctx| app::verify::confirm(ctx, &token))
        .await?;
    Ok(see_other(&format!(
        "/status/{}?notice=confirmed",
        status_token.as_str()
    )))
}
