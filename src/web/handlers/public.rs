use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::render;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::language::PageLang;
use crate::web::pages::HomePage;
use crate::web::requester_view as words;
use crate::web::WebState;

const STYLESHEET: &str = include_str!("../../../static/style.css");

pub async fn home(state: web::Data<WebState>, lang: PageLang) -> Result<HttpResponse, WebError> {
    let policy = &state.ctx.settings.policy;
    let messages = &lang.messages;
    let page = HomePage {
        kinds: words::kind_options(messages),
        regimes: words::regime_options(&policy.deadlines, messages),
        retention: words::retention_rows(&policy.retention, messages),
        lang,
    };
    render(&page, StatusCode::OK, None)
}

/// The stylesheet is built into the binary: one file to deploy, nothing from other hosts.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

pub async fn not_found() -> Result<HttpResponse, WebError> {
    Err(AppError::NotFound.into())
}
