//! The mail sender: delivers what the outbox holds, retrying failures with backoff. Several
//! senders (instances) share one outbox: each claims its own mails, and starts a delivery
//! only while its claim has time left for it, so no mail goes out twice.

use std::time::{Duration, Instant};

use super::Shutdown;
use crate::app::outbox::Claim;
use crate::app::{self, clock, Context};
use crate::domain::mail_delivery::{AfterFailure, AttemptFailure};
use crate::error::AppError;
use crate::mail::Mailer;

/// How many mails one pass claims.
const BATCH: i64 = 50;

/// Longest a delivered mail waits to be recorded as sent. Deliveries are recorded together
/// (one write for a pass, not one per mail); over a slow server a pass can take long, and
/// a sender that dies before recording would send again what it had not recorded.
const RECORD_SENT_EVERY: Duration = Duration::from_secs(1);

/// Runs until the process ends.
pub async fn run(ctx: Context, mailer: Mailer) {
    run_until(ctx, mailer, Shutdown::never()).await
}

/// Delivers due mail, then sleeps until woken, the interval passes or `shutdown` fires.
/// A delivery in flight when it fires is finished (bounded by the mailer's timeout); mail
/// claimed but not yet tried is given back.
pub async fn run_until(ctx: Context, mailer: Mailer, mut shutdown: Shutdown) {
    let wakeup = ctx.mail_wakeup();
    let interval = Duration::from_millis(ctx.settings.outbox_interval_ms);
    while !shutdown.is_requested() {
        match deliver_due_until(&ctx, &mailer, &shutdown).await {
            Ok(claimed) if claimed as i64 >= BATCH => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "mail outbox pass failed"),
        }
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.requested() => {}
        }
    }
    tracing::info!("mail sender stopped");
}

/// One pass: claims due mail and tries each once. Returns how many were claimed.
pub async fn deliver_due(ctx: &Context, mailer: &Mailer) -> Result<usize, AppError> {
    deliver_due_until(ctx, mailer, &Shutdown::never()).await
}

async fn deliver_due_until(
    ctx: &Context,
    mailer: &Mailer,
    shutdown: &Shutdown,
) -> Result<usize, AppError> {
    let claim_ctx = ctx.clone();
    let delivery = time::Duration::try_from(mailer.send_timeout())
        .map_err(|e| AppError::Internal(format!("delivery bound: {e}")))?;
    let claim = blocking(move || app::outbox::claim_due(&claim_ctx, BATCH, delivery)).await?;
    let claimed = claim.mails.len();
    let Claim {
        token,
        latest_start,
        mails,
        ..
    } = claim;
    let mut attempted = 0;
    let mut sent = SentMails::new(ctx);
    for row in mails {
        if shutdown.is_requested() || clock::now() > latest_start {
            break;
        }
        attempted += 1;
        let result = mailer
            .send(&row.id, &row.to_addr, &row.subject, &row.body)
            .await;
        // The log names the outbox id and template only: the address is personal data, and
        // so may be the server's reply.
        match result {
            Ok(()) => {
                tracing::debug!(mail = %row.id, template = %row.template, "mail sent");
                ctx.metrics.mail_sent.inc();
                sent.push(row.id);
                if sent.is_due() {
                    sent.record().await?;
                }
            }
            Err(error) => {
                let failure = if error.is_rejection() {
                    AttemptFailure::Rejected
                } else {
                    AttemptFailure::Transient
                };
                let summary = error.log_summary();
                let message = error.to_string();
                let token = token.clone();
                let (id, template, attempt) =
                    (row.id.clone(), row.template.clone(), row.attempts + 1);
                let record_ctx = ctx.clone();
                let decision = blocking(move || {
                    app::outbox::record_failure(&record_ctx, &row, &token, failure, &message)
                })
                .await;
                let decision = match decision {
                    Ok(decision) => decision,
                    Err(error) => {
                        sent.record().await?;
                        return Err(error);
                    }
                };
                ctx.metrics.mail_failed(decision == AfterFailure::GiveUp);
                match decision {
                    AfterFailure::RetryAt(_) => {
                        tracing::warn!(mail = %id, template = %template, attempt, error = %summary, "mail delivery failed; will retry")
                    }
                    AfterFailure::GiveUp => {
                        tracing::error!(mail = %id, template = %template, attempt, error = %summary, "mail undeliverable; not retried (listed for admins)")
                    }
                }
            }
        }
    }
    sent.record().await?;
    // Whatever was claimed and not tried goes back for the next pass or another sender.
    if attempted < claimed {
        let release_ctx = ctx.clone();
        blocking(move || app::outbox::release(&release_ctx, &token)).await?;
    }
    Ok(claimed)
}

/// Mails delivered in this pass and not yet recorded as sent.
struct SentMails<'a> {
    ctx: &'a Context,
    ids: Vec<String>,
    since: Instant,
}

impl<'a> SentMails<'a> {
    fn new(ctx: &'a Context) -> SentMails<'a> {
        SentMails {
            ctx,
            ids: Vec::new(),
            since: Instant::now(),
        }
    }

    fn push(&mut self, id: String) {
        self.ids.push(id);
    }

    /// Whether deliveries were last recorded (or the pass began) long enough ago.
    fn is_due(&self) -> bool {
        self.since.elapsed() >= RECORD_SENT_EVERY
    }

    /// Records every delivery held, in one write.
    async fn record(&mut self) -> Result<(), AppError> {
        self.since = Instant::now();
        if self.ids.is_empty() {
            return Ok(());
        }
        let ids = std::mem::take(&mut self.ids);
        let ctx = self.ctx.clone();
        blocking(move || app::outbox::record_sent(&ctx, &ids)).await
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}
