//! Officer sessions: when a server-side session ends (DESIGN.md section 5).

use time::{Duration, OffsetDateTime};

/// How rarely a session's `last_seen_at` is written: more often would cost a database write
/// per page view for a precision nobody needs.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// How long a session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long has ended.
    pub idle: Duration,
    /// A session this old has ended, however busy.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    /// 30 minutes idle, 12 hours in all.
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

impl SessionPolicy {
    /// When the session ends if it is not used again.
    pub fn expires_at(
        &self,
        created_at: OffsetDateTime,
        last_seen_at: OffsetDateTime,
    ) -> OffsetDateTime {
        (created_at + self.absolute).min(last_seen_at + self.idle)
    }

    /// Whether the session still stands at `now`. It ends at the instant either limit is
    /// reached.
    pub fn is_live(
        &self,
        created_at: OffsetDateTime,
        last_seen_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        now < self.expires_at(created_at, last_seen_at)
    }

    /// Whether `last_seen_at` should be written now: only when more than [`TOUCH_INTERVAL`]
    /// passed since it was, so a session may end up to a minute before its idle limit.
    pub fn needs_touch(&self, last_seen_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - last_seen_at > TOUCH_INTERVAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const CREATED: OffsetDateTime = datetime!(2025-03-01 08:00 UTC);

    #[test]
    fn idle_and_absolute_limits() {
        let policy = SessionPolicy::default();
        let min = Duration::minutes;
        // (last seen, minutes after creation; now, minutes after creation; live)
        let table = [
            (0, 0, true),
            (0, 29, true),
            (0, 30, false),
            (0, 31, false),
            (100, 129, true),
            (100, 130, false),
            (700, 719, true),
            (700, 720, false),
            (719, 720, false),
            (719, 721, false),
        ];
        for (seen, now, live) in table {
            assert_eq!(
                policy.is_live(CREATED, CREATED + min(seen), CREATED + min(now)),
                live,
                "seen at +{seen} min, now +{now} min"
            );
        }
    }

    #[test]
    fn a_second_before_either_limit_is_still_live() {
        let policy = SessionPolicy::default();
        let second = Duration::seconds(1);
        let seen = CREATED + Duration::minutes(5);
        let idle_end = seen + Duration::minutes(30);
        assert!(policy.is_live(CREATED, seen, idle_end - second));
        assert!(!policy.is_live(CREATED, seen, idle_end));
        let busy = CREATED + Duration::hours(12) - second;
        assert!(policy.is_live(CREATED, busy, busy));
        assert!(!policy.is_live(CREATED, busy, busy + second));
        assert_eq!(
            policy.expires_at(CREATED, busy),
            CREATED + Duration::hours(12)
        );
        assert_eq!(policy.expires_at(CREATED, seen), idle_end);
    }

    #[test]
    fn touch_only_after_a_minute() {
        let policy = SessionPolicy::default();
        let seen = CREATED + Duration::minutes(10);
        // (seconds since last seen, needs a write)
        let table = [
            (-5, false),
            (0, false),
            (59, false),
            (60, false),
            (61, true),
            (600, true),
        ];
        for (since, touch) in table {
            assert_eq!(
                policy.needs_touch(seen, seen + Duration::seconds(since)),
                touch,
                "{since} s"
            );
        }
    }
}
