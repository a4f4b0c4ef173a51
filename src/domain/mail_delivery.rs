//! What happens to a mail after a failed delivery: another try later, with a growing wait,
//! or never again (the server refused the recipient, or trying has gone on too long). Mail
//! that is never tried again stays in the outbox as undeliverable, for an admin to see.
//! And how long a sender holds the mail it claimed, so that no mail is sent twice.

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

/// How long a claimed mail is reserved for one sender before another may try it, at least.
/// A sender starts a delivery only while its claim has more than one delivery's time left,
/// so a mail is never sent by two senders at once.
pub const CLAIM_FOR: Duration = Duration::minutes(5);

/// Time kept free at the end of a claim to record how the last delivery went.
const RECORD_MARGIN: Duration = Duration::seconds(5);

/// A sender's hold on the mail it claimed: until when, and the last moment it may start a
/// delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimWindow {
    pub until: OffsetDateTime,
    pub latest_start: OffsetDateTime,
}

impl ClaimWindow {
    /// The window of a claim taken at `now` by a sender whose deliveries take at most
    /// `delivery`. A claim lasts [`CLAIM_FOR`], or twice a delivery when that is longer: a
    /// claim shorter than one delivery would let the sender start none, and mail would
    /// silently never go out.
    pub fn starting(now: OffsetDateTime, delivery: Duration) -> ClaimWindow {
        let until = now + CLAIM_FOR.max(delivery * 2 + RECORD_MARGIN);
        ClaimWindow {
            until,
            latest_start: until - delivery - RECORD_MARGIN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_claim_always_leaves_time_to_start_a_delivery() {
        let now = datetime!(2026-03-09 14:00 UTC);
        // The default SMTP bound (4 x 30 s): a five-minute claim.
        let window = ClaimWindow::starting(now, Duration::minutes(2));
        assert_eq!(window.until, now + CLAIM_FOR);
        assert_eq!(window.latest_start, now + Duration::seconds(175));
        // Deliveries of 20 minutes (a 300 s step timeout): the claim grows to fit two.
        let window = ClaimWindow::starting(now, Duration::minutes(20));
        assert_eq!(window.until, now + Duration::seconds(40 * 60 + 5));
        assert_eq!(window.latest_start, now + Duration::minutes(20));
        for minutes in [0, 1, 2, 3, 5, 60, 24 * 60] {
            let delivery = Duration::minutes(minutes);
            let window = ClaimWindow::starting(now, delivery);
            assert!(window.latest_start > now, "{minutes} min");
            assert!(
                window.latest_start + delivery < window.until,
                "{minutes} min"
            );
        }
    }

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
