//! What happens to a mail after a failed delivery: another try later, with a growing wait,
//! or never again (the server refused the recipient, or trying has gone on too long). Mail
//! that is never tried again stays in the outbox as undeliverable, for an admin to see.

use time::{Duration, OffsetDateTime};

/// How a delivery attempt failed, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// The server refused this recipient for good (or the address is not an address).
    Rejected,
    /// Anything that may pass later: the server down, slow, or refusing for now.
    Transient,
}

/// What to do with the mail after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(OffsetDateTime),
    GiveUp,
}

/// Retry rules for the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each further one.
    pub first_wait: Duration,
    pub longest_wait: Duration,
    /// A mail still not delivered this long after it was queued is given up: its links
    /// will have expired and the requester can ask for a new one.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    /// 30 s doubling to at most an hour; given up after three days.
    fn default() -> Self {
        RetryPolicy {
            first_wait: Duration::seconds(30),
            longest_wait: Duration::hours(1),
            give_up_after: Duration::days(3),
        }
    }
}

impl RetryPolicy {
    /// The wait after `failures_so_far` earlier failures and this one.
    pub fn wait_after(&self, failures_so_far: u32) -> Duration {
        let doubled = 2i32
            .checked_pow(failures_so_far.min(30))
            .and_then(|factor| self.first_wait.checked_mul(factor))
            .unwrap_or(self.longest_wait);
        doubled.min(self.longest_wait)
    }

    /// The decision after a failed attempt at `now` of a mail queued at `queued_at`.
    pub fn after_failure(
        &self,
        failure: AttemptFailure,
        failures_so_far: u32,
        queued_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> AfterFailure {
        if failure == AttemptFailure::Rejected {
            return AfterFailure::GiveUp;
        }
        let next = now.saturating_add(self.wait_after(failures_so_far));
        if next - queued_at > self.give_up_after {
            AfterFailure::GiveUp
        } else {
            AfterFailure::RetryAt(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const QUEUED: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

    #[test]
    fn waits_double_and_stop_growing_at_an_hour() {
        let policy = RetryPolicy::default();
        let table = [
            (0, 30),
            (1, 60),
            (3, 240),
            (6, 1920),
            (7, 3600),
            (20, 3600),
            (u32::MAX, 3600),
        ];
        for (failures, seconds) in table {
            assert_eq!(
                policy.wait_after(failures),
                Duration::seconds(seconds),
                "{failures}"
            );
        }
    }

    #[test]
    fn a_rejected_recipient_is_never_tried_again() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.after_failure(AttemptFailure::Rejected, 0, QUEUED, QUEUED),
            AfterFailure::GiveUp
        );
    }

    #[test]
    fn transient_failures_retry_until_three_days_have_passed() {
        let policy = RetryPolicy::default();
        let now = QUEUED + Duration::minutes(5);
        assert_eq!(
            policy.after_failure(AttemptFailure::Transient, 2, QUEUED, now),
            AfterFailure::RetryAt(now + Duration::minutes(2))
        );
        let late = QUEUED + Duration::days(3) - Duration::minutes(30);
        assert_eq!(
            policy.after_failure(AttemptFailure::Transient, 40, QUEUED, late),
            AfterFailure::GiveUp,
            "the next try would fall after three days"
        );
        let earlier = QUEUED + Duration::days(2);
        assert_eq!(
            policy.after_failure(AttemptFailure::Transient, 40, QUEUED, earlier),
            AfterFailure::RetryAt(earlier + Duration::hours(1))
        );
    }
}
