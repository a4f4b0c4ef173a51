//! The web app: the route table, extractors and thin handlers that parse, call one use case
//! and render an askama page.

pub mod account_pages;
pub mod api;
pub mod api_token_page;
pub mod client_addr;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod error_response;
pub mod form;
pub mod handlers;
pub mod headers;
pub mod hold_pages;
pub mod intake_page;
pub mod language;
pub mod mail_page;
pub mod officer_pages;
pub mod pages;
pub mod presenters;
pub mod queue_link;
pub mod rate_limit;
pub mod reply_limit;
pub mod requester_view;
pub mod routes;
pub mod session;
pub mod tls;
pub mod view;
pub mod webhook_page;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};

use crate::app::Context;

/// What every handler can reach.
pub struct WebState {
    pub ctx: Context,
    pub csrf: csrf::CsrfKey,
    pub limiter: rate_limit::PublicPostLimiter,
    /// Replies per status link (`reply_limit`).
    pub reply_limiter: reply_limit::ReplyLimiter,
    /// Proxies whose forwarding headers name the client (`client_addr::ClientAddr`).
    pub trusted_proxies: crate::config::TrustedProxies,
    /// Calls per API token (`api::limiter`).
    pub api_limiter: api::limiter::ApiLimiter,
}

impl WebState {
    pub fn new(ctx: Context) -> WebState {
        WebState {
            csrf: csrf::CsrfKey::new(ctx.settings.secret_key.hash_key("csrf")),
            limiter: rate_limit::PublicPostLimiter::new(ctx.settings.rate_limit_per_minute),
            reply_limiter: reply_limit::ReplyLimiter::default(),
            trusted_proxies: ctx.settings.trusted_proxies.clone(),
            api_limiter: api::limiter::ApiLimiter::new(ctx.settings.api_rate_per_minute),
            ctx,
        }
    }

    /// Runs a use case on the blocking pool, off the async executor, with the app's context.
    pub async fn run<T, F>(&self, work: F) -> Result<T, crate::error::AppError>
    where
        F: FnOnce(&Context) -> Result<T, crate::error::AppError> + Send + 'static,
        T: Send + 'static,
    {
        let ctx = self.ctx.clone();
        handlers::blocking(move || work(&ctx)).await
    }

    /// Runs a use case that acts for a signed-in officer, as [`WebState::run`] does.
    pub async fn run_as<T, F>(
        &self,
        officer: &crate::app::officer::CurrentOfficer,
        work: F,
    ) -> Result<T, crate::error::AppError>
    where
        F: FnOnce(
                &Context,
                &crate::app::officer::CurrentOfficer,
            ) -> Result<T, crate::error::AppError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let officer = officer.clone();
        self.run(move |ctx| work(ctx, &officer)).await
    }
}

/// How the server runs beyond its routes.
#[derive(Default)]
pub struct ServerOptions {
    /// Worker threads; one per core when `None`.
    pub workers: Option<usize>,
    /// Serve HTTPS with this configuration.
    pub tls: Option<rustls::ServerConfig>,
    /// When set, the server does not watch signals itself: it stops gracefully when the
    /// future resolves (`serve` watches SIGTERM and SIGINT for all its parts).
    pub stop_when: Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
    /// How long a graceful stop waits for requests in flight.
    pub shutdown_timeout_secs: Option<u64>,
}

/// Builds the HTTP server on an already bound listener (port 0 in tests).
pub fn server(
    ctx: Context,
    listener: TcpListener,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    server_with(
        ctx,
        listener,
        ServerOptions {
            workers,
            ..ServerOptions::default()
        },
    )
}

pub fn server_with(
    ctx: Context,
    listener: TcpListener,
    options: ServerOptions,
) -> std::io::Result<Server> {
    let https = ctx.settings.is_https();
    let state = web::Data::new(WebState::new(ctx));
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|error, _| {
                error::WebError::from(crate::error::AppError::BadRequest(format!(
                    "The address has a malformed query: {error}"
                )))
                .into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| {
                error::WebError::from(crate::error::AppError::NotFound).into()
            }))
            .wrap(actix_web::middleware::from_fn(language::choose_language))
            .wrap(headers::security_headers(https))
            .wrap(actix_web::middleware::from_fn(headers::log_request))
            .configure(routes::configure)
    });
    if let Some(workers) = options.workers {
        server = server.workers(workers);
    }
    if let Some(seconds) = options.shutdown_timeout_secs {
        server = server.shutdown_timeout(seconds);
    }
    if let Some(stop) = options.stop_when {
        server = server.shutdown_signal(stop);
    }
    server = match options.tls {
        Some(config) => server.listen_rustls_0_23(listener, config)?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}

/// The separate listener for `/metrics` (Prometheus text): nothing else is served there,
/// and `/metrics` is served nowhere else.
pub fn metrics_server(
    ctx: Context,
    listener: TcpListener,
    stop_when: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> std::io::Result<Server> {
    let ctx = web::Data::new(ctx);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(ctx.clone())
            .route("/metrics", web::get().to(handlers::metrics::scrape))
    })
    .workers(1)
    .shutdown_timeout(5)
    .shutdown_signal(stop_when)
    .listen(listener)?
    .run())
}
