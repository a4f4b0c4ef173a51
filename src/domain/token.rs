//! Link tokens: 256 random bits in a URL, only their SHA-256 hash in the database.

use std::fmt;

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How many random bytes a token carries.
pub const TOKEN_BYTES: usize = 32;

/// What a link token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirm a submitted request (proves the email address).
    Verify,
    /// Follow, answer and withdraw a request.
    Status,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Verify => "verify",
            TokenPurpose::Status => "status",
        }
    }

    /// How long a fresh token of this purpose stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            // Unverified requests are purged after 7 days, so their link cannot outlive them.
            TokenPurpose::Verify => Duration::days(7),
            // Long enough to follow a request through an extended deadline; the lost-link
            // page issues a fresh one at any time.
            TokenPurpose::Status => Duration::days(180),
        }
    }
}

/// The secret in a link, as it appears in the URL. Never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

/// The stored form of a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl LinkToken {
    pub fn from_random(bytes: [u8; TOKEN_BYTES]) -> LinkToken {
        LinkToken(BASE64URL_NOPAD.encode(&bytes))
    }

    /// Accepts only what [`LinkToken::from_random`] could have produced, so that junk in a
    /// URL is refused before any database work.
    pub fn parse(input: &str) -> Option<LinkToken> {
        let bytes = BASE64URL_NOPAD.decode(input.as_bytes()).ok()?;
        (bytes.len() == TOKEN_BYTES).then(|| LinkToken(input.to_string()))
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(HEXLOWER.encode(&Sha256::digest(self.0.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// A token is a secret: keep it out of debug output and logs.
impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(..)")
    }
}

impl TokenHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a token issued with this expiry may still be used at `now`.
pub fn is_live(
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    used_at.is_none() && now < expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn tokens_round_trip_and_hash_stably() {
        let token = LinkToken::from_random([7; TOKEN_BYTES]);
        assert_eq!(token.as_str().len(), 43);
        let parsed = LinkToken::parse(token.as_str()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
        assert_eq!(token.hash().as_str().len(), 64);
        assert_ne!(token.hash().as_str(), token.as_str());
        assert_ne!(
            LinkToken::from_random([8; TOKEN_BYTES]).hash(),
            token.hash()
        );
    }

    #[test]
    fn junk_is_not_a_token() {
        for bad in [
            "",
            "abc",
            "../../etc/passwd",
            &"A".repeat(44),
            &"!".repeat(43),
        ] {
            assert!(LinkToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tokens_die_at_expiry_or_first_use() {
        let expires = datetime!(2026-01-08 00:00 UTC);
        assert!(is_live(expires, None, datetime!(2026-01-07 23:59 UTC)));
        assert!(!is_live(expires, None, expires));
        assert!(!is_live(
            expires,
            Some(datetime!(2026-01-02 00:00 UTC)),
            datetime!(2026-01-03 00:00 UTC)
        ));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let token = LinkToken::from_random([9; TOKEN_BYTES]);
        assert!(!format!("{token:?}").contains(token.as_str()));
    }
}
