//! A length of time as the law states it ("24 hours", "10 business days", "1 month").
//!
//! Kept symbolic instead of as a `Duration` because months and business days have no fixed
//! length: they only become a date once applied to a start time and a calendar.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, OffsetDateTime};

use super::calendar::BusinessCalendar;

/// A legal period, written in configuration as text like `"15 days"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Elapsed hours, to the minute (the 24- and 72-hour clocks).
    Hours(u32),
    /// Calendar days.
    Days(u32),
    /// Business days: weekends and calendar holidays are not counted.
    BusinessDays(u32),
    /// Calendar months (same day-of-month, clamped to the month's last day).
    Months(u32),
}

/// The error returned for text that is not a span.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid span {input:?}: expected a whole number of at least 1 followed by \
     hours, days, business days or months, like \"24 hours\", \"15 days\", \
     \"10 business days\" or \"1 month\""
)]
pub struct InvalidSpan {
    /// The text that failed to parse.
    pub input: String,
}

impl Span {
    /// The date and time this span after `at`; see the variants for how each unit counts.
    ///
    /// Everything except `Hours` keeps the time of day. Results past the end of `time`'s
    /// supported range (year 9999) saturate there instead of panicking.
    pub fn add_to(self, at: OffsetDateTime, calendar: &BusinessCalendar) -> OffsetDateTime {
        match self {
            Span::Hours(n) => at.saturating_add(time::Duration::hours(i64::from(n))),
            // Adding whole days to a fixed-offset time keeps the time of day.
            Span::Days(n) => at.saturating_add(time::Duration::days(i64::from(n))),
            Span::BusinessDays(n) => at.replace_date(calendar.add_business_days(at.date(), n)),
            Span::Months(n) => at.replace_date(add_months(at.date(), n)),
        }
    }

    /// The number of units, whatever the unit.
    pub fn count(self) -> u32 {
        match self {
            Span::Hours(n) | Span::Days(n) | Span::BusinessDays(n) | Span::Months(n) => n,
        }
    }
}

/// Same day-of-month `n` months later, or that month's last day when it is shorter
/// (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year). Saturates at [`Date::MAX`].
fn add_months(date: Date, n: u32) -> Date {
    let month_index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1;
    let target = month_index + i64::from(n);
    let (Ok(year), Ok(month_number)) = (
        i32::try_from(target.div_euclid(12)),
        u8::try_from(target.rem_euclid(12) + 1),
    ) else {
        return Date::MAX;
    };
    let Ok(month) = time::Month::try_from(month_number) else {
        return Date::MAX;
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

impl FromStr for Span {
    type Err = InvalidSpan;

    /// Parses `"<n> <unit>"`, case-insensitively and ignoring surrounding or repeated
    /// whitespace. Singular and plural unit names are both accepted whatever `n` is.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidSpan {
            input: s.to_owned(),
        };
        let lower = s.to_ascii_lowercase();
        let mut words = lower.split_whitespace();
        let n: u32 = words
            .next()
            .and_then(|w| w.parse().ok())
            .filter(|&n| n > 0)
            .ok_or_else(invalid)?;
        let unit: Vec<&str> = words.collect();
        let make = match unit.as_slice() {
            ["hour" | "hours"] => Span::Hours,
            ["day" | "days"] => Span::Days,
            ["business", "day" | "days"] => Span::BusinessDays,
            ["month" | "months"] => Span::Months,
            _ => return Err(invalid()),
        };
        Ok(make(n))
    }
}

impl fmt::Display for Span {
    /// The canonical text, e.g. "1 month", "2 months", "10 business days".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (one, many) = match self {
            Span::Hours(_) => ("hour", "hours"),
            Span::Days(_) => ("day", "days"),
            Span::BusinessDays(_) => ("business day", "business days"),
            Span::Months(_) => ("month", "months"),
        };
        let n = self.count();
        write!(f, "{n} {}", if n == 1 { one } else { many })
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn parses_the_documented_forms() {
        let cases = [
            ("24 hours", Span::Hours(24)),
            ("1 hour", Span::Hours(1)),
            ("15 days", Span::Days(15)),
            ("1 day", Span::Days(1)),
            ("10 business days", Span::BusinessDays(10)),
            ("1 business day", Span::BusinessDays(1)),
            ("1 month", Span::Months(1)),
            ("2 months", Span::Months(2)),
            ("  72 HOURS ", Span::Hours(72)),
            ("3 Business  Days", Span::BusinessDays(3)),
            ("2 month", Span::Months(2)),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Span>(), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn display_is_canonical_and_round_trips() {
        let cases = [
            (Span::Hours(1), "1 hour"),
            (Span::Hours(72), "72 hours"),
            (Span::Days(1), "1 day"),
            (Span::Days(45), "45 days"),
            (Span::BusinessDays(1), "1 business day"),
            (Span::BusinessDays(10), "10 business days"),
            (Span::Months(1), "1 month"),
            (Span::Months(2), "2 months"),
        ];
        for (span, text) in cases {
            assert_eq!(span.to_string(), text);
            assert_eq!(text.parse::<Span>(), Ok(span));
        }
    }

    #[test]
    fn rejects_other_text_with_a_helpful_message() {
        for bad in [
            "",
            "days",
            "0 days",
            "-1 days",
            "1.5 days",
            "ten days",
            "3 weeks",
            "1 year",
            "5 business",
            "5 working days",
            "15days",
            "1 month 2 days",
            "99999999999 hours",
        ] {
            let err = bad.parse::<Span>().expect_err(bad);
            assert_eq!(err.input, bad);
            let msg = err.to_string();
            assert!(
                msg.contains("10 business days") && msg.contains("24 hours"),
                "{msg}"
            );
        }
    }

    #[test]
    fn serde_uses_the_text_form() {
        #[derive(Deserialize, Serialize, PartialEq, Debug)]
        struct Doc {
            span: Span,
        }
        let doc: Doc = toml::from_str(r#"span = "10 Business Days""#).expect("parses");
        assert_eq!(doc.span, Span::BusinessDays(10));
        let text = toml::to_string(&doc).expect("serialises");
        assert_eq!(text.trim(), r#"span = "10 business days""#);
        let err = toml::from_str::<Doc>(r#"span = "fortnight""#).expect_err("invalid");
        assert!(err.to_string().contains("invalid span"), "{err}");
        assert!(toml::from_str::<Doc>("span = 5").is_err());
    }

    #[test]
    fn add_to_each_unit() {
        let cal = BusinessCalendar::new([date!(2026 - 03 - 16)]);
        let at = datetime!(2026-03-05 15:30 UTC); // Thursday
        let cases = [
            (Span::Hours(24), datetime!(2026-03-06 15:30 UTC)),
            (Span::Hours(72), datetime!(2026-03-08 15:30 UTC)),
            (Span::Days(15), datetime!(2026-03-20 15:30 UTC)),
            // Fri 6, Mon 9 .. Fri 13, then Mon 16 is a holiday: Tue 17, Wed 18.
            (Span::BusinessDays(8), datetime!(2026-03-18 15:30 UTC)),
            (Span::Months(1), datetime!(2026-04-05 15:30 UTC)),
            (Span::Months(12), datetime!(2027-03-05 15:30 UTC)),
        ];
        for (span, expected) in cases {
            assert_eq!(span.add_to(at, &cal), expected, "{span}");
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        let cal = BusinessCalendar::default();
        let cases = [
            (
                datetime!(2026-01-31 09:00 UTC),
                1,
                datetime!(2026-02-28 09:00 UTC),
            ),
            (
                datetime!(2028-01-31 09:00 UTC),
                1,
                datetime!(2028-02-29 09:00 UTC),
            ),
            (
                datetime!(2028-02-29 09:00 UTC),
                12,
                datetime!(2029-02-28 09:00 UTC),
            ),
            (
                datetime!(2026-03-31 09:00 UTC),
                1,
                datetime!(2026-04-30 09:00 UTC),
            ),
            (
                datetime!(2026-01-31 09:00 UTC),
                3,
                datetime!(2026-04-30 09:00 UTC),
            ),
            (
                datetime!(2026-11-30 09:00 UTC),
                2,
                datetime!(2027-01-30 09:00 UTC),
            ),
            (
                datetime!(2026-12-31 23:59 UTC),
                1,
                datetime!(2027-01-31 23:59 UTC),
            ),
        ];
        for (at, n, expected) in cases {
            assert_eq!(
                Span::Months(n).add_to(at, &cal),
                expected,
                "{at} + {n} months"
            );
        }
    }

    #[test]
    fn saturates_instead_of_panicking() {
        let cal = BusinessCalendar::default();
        let at = datetime!(9999-12-01 00:00 UTC);
        for span in [
            Span::Hours(u32::MAX),
            Span::Days(u32::MAX),
            Span::BusinessDays(u32::MAX),
            Span::Months(u32::MAX),
        ] {
            assert!(span.add_to(at, &cal) >= at, "{span}");
        }
        assert_eq!(add_months(date!(9999 - 12 - 31), 1), Date::MAX);
    }
}
