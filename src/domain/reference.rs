//! Request references such as `RD-7K3M-9QXA`: short, unguessable, easy to read aloud.
//!
//! Eight Crockford base32 symbols carry 40 random bits. Crockford's alphabet has no I, L, O
//! or U, and reading accepts the usual confusions (i/l for 1, o for 0), lower case, spaces
//! and missing hyphens, so a reference read over the phone still parses.

use std::fmt;
use std::sync::LazyLock;

use data_encoding::{Encoding, Specification};

static CROCKFORD: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzIiLlOo");
    spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ111100");
    spec.encoding()
        .expect("the Crockford alphabet is a valid base32 specification")
});

/// How many random bytes a reference carries.
pub const REFERENCE_BYTES: usize = 5;

/// A request's public reference, always in its canonical form `RD-XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enter the reference from your confirmation email, like RD-7K3M-9QXA")]
pub struct InvalidReference;

impl Reference {
    /// Builds a reference from random bytes the caller drew.
    pub fn from_random(bytes: [u8; REFERENCE_BYTES]) -> Reference {
        let symbols = CROCKFORD.encode(&bytes);
        Reference(format!("RD-{}-{}", &symbols[..4], &symbols[4..]))
    }

    /// Reads a reference as a person may type it.
    pub fn parse(input: &str) -> Result<Reference, InvalidReference> {
        let mut compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        // `get` rather than `[..2]`: a multi-byte first character would put byte 2 inside it.
        if compact.len() == 10
            && compact
                .get(..2)
                .is_some_and(|p| p.eq_ignore_ascii_case("RD"))
        {
            compact.drain(..2);
        }
        if compact.len() != 8 {
            return Err(InvalidReference);
        }
        let bytes = CROCKFORD
            .decode(compact.as_bytes())
            .map_err(|_| InvalidReference)?;
        let bytes: [u8; REFERENCE_BYTES] = bytes.try_into().map_err(|_| InvalidReference)?;
        Ok(Reference::from_random(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_have_the_canonical_shape() {
        let reference = Reference::from_random([0x3a, 0x79, 0x3c, 0x29, 0x55]);
        let text = reference.as_str();
        assert_eq!(text.len(), 12);
        assert!(text.starts_with("RD-"));
        assert_eq!(&text[7..8], "-");
        assert!(text[3..]
            .chars()
            .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    }

    #[test]
    fn spoken_and_sloppy_forms_parse_to_the_same_reference() {
        let reference = Reference::from_random([0xff, 0x00, 0x10, 0x42, 0x99]);
        let canonical = reference.as_str().to_string();
        assert_eq!(Reference::parse(&canonical), Ok(reference.clone()));
        assert_eq!(
            Reference::parse(&canonical.to_lowercase()),
            Ok(reference.clone())
        );
        assert_eq!(
            Reference::parse(&canonical[3..].replace('-', " ")),
            Ok(reference.clone())
        );
        assert_eq!(
            Reference::parse("RD-0000-0000"),
            Reference::parse("rd-oooo-OOOO")
        );
        assert_eq!(
            Reference::parse("RD-1111-1111"),
            Reference::parse("RD-iIlL-1111")
        );
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "RD-",
            "RD-1234",
            "RD-1234-567U",
            "RD-1234-56789",
            "hello world",
        ] {
            assert_eq!(Reference::parse(bad), Err(InvalidReference), "{bad}");
        }
    }

    #[test]
    fn multi_byte_characters_are_refused_not_split() {
        // Most are ten bytes, like "RD" and eight symbols, with byte 2 inside a character.
        for bad in [
            "€1234567",
            "é€123456",
            "RD-€€€€-€€€€",
            "R€1234567",
            "ＲＤ-1234-5678",
        ] {
            assert_eq!(Reference::parse(bad), Err(InvalidReference), "{bad}");
        }
    }

    #[test]
    fn every_random_value_round_trips() {
        for seed in 0u8..=255 {
            let bytes = [seed, seed.wrapping_mul(7), 3, seed ^ 0x5a, 255 - seed];
            let reference = Reference::from_random(bytes);
            assert_eq!(Reference::parse(reference.as_str()), Ok(reference));
        }
    }
}
