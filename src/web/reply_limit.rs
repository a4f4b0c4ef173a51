//! Replies from a status link, limited per link: a requester writes to the officer a few
//! times, never dozens, so a link (leaked, or driven by a script) cannot flood a case file
//! or the officers' queue. The per-client limit on public POSTs
//! ([`super::rate_limit::PublicPostLimiter`]) applies to replies as well.
//!
//! The budget is a fixed rule, not a setting: [`REPLY_BURST`] replies at once, then one more
//! every [`REPLY_EVERY`]. Like the per-client limit it is kept in memory per process.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::domain::token::LinkToken;
use crate::error::AppError;

/// Replies a link may send in a row.
pub const REPLY_BURST: u32 = 5;
/// Then one more reply each this long.
pub const REPLY_EVERY: Duration = Duration::from_secs(180);

pub struct ReplyLimiter {
    /// Keyed by the token's hash: the secret itself is not kept.
    per_link: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

impl Default for ReplyLimiter {
    fn default() -> Self {
        let burst = NonZeroU32::new(REPLY_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(REPLY_EVERY)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst);
        ReplyLimiter {
            per_link: RateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        }
    }
}

impl ReplyLimiter {
    /// Counts one reply from the link with this token; a clear 429 (with when to try again)
    /// once its budget is spent. Text that is no token is not counted: it finds no request.
    pub fn check(&self, token: &str) -> Result<(), AppError> {
        let Some(token) = LinkToken::parse(token) else {
            return Ok(());
        };
        // Forget idle links now and then so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.per_link.retain_recent();
        }
        self.per_link
            .check_key(&token.hash().as_str().to_string())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let minutes = wait.as_secs().div_ceil(60).max(1);
                AppError::TooManyAttempts {
                    message: format!(
                        "You have sent several messages in a short while. Please wait {minutes} minute{} and send your message again; nothing was lost from the request.",
                        if minutes == 1 { "" } else { "s" }
                    ),
                    retry_after: wait.as_secs().max(1),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_gets_its_burst_then_waits() {
        let limiter = ReplyLimiter::default();
        let one = LinkToken::from_random([1; 32]);
        let other = LinkToken::from_random([2; 32]);
        for _ in 0..REPLY_BURST {
            assert!(limiter.check(one.as_str()).is_ok());
        }
        match limiter.check(one.as_str()) {
            Err(AppError::TooManyAttempts { retry_after, .. }) => {
                assert!(retry_after > 0 && retry_after <= REPLY_EVERY.as_secs());
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(limiter.check(other.as_str()).is_ok(), "per link");
        assert!(limiter.check("not a token").is_ok());
    }
}
