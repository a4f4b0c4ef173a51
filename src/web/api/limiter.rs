//! Per-token limits on API calls: each token gets `per_minute` calls a minute, in bursts of
//! up to as many; past it, a 429 with `Retry-After`.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::ApiError;
use crate::domain::ids::ApiTokenId;

pub struct ApiLimiter {
    limiter: DefaultKeyedRateLimiter<ApiTokenId>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl ApiLimiter {
    pub fn new(per_minute: u64) -> ApiLimiter {
        let rate =
            NonZeroU32::new(per_minute.clamp(1, u32::MAX as u64) as u32).unwrap_or(NonZeroU32::MIN);
        ApiLimiter {
            limiter: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(rate)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one call of `token`; refused, with the seconds to wait, once its budget is spent.
    pub fn check(&self, token: ApiTokenId) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&token).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::RateLimited {
                retry_after: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            }
        })
    }
}
