use time::macros::datetime;

use super::*;
use crate::domain::local_time::requester_zone;
use crate::domain::regime::Regime;

fn hindi() -> Messages {
    Messages::for_locale(&Locale::parse("hi").unwrap())
}

#[test]
fn english_and_hindi_are_supported_and_others_read_english() {
    let tags: Vec<String> = supported().iter().map(|l| l.to_string()).collect();
    assert_eq!(tags[0], "en");
    assert!(tags.contains(&"hi".to_string()), "{tags:?}");
    let tamil = Messages::for_locale(&Locale::parse("ta").unwrap());
    assert_eq!(tamil.lang(), "en");
    assert_eq!(hindi().lang(), "hi");
    assert_eq!(hindi().t("home-title"), "आपके निजता अधिकार");
    assert!(hindi().has("home-title"));
    assert!(!hindi().has("no-such-message"));
}

#[test]
fn times_are_on_the_requesters_clock_and_name_the_zone() {
    let at = datetime!(2026-12-31 08:10 UTC);
    let india = requester_zone(None, Regime::In);
    let eu = requester_zone(None, Regime::Eu);
    assert_eq!(
        datetime(&Messages::english(), at, &india),
        "31 December 2026, 13:40 IST"
    );
    assert_eq!(
        datetime(&hindi(), at, &india),
        "31 दिसंबर 2026, 13:40 भारतीय मानक समय"
    );
    assert_eq!(
        datetime(&Messages::english(), datetime!(2026-03-09 14:05 UTC), &eu),
        "9 March 2026, 14:05 UTC"
    );
    assert_eq!(
        date(&Messages::english(), at, &india),
        "Thursday, 31 December 2026"
    );
    assert_eq!(date(&hindi(), at, &india), "गुरुवार, 31 दिसंबर 2026");
}

#[test]
fn plurals_and_digit_grouping_follow_the_language() {
    use crate::domain::span::Span;
    let en = Messages::english();
    assert_eq!(span(&en, Span::Days(1)), "1 day");
    assert_eq!(span(&en, Span::BusinessDays(10)), "10 business days");
    assert_eq!(span(&hindi(), Span::Hours(1)), "1 घंटा");
    assert_eq!(span(&hindi(), Span::Hours(72)), "72 घंटे");
    assert_eq!(span(&hindi(), Span::Months(3)), "3 महीने");
    assert_eq!(number(&hindi(), 1_234_567), "12,34,567");
    assert_eq!(number(&en, 1_234_567), "1,234,567");
    // Counts in messages are grouped the same way.
    assert_eq!(
        hindi().count("due-days-left", "days", 123_456),
        "1,23,456 दिन शेष"
    );
    assert_eq!(en.count("due-days-left", "days", 1), "1 day left");
    assert_eq!(en.count("due-days-left", "days", 1200), "1,200 days left");
}
