//! A request received elsewhere (by post, phone, at a counter, by email or through an agent)
//! and recorded by an officer or another system: the same fields as the public form, plus
//! when and how it was received, because the statutory clock starts at the real receipt.

use std::fmt;
use std::str::FromStr;

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::locale::{supported_locale, Locale};
use super::submission::{FieldError, RawSubmission, Submission};

/// How a recorded request reached the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Post,
    Phone,
    InPerson,
    Email,
    Agent,
}

/// Text that names no channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel")]
pub struct UnknownChannel;

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Post,
        Channel::Phone,
        Channel::InPerson,
        Channel::Email,
        Channel::Agent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Post => "post",
            Channel::Phone => "phone",
            Channel::InPerson => "in_person",
            Channel::Email => "email",
            Channel::Agent => "agent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Post => "By post",
            Channel::Phone => "By phone",
            Channel::InPerson => "In person",
            Channel::Email => "By email",
            Channel::Agent => "Through an authorised agent",
        }
    }
}

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(text: &str) -> Result<Channel, UnknownChannel> {
        Channel::ALL
            .into_iter()
            .find(|channel| channel.as_str() == text)
            .ok_or(UnknownChannel)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields as text, before anything is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawIntake {
    pub submission: RawSubmission,
    /// RFC 3339 (`2026-11-28T10:30:00Z`), or a form's `YYYY-MM-DDTHH:MM` read as UTC.
    pub received_at: String,
    pub channel: String,
    /// The requester's language tag (`en`, `hi`); empty for English.
    pub locale: String,
}

/// A checked recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub submission: Submission,
    pub received_at: OffsetDateTime,
    pub channel: Channel,
    /// The language the requester's mail and pages speak.
    pub locale: Locale,
}

/// What an intake is checked against: the policy's consent purposes, the languages the
/// program speaks, the time now and how long ago a request may have been received.
#[derive(Debug, Clone, Copy)]
pub struct IntakeRules<'a> {
    pub known_purposes: &'a [&'a str],
    pub languages: &'a [Locale],
    pub now: OffsetDateTime,
    pub max_age: Duration,
}

impl Intake {
    /// Checks every field at once. `received_at` may be neither after `now` nor more than
    /// `max_age` before it; the language, when given, is one of `languages`.
    pub fn parse(raw: &RawIntake, rules: &IntakeRules<'_>) -> Result<Intake, Vec<FieldError>> {
        let IntakeRules {
            known_purposes,
            languages,
            now,
            max_age,
        } = *rules;
        let submission = Submission::parse(&raw.submission, known_purposes);
        let mut errors = submission.as_ref().err().cloned().unwrap_or_default();
        let received_at = parse_received_at(raw.received_at.trim(), now, max_age)
            .map_err(|message| errors.push(FieldError::untranslated("received_at", message)));
        let channel = raw.channel.trim().parse::<Channel>().map_err(|_| {
            errors.push(FieldError::untranslated(
                "channel",
                "choose how the request was received: post, phone, in_person, email or agent",
            ))
        });
        let locale = parse_locale(raw.locale.trim(), languages)
            .map_err(|message| errors.push(FieldError::untranslated("language", message)));
        match (submission, received_at, channel, locale) {
            (Ok(submission), Ok(received_at), Ok(channel), Ok(locale)) if errors.is_empty() => {
                Ok(Intake {
                    submission,
                    received_at,
                    channel,
                    locale,
                })
            }
            _ => Err(errors),
        }
    }
}

/// English when no language is given; otherwise one the program speaks.
fn parse_locale(text: &str, languages: &[Locale]) -> Result<Locale, String> {
    if text.is_empty() {
        return Ok(Locale::english());
    }
    supported_locale(text, languages)
        .filter(|locale| locale.as_str() == text.to_ascii_lowercase())
        .ok_or_else(|| {
            let tags: Vec<&str> = languages.iter().map(Locale::as_str).collect();
            format!("choose the requester's language: {}", tags.join(" or "))
        })
}

fn parse_received_at(
    text: &str,
    now: OffsetDateTime,
    max_age: Duration,
) -> Result<OffsetDateTime, String> {
    if text.is_empty() {
        return Err("say when the request was received".to_string());
    }
    let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| PrimitiveDateTime::parse(text, local).map(PrimitiveDateTime::assume_utc))
        .map_err(|_| {
            "write the time of receipt as RFC 3339, like 2026-11-28T10:30:00Z".to_string()
        })?;
    // Both databases keep microseconds; a finer time would not read back equal.
    let at = at.replace_nanosecond(at.microsecond() * 1000).unwrap_or(at);
    if at > now {
        return Err("the time of receipt is in the future".to_string());
    }
    if now - at > max_age {
        return Err(format!(
            "the time of receipt is more than {} days ago: record older requests with their \
             real receipt date through the organisation's own process",
            max_age.whole_days()
        ));
    }
    Ok(at.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn raw(received_at: &str, channel: &str) -> RawIntake {
        RawIntake {
            submission: RawSubmission {
                kind: "access".into(),
                full_name: "Asha Rao".into(),
                email: "asha@example.in".into(),
                region: "in".into(),
                ..RawSubmission::default()
            },
            received_at: received_at.into(),
            channel: channel.into(),
            locale: String::new(),
        }
    }

    fn languages() -> Vec<Locale> {
        vec![Locale::english(), Locale::parse("hi").unwrap()]
    }

    fn parse(raw: &RawIntake) -> Result<Intake, Vec<FieldError>> {
        Intake::parse(
            raw,
            &IntakeRules {
                known_purposes: &[],
                languages: &languages(),
                now: NOW,
                max_age: Duration::days(30),
            },
        )
    }

    const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);

    #[test]
    fn a_phone_request_three_days_ago_parses() {
        let intake = parse(&raw("2026-11-28T09:15:00+05:30", "phone")).unwrap();
        assert_eq!(intake.received_at, datetime!(2026-11-28 03:45 UTC));
        assert_eq!(intake.channel, Channel::Phone);
        assert_eq!(intake.locale, Locale::english(), "English unless asked");
        let form = parse(&raw("2026-11-28T09:15", "post")).unwrap();
        assert_eq!(form.received_at, datetime!(2026-11-28 09:15 UTC));
    }

    #[test]
    fn future_too_old_and_unknown_channel_are_refused() {
        for (at, channel, field) in [
            ("2026-12-01T12:01:00Z", "post", "received_at"),
            ("2026-10-31T11:59:00Z", "post", "received_at"),
            ("yesterday", "post", "received_at"),
            ("2026-11-30T12:00:00Z", "fax", "channel"),
        ] {
            let errors = parse(&raw(at, channel)).unwrap_err();
            assert_eq!(errors.len(), 1, "{at} {channel}");
            assert_eq!(errors[0].field, field);
        }
    }

    #[test]
    fn the_language_is_one_the_program_speaks() {
        let mut hindi = raw("2026-11-30T12:00:00Z", "post");
        hindi.locale = " hi ".into();
        assert_eq!(parse(&hindi).unwrap().locale.as_str(), "hi");
        for tag in ["fr", "hi-IN", "xx-yy", "हिन्दी"] {
            let mut other = raw("2026-11-30T12:00:00Z", "post");
            other.locale = tag.into();
            let errors = parse(&other).unwrap_err();
            assert_eq!(errors.len(), 1, "{tag}");
            assert_eq!(errors[0].field, "language");
            assert!(errors[0].message.contains("en or hi"), "{tag}");
        }
    }
}
