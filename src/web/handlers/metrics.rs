//! `GET /metrics` on the metrics listener only (`RIGHTSDESK_METRICS_BIND`).

use actix_web::{web, HttpResponse};

use super::blocking;
use crate::app::{self, Context};
use crate::web::error::WebError;

pub async fn scrape(ctx: web::Data<Context>) -> Result<HttpResponse, WebError> {
    let ctx = ctx.get_ref().clone();
    let counters = ctx.metrics.clone();
    match blocking(move || app::metrics::scrape(&ctx)).await {
        Ok(text) => Ok(text_response(text)),
        Err(error) => {
            // The process's own counters are still worth having when the database is down.
            tracing::warn!(error = %error, "metrics: database figures unavailable");
            counters.scrape_errors.inc();
            Ok(text_response(counters.encode()))
        }
    }
}

fn text_response(text: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text)
}
