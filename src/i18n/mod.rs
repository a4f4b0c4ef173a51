//! The requester's language: the message files under `locales/<tag>/*.ftl` (Fluent),
//! compiled into the program, and the formatting that depends on the language (dates and
//! times with the zone named, numbers grouped as the language groups them, spans of time
//! with their plural forms). Like `domain`, this module does no I/O: its messages are data
//! built into the binary. Pages and mails take a [`Messages`] for the reader's language.
//!
//! A language is one directory of `.ftl` files; `tests/locales.rs` fails when a language
//! lacks a message another one has, or when a template asks for one no language has.

mod format;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};

use crate::domain::locale::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Messages go into plain text mail and HTML attributes: no Unicode isolation
        // marks around the values put into them.
        customise: |bundle| {
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(format::group_digits));
        },
    };
}

/// Every language the program has messages for, English first.
pub fn supported() -> Vec<Locale> {
    static SUPPORTED: OnceLock<Vec<Locale>> = OnceLock::new();
    SUPPORTED
        .get_or_init(|| {
            let mut locales: Vec<Locale> = LOCALES
                .locales()
                .filter_map(|id| Locale::parse(id.language.as_str()))
                .collect();
            locales.sort_by_key(|l| (!l.is_english(), l.clone()));
            locales.dedup();
            locales
        })
        .clone()
}

/// A value put into a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    /// A count: it chooses the plural form, and is shown with its digits grouped.
    Number(i64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_string())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
    }
}

/// The messages of one language; a language without messages reads English.
#[derive(Debug, Clone)]
pub struct Messages {
    locale: Locale,
    id: LanguageIdentifier,
}

impl Default for Messages {
    fn default() -> Messages {
        Messages::english()
    }
}

impl Messages {
    pub fn english() -> Messages {
        Messages::for_locale(&Locale::english())
    }

    /// The messages for `locale`, or English's when the program has none for it.
    pub fn for_locale(locale: &Locale) -> Messages {
        let locale = if supported().contains(locale) {
            locale.clone()
        } else {
            Locale::english()
        };
        let id = locale
            .as_str()
            .parse()
            .unwrap_or_else(|_| LanguageIdentifier::default());
        Messages { locale, id }
    }

    /// The language these messages are in.
    pub fn locale(&self) -> &Locale {
        &self.locale
    }

    /// The language's tag, for `lang` attributes.
    pub fn lang(&self) -> &str {
        self.locale.as_str()
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The message `key` with its values.
    pub fn t_with(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(text) => FluentValue::from(text.clone()),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// The message `key` with one value: a shorthand for templates.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.t_with(key, &[(name, Arg::from(value))])
    }

    /// The message `key` with one count, which also picks its plural form.
    pub fn count(&self, key: &str, name: &'static str, n: i64) -> String {
        self.t_with(key, &[(name, Arg::Number(n))])
    }

    /// Whether this language has the message `key` itself (no English fallback).
    pub fn has(&self, key: &str) -> bool {
        LOCALES
            .lookup_single_language::<&str>(&self.id, key, None)
            .is_ok()
    }
}

pub use format::{date, datetime, number, span, span_oblique};

#[cfg(test)]
mod tests;
