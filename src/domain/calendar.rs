//! Business-day arithmetic: weekends plus a configurable holiday list.

use std::collections::BTreeSet;

use time::{Date, Weekday};

/// Which days count as business days: Monday to Friday, minus listed holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    holidays: BTreeSet<Date>,
}

impl BusinessCalendar {
    /// A calendar with the given holidays (duplicates and order do not matter).
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// True on Monday to Friday unless the date is a listed holiday.
    pub fn is_business_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&date)
    }

    /// `date` itself when it is a business day, otherwise the first business day after it.
    ///
    /// Saturates at [`Date::MAX`] (which is then returned as is) instead of panicking.
    pub fn next_business_day_on_or_after(&self, date: Date) -> Date {
        let mut day = date;
        // Terminates: the holiday set is finite and weekends last two days.
        while !self.is_business_day(day) {
            match day.next_day() {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }

    /// Steps forward `n` business days from `date`, skipping weekends and holidays.
    ///
    /// Each step moves to the next business day strictly after the current one, so a
    /// request received on a Saturday and one received on the Friday before reach the
    /// same date. `n = 0` returns `date` unchanged. Saturates at [`Date::MAX`].
    pub fn add_business_days(&self, date: Date, n: u32) -> Date {
        let mut day = date;
        for _ in 0..n {
            let Some(next) = day.next_day() else {
                return day;
            };
            day = self.next_business_day_on_or_after(next);
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weekends_and_holidays_are_not_business_days() {
        let cal = BusinessCalendar::new([date!(2026 - 12 - 25)]);
        assert!(cal.is_business_day(date!(2026 - 12 - 24))); // Thursday
        assert!(!cal.is_business_day(date!(2026 - 12 - 25))); // Friday, holiday
        assert!(!cal.is_business_day(date!(2026 - 12 - 26))); // Saturday
        assert!(!cal.is_business_day(date!(2026 - 12 - 27))); // Sunday
        assert!(cal.is_business_day(date!(2026 - 12 - 28))); // Monday
        assert!(BusinessCalendar::default().is_business_day(date!(2026 - 12 - 25)));
    }

    #[test]
    fn next_business_day_on_or_after() {
        let cal = BusinessCalendar::new([date!(2026 - 12 - 25), date!(2026 - 12 - 28)]);
        let cases = [
            (date!(2026 - 12 - 24), date!(2026 - 12 - 24)),
            (date!(2026 - 12 - 25), date!(2026 - 12 - 29)),
            (date!(2026 - 12 - 26), date!(2026 - 12 - 29)),
            (date!(2026 - 12 - 27), date!(2026 - 12 - 29)),
        ];
        for (from, expected) in cases {
            assert_eq!(cal.next_business_day_on_or_after(from), expected, "{from}");
        }
    }

    #[test]
    fn add_business_days_skips_weekends_and_holidays() {
        let plain = BusinessCalendar::default();
        let xmas = BusinessCalendar::new([date!(2026 - 12 - 25)]);
        let cases = [
            // Thursday + 1 = Friday; with Friday a holiday, Monday.
            (&plain, date!(2026 - 12 - 24), 1, date!(2026 - 12 - 25)),
            (&xmas, date!(2026 - 12 - 24), 1, date!(2026 - 12 - 28)),
            // Friday + 1 = Monday; Saturday + 1 = Monday as well.
            (&plain, date!(2026 - 03 - 06), 1, date!(2026 - 03 - 09)),
            (&plain, date!(2026 - 03 - 07), 1, date!(2026 - 03 - 09)),
            (&plain, date!(2026 - 03 - 02), 10, date!(2026 - 03 - 16)),
            (&xmas, date!(2026 - 12 - 21), 10, date!(2027 - 01 - 05)),
            (&plain, date!(2026 - 03 - 07), 0, date!(2026 - 03 - 07)),
        ];
        for (cal, from, n, expected) in cases {
            assert_eq!(cal.add_business_days(from, n), expected, "{from} + {n}");
        }
    }

    #[test]
    fn saturates_at_the_end_of_time() {
        // Date::MAX (9999-12-31) is a Friday, so it is also the last business day.
        let cal = BusinessCalendar::default();
        assert_eq!(Date::MAX.weekday(), Weekday::Friday);
        assert_eq!(
            cal.add_business_days(date!(9999 - 12 - 20), 1_000),
            Date::MAX
        );
        assert_eq!(cal.add_business_days(Date::MAX, u32::MAX), Date::MAX);
        let no_more = BusinessCalendar::new([Date::MAX]);
        assert_eq!(no_more.next_business_day_on_or_after(Date::MAX), Date::MAX);
    }
}
