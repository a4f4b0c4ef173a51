//! The language a requester reads: a primary language subtag ("en", "hi"), chosen from
//! what the browser asks for (`Accept-Language`) among the languages the program has
//! messages for. Which languages those are is not decided here: the caller passes them.

use std::fmt;
use std::str::FromStr;

/// A language as a lowercase primary subtag of two or three letters ("en", "hi").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locale(String);

/// English: what every requester gets when nothing asks for another language.
pub const DEFAULT_LOCALE: &str = "en";

impl Locale {
    /// English, the default language.
    pub fn english() -> Locale {
        Locale(DEFAULT_LOCALE.to_string())
    }

    /// The primary subtag of a language tag ("hi-IN" is Hindi, "EN" is English).
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?;
        let valid =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        valid.then(|| Locale(primary.to_ascii_lowercase()))
    }

    /// The tag, e.g. "hi": for `lang` and `hreflang` attributes and for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is English.
    pub fn is_english(&self) -> bool {
        self.0 == DEFAULT_LOCALE
    }
}

impl Default for Locale {
    fn default() -> Locale {
        Locale::english()
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A language tag that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a language tag: {0:?}")]
pub struct NotALocale(pub String);

impl FromStr for Locale {
    type Err = NotALocale;

    fn from_str(text: &str) -> Result<Locale, NotALocale> {
        Locale::parse(text).ok_or_else(|| NotALocale(text.to_string()))
    }
}

/// `tag` when it names one of the `supported` languages.
pub fn supported_locale(tag: &str, supported: &[Locale]) -> Option<Locale> {
    Locale::parse(tag).filter(|locale| supported.contains(locale))
}

/// The best of `supported` for an `Accept-Language` header (RFC 9110 §12.5.4): the
/// highest quality wins, the earlier entry on a tie; `q=0` refuses a language; `*` takes
/// the first supported language not named otherwise. `None` when nothing matches.
pub fn negotiate(accept_language: &str, supported: &[Locale]) -> Option<Locale> {
    let mut ranges: Vec<(usize, u16, &str)> = accept_language
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .map(quality_in_thousandths)
                .next()
                .unwrap_or(Some(1000))?;
            (!range.is_empty()).then_some((position, quality, range))
        })
        .collect();
    ranges.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let refused: Vec<Locale> = ranges
        .iter()
        .filter(|(_, q, _)| *q == 0)
        .filter_map(|(_, _, range)| Locale::parse(range))
        .collect();
    ranges
        .iter()
        .filter(|(_, q, _)| *q > 0)
        .find_map(|(_, _, range)| {
            if *range == "*" {
                supported.iter().find(|l| !refused.contains(l)).cloned()
            } else {
                supported_locale(range, supported).filter(|l| !refused.contains(l))
            }
        })
}

/// "0.8" as 800; anything that is not a quality value makes the entry count for nothing.
fn quality_in_thousandths(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> Vec<Locale> {
        vec![Locale::english(), Locale::parse("hi").unwrap()]
    }

    fn pick(header: &str) -> Option<String> {
        negotiate(header, &both()).map(|l| l.to_string())
    }

    #[test]
    fn tags_are_primary_subtags() {
        assert_eq!(Locale::parse("hi-IN").unwrap().as_str(), "hi");
        assert_eq!(Locale::parse(" EN ").unwrap().as_str(), "en");
        assert_eq!(Locale::parse("en_GB").unwrap().as_str(), "en");
        assert!(Locale::parse("").is_none());
        assert!(Locale::parse("x").is_none());
        assert!(Locale::parse("../etc").is_none());
        assert!(Locale::parse("h1").is_none());
        assert!(Locale::default().is_english());
        assert_eq!(supported_locale("hi", &both()).unwrap().as_str(), "hi");
        assert_eq!(supported_locale("ta", &both()), None);
    }

    #[test]
    fn negotiation_follows_quality_then_order() {
        assert_eq!(pick("hi").as_deref(), Some("hi"));
        assert_eq!(pick("hi-IN,hi;q=0.9,en;q=0.8").as_deref(), Some("hi"));
        assert_eq!(pick("en-US,en;q=0.9,hi;q=0.8").as_deref(), Some("en"));
        assert_eq!(pick("fr, hi;q=0.5, en;q=0.4").as_deref(), Some("hi"));
        assert_eq!(pick("en;q=0.2, hi;q=0.7").as_deref(), Some("hi"));
        assert_eq!(pick("fr, de").as_deref(), None);
        assert_eq!(pick("").as_deref(), None);
        assert_eq!(pick("*").as_deref(), Some("en"));
        assert_eq!(pick("en;q=0, *").as_deref(), Some("hi"));
        assert_eq!(pick("hi;q=0, en;q=0").as_deref(), None);
        assert_eq!(pick("hi;q=abc, en;q=0.1").as_deref(), Some("en"));
    }
}
