//! A report month: `YYYY-MM`, stepping through the calendar, and where the month begins and
//! ends in the organisation's time zone.

use std::fmt;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use time::{Month, OffsetDateTime};

use super::zone::{to_jiff, to_time, ReportZone};

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
}
