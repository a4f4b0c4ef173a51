//! What a language decides about how values look: the parts of a date and time in its
//! order and words, the zone's name, spans of time and their plurals, digit grouping.

use fluent_templates::fluent_bundle::memoizer::MemoizerKind;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use intl_memoizer::Memoizable;
use time::OffsetDateTime;

use super::{Arg, Messages, LOCALES};
use crate::domain::local_time::{DigitGrouping, LocalTime};
use crate::domain::report::ReportZone;
use crate::domain::span::Span;

/// An instant on `zone`'s clock, with the zone named: "31 December 2026, 13:40 IST".
pub fn datetime(messages: &Messages, at: OffsetDateTime, zone: &ReportZone) -> String {
    let local = LocalTime::at(at, zone);
    messages.t_with(
        "datetime",
        &[
            ("day", Arg::Text(local.day.to_string())),
            ("month", Arg::Text(month(messages, local.month))),
            ("year", Arg::Text(local.year.to_string())),
            ("hour", Arg::Text(format!("{:02}", local.hour))),
            ("minute", Arg::Text(format!("{:02}", local.minute))),
            ("zone", Arg::Text(zone_name(messages, &local.zone))),
        ],
    )
}

/// The day `at` falls on in `zone`, with its weekday: "Thursday, 31 December 2026".
pub fn date(messages: &Messages, at: OffsetDateTime, zone: &ReportZone) -> String {
    let local = LocalTime::at(at, zone);
    messages.t_with(
        "date",
        &[
            (
                "weekday",
                Arg::Text(messages.count("weekday", "weekday", local.weekday.into())),
            ),
            ("day", Arg::Text(local.day.to_string())),
            ("month", Arg::Text(month(messages, local.month))),
            ("year", Arg::Text(local.year.to_string())),
        ],
    )
}

fn month(messages: &Messages, month: i8) -> String {
    messages.count("month", "month", month.into())
}

/// The zone as the language names it ("IST" is "भारतीय मानक समय" in Hindi).
fn zone_name(messages: &Messages, abbreviation: &str) -> String {
    messages.t1("zone-name", "zone", abbreviation)
}

/// A number with the language's digit grouping: "1,23,456" in Hindi.
pub fn number(messages: &Messages, n: i64) -> String {
    grouping_of(&messages.id).format(n)
}

/// A span of time in words, with its plural form: "30 days", "1 घंटा".
pub fn span(messages: &Messages, span: Span) -> String {
    span_as(messages, "span", span)
}

/// A span in the form a language uses before a postposition: Hindi's "1 महीने" in
/// "1 महीने के भीतर" (English has one form).
pub fn span_oblique(messages: &Messages, span: Span) -> String {
    span_as(messages, "span-oblique", span)
}

fn span_as(messages: &Messages, key: &str, span: Span) -> String {
    let unit = match span {
        Span::Hours(_) => "hours",
        Span::Days(_) => "days",
        Span::BusinessDays(_) => "business-days",
        Span::Months(_) => "months",
    };
    messages.t_with(
        key,
        &[
            ("unit", Arg::from(unit)),
            ("count", Arg::Number(i64::from(span.count()))),
        ],
    )
}

/// The language's digit grouping, named by its `digit-grouping` message.
fn grouping_of(id: &LanguageIdentifier) -> DigitGrouping {
    DigitGrouping::named(&LOCALES.lookup(id, "digit-grouping"))
}

/// A bundle's digit grouping, kept by the bundle's memoizer (which knows its language).
struct Grouping(DigitGrouping);

impl Memoizable for Grouping {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Grouping, ()> {
        Ok(Grouping(grouping_of(&lang)))
    }
}

/// The bundles' number formatter: whole numbers with the language's grouping; anything
/// else as Fluent shows it.
pub(super) fn group_digits<M: MemoizerKind>(value: &FluentValue, memoizer: &M) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    let whole = number.value.fract() == 0.0 && number.value.abs() < 1e15;
    if !whole || number.options.minimum_fraction_digits.is_some() {
        return None;
    }
    let n = number.value as i64;
    memoizer
        .with_try_get_threadsafe::<Grouping, _, _>((), |grouping| grouping.0.format(n))
        .ok()
}
