//! Deadline tables. Reference receipt: Thursday 2026-03-05 10:00 UTC unless a case says
//! otherwise. Weekdays noted in comments were checked against a calendar.

use time::macros::{date, datetime};
use time::OffsetDateTime;

use super::*;

const RECEIVED: OffsetDateTime = datetime!(2026-03-05 10:00 UTC); // Thursday

/// Holidays shared by several cases: Good Friday, Easter Monday, Thanksgiving (+ Friday).
fn holiday_policy() -> DeadlinePolicy {
    DeadlinePolicy {
        calendar: BusinessCalendar::new([
            date!(2026 - 04 - 03),
            date!(2026 - 04 - 06),
            date!(2026 - 11 - 26),
            date!(2026 - 11 - 27),
        ]),
        ..DeadlinePolicy::default()
    }
}

type Expected = (
    Option<OffsetDateTime>,
    OffsetDateTime,
    Option<OffsetDateTime>,
);

/// Expected (acknowledge_by, respond_by, extended_due) for RECEIVED, default policy.
fn expected_default(regime: Regime, kind: RequestKind) -> Expected {
    match (regime, kind) {
        (Regime::In, RequestKind::Grievance) => (
            Some(datetime!(2026-03-06 10:00 UTC)), // 24 hours
            datetime!(2026-03-20 10:00 UTC),       // 15 days, Friday
            None,
        ),
        (Regime::In, _) => (
            Some(datetime!(2026-03-06 10:00 UTC)),
            datetime!(2026-04-04 10:00 UTC), // 30 days: Saturday, not rolled
            Some(datetime!(2026-06-03 10:00 UTC)), // 90 days
        ),
        (Regime::Eu, _) => (
            None,
            datetime!(2026-04-06 10:00 UTC), // Apr 5 is a Sunday: rolled to Monday
            Some(datetime!(2026-06-05 10:00 UTC)), // 3 months, Friday
        ),
        (Regime::UsCa, _) => (
            Some(datetime!(2026-03-19 10:00 UTC)), // 10 business days
            datetime!(2026-04-19 10:00 UTC),       // 45 days: Sunday, not rolled
            Some(datetime!(2026-06-03 10:00 UTC)), // 90 days
        ),
        (Regime::Other, _) => (
            Some(datetime!(2026-03-10 10:00 UTC)), // 3 business days: Fri, Mon, Tue
            datetime!(2026-04-04 10:00 UTC),       // 30 days: Saturday, not rolled
            Some(datetime!(2026-05-04 10:00 UTC)), // 60 days
        ),
    }
}

#[test]
fn every_regime_and_kind_with_the_default_policy() {
    let policy = DeadlinePolicy::default();
    for regime in Regime::ALL {
        for kind in RequestKind::ALL {
            let (ack, respond, extended) = expected_default(regime, kind);
            let got = policy.deadlines_for(regime, kind, false, RECEIVED);
            let case = format!("{regime} / {kind}");
            assert_eq!(got.acknowledge_by, ack, "acknowledge {case}");
            assert_eq!(got.respond_by, respond, "respond {case}");
            let ext = policy.extended_due(regime, kind, false, RECEIVED);
            assert_eq!(ext, extended, "extended {case}");
        }
    }
}

#[test]
fn rule_for_picks_the_grievance_rule_only_in_india() {
    let policy = DeadlinePolicy::default();
    let grievance = RequestKind::Grievance;
    assert_eq!(
        policy.rule_for(Regime::In, grievance),
        &policy.india_grievance
    );
    assert_eq!(
        policy.rule_for(Regime::In, RequestKind::Erasure),
        &policy.india
    );
    assert_eq!(policy.rule_for(Regime::Eu, grievance), &policy.eu);
    assert_eq!(policy.rule_for(Regime::UsCa, grievance), &policy.us_ca);
    assert_eq!(policy.rule_for(Regime::Other, grievance), &policy.other);
    assert_eq!(policy.eu.acknowledge, Acknowledge::OnVerification);
}

#[test]
fn content_removal_is_72_hours_and_only_for_indian_grievances() {
    let mut policy = DeadlinePolicy::default();
    let g = RequestKind::Grievance;
    let d = policy.deadlines_for(Regime::In, g, true, RECEIVED);
    assert_eq!(d.respond_by, datetime!(2026-03-08 10:00 UTC)); // a Sunday
    assert_eq!(d.acknowledge_by, Some(datetime!(2026-03-06 10:00 UTC)));
    assert_eq!(policy.extended_due(Regime::In, g, true, RECEIVED), None);
    // Hour clocks never roll, even with rolling switched on.
    policy.india_grievance.roll_to_business_day = true;
    let d = policy.deadlines_for(Regime::In, g, true, RECEIVED);
    assert_eq!(d.respond_by, datetime!(2026-03-08 10:00 UTC));
    // The flag is ignored for other kinds and regimes.
    for (regime, kind) in [(Regime::In, RequestKind::Erasure), (Regime::Eu, g)] {
        let with = policy.deadlines_for(regime, kind, true, RECEIVED);
        assert_eq!(with, policy.deadlines_for(regime, kind, false, RECEIVED));
    }
}

#[test]
fn weekend_due_dates_roll_only_where_the_flag_is_on() {
    let policy = DeadlinePolicy::default();
    let access = RequestKind::Access;
    let cases = [
        // (regime, received, respond_by)
        // EU: Mar 7 is a Saturday, Apr 5 a Sunday: both move to Monday.
        (
            Regime::Eu,
            datetime!(2026-02-07 08:15 UTC),
            datetime!(2026-03-09 08:15 UTC),
        ),
        (
            Regime::Eu,
            datetime!(2026-03-05 10:00 UTC),
            datetime!(2026-04-06 10:00 UTC),
        ),
        (
            Regime::Eu,
            datetime!(2026-02-10 10:00 UTC),
            datetime!(2026-03-10 10:00 UTC),
        ),
        // Others keep Saturday/Sunday due dates.
        (
            Regime::In,
            datetime!(2026-02-05 08:15 UTC),
            datetime!(2026-03-07 08:15 UTC),
        ),
        (
            Regime::UsCa,
            datetime!(2026-01-22 08:15 UTC),
            datetime!(2026-03-08 08:15 UTC),
        ),
        (
            Regime::Other,
            datetime!(2026-02-05 08:15 UTC),
            datetime!(2026-03-07 08:15 UTC),
        ),
    ];
    for (regime, received, expected) in cases {
        let got = policy
            .deadlines_for(regime, access, false, received)
            .respond_by;
        assert_eq!(got, expected, "{regime} received {received}");
    }
}

#[test]
fn holidays_are_skipped_by_business_days_and_rolled_over() {
    let policy = holiday_policy();
    let access = RequestKind::Access;
    // EU: Apr 5 is a Sunday and Apr 6 (Easter Monday) a holiday: Tuesday.
    let eu = policy.deadlines_for(Regime::Eu, access, false, RECEIVED);
    assert_eq!(eu.respond_by, datetime!(2026-04-07 10:00 UTC));
    // US-CA acknowledgement from Wed Nov 25: Thanksgiving Thu/Fri and the weekend are
    // skipped, so Mon Nov 30 is day 1 and Fri Dec 11 day 10.
    let received = datetime!(2026-11-25 17:45 UTC);
    let ca = policy.deadlines_for(Regime::UsCa, access, false, received);
    assert_eq!(ca.acknowledge_by, Some(datetime!(2026-12-11 17:45 UTC)));
    let plain = DeadlinePolicy::default();
    let ca = plain.deadlines_for(Regime::UsCa, access, false, received);
    assert_eq!(ca.acknowledge_by, Some(datetime!(2026-12-09 17:45 UTC)));
    // Other: 3 business days from Thu Apr 2 skip Good Friday and Easter Monday.
    let received = datetime!(2026-04-02 09:00 UTC);
    let other = policy.deadlines_for(Regime::Other, access, false, received);
    assert_eq!(other.acknowledge_by, Some(datetime!(2026-04-09 09:00 UTC)));
    // India does not roll, even onto a holiday: 30 days from Mar 4 is Fri Apr 3.
    let received = datetime!(2026-03-04 09:00 UTC);
    let india = policy.deadlines_for(Regime::In, access, false, received);
    assert_eq!(india.respond_by, datetime!(2026-04-03 09:00 UTC));
}

#[test]
fn eu_month_ends_and_leap_years() {
    let policy = DeadlinePolicy::default();
    let access = RequestKind::Access;
    let cases = [
        // (received, respond_by, extended_due)
        // Feb 28 2026 is a Saturday: rolled to Monday Mar 2. Extended: Apr 30.
        (
            datetime!(2026-01-31 12:00 UTC),
            datetime!(2026-03-02 12:00 UTC),
            datetime!(2026-04-30 12:00 UTC),
        ),
        // 2028 is a leap year: Feb 29 (Tuesday). Apr 30 2028 is a Sunday: May 1.
        (
            datetime!(2028-01-31 12:00 UTC),
            datetime!(2028-02-29 12:00 UTC),
            datetime!(2028-05-01 12:00 UTC),
        ),
        (
            datetime!(2026-03-31 12:00 UTC),
            datetime!(2026-04-30 12:00 UTC),
            datetime!(2026-06-30 12:00 UTC),
        ),
        // Dec 31 + 1 month crosses the year; Mar 31 2027 is a Wednesday.
        (
            datetime!(2026-12-31 23:30 UTC),
            datetime!(2027-02-01 23:30 UTC), // Jan 31 2027 is a Sunday
            datetime!(2027-03-31 23:30 UTC),
        ),
    ];
    for (received, respond_by, extended) in cases {
        let got = policy.deadlines_for(Regime::Eu, access, false, received);
        assert_eq!(got.respond_by, respond_by, "respond, received {received}");
        assert_eq!(got.acknowledge_by, None);
        let ext = policy.extended_due(Regime::Eu, access, false, received);
        assert_eq!(ext, Some(extended), "extended, received {received}");
    }
}

#[test]
fn extension_with_mixed_units_runs_from_the_unrolled_due_date() {
    let mut policy = DeadlinePolicy::default();
    policy.other.respond = Span::BusinessDays(10);
    policy.other.extension = Some(Span::Months(1));
    let access = RequestKind::Access;
    // Thu Mar 5 + 10 business days = Thu Mar 19; + 1 month = Sun Apr 19.
    let ext = policy.extended_due(Regime::Other, access, false, RECEIVED);
    assert_eq!(ext, Some(datetime!(2026-04-19 10:00 UTC)));
    policy.other.roll_to_business_day = true;
    let ext = policy.extended_due(Regime::Other, access, false, RECEIVED);
    assert_eq!(ext, Some(datetime!(2026-04-20 10:00 UTC)));
    // EU from Feb 7: the first due date rolls (Sat Mar 7 -> Mon Mar 9), but the extension
    // is 3 months from receipt: Thu May 7.
    let eu = DeadlinePolicy::default();
    let received = datetime!(2026-02-07 08:00 UTC);
    let ext = eu.extended_due(Regime::Eu, access, false, received);
    assert_eq!(ext, Some(datetime!(2026-05-07 08:00 UTC)));
}

#[test]
fn acknowledge_deadlines_roll_like_due_dates() {
    let mut policy = DeadlinePolicy::default();
    policy.other.acknowledge = Acknowledge::Within(Span::Days(2));
    let access = RequestKind::Access;
    let ack = |p: &DeadlinePolicy| p.deadlines_for(Regime::Other, access, false, RECEIVED);
    assert_eq!(
        ack(&policy).acknowledge_by,
        Some(datetime!(2026-03-07 10:00 UTC))
    );
    policy.other.roll_to_business_day = true;
    assert_eq!(
        ack(&policy).acknowledge_by,
        Some(datetime!(2026-03-09 10:00 UTC))
    );
    // 24-hour clocks never roll: Friday 10:00 + 24 hours is Saturday 10:00.
    policy.india.roll_to_business_day = true;
    let friday = datetime!(2026-03-06 10:00 UTC);
    let india = policy.deadlines_for(Regime::In, access, false, friday);
    assert_eq!(india.acknowledge_by, Some(datetime!(2026-03-07 10:00 UTC)));
}

#[test]
fn describe_each_rule() {
    let policy = DeadlinePolicy::default();
    let access = RequestKind::Access;
    let g = RequestKind::Grievance;
    let cases = [
        (
            Regime::Eu,
            access,
            false,
            "GDPR: 1 month from receipt, moved to the next business day when it falls on a \
             weekend or holiday; extendable once by 2 months.",
        ),
        (
            Regime::In,
            access,
            false,
            "DPDP Act 2023 and IT Rules 2021: 30 days from receipt; extendable once by 60 days.",
        ),
        (
            Regime::In,
            g,
            false,
            "DPDP Act 2023 and IT Rules 2021: 15 days from receipt; it cannot be extended.",
        ),
        (
            Regime::In,
            g,
            true,
            "DPDP Act 2023 and IT Rules 2021: 72 hours from receipt for a content-removal \
             complaint; it cannot be extended.",
        ),
        (
            Regime::UsCa,
            access,
            false,
            "CCPA / CPRA: 45 days from receipt; extendable once by 45 days.",
        ),
        (
            Regime::Other,
            g,
            true,
            "Organisation policy: 30 days from receipt; extendable once by 30 days.",
        ),
    ];
    for (regime, kind, removal, expected) in cases {
        assert_eq!(policy.describe(regime, kind, removal), expected);
    }
    let mut custom = DeadlinePolicy::default();
    custom.other.respond = Span::BusinessDays(20);
    assert_eq!(
        custom.describe(Regime::Other, access, false),
        "Organisation policy: 20 business days from receipt, not counting weekends or \
         holidays; extendable once by 30 days."
    );
}
