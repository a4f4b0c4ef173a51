//! Times as a requester reads them: on the clock of a time zone (the organisation's, or
//! the regime's when none is set), with the zone's abbreviation, and numbers grouped the
//! way the reader's language groups them. The words (month names, the order of the parts)
//! belong to the language's messages; this module only computes the parts.

use time::OffsetDateTime;

use super::regime::Regime;
use super::report::{to_jiff, ReportZone};

/// The zone requester pages and mail use: the organisation's when it set one
/// (`RIGHTSDESK_TIME_ZONE`), otherwise the regime's own: India's requesters read Indian
/// Standard Time (Asia/Kolkata); everyone else reads UTC, since the EU and California
/// span several zones and no single one of them is theirs.
pub fn requester_zone(configured: Option<&ReportZone>, regime: Regime) -> ReportZone {
    if let Some(zone) = configured {
        return zone.clone();
    }
    match regime {
        Regime::In => ReportZone::named("Asia/Kolkata").unwrap_or_else(|_| ReportZone::utc()),
        _ => ReportZone::utc(),
    }
}

/// An instant on a zone's local clock, split into the parts a message puts in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i16,
    /// 1 (January) to 12.
    pub month: i8,
    pub day: i8,
    pub hour: i8,
    pub minute: i8,
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: i8,
    /// The zone's abbreviation in force at that instant ("IST", "UTC", "CEST"), or its
    /// offset ("+04") where the database has none.
    pub zone: String,
}

impl LocalTime {
    pub fn at(at: OffsetDateTime, zone: &ReportZone) -> LocalTime {
        let instant = to_jiff(at);
        let rules = zone.rules();
        let local = rules.to_datetime(instant);
        LocalTime {
            year: local.year(),
            month: local.month(),
            day: local.day(),
            hour: local.hour(),
            minute: local.minute(),
            weekday: local.weekday().to_monday_one_offset(),
            zone: rules.to_offset_info(instant).abbreviation().to_string(),
        }
    }
}

/// How a language groups the digits of a large number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitGrouping {
    /// Threes: 1,234,567.
    Thousands,
    /// The Indian system: the last three digits, then twos: 12,34,567 (lakh, crore).
    Indian,
}

impl DigitGrouping {
    /// "indian" or "thousands", as a language's messages name it; anything else is
    /// grouping by thousands.
    pub fn named(name: &str) -> DigitGrouping {
        match name.trim() {
            "indian" => DigitGrouping::Indian,
            _ => DigitGrouping::Thousands,
        }
    }

    /// `n` with its digits grouped by commas.
    pub fn format(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut groups: Vec<&str> = Vec::new();
        let (mut rest, last) = digits.split_at(digits.len().saturating_sub(3));
        groups.push(last);
        let size = match self {
            DigitGrouping::Thousands => 3,
            DigitGrouping::Indian => 2,
        };
        while !rest.is_empty() {
            let (head, group) = rest.split_at(rest.len().saturating_sub(size));
            groups.push(group);
            rest = head;
        }
        groups.reverse();
        let sign = if n < 0 { "-" } else { "" };
        format!("{sign}{}", groups.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn indian_requesters_read_ist_unless_the_organisation_set_a_zone() {
        let at = datetime!(2026-12-31 08:10 UTC);
        let india = requester_zone(None, Regime::In);
        assert_eq!(india.name(), "Asia/Kolkata");
        let local = LocalTime::at(at, &india);
        assert_eq!(
            (local.year, local.month, local.day, local.hour, local.minute),
            (2026, 12, 31, 13, 40)
        );
        assert_eq!(local.zone, "IST");
        assert_eq!(local.weekday, 4);
        assert_eq!(requester_zone(None, Regime::Eu).name(), "UTC");
        assert_eq!(
            LocalTime::at(at, &requester_zone(None, Regime::UsCa)).zone,
            "UTC"
        );
        let berlin = ReportZone::named("Europe/Berlin").unwrap();
        assert_eq!(
            requester_zone(Some(&berlin), Regime::In).name(),
            "Europe/Berlin"
        );
        let summer = LocalTime::at(datetime!(2026-07-01 10:00 UTC), &berlin);
        assert_eq!((summer.hour, summer.zone.as_str()), (12, "CEST"));
    }

    #[test]
    fn the_local_date_can_be_the_next_day() {
        let local = LocalTime::at(
            datetime!(2026-03-09 20:00 UTC),
            &requester_zone(None, Regime::In),
        );
        assert_eq!((local.day, local.hour, local.minute), (10, 1, 30));
    }

    #[test]
    fn digits_group_by_language() {
        let indian = DigitGrouping::Indian;
        let thousands = DigitGrouping::Thousands;
        assert_eq!(indian.format(0), "0");
        assert_eq!(indian.format(999), "999");
        assert_eq!(indian.format(1000), "1,000");
        assert_eq!(indian.format(123_456), "1,23,456");
        assert_eq!(indian.format(12_345_678), "1,23,45,678");
        assert_eq!(indian.format(-1_234_567), "-12,34,567");
        assert_eq!(thousands.format(12_345_678), "12,345,678");
        assert_eq!(thousands.format(100), "100");
        assert_eq!(DigitGrouping::named("indian"), indian);
        assert_eq!(DigitGrouping::named("anything"), thousands);
    }
}
