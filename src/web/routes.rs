//! The one route table.

use actix_web::web;

use super::handlers::{
    downloads, health, lookup, officer_account, officer_admin, officer_api_tokens, officer_audit,
    officer_auth, officer_exports, officer_holds, officer_intake, officer_mail, officer_queue,
    officer_reports, officer_request, officer_retention, officer_webhooks, public, requests,
    status, verify,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    super::api::configure(cfg);
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
        .route("/downloads/{token}", web::get().to(downloads::fetch))
        .route("/officer", web::get().to(officer_auth::officer_home))
        .route("/officer/login", web::get().to(officer_auth::login_form))
        .route("/officer/login", web::post().to(officer_auth::login))
        .route(
            "/officer/login/code",
            web::get().to(officer_auth::code_form),
        )
        .route("/officer/login/code", web::post().to(officer_auth::code))
        .route("/officer/logout", web::post().to(officer_auth::logout))
        .route("/officer/mfa", web::get().to(officer_auth::mfa_form))
        .route("/officer/mfa", web::post().to(officer_auth::mfa_confirm))
        .route(
            "/officer/account/password",
            web::get().to(officer_account::password_form),
        )
        .route(
            "/officer/account/password",
            web::post().to(officer_account::change_password),
        )
        .route("/officer/queue", web::get().to(officer_queue::queue))
        .route("/officer/intake", web::get().to(officer_intake::form))
        .route("/officer/intake", web::post().to(officer_intake::record))
        .route(
            "/officer/requests/{reference}",
            web::get().to(officer_request::detail),
        )
        .route(
            "/officer/requests/{reference}/actions",
            web::post().to(officer_request::act),
        )
        .route(
            "/officer/requests/{reference}/tasks/close",
            web::post().to(officer_request::close_tasks),
        )
        .route(
            "/officer/exports/requests.{format}",
            web::get().to(officer_exports::requests),
        )
        .route(
            "/officer/reports/compliance",
            web::get().to(officer_reports::compliance),
        )
        .route("/officer/audit", web::get().to(officer_audit::list))
        .route(
            "/officer/retention",
            web::get().to(officer_retention::overview),
        )
        .route(
            "/officer/audit/verify",
            web::post().to(officer_audit::verify),
        )
        .route(
            "/officer/admin/officers",
            web::get().to(officer_admin::list),
        )
        .route(
            "/officer/admin/officers",
            web::post().to(officer_admin::create),
        )
        .route(
            "/officer/admin/officers/{id}",
            web::post().to(officer_admin::update),
        )
        .route(
            "/officer/admin/officers/{id}/password",
            web::post().to(officer_account::reset_password),
        )
        .route("/officer/admin/holds", web::get().to(officer_holds::list))
        .route("/officer/admin/holds", web::post().to(officer_holds::place))
        .route(
            "/officer/admin/holds/{id}/release",
            web::post().to(officer_holds::release),
        )
        .route(
            "/officer/admin/api-tokens",
            web::get().to(officer_api_tokens::list),
        )
        .route(
            "/officer/admin/api-tokens",
            web::post().to(officer_api_tokens::create),
        )
        .route(
            "/officer/admin/api-tokens/{id}/revoke",
            web::post().to(officer_api_tokens::revoke),
        )
        .route("/officer/admin/mail", web::get().to(officer_mail::list))
        .route(
            "/officer/admin/mail/{id}/retry",
            web::post().to(officer_mail::retry),
        )
        .route(
            "/officer/admin/webhooks",
            web::get().to(officer_webhooks::list),
        )
        .route(
            "/officer/admin/webhooks",
            web::post().to(officer_webhooks::create),
        )
        .route(
            "/officer/admin/webhooks/{id}",
            web::post().to(officer_webhooks::toggle),
        )
        .default_service(web::to(public::not_found));
}
