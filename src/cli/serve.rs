use std::net::TcpListener;

use crate::app::Context;
use crate::config::Settings;
use crate::jobs;
use crate::mail::Mailer;
use crate::store::Backend;
use crate::store::DatabaseUrl;
use crate::web;

pub fn run(settings: Settings) -> Result<(), String> {
    let backend = DatabaseUrl::parse(&settings.database_url)
        .map_err(|e| e.to_string())?
        .backend();
    let bind = settings.bind;
    let ctx = Context::open(settings).map_err(|e| e.to_string())?;
    // A first run on SQLite needs no separate step; PostgreSQL is migrated by the operator
    // (`rightsdesk migrate`) so that many instances do not race at start.
    if backend == Backend::Sqlite {
        ctx.migrate().map_err(|e| e.to_string())?;
    }
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("RIGHTSDESK_BIND: cannot listen on {bind}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let mail_target = match &ctx.settings.smtp_url {
        Some(_) => "SMTP".to_string(),
        None => ctx.settings.mail_dir().display().to_string(),
    };
    actix_web::rt::System::new().block_on(async move {
        // The SMTP transport's connection pool spawns its own task: it must be built inside
        // the runtime, never before it exists.
        let mailer = Mailer::from_settings(&ctx.settings).map_err(|e| e.to_string())?;
        tokio::spawn(jobs::outbox::run(ctx.clone(), mailer));
        tokio::spawn(jobs::maintenance::run(ctx.clone()));
        tokio::spawn(jobs::retention::run(ctx.clone()));
        let server = web::server(ctx, listener, None).map_err(|e| e.to_string())?;
        tracing::info!(address = %address, backend = ?backend, mail = %mail_target, "rightsdesk listening");
        server.await.map_err(|e| e.to_string())
    })
}
