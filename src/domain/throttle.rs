//! Sign-in throttling: growing waits after failed attempts, then a temporary lock
//! (DESIGN.md section 5). Pure: the caller loads a [`ThrottleState`] per key, asks the
//! policy, and stores what it returns.
//!
//! Three counters see every attempt (a password, or a second-step code):
//! - the account *from this client* ([`ThrottleScope::Pair`]): waits after a few failures,
//!   then a lock. Only this pair is locked, so an attacker cannot lock an officer out of
//!   sign-ins from elsewhere;
//! - the account from anywhere ([`ThrottleScope::Account`]) and the client against any
//!   account ([`ThrottleScope::Client`]): waits only, once failures pass the lock threshold.
//!   They slow guessing spread over many clients or many accounts, and no client address
//!   can lock every account.
//!
//! An attempt is counted as a failure *before* the password is checked (the caller reserves
//! it atomically and gives it back on success), so attempts sent in parallel cannot get
//! more guesses than attempts sent one after another.
//!
//! The caller keeps states per submitted email address, whether or not an account has it,
//! so that throttling does not tell which addresses exist.

use time::{Duration, OffsetDateTime};

/// What is remembered about recent failed sign-ins for one key. `Default` is a clean slate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThrottleState {
    /// Failures since the last success, or since a quiet spell reset the count.
    pub failures: u32,
    pub last_failure_at: Option<OffsetDateTime>,
    /// Set when failures reach the lock threshold; no attempt is taken before it.
    pub locked_until: Option<OffsetDateTime>,
}

/// How hard failed sign-ins are slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed without any wait.
    pub free_attempts: u32,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub base_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
    /// The failure that locks the key.
    pub lock_after: u32,
    pub lock_for: Duration,
    /// A quiet spell this long since the last failure forgets the earlier failures.
    pub forget_after: Duration,
}

/// Which counter a state belongs to; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    Pair,
    Account,
    Client,
}

/// Why an attempt may not be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Throttled {
    #[error("too many failed sign-ins: this account is locked for a while, try again later")]
    Locked { until: OffsetDateTime },
    #[error("too many failed sign-ins: wait a few seconds and try again")]
    Wait { until: OffsetDateTime },
}

impl Throttled {
    /// When the next attempt will be taken (for a `Retry-After` header or the page).
    pub fn until(&self) -> OffsetDateTime {
        match self {
            Throttled::Locked { until } | Throttled::Wait { until } => *until,
        }
    }
}

impl Default for ThrottlePolicy {
    /// 3 free attempts, then 1 s doubling up to 60 s; locked for 15 minutes at the 10th
    /// failure; an hour of quiet forgets.
    fn default() -> Self {
        ThrottlePolicy {
            free_attempts: 3,
            base_delay: Duration::seconds(1),
            max_delay: Duration::seconds(60),
            lock_after: 10,
            lock_for: Duration::minutes(15),
            forget_after: Duration::hours(1),
        }
    }
}

impl ThrottlePolicy {
    /// Whether an attempt may be taken at `now` under the counter of `scope`.
    pub fn check_scope(
        &self,
        scope: ThrottleScope,
        state: &ThrottleState,
        now: OffsetDateTime,
    ) -> Result<(), Throttled> {
        match scope {
            ThrottleScope::Pair => self.check(state, now),
            ThrottleScope::Account | ThrottleScope::Client => self.wide().check(state, now),
        }
    }

    /// The state after an attempt under `scope` is reserved at `now`: counted as a failure
    /// until [`ThrottlePolicy::refund`] gives it back.
    pub fn reserve(
        &self,
        scope: ThrottleScope,
        state: &ThrottleState,
        now: OffsetDateTime,
    ) -> ThrottleState {
        match scope {
            ThrottleScope::Pair => self.record_failure(state, now),
            ThrottleScope::Account | ThrottleScope::Client => {
                self.wide().record_failure(state, now)
            }
        }
    }

    /// The state after a reserved attempt succeeded, for a counter that is not cleared by
    /// success (the client's: one client's success says nothing of its other attempts).
    pub fn refund(state: &ThrottleState) -> ThrottleState {
        ThrottleState {
            failures: state.failures.saturating_sub(1),
            ..*state
        }
    }

    /// The rules of the account-wide and client-wide counters: as many free failures as
    /// the pair is allowed before its lock, then waits, never a lock.
    fn wide(&self) -> ThrottlePolicy {
        ThrottlePolicy {
            free_attempts: self.lock_after,
            lock_after: u32::MAX,
            ..*self
        }
    }

    /// Whether an attempt may be taken at `now` (the pair's rules).
    pub fn check(&self, state: &ThrottleState, now: OffsetDateTime) -> Result<(), Throttled> {
        if let Some(until) = state.locked_until.filter(|until| now < *until) {
            return Err(Throttled::Locked { until });
        }
        let Some(last) = state.last_failure_at else {
            return Ok(());
        };
        if self.is_forgotten(last, now) {
            return Ok(());
        }
        let until = last + self.delay_after(state.failures);
        if now < until {
            return Err(Throttled::Wait { until });
        }
        Ok(())
    }

    /// The state after a failed attempt at `now`. The count restarts after a quiet spell of
    /// `forget_after`; otherwise it keeps growing, so a failure after a lock has ended locks
    /// again at once.
    pub fn record_failure(&self, state: &ThrottleState, now: OffsetDateTime) -> ThrottleState {
        let earlier = match state.last_failure_at {
            Some(last) if !self.is_forgotten(last, now) => state.failures,
            _ => 0,
        };
        let failures = earlier.saturating_add(1);
        let locked_until = if failures >= self.lock_after {
            Some(now + self.lock_for)
        } else {
            state.locked_until.filter(|until| now < *until)
        };
        ThrottleState {
            failures,
            last_failure_at: Some(now),
            locked_until,
        }
    }

    /// The state after a successful sign-in: nothing remembered.
    pub fn record_success() -> ThrottleState {
        ThrottleState::default()
    }

    /// Whether `state`, as returned by [`ThrottlePolicy::record_failure`], is the failure that
    /// reached the lock threshold. True once per burst: the caller records an anomaly event
    /// and mails the admins then.
    pub fn is_burst(&self, state: &ThrottleState) -> bool {
        state.failures == self.lock_after
    }

    /// The wait after the last failure when `failures` failures are counted:
    /// nothing within the free attempts, then `base_delay · 2^(failures − free_attempts)`,
    /// at most `max_delay`.
    pub fn delay_after(&self, failures: u32) -> Duration {
        let Some(beyond) = failures.checked_sub(self.free_attempts) else {
            return Duration::ZERO;
        };
        let doubled = 2i32
            .checked_pow(beyond)
            .and_then(|factor| self.base_delay.checked_mul(factor))
            .unwrap_or(self.max_delay);
        doubled.min(self.max_delay)
    }

    fn is_forgotten(&self, last_failure_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - last_failure_at >= self.forget_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2025-03-01 10:00 UTC);

    fn secs(n: i64) -> Duration {
        Duration::seconds(n)
    }

    /// The state after `n` failures one second apart, the last one at `T0`.
    fn after_failures(policy: &ThrottlePolicy, n: u32) -> ThrottleState {
        let mut state = ThrottleState::default();
        for i in 0..n {
            state = policy.record_failure(&state, T0 - secs(i64::from(n - 1 - i)));
        }
        state
    }

    #[test]
    fn delays_double_after_the_free_attempts_and_stop_at_the_cap() {
        let policy = ThrottlePolicy::default();
        let table = [
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 1),
            (4, 2),
            (5, 4),
            (6, 8),
            (7, 16),
            (8, 32),
            (9, 60),
            (10, 60),
            (40, 60),
            (u32::MAX, 60),
        ];
        for (failures, seconds) in table {
            assert_eq!(policy.delay_after(failures), secs(seconds), "{failures}");
        }
    }

    #[test]
    fn check_after_failures() {
        let policy = ThrottlePolicy::default();
        // (failures so far, seconds since the last, outcome)
        let table = [
            (0, 0, Ok(())),
            (2, 0, Ok(())),
            (
                3,
                0,
                Err(Throttled::Wait {
                    until: T0 + secs(1),
                }),
            ),
            (3, 1, Ok(())),
            (
                5,
                3,
                Err(Throttled::Wait {
                    until: T0 + secs(4),
                }),
            ),
            (5, 4, Ok(())),
            (
                9,
                59,
                Err(Throttled::Wait {
                    until: T0 + secs(60),
                }),
            ),
            (9, 60, Ok(())),
            (
                10,
                0,
                Err(Throttled::Locked {
                    until: T0 + Duration::minutes(15),
                }),
            ),
            (
                10,
                899,
                Err(Throttled::Locked {
                    until: T0 + Duration::minutes(15),
                }),
            ),
            (10, 900, Ok(())),
        ];
        for (failures, since, expected) in table {
            let state = after_failures(&policy, failures);
            assert_eq!(state.failures, failures);
            assert_eq!(
                policy.check(&state, T0 + secs(since)),
                expected,
                "{failures} failures, {since} s later"
            );
        }
    }

    #[test]
    fn the_tenth_failure_locks_and_is_the_burst() {
        let policy = ThrottlePolicy::default();
        for n in 1..=12 {
            let state = after_failures(&policy, n);
            let locked = n >= 10;
            assert_eq!(state.locked_until.is_some(), locked, "{n}");
            assert_eq!(policy.is_burst(&state), n == 10, "{n}");
        }
    }

    #[test]
    fn a_failure_after_the_lock_locks_again_without_a_new_burst() {
        let policy = ThrottlePolicy::default();
        let locked = after_failures(&policy, 10);
        let later = T0 + Duration::minutes(16);
        assert_eq!(policy.check(&locked, later), Ok(()));
        let again = policy.record_failure(&locked, later);
        assert_eq!(again.failures, 11);
        assert_eq!(again.locked_until, Some(later + Duration::minutes(15)));
        assert!(!policy.is_burst(&again));
    }

    #[test]
    fn an_hour_of_quiet_forgets() {
        let policy = ThrottlePolicy::default();
        let state = after_failures(&policy, 9);
        // (seconds after the last failure, the count after one more failure)
        let table = [(60, 10), (3599, 10), (3600, 1), (7200, 1)];
        for (since, count) in table {
            let now = T0 + secs(since);
            assert_eq!(policy.check(&state, now), Ok(()), "{since}");
            let next = policy.record_failure(&state, now);
            assert_eq!(next.failures, count, "{since}");
            assert_eq!(next.last_failure_at, Some(now));
        }
    }

    #[test]
    fn an_expired_lock_is_dropped_and_success_clears() {
        let policy = ThrottlePolicy::default();
        let stale = ThrottleState {
            failures: 10,
            last_failure_at: Some(T0),
            locked_until: Some(T0 + Duration::minutes(15)),
        };
        let next = policy.record_failure(&stale, T0 + Duration::hours(2));
        assert_eq!(next.failures, 1);
        assert_eq!(next.locked_until, None);
        assert_eq!(ThrottlePolicy::record_success(), ThrottleState::default());
        assert_eq!(policy.check(&ThrottlePolicy::record_success(), T0), Ok(()));
    }

    #[test]
    fn only_the_pair_locks_the_account_and_client_counters_only_slow_down() {
        let policy = ThrottlePolicy::default();
        let mut pair = ThrottleState::default();
        let mut account = ThrottleState::default();
        // Twelve failures, a minute apart, so that the pair's waits have passed each time.
        for i in 0..12 {
            let now = T0 + Duration::minutes(i);
            pair = policy.reserve(ThrottleScope::Pair, &pair, now);
            account = policy.reserve(ThrottleScope::Account, &account, now);
        }
        let later = T0 + Duration::minutes(13);
        assert!(matches!(
            policy.check_scope(ThrottleScope::Pair, &pair, later),
            Err(Throttled::Locked { .. })
        ));
        assert_eq!(account.locked_until, None);
        // Beyond ten failures the account-wide counter only asks for a wait: 4 s after 12.
        assert_eq!(
            policy.check_scope(ThrottleScope::Account, &account, T0 + Duration::minutes(11)),
            Err(Throttled::Wait {
                until: T0 + Duration::minutes(11) + secs(4)
            })
        );
        assert_eq!(
            policy.check_scope(ThrottleScope::Account, &account, later),
            Ok(())
        );
        // Ten attempts of a client are free of any wait; the eleventh waits.
        let mut client = ThrottleState::default();
        for _ in 0..9 {
            client = policy.reserve(ThrottleScope::Client, &client, T0);
        }
        assert_eq!(
            policy.check_scope(ThrottleScope::Client, &client, T0),
            Ok(())
        );
        client = policy.reserve(ThrottleScope::Client, &client, T0);
        assert!(policy
            .check_scope(ThrottleScope::Client, &client, T0)
            .is_err());
    }

    #[test]
    fn reserving_counts_first_so_parallel_attempts_gain_nothing() {
        let policy = ThrottlePolicy::default();
        let mut pair = ThrottleState::default();
        let mut taken = 0;
        // Twenty attempts in the same instant: each reserves before any password is checked.
        for _ in 0..20 {
            if policy.check_scope(ThrottleScope::Pair, &pair, T0).is_ok() {
                pair = policy.reserve(ThrottleScope::Pair, &pair, T0);
                taken += 1;
            }
        }
        assert_eq!(taken, 3, "the free attempts, then a wait");
    }

    #[test]
    fn a_refund_gives_back_one_reserved_attempt() {
        let policy = ThrottlePolicy::default();
        let once = policy.reserve(ThrottleScope::Client, &ThrottleState::default(), T0);
        assert_eq!(ThrottlePolicy::refund(&once).failures, 0);
        assert_eq!(
            ThrottlePolicy::refund(&ThrottleState::default()).failures,
            0
        );
    }

    #[test]
    fn throttled_says_when_to_come_back() {
        let until = T0 + secs(4);
        assert_eq!(Throttled::Wait { until }.until(), until);
        assert_eq!(Throttled::Locked { until }.until(), until);
    }
}
