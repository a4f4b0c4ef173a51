//! The JSON API for other systems, under `/api/v1`: bearer tokens (`bearer.rs`) with
//! per-token limits (`limiter.rs`), problem+json errors (`problem.rs`), JSON types
//! (`json.rs`), handlers per resource (requests, consents, fulfilment tasks, inventory
//! pushes streamed through `body_reader.rs`) and the generated OpenAPI document (`openapi.rs`).

pub mod bearer;
pub mod body_reader;
pub mod consents;
pub mod inventory;
pub mod json;
pub mod limiter;
pub mod openapi;
pub mod problem;
pub mod requests;
pub mod tasks;

use actix_web::web;

/// The API's routes; unknown paths under `/api/v1` answer a 404 problem.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi::serve))
            .route("/requests", web::post().to(requests::create))
            .route("/requests", web::get().to(requests::list))
            .route("/requests/{reference}", web::get().to(requests::show))
            .route("/consents", web::get().to(consents::show))
            .route("/inventory/{kind}", web::post().to(inventory::push))
            .route("/tasks", web::get().to(tasks::list))
            .route("/tasks/{id}/complete", web::post().to(tasks::complete))
            .route("/tasks/{id}/failed", web::post().to(tasks::fail))
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<actix_web::HttpResponse, problem::ApiError> {
    Err(crate::error::AppError::NotFound.into())
}
