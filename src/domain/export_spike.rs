//! The export-spike rule: an officer who exports more requests, or more often, in an hour
//! than the organisation expects raises an anomaly that the admins are told about, at most
//! once per officer per hour. Pure: the caller counts the exports and asks.

use time::{Duration, OffsetDateTime};

/// How far back exports are counted, and how long one alert about an officer lasts.
pub const WINDOW: Duration = Duration::hours(1);

/// The thresholds (`RIGHTSDESK_EXPORT_SPIKE_EXPORTS`, `RIGHTSDESK_EXPORT_SPIKE_ROWS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSpikePolicy {
    /// More exports started than this within the window is a spike.
    pub max_exports: u64,
    /// More rows exported than this within the window is a spike.
    pub max_rows: u64,
}

impl Default for ExportSpikePolicy {
    fn default() -> Self {
        ExportSpikePolicy {
            max_exports: 10,
            max_rows: 100_000,
        }
    }
}

/// One officer's exports within the window: those started, and the rows written by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportUsage {
    pub exports: u64,
    pub rows: u64,
}

impl ExportSpikePolicy {
    /// Exports started at or after this time count.
    pub fn window_start(now: OffsetDateTime) -> OffsetDateTime {
        now - WINDOW
    }

    /// Whether the usage is beyond either threshold.
    pub fn is_spike(&self, usage: ExportUsage) -> bool {
        usage.exports > self.max_exports || usage.rows > self.max_rows
    }

    /// Whether a new alert may go out, given when the last one about this officer did.
    pub fn may_alert_again(last_alert: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        last_alert.is_none_or(|at| at <= Self::alerts_lapsed_by(now))
    }

    /// An alert sent at or before this time no longer holds back the next one (the store
    /// claims the alert with this bound, so that two instances never both send it).
    pub fn alerts_lapsed_by(now: OffsetDateTime) -> OffsetDateTime {
        now - WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_is_more_than_either_threshold() {
        let policy = ExportSpikePolicy {
            max_exports: 3,
            max_rows: 100,
        };
        // (exports, rows, spike)
        let table = [
            (0, 0, false),
            (3, 100, false),
            (4, 0, true),
            (1, 101, true),
            (4, 101, true),
        ];
        for (exports, rows, spike) in table {
            assert_eq!(
                policy.is_spike(ExportUsage { exports, rows }),
                spike,
                "{exports} exports, {rows} rows"
            );
        }
    }

    #[test]
    fn alerts_about_one_officer_are_an_hour_apart() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        assert!(ExportSpikePolicy::may_alert_again(None, now));
        assert!(!ExportSpikePolicy::may_alert_again(Some(now), now));
        assert!(!ExportSpikePolicy::may_alert_again(
            Some(now - Duration::minutes(59)),
            now
        ));
        assert!(ExportSpikePolicy::may_alert_again(
            Some(now - Duration::hours(1)),
            now
        ));
        assert_eq!(ExportSpikePolicy::window_start(now), now - WINDOW);
    }

    #[test]
    fn defaults_are_ten_exports_or_a_hundred_thousand_rows() {
        let policy = ExportSpikePolicy::default();
        assert_eq!((policy.max_exports, policy.max_rows), (10, 100_000));
    }
}
