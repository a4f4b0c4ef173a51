//! A calendar day as a person types it into a form or a link: `YYYY-MM-DD`.
//!
//! Years run from 0001 to 9999, the four-digit years people write. Past 9999 `time` holds
//! no instant, before 4713 BC PostgreSQL holds none, and no one means a year 0 or a year
//! with a sign. A day inside the range can be stored, compared and shown on both databases.

use std::ops::RangeInclusive;

use time::{Date, Month, OffsetDateTime};

/// The years a day or an instant from outside (a form, a link, a cursor) may have.
pub const YEARS: RangeInclusive<i32> = 1..=9999;

/// Text that is not a day written as `YYYY-MM-DD` within [`YEARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("enter a date like 2026-11-23")]
pub struct InvalidDay;

/// Parses exactly `YYYY-MM-DD` (ASCII digits, surrounding whitespace trimmed): no sign,
/// no five-digit year, no other digits (full-width ones included), no day the month lacks.
pub fn parse(text: &str) -> Result<Date, InvalidDay> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = text.trim().as_bytes() else {
        return Err(InvalidDay);
    };
    let year = digits(&[*y1, *y2, *y3, *y4]).ok_or(InvalidDay)?;
    let month = digits(&[*m1, *m2]).ok_or(InvalidDay)?;
    let day = digits(&[*d1, *d2]).ok_or(InvalidDay)?;
    if !YEARS.contains(&year) {
        return Err(InvalidDay);
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(InvalidDay)?;
    let day = u8::try_from(day).map_err(|_| InvalidDay)?;
    Date::from_calendar_date(year, month, day).map_err(|_| InvalidDay)
}

/// Whether an instant lies within [`YEARS`] in UTC, as every stored instant does.
pub fn in_range(at: OffsetDateTime) -> bool {
    YEARS.contains(&at.to_offset(time::UtcOffset::UTC).year())
}

/// The value of a run of ASCII digits, or `None` if any byte is not one.
fn digits(bytes: &[u8]) -> Option<i32> {
    bytes.iter().try_fold(0_i32, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + i32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn days_within_the_years_parse() {
        for (text, expected) in [
            ("2026-11-23", date!(2026 - 11 - 23)),
            (" 2024-02-29 ", date!(2024 - 02 - 29)),
            ("0001-01-01", date!(0001 - 01 - 01)),
            ("9999-12-31", date!(9999 - 12 - 31)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "NaN",
            "0000-01-01",
            "-9999-01-01",
            "+2026-01-01",
            "10000-01-01",
            "2026-13-40",
            "2026-00-10",
            "2026-02-30",
            "2025-02-29",
            "2026-1-1",
            "2026/01/01",
            "2026-01-01T00:00",
            "２０２６-01-01",
            "99999999999999999999",
            "-1",
            "é",
        ] {
            assert_eq!(parse(bad), Err(InvalidDay), "{bad:?}");
        }
    }

    #[test]
    fn instants_are_in_range_from_year_one_to_9999() {
        assert!(in_range(datetime!(0001-01-01 00:00 UTC)));
        assert!(in_range(datetime!(9999-12-31 23:59:59.999999999 UTC)));
        assert!(!in_range(datetime!(0000-12-31 23:59:59 UTC)));
        assert!(!in_range(datetime!(-9999-01-01 00:00 UTC)));
        // The year is read in UTC, where the store keeps every instant.
        assert!(!in_range(datetime!(0001-01-01 00:30 +01:00)));
    }
}
