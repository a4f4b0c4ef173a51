//! The web app: the route table, extractors and thin handlers that parse, call one use case
//! and render an askama page.

pub mod client_addr;
pub mod csrf;
pub mod form;
pub mod handlers;
pub mod headers;
pub mod officer_pages;
pub mod pages;
pub mod rate_limit;
pub mod routes;
pub mod session;
pub mod view;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};

use crate::app::Context;

/// What every handler can reach.
pub struct WebState {
    pub ctx: Context,
    pub csrf: csrf::CsrfKey,
    pub limiter: rate_limit::PublicPostLimiter,
    /// Proxies whose forwarding headers name the client (`client_addr::ClientAddr`).
    pub trusted_proxies: crate::config::TrustedProxies,
}

impl WebState {
    pub fn new(ctx: Context) -> WebState {
        WebState {
            csrf: csrf::CsrfKey::new(ctx.settings.secret_key.derive("csrf")),
            limiter: rate_limit::PublicPostLimiter::new(ctx.settings.rate_limit_per_minute),
            trusted_proxies: ctx.settings.trusted_proxies.clone(),
            ctx,
        }
    }
}

/// Builds the HTTP server on an already bound listener (port 0 in tests).
pub fn server(
    ctx: Context,
    listener: TcpListener,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    let https = ctx.settings.is_https();
    let state = web::Data::new(WebState::new(ctx));
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|error, _| {
                crate::error::AppError::BadRequest(format!(
                    "The address has a malformed query: {error}"
                ))
                .into()
            }))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| crate::error::AppError::NotFound.into()),
            )
            .wrap(headers::security_headers(https))
            .wrap(actix_web::middleware::from_fn(headers::log_request))
            .configure(routes::configure)
    })
    .listen(listener)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}
