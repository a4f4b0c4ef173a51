//! The one route table.

use actix_web::web;

use super::handlers::{health, lookup, public, requests, status, verify};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(public::home))
        .route("/static/style.css", web::get().to(public::stylesheet))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/requests/new", web::get().to(requests::new_form))
        .route("/requests/submitted", web::get().to(requests::submitted))
        .route("/requests", web::post().to(requests::submit))
        .route("/verify/{token}", web::get().to(verify::show))
        .route("/verify/{token}", web::post().to(verify::confirm))
        // Registered before /status/{token} so that "lookup" is never read as a token.
        .route("/status/lookup", web::get().to(lookup::show))
        .route("/status/lookup", web::post().to(lookup::submit))
        .route("/status/{token}", web::get().to(status::show))
        .route("/status/{token}/reply", web::post().to(status::reply))
        .route("/status/{token}/withdraw", web::post().to(status::withdraw))
        .default_service(web::to(public::not_found));
}
