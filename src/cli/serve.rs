//! `rightsdesk serve`: the web app (plain HTTP or TLS), the metrics listener when asked for,
//! and the background jobs. SIGTERM or SIGINT stops it gracefully: no new connections,
//! requests in flight finished (bounded), the mail sender finishes the delivery in hand and
//! gives back the rest, one last audit sequencer pass leaves no event pending, and the
//! process exits 0. SIGHUP reloads the TLS certificate.

use std::future::Future;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

use crate::app::Context;
use crate::config::Settings;
use crate::jobs;
use crate::mail::Mailer;
use crate::web::tls::{self, CertificateStore};
use crate::web::{self, ServerOptions};

pub fn run(settings: Settings) -> Result<(), String> {
    // Certificates are checked before anything else, so a bad pair is one clear line.
    let certificates = settings
        .tls
        .as_ref()
        .map(CertificateStore::load)
        .transpose()?;
    let bind = settings.bind;
    let ctx = Context::open(settings).map_err(|e| e.to_string())?;
    ctx.migrate_at_start().map_err(|e| e.to_string())?;
    let database_kind = ctx.database_kind();
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("RIGHTSDESK_BIND: cannot listen on {bind}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let metrics_listener = match ctx.settings.metrics_bind {
        Some(metrics_bind) => Some(TcpListener::bind(metrics_bind).map_err(|e| {
            format!("RIGHTSDESK_METRICS_BIND: cannot listen on {metrics_bind}: {e}")
        })?),
        None => None,
    };
    let tls_config = match (&certificates, &ctx.settings.tls) {
        (Some(store), Some(files)) => {
            Some(tls::server_config(Arc::clone(store), files.allow_tls12)?)
        }
        _ => None,
    };
    let mail_target = match &ctx.settings.smtp_url {
        Some(_) => "SMTP".to_string(),
        None => ctx.settings.mail_dir().display().to_string(),
    };
    let shutdown_timeout = ctx.settings.shutdown_timeout_secs;

    actix_web::rt::System::new().block_on(async move {
        let (stopping, stop) = watch::channel(false);
        let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let mut hangup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;

        // The SMTP transport's connection pool spawns its own task: it must be built inside
        // the runtime, never before it exists.
        let mailer = Mailer::from_settings(&ctx.settings).map_err(|e| e.to_string())?;
        let (stop_jobs, jobs_stop) = jobs::shutdown_signal();
        let outbox = tokio::spawn(jobs::outbox::run_until(ctx.clone(), mailer, jobs_stop.clone()));
        let maintenance = tokio::spawn(jobs::maintenance::run(ctx.clone()));
        let sequencer = tokio::spawn(jobs::audit_sequencer::run_until(ctx.clone(), jobs_stop.clone()));
        let webhooks = tokio::spawn(jobs::webhooks::run_until(ctx.clone(), jobs_stop.clone()));
        let retention = tokio::spawn(jobs::retention::run_until(ctx.clone(), jobs_stop));

        let metrics = match metrics_listener {
            Some(listener) => {
                let metrics_address = listener.local_addr().map_err(|e| e.to_string())?;
                let server = web::metrics_server(ctx.clone(), listener, stopped(stop.clone()))
                    .map_err(|e| e.to_string())?;
                tracing::info!(address = %metrics_address, "metrics listening");
                Some(tokio::spawn(server))
            }
            None => None,
        };
        let final_ctx = ctx.clone();
        let server = web::server_with(
            ctx,
            listener,
            ServerOptions {
                tls: tls_config,
                stop_when: Some(stopped(stop.clone())),
                shutdown_timeout_secs: Some(shutdown_timeout),
                ..ServerOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
        let tls_on = certificates.is_some();
        tracing::info!(address = %address, tls = tls_on, backend = %database_kind, mail = %mail_target, "rightsdesk listening");
        let mut server = tokio::spawn(server);

        let served = loop {
            tokio::select! {
                _ = terminate.recv() => { tracing::info!("SIGTERM: stopping gracefully"); break None; }
                _ = interrupt.recv() => { tracing::info!("SIGINT: stopping gracefully"); break None; }
                _ = hangup.recv() => match &certificates {
                    Some(store) => match store.reload() {
                        Ok(()) => tracing::info!("SIGHUP: TLS certificate reloaded"),
                        Err(error) => tracing::error!(error = %error, "SIGHUP: TLS certificate not reloaded; the current one stays in force"),
                    },
                    None => tracing::info!("SIGHUP: nothing to reload"),
                },
                result = &mut server => break Some(result),
            }
        };
        stopping.send_replace(true);
        stop_jobs.fire();
        let served = match served {
            Some(result) => result,
            None => server.await,
        };
        // The jobs stop at their next safe point: a delivery in flight ends within the
        // mailer's (or the webhook) timeout; a purge batch or a sequencer batch commits or rolls back whole.
        let grace = Duration::from_secs(shutdown_timeout);
        for (name, job) in [
            ("mail sender", outbox),
            ("webhook sender", webhooks),
            ("scheduled purge", retention),
            ("audit sequencer", sequencer),
        ] {
            if tokio::time::timeout(grace, job).await.is_err() {
                tracing::warn!(job = name, "did not stop in time; its work resumes at the next start");
            }
        }
        maintenance.abort();
        // Requests finished during shutdown appended events after the sequencer's last pass:
        // one more pass, bounded, leaves none pending.
        jobs::audit_sequencer::final_pass(final_ctx, grace).await;
        if let Some(metrics) = metrics {
            let _ = tokio::time::timeout(grace, metrics).await;
        }
        tracing::info!("rightsdesk stopped");
        served
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    })
}

/// A future that resolves once `stop` turns true.
fn stopped(mut stop: watch::Receiver<bool>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        let _ = stop.wait_for(|stopping| *stopping).await;
    })
}
