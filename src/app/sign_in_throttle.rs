//! Sign-in throttling as the use cases apply it: every attempt (a password or a code) is
//! reserved under three counters in one transaction before anything is checked, and
//! settled afterwards. The rules are in `domain::throttle`.

use std::net::IpAddr;

use data_encoding::HEXLOWER;
use serde_json::json;
use time::OffsetDateTime;

use super::Context;
use crate::domain::audit::{Actor, Target};
use crate::domain::throttle::{ThrottlePolicy, ThrottleScope, ThrottleState, Throttled};
use crate::error::AppError;
use crate::store::audit;
use crate::store::throttle::{self, ThrottleRow};
use crate::store::time::{from_db, to_db};
use crate::store::DbConn;

/// An attempt that has been counted and must be settled.
#[derive(Debug)]
pub struct Attempt {
    keys: [(ThrottleScope, String); 3],
    /// Each counter's failures once this attempt was reserved, in the order of `keys`.
    failures: [u32; 3],
}

/// The three keys of an attempt on `account` (an email address, or an officer for the
/// code step) from `client`: keyed hashes, so the table holds no address.
fn keys(
    ctx: &Context,
    step: &str,
    account: &str,
    client: Option<IpAddr>,
) -> [(ThrottleScope, String); 3] {
    let client = client.map(|ip| ip.to_string()).unwrap_or_default();
    [
        (
            ThrottleScope::Pair,
            keyed(
                ctx,
                &format!("{step}-pair"),
                &format!("{account}\n{client}"),
            ),
        ),
        (
            ThrottleScope::Account,
            keyed(ctx, &format!("{step}-account"), account),
        ),
        // One client's failures count across both steps.
        (ThrottleScope::Client, keyed(ctx, "client", &client)),
    ]
}

/// The secret key's own keyed hash (HMAC-SHA-256) of the kind and value.
fn keyed(ctx: &Context, kind: &str, value: &str) -> String {
    let hash = ctx
        .settings
        .secret_key
        .derive(&format!("sign-in throttle\n{kind}:{value}"));
    format!("{kind}:{}", HEXLOWER.encode(&hash))
}

fn state_of(row: &ThrottleRow) -> ThrottleState {
    ThrottleState {
        failures: row.failures.max(0) as u32,
        last_failure_at: row.last_failure_at.map(from_db),
        locked_until: row.locked_until.map(from_db),
    }
}

fn row_of(key: &str, state: &ThrottleState) -> ThrottleRow {
    ThrottleRow {
        throttle_key: key.to_string(),
        failures: state.failures.min(i32::MAX as u32) as i32,
        last_failure_at: state.last_failure_at.map(to_db),
        locked_until: state.locked_until.map(to_db),
    }
}

/// Counts an attempt as failed under all three keys, or refuses it (counting nothing)
/// when one of them must wait. `step` is `password` or `code`.
pub fn reserve(
    ctx: &Context,
    step: &str,
    account: &str,
    client: Option<IpAddr>,
    now: OffsetDateTime,
) -> Result<Attempt, AppError> {
    let policy = ctx.settings.throttle;
    let keys = keys(ctx, step, account, client);
    let reserved = ctx.write(|conn| {
        let mut states = Vec::with_capacity(keys.len());
        for (scope, key) in &keys {
            let state = state_of(&throttle::lock(conn, key)?);
            if let Err(refusal) = policy.check_scope(*scope, &state, now) {
                return Ok(Err(refusal));
            }
            states.push(state);
        }
        let mut failures = [0; 3];
        for (i, ((scope, key), state)) in keys.iter().zip(&states).enumerate() {
            let after = policy.reserve(*scope, state, now);
            failures[i] = after.failures;
            throttle::save(conn, &row_of(key, &after))?;
        }
        Ok(Ok(failures))
    })?;
    match reserved {
        Ok(failures) => Ok(Attempt { keys, failures }),
        Err(refusal) => {
            ctx.metrics.sign_in_throttled.inc();
            Err(throttled(refusal, now))
        }
    }
}

/// The attempt succeeded: the account's counts are cleared, the client's attempt given back.
/// Runs in the caller's transaction (the one that opens the session).
pub fn succeeded(conn: &mut DbConn, attempt: &Attempt) -> Result<(), AppError> {
    for (scope, key) in &attempt.keys {
        match scope {
            ThrottleScope::Pair | ThrottleScope::Account => throttle::clear(conn, key)?,
            ThrottleScope::Client => {
                let state = state_of(&throttle::lock(conn, key)?);
                throttle::save(conn, &row_of(key, &ThrottlePolicy::refund(&state)))?;
            }
        }
    }
    Ok(())
}

/// A refused attempt as the audit trail records it: who, what, about whom, and details
/// that name an email address only by its keyed hash.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub actor: Actor,
    pub action: &'static str,
    pub target: Target,
    pub details: serde_json::Value,
}

/// The attempt failed (it is already counted); it is audited as `refusal`. The failure that
/// takes any counter to the lock threshold (an account locked for one client, an account
/// guessed at from many clients, one client guessing at many accounts) also raises an
/// anomaly event and tells the admins, once per burst, in the same transaction.
pub fn failed(
    ctx: &Context,
    attempt: &Attempt,
    refusal: &Refusal,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let policy = ctx.settings.throttle;
    ctx.metrics.sign_in_failures.inc();
    let at_threshold = |scope: ThrottleScope| {
        attempt
            .keys
            .iter()
            .zip(attempt.failures)
            .any(|((s, _), failures)| *s == scope && failures == policy.lock_after)
    };
    if at_threshold(ThrottleScope::Pair) {
        ctx.metrics.sign_in_locks.inc();
    }
    let burst = [
        ThrottleScope::Pair,
        ThrottleScope::Account,
        ThrottleScope::Client,
    ]
    .into_iter()
    .any(at_threshold);
    ctx.write(|conn| {
        // The mail rows before the events: the audit head is the last lock taken.
        if burst {
            super::officers::alert_admins(ctx, conn, now)?;
        }
        audit::append_event(
            conn,
            now,
            &refusal.actor,
            refusal.action,
            &refusal.target,
            &refusal.details,
        )?;
        if burst {
            audit::append_event(
                conn,
                now,
                &Actor::System,
                "security.sign_in_burst",
                &Target::Officers,
                &json!({ "failures": policy.lock_after }),
            )?;
        }
        Ok(())
    })?;
    if burst {
        ctx.wake_mailer();
    }
    Ok(())
}

/// Forgets counts that have been quiet long enough to be forgotten anyway and lock
/// nothing (hourly, from the maintenance job).
pub fn forget_quiet(ctx: &Context) -> Result<usize, AppError> {
    let now = super::clock::now();
    let before = now - ctx.settings.throttle.forget_after;
    ctx.write(|conn| Ok(throttle::delete_forgotten(conn, to_db(before), to_db(now))?))
}

fn throttled(refusal: Throttled, now: OffsetDateTime) -> AppError {
    let seconds = (refusal.until() - now).whole_seconds().max(1);
    let wait = if seconds > 90 {
        format!("{} minutes", (seconds + 59) / 60)
    } else {
        format!("{seconds} seconds")
    };
    AppError::TooManyAttempts {
        message: format!(
            "Too many failed sign-ins. For your security, please wait {wait} before trying again."
        ),
        retry_after: seconds as u64,
    }
}
