//! A requester's email address, normalised so that one person matches one address.

use std::fmt;

use validator::ValidateEmail;

/// A syntactically valid email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEmail {
    #[error("enter your email address")]
    Missing,
    #[error("enter an email address like name@example.com")]
    Malformed,
    #[error("an email address has at most 254 characters")]
    TooLong,
}

impl InvalidEmail {
    /// The id of this message in the requester's language (`locales/*/errors.ftl`).
    pub fn key(&self) -> &'static str {
        match self {
            InvalidEmail::Missing => "error-email-missing",
            InvalidEmail::Malformed => "error-email-malformed",
            InvalidEmail::TooLong => "error-email-too-long",
        }
    }
}

impl Email {
    pub const MAX_LEN: usize = 254;

    /// Parses what a person typed: surrounding space is dropped and the address lower-cased,
    /// because mailboxes are matched exactly after normalisation.
    pub fn parse(input: &str) -> Result<Email, InvalidEmail> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidEmail::Missing);
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err(InvalidEmail::TooLong);
        }
        let normalised = trimmed.to_lowercase();
        if !normalised.validate_email() || !normalised.contains('.') {
            return Err(InvalidEmail::Malformed);
        }
        Ok(Email(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Asha.Rao@Example.IN ").unwrap();
        assert_eq!(email.as_str(), "asha.rao@example.in");
    }

    #[test]
    fn bad_addresses_are_refused_with_a_reason() {
        assert_eq!(Email::parse(""), Err(InvalidEmail::Missing));
        assert_eq!(Email::parse("   "), Err(InvalidEmail::Missing));
        for bad in [
            "plainaddress",
            "a@",
            "@example.com",
            "a b@example.com",
            "a@localhost",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail::Malformed), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(InvalidEmail::TooLong));
    }
}
