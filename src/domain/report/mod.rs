//! The monthly compliance report: which month it covers, where that month
//! begins and ends in the organisation's time zone, and the figures it holds.
//!
//! The store gathers the counts; this module owns the rules that turn them
//! into a report (month boundaries in `month` and `zone`, rates here, percentiles in
//! `close_times`). Its files (CSV, JSON, the chart) are written by `crate::files::report`.

mod close_times;
mod month;
mod zone;

pub use close_times::CloseTimes;
pub use month::{MonthError, ReportMonth};
pub(crate) use zone::to_jiff;
pub use zone::{ReportZone, UnknownZone};

/// Counts for one (regime, kind) in one month. Strings are the stored codes
/// (e.g. "eu", "erasure").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportLine {
    /// The legal regime's code, or "all" on the total line.
    pub regime: String,
    /// The request kind's code, or "all" on the total line.
    pub kind: String,
    /// Submitted in the month and confirmed.
    pub received: u64,
    /// Confirmed in the month.
    pub verified: u64,
    /// Closed in the month with the request fulfilled.
    pub fulfilled: u64,
    /// Closed in the month with the request rejected.
    pub rejected: u64,
    /// Closed in the month because the requester withdrew it.
    pub withdrawn: u64,
    /// Fulfilled or rejected in the month by the due date in force.
    pub on_time: u64,
    /// Deadlines extended during the month.
    pub extensions: u64,
    /// Still open at the end of the month.
    pub open_at_end: u64,
    /// Open and past their due date at the end of the month.
    pub overdue_at_end: u64,
    /// Time to close for those fulfilled or rejected in the month.
    pub close_times: CloseTimes,
}

impl ReportLine {
    /// Every request closed in the month, whatever the outcome.
    pub fn closed(&self) -> u64 {
        self.fulfilled
            .saturating_add(self.rejected)
            .saturating_add(self.withdrawn)
    }

    /// Requests with a deadline outcome: fulfilled + rejected. A withdrawal
    /// ends the clock without an answer, so it is outside the rate.
    pub fn answered(&self) -> u64 {
        self.fulfilled.saturating_add(self.rejected)
    }

    /// on_time / answered; `None` when nothing was answered.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.on_time, self.answered())
    }

    /// Adds another line's counts, for totals. The codes are left alone.
    pub fn add(&mut self, other: &ReportLine) {
        let pairs = [
            (&mut self.received, other.received),
            (&mut self.verified, other.verified),
            (&mut self.fulfilled, other.fulfilled),
            (&mut self.rejected, other.rejected),
            (&mut self.withdrawn, other.withdrawn),
            (&mut self.on_time, other.on_time),
            (&mut self.extensions, other.extensions),
            (&mut self.open_at_end, other.open_at_end),
            (&mut self.overdue_at_end, other.overdue_at_end),
        ];
        for (total, more) in pairs {
            *total = total.saturating_add(more);
        }
        self.close_times.merge(&other.close_times);
    }
}

/// `part / whole`, or `None` for an empty whole.
fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One month's report.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceReport {
    /// The month covered.
    pub month: ReportMonth,
    /// The IANA name of the zone the month was counted in.
    pub zone: String,
    /// One line per (regime, kind), sorted by (regime, kind).
    pub lines: Vec<ReportLine>,
    /// Rejections by reason, sorted by (regime, kind, reason).
    pub rejections: Vec<RejectionCount>,
    /// Records purged under each retention class, sorted by class.
    pub purges: Vec<PurgeCount>,
    /// The last twelve months, oldest first, ending with `month`.
    pub trend: Vec<TrendPoint>,
}

/// Requests of one (regime, kind) rejected in the month for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionCount {
    /// The legal regime's code.
    pub regime: String,
    /// The request kind's code.
    pub kind: String,
    /// The rejection reason's code.
    pub reason: String,
    /// How many were rejected for it.
    pub count: u64,
}

/// Records purged in the month under one retention class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeCount {
    /// The retention class's code.
    pub class: String,
    /// How many records were purged.
    pub count: u64,
}

/// One month of the twelve-month trend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendPoint {
    /// The month.
    pub month: ReportMonth,
    /// Requests received in it.
    pub received: u64,
    /// Requests fulfilled or rejected in it.
    pub answered: u64,
    /// Of those, answered by the due date in force.
    pub on_time: u64,
}

impl TrendPoint {
    /// on_time / answered; `None` when nothing was answered.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.on_time, self.answered)
    }
}

impl ComplianceReport {
    /// All lines added up, with regime and kind "all".
    pub fn total(&self) -> ReportLine {
        let mut total = ReportLine {
            regime: "all".to_owned(),
            kind: "all".to_owned(),
            ..ReportLine::default()
        };
        for line in &self.lines {
            total.add(line);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> ReportMonth {
        ReportMonth::parse(text).unwrap()
    }

    fn line(regime: &str, kind: &str) -> ReportLine {
        let mut close_times = CloseTimes::default();
        close_times.add(48, 4);
        ReportLine {
            regime: regime.to_owned(),
            kind: kind.to_owned(),
            received: 10,
            verified: 9,
            fulfilled: 3,
            rejected: 1,
            withdrawn: 2,
            on_time: 3,
            extensions: 1,
            open_at_end: 5,
            overdue_at_end: 1,
            close_times,
        }
    }

    #[test]
    fn on_time_rate_leaves_out_withdrawals() {
        let l = line("eu", "erasure");
        assert_eq!(l.closed(), 6);
        assert_eq!(l.answered(), 4);
        assert_eq!(l.on_time_rate(), Some(0.75));
        let only_withdrawn = ReportLine {
            withdrawn: 3,
            ..ReportLine::default()
        };
        assert_eq!(only_withdrawn.closed(), 3);
        assert_eq!(only_withdrawn.on_time_rate(), None);
    }

    #[test]
    fn trend_point_rate() {
        let mut point = TrendPoint {
            month: month("2026-03"),
            received: 5,
            answered: 0,
            on_time: 0,
        };
        assert_eq!(point.on_time_rate(), None);
        point.answered = 4;
        point.on_time = 3;
        assert_eq!(point.on_time_rate(), Some(0.75));
    }

    #[test]
    fn total_adds_every_line() {
        let report = ComplianceReport {
            month: month("2026-03"),
            zone: "UTC".to_owned(),
            lines: vec![
                line("eu", "access"),
                line("eu", "erasure"),
                line("us-ca", "access"),
            ],
            rejections: Vec::new(),
            purges: Vec::new(),
            trend: Vec::new(),
        };
        let total = report.total();
        assert_eq!((total.regime.as_str(), total.kind.as_str()), ("all", "all"));
        assert_eq!(total.received, 30);
        assert_eq!(total.closed(), 18);
        assert_eq!(total.on_time, 9);
        assert_eq!(total.overdue_at_end, 3);
        assert_eq!(total.close_times.count(), 12);
        assert_eq!(total.on_time_rate(), Some(0.75));
    }
}
