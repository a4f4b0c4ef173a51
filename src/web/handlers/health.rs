use actix_web::{web, HttpResponse};

use crate::app;
use crate::web::error::WebError;
use crate::web::WebState;

/// Liveness: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Readiness: the database answers and every migration is applied.
pub async fn readyz(state: web::Data<WebState>) -> Result<HttpResponse, WebError> {
    state.run(app::health::check_ready).await?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ready"))
}
