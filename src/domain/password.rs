//! Officer passwords: what a new password must be, and Argon2id hashing (DESIGN.md section 5).
//!
//! The rules follow NIST SP 800-63B: a minimum length, no composition rules, and a refusal of
//! passwords that are known to be guessed first: a short list picked by hand, and the
//! breached-password list shipped in the binary (`password/common.rs`, over 400,000
//! passwords from SecLists, MIT). The caller draws the salt, so this module does no I/O.

mod common;

use std::fmt;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

/// The fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// The most characters a password may have; bounds the work one sign-in can cause.
pub const MAX_CHARS: usize = 256;

/// Passwords of at least [`MIN_CHARS`] characters that appear near the top of breach lists,
/// picked by hand (some are missing from the shipped list). Compared case-insensitively.
const COMMON_PASSWORDS: [&str; 32] = [
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456123456",
    "123123123123",
    "password1234",
    "password12345",
    "password123!",
    "passw0rd1234",
    "p@ssw0rd1234",
    "passwordpassword",
    "qwertyuiop12",
    "qwertyuiop123",
    "qwerty123456",
    "qwertyqwerty",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "asdfghjkl123",
    "zxcvbnm12345",
    "letmein12345",
    "iloveyou1234",
    "welcome12345",
    "welcome@1234",
    "admin1234567",
    "administrator",
    "changeme1234",
    "abc123456789",
    "abcdefghijkl",
    "monkey123456",
    "football1234",
    "sunshine1234",
    "princess1234",
];

/// A password that passed the rules for a new password. Its text never appears in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// Why a new password was refused, in words the person choosing it understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("a password needs at least 12 characters")]
    TooShort,
    #[error("a password has at most 256 characters")]
    TooLong,
    #[error("a password must not be your email address or its part before the @")]
    SameAsEmail,
    #[error("a password must not be one character repeated")]
    OneRepeatedCharacter,
    #[error("this password is one of the most common ones: choose one that is harder to guess")]
    TooCommon,
}

/// Hashing failed; only possible with a broken parameter set, never because of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not hash the password: {0}")]
pub struct PasswordError(String);

impl NewPassword {
    /// Checks a password chosen for the account with address `email`. The password is taken
    /// exactly as typed: spaces count and nothing is trimmed.
    pub fn parse(password: &str, email: &str) -> Result<NewPassword, WeakPassword> {
        let chars = password.chars().count();
        if chars < MIN_CHARS {
            return Err(WeakPassword::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(WeakPassword::TooLong);
        }
        let lowered = password.to_lowercase();
        let email = email.trim().to_lowercase();
        let local_part = email
            .rsplit_once('@')
            .map_or(email.as_str(), |(local, _)| local);
        if !email.is_empty() && (lowered == email || lowered == local_part) {
            return Err(WeakPassword::SameAsEmail);
        }
        let mut rest = password.chars();
        if let Some(first) = rest.next() {
            if rest.all(|c| c == first) {
                return Err(WeakPassword::OneRepeatedCharacter);
            }
        }
        if COMMON_PASSWORDS.contains(&lowered.as_str()) || common::is_breached(&lowered) {
            return Err(WeakPassword::TooCommon);
        }
        Ok(NewPassword(password.to_string()))
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// A PHC hash of a password nobody types, with the same parameters as [`hash_password`], so
/// that [`dummy_verify`] costs what a real verification costs.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$cmlnaHRzZGVzay1kdW1teQ$WBMpAuuOgxn7L70pO4biDuT5oaarriCXIOlRLss65lU";

/// Argon2id with the OWASP parameters: 19 MiB of memory, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
        Params::DEFAULT_P_COST,
        None,
    )
    .expect("the OWASP Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password with a 16-byte random salt the caller drew, returning the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) to store.
pub fn hash_password(password: &NewPassword, salt: &[u8; 16]) -> Result<String, PasswordError> {
    hasher()
        .hash_password_with_salt(password.0.as_bytes(), salt)
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError(error.to_string()))
}

/// Whether `candidate` is the password stored as `phc`. The comparison is constant-time; a
/// malformed or unsupported hash is `false`. The parameters are read from the hash, so
/// hashes made with older parameters still verify.
pub fn verify_password(candidate: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    hasher()
        .verify_password(candidate.as_bytes(), &hash)
        .is_ok()
}

/// Spends the time of one verification without any account, for a sign-in with an unknown
/// email, so that response times do not tell which addresses have accounts.
pub fn dummy_verify(candidate: &str) {
    std::hint::black_box(verify_password(candidate, DUMMY_PHC));
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "Asha.Rao@Example.in";

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        let table = [
            ("", WeakPassword::TooShort),
            ("short pass1", WeakPassword::TooShort),
            ("ééééééééééé", WeakPassword::TooShort),
            ("aaaaaaaaaaaa", WeakPassword::OneRepeatedCharacter),
            ("            ", WeakPassword::OneRepeatedCharacter),
            ("asha.rao@example.in", WeakPassword::SameAsEmail),
            ("ASHA.RAO@EXAMPLE.IN", WeakPassword::SameAsEmail),
            ("password1234", WeakPassword::TooCommon),
            ("Password1234", WeakPassword::TooCommon),
            ("QWERTYUIOP12", WeakPassword::TooCommon),
            ("123456789012", WeakPassword::TooCommon),
            ("letmein12345", WeakPassword::TooCommon),
            ("iloveyou1234", WeakPassword::TooCommon),
            // From the shipped breached-password list, not the hand-picked one.
            ("1qaz2wsx3edc4rfv", WeakPassword::TooCommon),
            ("QwertyuiopAsdfghjkl", WeakPassword::TooCommon),
        ];
        for (password, expected) in table {
            assert_eq!(
                NewPassword::parse(password, EMAIL),
                Err(expected),
                "{password:?}"
            );
        }
        let long = "ab".repeat(129);
        assert_eq!(NewPassword::parse(&long, EMAIL), Err(WeakPassword::TooLong));
    }

    #[test]
    fn the_local_part_counts_as_the_email() {
        let email = "grievance.officer@example.com";
        assert_eq!(
            NewPassword::parse("Grievance.Officer", email),
            Err(WeakPassword::SameAsEmail)
        );
        // Containing the local part is allowed: only equality is refused.
        assert!(NewPassword::parse("grievance.officer!2", email).is_ok());
    }

    #[test]
    fn good_passwords_pass_exactly_as_typed() {
        let table = [
            "correct horse battery staple",
            "  twelve chars",
            "Tr0ub4dor&3xyz",
            "ééééééééééé!",
            &"ab".repeat(128),
        ];
        for password in table {
            let parsed = NewPassword::parse(password, EMAIL).expect(password);
            assert_eq!(parsed.0, password);
        }
        // An empty email (not yet known) does not make every password equal to it.
        assert!(NewPassword::parse("a fine passphrase", "").is_ok());
    }

    #[test]
    fn the_common_list_is_reachable_and_lower_case() {
        for common in COMMON_PASSWORDS {
            assert!(common.chars().count() >= MIN_CHARS, "{common}");
            assert_eq!(common, common.to_lowercase());
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = NewPassword::parse("a secret passphrase", EMAIL).unwrap();
        let shown = format!("{password:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn messages_are_for_people() {
        assert_eq!(
            WeakPassword::TooShort.to_string(),
            "a password needs at least 12 characters"
        );
    }

    #[test]
    fn hashes_verify_and_nothing_else_does() {
        let password = NewPassword::parse("correct horse battery staple", EMAIL).unwrap();
        let phc = hash_password(&password, &[7; 16]).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery staple", &phc));
        assert!(!verify_password("correct horse battery stapler", &phc));
        assert!(!verify_password("", &phc));
        // The same salt gives the same hash; a different salt a different one.
        assert_eq!(hash_password(&password, &[7; 16]).unwrap(), phc);
        assert_ne!(hash_password(&password, &[8; 16]).unwrap(), phc);
    }

    #[test]
    fn malformed_hashes_never_verify() {
        for phc in [
            "",
            "plain text",
            "$argon2id$v=19$",
            "$2b$12$abcdefghijklmnopqrstuv",
        ] {
            assert!(!verify_password("anything", phc), "{phc:?}");
        }
    }

    #[test]
    fn the_dummy_hash_is_a_real_hash_with_the_live_parameters() {
        let hash = PasswordHash::new(DUMMY_PHC).expect("the dummy hash parses");
        assert!(DUMMY_PHC.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hash.hash.is_some());
        assert!(!verify_password("anything", DUMMY_PHC));
        dummy_verify("anything");
    }
}
