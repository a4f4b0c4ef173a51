//! Retention: how long each kind of data is kept once its clock starts, and what "due on
//! date D" means. DESIGN.md §2 "Retention" holds the classes and their defaults.

use std::fmt;
use std::str::FromStr;

use time::{Date, OffsetDateTime, Time};

use super::span::Span;

/// What a purge works through, one class at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PurgeClass {
    /// Registration data, from the account's cancellation.
    Registration,
    /// Removed content kept for investigation, from its removal.
    RemovedContent,
    /// Records taken out of use by an erasure, from the erasure.
    ErasedRecords,
    /// Requests never verified, from submission.
    UnverifiedRequests,
    /// Closed requests: the personal fields are wiped and a statistics stub stays.
    ClosedCaseFiles,
    /// Access and portability packages, from their expiry.
    DataPackages,
    /// Verify and status links, from their expiry.
    LinkTokens,
    /// Officer sessions, from their expiry.
    Sessions,
    /// Mail already delivered, from its sending.
    SentMail,
}

impl PurgeClass {
    pub const ALL: [PurgeClass; 9] = [
        PurgeClass::Registration,
        PurgeClass::RemovedContent,
        PurgeClass::ErasedRecords,
        PurgeClass::UnverifiedRequests,
        PurgeClass::ClosedCaseFiles,
        PurgeClass::DataPackages,
        PurgeClass::LinkTokens,
        PurgeClass::Sessions,
        PurgeClass::SentMail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PurgeClass::Registration => "registration",
            PurgeClass::RemovedContent => "removed_content",
            PurgeClass::ErasedRecords => "erased_records",
            PurgeClass::UnverifiedRequests => "unverified_requests",
            PurgeClass::ClosedCaseFiles => "closed_case_files",
            PurgeClass::DataPackages => "data_packages",
            PurgeClass::LinkTokens => "link_tokens",
            PurgeClass::Sessions => "sessions",
            PurgeClass::SentMail => "sent_mail",
        }
    }

    /// The class's period when `[policy.retention]` does not set one.
    pub fn default_period(self) -> Span {
        match self {
            PurgeClass::Registration | PurgeClass::RemovedContent | PurgeClass::ErasedRecords => {
                Span::Days(180)
            }
            PurgeClass::UnverifiedRequests => Span::Days(7),
            PurgeClass::ClosedCaseFiles => Span::Months(24),
            // Expired things go at once; sent mail is kept a while to answer "did it go?".
            PurgeClass::DataPackages | PurgeClass::LinkTokens | PurgeClass::Sessions => {
                Span::Days(0)
            }
            PurgeClass::SentMail => Span::Days(30),
        }
    }

    /// What starts the clock, in plain words.
    pub fn trigger(self) -> &'static str {
        match self {
            PurgeClass::Registration => "the account is cancelled or the registration withdrawn",
            PurgeClass::RemovedContent => "the content is removed",
            PurgeClass::ErasedRecords => "erasure is approved",
            PurgeClass::UnverifiedRequests => "a request is submitted and never confirmed",
            PurgeClass::ClosedCaseFiles => "the request is closed",
            PurgeClass::DataPackages => "the download link expires",
            PurgeClass::LinkTokens => "the link expires",
            PurgeClass::Sessions => "the session expires",
            PurgeClass::SentMail => "the mail is sent",
        }
    }

    /// Whether a purge keeps a statistics stub instead of deleting.
    pub fn wipes(self) -> bool {
        self == PurgeClass::ClosedCaseFiles
    }

    /// Whether each item is personal data, audited one event per item; the rest is
    /// housekeeping, audited one event per batch.
    pub fn audited_per_item(self) -> bool {
        matches!(
            self,
            PurgeClass::Registration
                | PurgeClass::RemovedContent
                | PurgeClass::ErasedRecords
                | PurgeClass::UnverifiedRequests
                | PurgeClass::ClosedCaseFiles
                | PurgeClass::DataPackages
        )
    }
}

impl fmt::Display for PurgeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PurgeClass {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PurgeClass::ALL
            .into_iter()
            .find(|class| class.as_str() == s)
            .ok_or(())
    }
}

/// The period of every class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPolicy {
    periods: Vec<(PurgeClass, Span)>,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            periods: PurgeClass::ALL
                .into_iter()
                .map(|class| (class, class.default_period()))
                .collect(),
        }
    }
}

impl RetentionPolicy {
    /// The defaults with some classes' periods replaced.
    pub fn with_overrides(overrides: &[(PurgeClass, Span)]) -> RetentionPolicy {
        let mut policy = RetentionPolicy::default();
        for (class, span) in overrides {
            if let Some(entry) = policy.periods.iter_mut().find(|(c, _)| c == class) {
                entry.1 = *span;
            }
        }
        policy
    }

    pub fn period(&self, class: PurgeClass) -> Span {
        self.periods
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, span)| *span)
            .unwrap_or_else(|| class.default_period())
    }

    /// Items of `class` whose clock started at or before this time are due at `as_of`:
    /// the period subtracted, so that one indexed range answers the question.
    pub fn cutoff(&self, class: PurgeClass, as_of: OffsetDateTime) -> OffsetDateTime {
        subtract(self.period(class), as_of)
    }

    /// The rule in plain words, for the requester's home page.
    pub fn describe(&self, class: PurgeClass) -> String {
        match self.period(class) {
            Span::Days(0) | Span::Hours(0) => format!("deleted as soon as {}", class.trigger()),
            span => format!("kept {span} after {}, then deleted", class.trigger()),
        }
    }
}

/// `as_of` minus a span. Months count back by calendar month (clamped to the month's last
/// day), days and hours by elapsed time; business days are not used for retention and count
/// as days.
fn subtract(span: Span, as_of: OffsetDateTime) -> OffsetDateTime {
    match span {
        Span::Hours(n) => as_of.saturating_sub(time::Duration::hours(i64::from(n))),
        Span::Days(n) | Span::BusinessDays(n) => {
            as_of.saturating_sub(time::Duration::days(i64::from(n)))
        }
        Span::Months(n) => {
            let date = as_of.date();
            let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 - n as i32;
            let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
            let month = time::Month::try_from(month0 as u8 + 1).unwrap_or(time::Month::January);
            let last = time::util::days_in_month(month, year);
            let day = date.day().min(last);
            match Date::from_calendar_date(year, month, day) {
                Ok(d) => as_of.replace_date(d),
                Err(_) => as_of,
            }
        }
    }
}

/// The moment `purge --as-of D` stands at: the start of day D in UTC, so that an item is due
/// on the first day its whole period has passed (day 181 of 180, never day 180).
pub fn as_of_date(date: Date) -> OffsetDateTime {
    date.with_time(Time::MIDNIGHT).assume_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn day_179_keeps_and_day_181_purges() {
        let policy = RetentionPolicy::default();
        let cancelled = datetime!(2026-01-10 15:30 UTC);
        let due = |day: i64| {
            let as_of = as_of_date(cancelled.date() + time::Duration::days(day));
            cancelled <= policy.cutoff(PurgeClass::Registration, as_of)
        };
        assert!(!due(179));
        assert!(
            !due(180),
            "day 180 starts before the full 180 days have passed"
        );
        assert!(due(181));
    }

    #[test]
    fn months_count_back_by_calendar_month() {
        let policy = RetentionPolicy::default();
        assert_eq!(
            policy.cutoff(PurgeClass::ClosedCaseFiles, datetime!(2028-03-31 00:00 UTC)),
            datetime!(2026-03-31 00:00 UTC)
        );
        assert_eq!(
            subtract(Span::Months(1), datetime!(2026-03-31 08:00 UTC)),
            datetime!(2026-02-28 08:00 UTC)
        );
        assert_eq!(
            subtract(Span::Months(14), datetime!(2026-01-15 00:00 UTC)),
            datetime!(2024-11-15 00:00 UTC)
        );
    }

    #[test]
    fn overrides_replace_one_class_and_names_round_trip() {
        let policy = RetentionPolicy::with_overrides(&[(PurgeClass::SentMail, Span::Days(3))]);
        assert_eq!(policy.period(PurgeClass::SentMail), Span::Days(3));
        assert_eq!(policy.period(PurgeClass::Registration), Span::Days(180));
        for class in PurgeClass::ALL {
            assert_eq!(class.as_str().parse::<PurgeClass>(), Ok(class));
        }
        assert_eq!(
            policy.describe(PurgeClass::Registration),
            "kept 180 days after the account is cancelled or the registration withdrawn, then deleted"
        );
        assert_eq!(
            policy.describe(PurgeClass::LinkTokens),
            "deleted as soon as the link expires"
        );
        assert_eq!(
            as_of_date(date!(2026 - 07 - 01)),
            datetime!(2026-07-01 00:00 UTC)
        );
    }
}
