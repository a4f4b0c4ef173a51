//! Per-client limits on public POSTs (submission, lookup), so that nobody floods the queue
//! or probes references.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::client_addr::ClientAddr;
use super::error::WebError;

pub struct PublicPostLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    checks: AtomicU64,
}

impl PublicPostLimiter {
    /// `per_minute` requests a minute per client key (an IPv4 address or an IPv6 /64), in bursts of up to a third of that;
    /// 0 turns the limit off.
    pub fn new(per_minute: u32) -> PublicPostLimiter {
        let limiter = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new((per_minute / 3).max(1)).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        PublicPostLimiter {
            limiter,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one request of `client`; refused once its budget is spent.
    pub fn check(&self, client: &ClientAddr) -> Result<(), WebError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle clients now and then so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&client.key())
            .map_err(|_| WebError::RateLimited)
    }
}
