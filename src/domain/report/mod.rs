//! The monthly compliance report: which month it covers, where that month
//! begins and ends in the organisation's time zone, and the figures it holds.
//!
//! The store gathers the counts; this module owns the rules that turn them
//! into a report (month boundaries, rates, percentiles). The machine-readable
//! JSON and CSV forms live in `output`, the chart in `chart`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;
use time::{Month, OffsetDateTime};

/// The earliest year a report month can name, so that every month's bounds
/// can be written in RFC 3339 (the JSON period), which has no negative years.
const FIRST_YEAR: i32 = 1;
/// The latest year a report month can name: the end of the range that both
/// `time` and the time-zone database can represent.
const LAST_YEAR: i32 = 9999;

/// A calendar month the report covers, e.g. 2026-03.
///
/// The calendar runs from 0001-01 to 9999-12; stepping past either end stays
/// at that end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportMonth {
    year: i32,
    month: Month,
}

impl ReportMonth {
    /// The given month; years outside 1..=9999 are brought to the nearest end
    /// of that range, since no instant outside it can be represented.
    pub fn new(year: i32, month: Month) -> ReportMonth {
        ReportMonth {
            year: year.clamp(FIRST_YEAR, LAST_YEAR),
            month,
        }
    }

    /// Parses exactly `YYYY-MM` (four-digit year 2000..=9999, month 01..=12,
    /// surrounding whitespace trimmed). Anything else is a [`MonthError`].
    pub fn parse(text: &str) -> Result<ReportMonth, MonthError> {
        let bytes = text.trim().as_bytes();
        // Exactly seven ASCII bytes: a shorter or longer value ("2026-3",
        // "2026-03-01") is a typo, not a month to guess at.
        let [y1, y2, y3, y4, b'-', m1, m2] = bytes else {
            return Err(MonthError);
        };
        let year = digits(&[*y1, *y2, *y3, *y4]).ok_or(MonthError)?;
        let month = digits(&[*m1, *m2]).ok_or(MonthError)?;
        if !(2000..=9999).contains(&year) {
            return Err(MonthError);
        }
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or(MonthError)?;
        Ok(ReportMonth::new(year, month))
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year.
    pub fn month(self) -> Month {
        self.month
    }

    /// The month before this one (0001-01 has none and returns itself).
    pub fn previous(self) -> ReportMonth {
        match self.month {
            Month::January if self.year <= FIRST_YEAR => self,
            Month::January => ReportMonth::new(self.year - 1, Month::December),
            month => ReportMonth::new(self.year, month.previous()),
        }
    }

    /// The month after this one (9999-12 has none and returns itself).
    pub fn next(self) -> ReportMonth {
        match self.month {
            Month::December if self.year >= LAST_YEAR => self,
            Month::December => ReportMonth::new(self.year + 1, Month::January),
            month => ReportMonth::new(self.year, month.next()),
        }
    }

    /// The 12 months ending with this one, oldest first (fewer only at the
    /// very start of the calendar).
    pub fn last_twelve(self) -> Vec<ReportMonth> {
        let mut months = Vec::with_capacity(12);
        let mut month = self;
        for _ in 0..12 {
            months.push(month);
            month = month.previous();
        }
        months.reverse();
        // previous() stays put at 0001-01; repeats there would double-count.
        months.dedup();
        months
    }

    /// The month containing `at` in `zone`.
    pub fn containing(at: OffsetDateTime, zone: &ReportZone) -> ReportMonth {
        let local = zone.tz.to_datetime(to_jiff(at));
        ReportMonth::new(i32::from(local.year()), month_from_number(local.month()))
    }

    /// `[start, end)` of the month in `zone`, as UTC instants: local midnight
    /// of the 1st to local midnight of the next month's 1st. Daylight-saving
    /// changes are honoured, so March in Europe/Berlin is 31 × 24 − 1 hours.
    pub fn bounds(self, zone: &ReportZone) -> (OffsetDateTime, OffsetDateTime) {
        let start = month_start(self.year, self.month, &zone.tz);
        let end = match self.month {
            // Computed from the raw year rather than next(), which stops at
            // 9999-12 and would give the last month no length at all.
            Month::December => month_start(self.year + 1, Month::January, &zone.tz),
            month => month_start(self.year, month.next(), &zone.tz),
        };
        (to_time(start), to_time(end))
    }

    /// The month as people read it: "March 2026".
    pub fn label(self) -> String {
        format!("{} {}", self.month, self.year)
    }
}

impl fmt::Display for ReportMonth {
    /// The stored and machine-readable form: "2026-03".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// A month that is not written as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("enter a month as YYYY-MM, for example 2026-03")]
pub struct MonthError;

/// The value of a run of ASCII digits, or `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<i32> {
    bytes.iter().try_fold(0_i32, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + i32::from(byte - b'0'))
    })
}

/// The `time` month for a month number from the time-zone calendar (always 1..=12 there;
/// held to that range so the conversion cannot fail).
fn month_from_number(number: i8) -> Month {
    Month::January.nth_next(number.clamp(1, 12).unsigned_abs() - 1)
}

/// The instant local midnight begins the 1st of the month in `tz`.
fn month_start(year: i32, month: Month, tz: &TimeZone) -> Timestamp {
    // Where midnight falls in a daylight-saving gap, the "compatible" rule
    // used by to_timestamp picks the instant the gap ends, which is the first
    // moment of that day; in a repeated hour it picks the first occurrence.
    // Either way the month starts at the earliest instant belonging to it.
    let start = i16::try_from(year)
        .ok()
        .and_then(|year| {
            jiff::civil::DateTime::new(year, u8::from(month) as i8, 1, 0, 0, 0, 0).ok()
        })
        .and_then(|civil| tz.to_timestamp(civil).ok());
    // The only month start out of range is the one after 9999-12, so a
    // failure means "after the end of representable time".
    start.unwrap_or(Timestamp::MAX)
}

/// The same instant for the time-zone calendar, held to its range at the
/// very ends of `time`'s slightly wider one.
fn to_jiff(at: OffsetDateTime) -> Timestamp {
    let nanos = at.unix_timestamp_nanos();
    Timestamp::from_nanosecond(nanos).unwrap_or(if nanos < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// The same instant as a UTC `OffsetDateTime` (jiff's range lies inside `time`'s; the
/// ends are held to `time`'s all the same, so no instant can fail).
fn to_time(at: Timestamp) -> OffsetDateTime {
    let nanos = at.as_nanosecond();
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(if nanos < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

/// The one copy of the time-zone database: the one compiled into the
/// program, never the host's `/usr/share/zoneinfo`, so a zone name gives the
/// same month boundaries on every server and a lookup reads no files.
fn zone_database() -> &'static TimeZoneDatabase {
    static DATABASE: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DATABASE.get_or_init(TimeZoneDatabase::bundled)
}

/// The organisation's time zone: months begin at its local midnight.
#[derive(Debug, Clone)]
pub struct ReportZone {
    name: String,
    tz: TimeZone,
}

impl ReportZone {
    /// Coordinated Universal Time, the zone used until one is configured.
    pub fn utc() -> ReportZone {
        ReportZone {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// An IANA name such as "Asia/Kolkata" or "UTC" (case-insensitive,
    /// surrounding whitespace ignored); an unknown name is an [`UnknownZone`].
    pub fn named(name: &str) -> Result<ReportZone, UnknownZone> {
        let wanted = name.trim();
        let unknown = || UnknownZone(name.to_owned());
        let tz = zone_database().get(wanted).map_err(|_| unknown())?;
        // "Etc/Unknown" is the database's name for "no zone"; it behaves
        // like UTC, which would silently mislabel every report.
        if tz.is_unknown() {
            return Err(unknown());
        }
        // The database's spelling, so "asia/kolkata" is shown as Asia/Kolkata.
        let name = tz.iana_name().unwrap_or(wanted).to_owned();
        Ok(ReportZone { name, tz })
    }

    /// The IANA name, as the time-zone database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl PartialEq for ReportZone {
    /// Two zones are the same when they have the same name: the rules behind
    /// a name come from the one database.
    fn eq(&self, other: &ReportZone) -> bool {
        self.name == other.name
    }
}

impl Eq for ReportZone {}

/// A time-zone name the database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?}: use an IANA name such as Asia/Kolkata or UTC")]
pub struct UnknownZone(pub String);

/// How long closed requests took, counted in whole hours from receipt to
/// closure (a bucket per hour). The store fills it from a GROUP BY, so no
/// request is loaded one by one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseTimes {
    /// Requests per whole hour taken; never holds a zero count, so equal
    /// histograms compare equal however they were built.
    buckets: BTreeMap<i64, u64>,
}

impl CloseTimes {
    /// Records `count` requests that took `hours` hours. A negative duration
    /// (a closure stamped before receipt, e.g. from clock skew) counts as 0.
    pub fn add(&mut self, hours: i64, count: u64) {
        if count == 0 {
            return;
        }
        let bucket = self.buckets.entry(hours.max(0)).or_insert(0);
        *bucket = bucket.saturating_add(count);
    }

    /// Adds every request recorded in `other`.
    pub fn merge(&mut self, other: &CloseTimes) {
        for (&hours, &count) in &other.buckets {
            self.add(hours, count);
        }
    }

    /// How many requests are recorded.
    pub fn count(&self) -> u64 {
        self.buckets
            .values()
            .fold(0, |total, &count| total.saturating_add(count))
    }

    /// The nearest-rank `p`th percentile in days (hours / 24): the smallest
    /// recorded value `v` such that at least `p`% of requests took `v` or
    /// less, i.e. the value at rank ⌈p/100 × n⌉. `None` when nothing is
    /// recorded or `p` is outside 1..=100.
    pub fn percentile_days(&self, p: u32) -> Option<f64> {
        if !(1..=100).contains(&p) {
            return None;
        }
        let n = u128::from(self.count());
        // Integer arithmetic so that e.g. 90% of 10 is exactly rank 9, not a
        // float a hair above it that would round up to rank 10.
        let rank = (u128::from(p) * n).div_ceil(100);
        if rank == 0 {
            return None;
        }
        let mut seen = 0_u128;
        for (&hours, &count) in &self.buckets {
            seen += u128::from(count);
            if seen >= rank {
                return Some(hours as f64 / 24.0);
            }
        }
        None
    }

    /// The median in days.
    pub fn median_days(&self) -> Option<f64> {
        self.percentile_days(50)
    }

    /// The 90th percentile in days.
    pub fn p90_days(&self) -> Option<f64> {
        self.percentile_days(90)
    }
}

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
    use time::macros::datetime;
    use time::Duration;

    fn month(text: &str) -> ReportMonth {
        ReportMonth::parse(text).unwrap()
    }

    #[test]
    fn parse_accepts_year_dash_month() {
        assert_eq!(month("2026-03"), ReportMonth::new(2026, Month::March));
        assert_eq!(month(" 2026-12 "), ReportMonth::new(2026, Month::December));
        assert_eq!(month("2000-01"), ReportMonth::new(2000, Month::January));
        assert_eq!(month("9999-12"), ReportMonth::new(9999, Month::December));
    }

    #[test]
    fn parse_rejects_anything_else() {
        for text in [
            "2026-3",
            "2026-13",
            "2026-00",
            "26-03",
            "2026-03-01",
            "",
            "abcd-ef",
            "1999-12",
            "2026/03",
            "+202-03",
            "２０２６-03",
        ] {
            assert_eq!(ReportMonth::parse(text), Err(MonthError), "{text:?}");
        }
    }

    #[test]
    fn display_and_label() {
        let march = ReportMonth::new(2026, Month::March);
        assert_eq!(march.to_string(), "2026-03");
        assert_eq!(march.label(), "March 2026");
        assert_eq!(march.year(), 2026);
        assert_eq!(march.month(), Month::March);
    }

    #[test]
    fn previous_and_next_cross_year_ends() {
        assert_eq!(month("2026-01").previous(), month("2025-12"));
        assert_eq!(month("2025-12").next(), month("2026-01"));
        assert_eq!(month("2026-03").previous(), month("2026-02"));
        assert_eq!(month("2026-03").next(), month("2026-04"));
        // The ends of the calendar hold.
        assert_eq!(month("9999-12").next(), month("9999-12"));
        let first = ReportMonth::new(1, Month::January);
        assert_eq!(first.previous(), first);
        assert_eq!(
            ReportMonth::new(-5, Month::May),
            ReportMonth::new(1, Month::May)
        );
    }

    #[test]
    fn last_twelve_ends_with_the_month() {
        let months = month("2026-03").last_twelve();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], month("2025-04"));
        assert_eq!(months[11], month("2026-03"));
        assert!(months.windows(2).all(|w| w[0].next() == w[1]));
        assert_eq!(ReportMonth::new(1, Month::March).last_twelve().len(), 3);
    }

    #[test]
    fn bounds_in_utc() {
        let (start, end) = month("2026-02").bounds(&ReportZone::utc());
        assert_eq!(start, datetime!(2026-02-01 0:00 UTC));
        assert_eq!(end, datetime!(2026-03-01 0:00 UTC));
        let (start, end) = month("2025-12").bounds(&ReportZone::utc());
        assert_eq!(start, datetime!(2025-12-01 0:00 UTC));
        assert_eq!(end, datetime!(2026-01-01 0:00 UTC));
    }

    #[test]
    fn bounds_in_kolkata() {
        let zone = ReportZone::named("Asia/Kolkata").unwrap();
        let (start, end) = month("2026-03").bounds(&zone);
        assert_eq!(start, datetime!(2026-02-28 18:30 UTC));
        assert_eq!(end, datetime!(2026-03-31 18:30 UTC));
        assert_eq!(start.offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn bounds_follow_daylight_saving_in_berlin() {
        let zone = ReportZone::named("Europe/Berlin").unwrap();
        let (start, end) = month("2026-03").bounds(&zone);
        assert_eq!(start, datetime!(2026-02-28 23:00 UTC));
        assert_eq!(end, datetime!(2026-03-31 22:00 UTC));
        assert_eq!(end - start, Duration::hours(31 * 24 - 1));
        let (start, end) = month("2026-10").bounds(&zone);
        assert_eq!(end - start, Duration::hours(31 * 24 + 1));
    }

    #[test]
    fn months_start_at_the_first_instant_of_a_shifted_midnight() {
        // A zone whose clocks skip from midnight to 01:00 on 1 April and
        // repeat the midnight hour on 1 November.
        let zone = ReportZone {
            name: "test".to_owned(),
            tz: TimeZone::posix("EST5EDT,J91/0,J305/1").unwrap(),
        };
        assert_eq!(
            month("2026-04").bounds(&zone).0,
            datetime!(2026-04-01 5:00 UTC)
        );
        assert_eq!(
            month("2026-03").bounds(&zone).1,
            datetime!(2026-04-01 5:00 UTC)
        );
        assert_eq!(
            month("2026-11").bounds(&zone).0,
            datetime!(2026-11-01 4:00 UTC)
        );
        assert_eq!(
            month("2026-10").bounds(&zone).1,
            datetime!(2026-11-01 4:00 UTC)
        );
    }

    #[test]
    fn bounds_at_the_end_of_the_calendar() {
        let (start, end) = month("9999-12").bounds(&ReportZone::utc());
        assert_eq!(start, datetime!(9999-12-01 0:00 UTC));
        assert!(end > start);
    }

    #[test]
    fn containing_respects_the_local_month() {
        let zone = ReportZone::named("Asia/Kolkata").unwrap();
        let before = datetime!(2026-03-31 18:29:59.999 UTC);
        let after = datetime!(2026-03-31 18:30 UTC);
        assert_eq!(ReportMonth::containing(before, &zone), month("2026-03"));
        assert_eq!(ReportMonth::containing(after, &zone), month("2026-04"));
        let elsewhere = datetime!(2026-04-01 0:00 +05:30);
        assert_eq!(ReportMonth::containing(elsewhere, &zone), month("2026-04"));
        assert_eq!(
            ReportMonth::containing(after, &ReportZone::utc()),
            month("2026-03")
        );
    }

    #[test]
    fn containing_agrees_with_bounds() {
        let zone = ReportZone::named("Europe/Berlin").unwrap();
        for m in month("2026-12").last_twelve() {
            let (start, end) = m.bounds(&zone);
            assert_eq!(ReportMonth::containing(start, &zone), m);
            assert_eq!(
                ReportMonth::containing(end - Duration::nanoseconds(1), &zone),
                m
            );
        }
    }

    #[test]
    fn instants_at_the_ends_of_time_convert() {
        let _ = to_time(Timestamp::MIN);
        let _ = to_time(Timestamp::MAX);
        let latest = time::PrimitiveDateTime::MAX.assume_utc();
        assert_eq!(
            ReportMonth::containing(latest, &ReportZone::utc()),
            month("9999-12")
        );
    }

    #[test]
    fn zones_by_name() {
        assert_eq!(ReportZone::named("UTC").unwrap(), ReportZone::utc());
        assert_eq!(
            ReportZone::named(" asia/kolkata ").unwrap().name(),
            "Asia/Kolkata"
        );
        assert_eq!(
            ReportZone::named("Mars/Olympus"),
            Err(UnknownZone("Mars/Olympus".to_owned()))
        );
        assert!(ReportZone::named("").is_err());
        assert!(ReportZone::named("Etc/Unknown").is_err());
        assert!(ReportZone::named("../../etc/passwd").is_err());
        assert_eq!(
            UnknownZone("Mars".to_owned()).to_string(),
            "unknown time zone \"Mars\": use an IANA name such as Asia/Kolkata or UTC"
        );
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut times = CloseTimes::default();
        times.add(24, 3);
        times.add(48, 1);
        times.add(240, 1);
        assert_eq!(times.count(), 5);
        assert_eq!(times.median_days(), Some(1.0));
        assert_eq!(times.p90_days(), Some(10.0));
        assert_eq!(times.percentile_days(60), Some(1.0));
        assert_eq!(times.percentile_days(61), Some(2.0));
        assert_eq!(times.percentile_days(100), Some(10.0));
        assert_eq!(times.percentile_days(0), None);
        assert_eq!(times.percentile_days(101), None);

        // 90% of 10 is rank 9 exactly.
        let mut ten = CloseTimes::default();
        for hours in 1..=10 {
            ten.add(hours * 24, 1);
        }
        assert_eq!(ten.p90_days(), Some(9.0));
        assert_eq!(ten.median_days(), Some(5.0));
    }

    #[test]
    fn empty_close_times_have_no_percentile() {
        let mut times = CloseTimes::default();
        assert_eq!(times.median_days(), None);
        times.add(12, 0);
        assert_eq!(times, CloseTimes::default());
        assert_eq!(times.p90_days(), None);
    }

    #[test]
    fn negative_close_times_count_as_zero() {
        let mut times = CloseTimes::default();
        times.add(-5, 2);
        times.add(0, 1);
        assert_eq!(times.median_days(), Some(0.0));
        let mut expected = CloseTimes::default();
        expected.add(0, 3);
        assert_eq!(times, expected);
    }

    #[test]
    fn merge_adds_buckets() {
        let mut a = CloseTimes::default();
        a.add(24, 1);
        let mut b = CloseTimes::default();
        b.add(24, 2);
        b.add(72, 1);
        a.merge(&b);
        assert_eq!(a.count(), 4);
        assert_eq!(a.p90_days(), Some(3.0));
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
