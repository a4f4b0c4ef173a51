//! Deadline overrides read from the `[policy]` configuration table.
//!
//! Shapes are checked by serde (unknown keys are errors, so a typo never silently keeps a
//! default); the values serde cannot check are validated by [`DeadlinePolicy::with_overrides`].

use std::fmt;

use serde::{de, Deserialize, Deserializer};
use time::macros::format_description;
use time::Date;

use super::{Acknowledge, DeadlinePolicy, RegimeRule};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::span::Span;

/// The deadline part of `[policy]`: holidays and per-regime rule overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyOverrides {
    /// Non-business days besides weekends, as ISO dates (`"2026-12-25"`; a bare TOML date
    /// `2026-12-25` works too).
    #[serde(deserialize_with = "iso_dates")]
    pub holidays: Vec<Date>,
    /// Per-regime overrides; a missing regime keeps its built-in rule.
    pub regimes: RegimeOverrides,
}

/// `[policy.regimes.*]`: one optional override per rule of [`DeadlinePolicy`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegimeOverrides {
    /// `[policy.regimes.in]`: India, every kind but `grievance`.
    #[serde(rename = "in")]
    pub india: Option<RuleOverride>,
    /// `[policy.regimes.in_grievance]`: India, kind `grievance`.
    #[serde(rename = "in_grievance")]
    pub india_grievance: Option<RuleOverride>,
    /// `[policy.regimes.eu]`.
    pub eu: Option<RuleOverride>,
    /// `[policy.regimes.us-ca]`.
    #[serde(rename = "us-ca")]
    pub us_ca: Option<RuleOverride>,
    /// `[policy.regimes.other]`.
    pub other: Option<RuleOverride>,
}

/// Overrides for one rule; every field left out keeps the built-in value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleOverride {
    /// `"on verification"` or a span such as `"10 business days"`.
    pub acknowledge: Option<String>,
    /// The response period.
    pub respond: Option<Span>,
    /// A span, or `"none"` to allow no extension.
    pub extension: Option<ExtensionOverride>,
    /// Whether day and month due dates move off weekends and holidays.
    pub roll_to_business_day: Option<bool>,
    /// The content-removal response period; only accepted under `in_grievance`.
    pub content_removal_respond: Option<Span>,
}

/// The value of an `extension` override: written `"none"` or as a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionOverride {
    /// `"none"`: the rule allows no extension.
    NotAllowed,
    /// One extension of this span.
    By(Span),
}

impl From<ExtensionOverride> for Option<Span> {
    fn from(value: ExtensionOverride) -> Self {
        match value {
            ExtensionOverride::NotAllowed => None,
            ExtensionOverride::By(span) => Some(span),
        }
    }
}

impl<'de> Deserialize<'de> for ExtensionOverride {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().eq_ignore_ascii_case("none") {
            return Ok(ExtensionOverride::NotAllowed);
        }
        text.parse().map(ExtensionOverride::By).map_err(|_| {
            de::Error::custom(format!(
                "invalid extension {text:?}: expected \"none\" or a span like \"2 months\""
            ))
        })
    }
}

/// A configuration value that serde accepted but the policy cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PolicyError {
    /// The full key, e.g. `policy.regimes.eu.acknowledge`.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl DeadlinePolicy {
    /// The built-in policy with `overrides` applied.
    pub fn with_overrides(overrides: PolicyOverrides) -> Result<DeadlinePolicy, PolicyError> {
        let mut policy = DeadlinePolicy {
            calendar: BusinessCalendar::new(overrides.holidays),
            ..DeadlinePolicy::default()
        };
        let regimes = overrides.regimes;
        if let Some(mut grievance) = regimes.india_grievance {
            if let Some(span) = grievance.content_removal_respond.take() {
                policy.india_content_removal_respond = span;
            }
            apply("in_grievance", grievance, &mut policy.india_grievance)?;
        }
        let rest = [
            ("in", regimes.india, &mut policy.india),
            ("eu", regimes.eu, &mut policy.eu),
            ("us-ca", regimes.us_ca, &mut policy.us_ca),
            ("other", regimes.other, &mut policy.other),
        ];
        for (name, rule_override, rule) in rest {
            if let Some(rule_override) = rule_override {
                apply(name, rule_override, rule)?;
            }
        }
        Ok(policy)
    }
}

/// Applies one override to `rule`; `name` is the regime's key, for error messages.
fn apply(name: &str, o: RuleOverride, rule: &mut RegimeRule) -> Result<(), PolicyError> {
    let error = |field: &str, message: String| PolicyError {
        field: format!("policy.regimes.{name}.{field}"),
        message,
    };
    // Only India's grievance channel has a content-removal clock; accepting the key
    // elsewhere would let an operator believe it had an effect.
    if o.content_removal_respond.is_some() {
        return Err(error(
            "content_removal_respond",
            "only allowed under policy.regimes.in_grievance".to_owned(),
        ));
    }
    if let Some(text) = o.acknowledge {
        rule.acknowledge = parse_acknowledge(&text).ok_or_else(|| {
            error(
                "acknowledge",
                format!("expected \"on verification\" or a span like \"10 business days\", got {text:?}"),
            )
        })?;
    }
    if let Some(span) = o.respond {
        rule.respond = span;
    }
    if let Some(extension) = o.extension {
        rule.extension = extension.into();
    }
    if let Some(roll) = o.roll_to_business_day {
        rule.roll_to_business_day = roll;
    }
    Ok(())
}

/// `"on verification"` (any case, surrounding spaces ignored) or a span.
fn parse_acknowledge(text: &str) -> Option<Acknowledge> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if let [on, verification] = words.as_slice() {
        if on.eq_ignore_ascii_case("on") && verification.eq_ignore_ascii_case("verification") {
            return Some(Acknowledge::OnVerification);
        }
    }
    text.parse().ok().map(Acknowledge::Within)
}

/// Deserialises the holiday list, accepting ISO date strings and TOML date literals.
fn iso_dates<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Date>, D::Error> {
    let dates = Vec::<HolidayDate>::deserialize(deserializer)?;
    Ok(dates.into_iter().map(|HolidayDate(date)| date).collect())
}

/// One holiday; a private newtype so `Vec<Date>` keeps the plain public type.
struct HolidayDate(Date);

impl<'de> Deserialize<'de> for HolidayDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(HolidayVisitor)
    }
}

struct HolidayVisitor;

impl<'de> de::Visitor<'de> for HolidayVisitor {
    type Value = HolidayDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date like \"2026-12-25\"")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<HolidayDate, E> {
        let format = format_description!("[year]-[month]-[day]");
        Date::parse(text.trim(), format)
            .map(HolidayDate)
            .map_err(|_| {
                E::custom(format!(
                    "invalid holiday {text:?}: expected a date like \"2026-12-25\""
                ))
            })
    }

    /// The `toml` crate hands a date literal over as a one-entry map holding its text.
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<HolidayDate, A::Error> {
        let Some((_, text)) = map.next_entry::<de::IgnoredAny, String>()? else {
            return Err(de::Error::custom("expected a date like \"2026-12-25\""));
        };
        self.visit_str(&text)
    }
}

#[cfg(test)]
#[path = "overrides_tests.rs"]
mod tests;
