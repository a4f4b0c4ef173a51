//! The outbox side of mail delivery: claiming due mail, recording how each attempt went,
//! and what admins see of mail that cannot be delivered.

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::officer::CurrentOfficer;
use super::{clock, Context};
use crate::domain::audit::Target;
use crate::domain::mail_delivery::{AfterFailure, AttemptFailure, ClaimWindow, RetryPolicy};
use crate::error::AppError;
use crate::store::audit;
use crate::store::outbox::{self, AfterFailedAttempt, OutboxRow};
use crate::store::time::{from_db, to_db};

/// Mail one sender holds until `until`; it starts no delivery after `latest_start`.
#[derive(Debug)]
pub struct Claim {
    pub token: String,
    pub until: OffsetDateTime,
    pub latest_start: OffsetDateTime,
    pub mails: Vec<OutboxRow>,
}

/// Claims up to `limit` due mails for a sender whose deliveries take at most `delivery`.
pub fn claim_due(ctx: &Context, limit: i64, delivery: Duration) -> Result<Claim, AppError> {
    let now = clock::now();
    let ClaimWindow {
        until,
        latest_start,
    } = ClaimWindow::starting(now, delivery);
    let token = uuid::Uuid::now_v7().to_string();
    // A read first: most passes (one per new mail, one per interval) find nothing or what
    // another sender already holds, and need not queue for the writer.
    if !outbox::any_due(&mut *ctx.conn()?, to_db(now))? {
        return Ok(Claim {
            token,
            until,
            latest_start,
            mails: Vec::new(),
        });
    }
    // One UPDATE claims and returns the rows.
    let mails = ctx.write_statement(|conn| {
        Ok(outbox::claim_due(
            conn,
            &ctx.keyring,
            &token,
            to_db(now),
            to_db(until),
            limit,
        )?)
    })?;
    Ok(Claim {
        token,
        until,
        latest_start,
        mails,
    })
}

/// Records mails delivered: one write for all of them.
pub fn record_sent(ctx: &Context, ids: &[String]) -> Result<(), AppError> {
    ctx.write_statement(|conn| Ok(outbox::mark_sent(conn, ids, to_db(clock::now()))?))?;
    Ok(())
}

/// Records a failed attempt: another try later with a growing wait, or none (the server
/// refused the recipient, or the mail has been failing for days).
pub fn record_failure(
    ctx: &Context,
    row: &OutboxRow,
    token: &str,
    failure: AttemptFailure,
    error: &str,
) -> Result<AfterFailure, AppError> {
    let now = clock::now();
    let decision = RetryPolicy::default().after_failure(
        failure,
        row.attempts.max(0) as u32,
        from_db(row.created_at),
        now,
    );
    let after = match decision {
        AfterFailure::RetryAt(next) => AfterFailedAttempt::RetryAt(to_db(next)),
        AfterFailure::GiveUp => AfterFailedAttempt::GivenUpAt(to_db(now)),
    };
    ctx.write_statement(|conn| Ok(outbox::mark_failed(conn, &row.id, token, after, error)?))?;
    Ok(decision)
}

/// Gives back claimed mail that was not attempted (the sender is stopping).
pub fn release(ctx: &Context, token: &str) -> Result<usize, AppError> {
    ctx.write_statement(|conn| Ok(outbox::release_claims(conn, token)?))
}

/// The state of the outbox at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxHealth {
    /// Waiting to be sent.
    pub pending: i64,
    /// Waiting, after at least one failed attempt.
    pub failing: i64,
    /// Given up: never tried again unless an admin puts it back.
    pub undeliverable: i64,
}

pub fn health(ctx: &Context) -> Result<OutboxHealth, AppError> {
    let mut conn = ctx.conn()?;
    Ok(OutboxHealth {
        pending: outbox::count_pending(&mut conn)?,
        failing: outbox::count_failing(&mut conn)?,
        undeliverable: outbox::count_undeliverable(&mut conn)?,
    })
}

/// One mail in trouble, as an admin sees it.
#[derive(Debug, Clone)]
pub struct TroubledMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub template: String,
    pub queued_at: OffsetDateTime,
    pub attempts: i32,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub failed_at: Option<OffsetDateTime>,
    pub last_error: String,
}

/// How many troubled mails the admin page lists.
pub const TROUBLED_PAGE: i64 = 200;

/// Undeliverable mail and mail that is failing, for admins only.
pub fn troubled(
    ctx: &Context,
    officer: &CurrentOfficer,
) -> Result<(OutboxHealth, Vec<TroubledMail>), AppError> {
    ensure_admin(officer)?;
    let health = health(ctx)?;
    let mut conn = ctx.conn()?;
    let mails = outbox::list_troubled(&mut conn, &ctx.keyring, TROUBLED_PAGE)?
        .into_iter()
        .map(|row| TroubledMail {
            next_attempt_at: row
                .failed_at
                .is_none()
                .then(|| from_db(row.next_attempt_at)),
            failed_at: row.failed_at.map(from_db),
            queued_at: from_db(row.created_at),
            last_error: row.last_error.unwrap_or_default(),
            id: row.id,
            to: row.to_addr,
            subject: row.subject,
            template: row.template,
            attempts: row.attempts,
        })
        .collect();
    Ok((health, mails))
}

/// Puts an undeliverable mail back in the queue (after the address or the server was
/// fixed), with a fresh three days to go; audited.
pub fn requeue(ctx: &Context, officer: &CurrentOfficer, id: &str) -> Result<(), AppError> {
    ensure_admin(officer)?;
    let now = clock::now();
    ctx.write(|conn| {
        if !outbox::requeue(conn, id, to_db(now))? {
            return Err(AppError::NotFound);
        }
        audit::append_event(
            conn,
            now,
            &officer.actor(),
            "mail.requeued",
            &Target::Mail(id.to_string()),
            &json!({}),
        )?;
        Ok(())
    })?;
    ctx.wake_mailer();
    Ok(())
}

fn ensure_admin(officer: &CurrentOfficer) -> Result<(), AppError> {
    if officer.scope.can_manage_officers() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only admins can see and retry undeliverable mail.".to_string(),
        ))
    }
}
