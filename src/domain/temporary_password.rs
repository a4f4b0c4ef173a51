//! The one-time password an admin hands to an officer after resetting theirs: drawn at
//! random (the admin never picks it, so it is never weak or reused), shown once, and only
//! good for choosing a new password at the next sign-in.

use std::fmt;

use data_encoding::BASE32_NOPAD;

/// Random bytes in a temporary password: 120 bits, as 24 symbols.
pub const TEMPORARY_PASSWORD_BYTES: usize = 15;

/// A temporary password such as `K7QD-2MXA-…` (six groups of four). The alphabet (A–Z, 2–7)
/// has no 0, 1 or 8, so nothing in it is mistaken for O, I or B when read out. Its text
/// never appears in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryPassword(String);

impl TemporaryPassword {
    /// Builds one from random bytes the caller drew.
    pub fn from_random(bytes: [u8; TEMPORARY_PASSWORD_BYTES]) -> TemporaryPassword {
        let symbols = BASE32_NOPAD.encode(&bytes);
        let groups: Vec<&str> = (0..symbols.len())
            .step_by(4)
            .map(|start| &symbols[start..start + 4])
            .collect();
        TemporaryPassword(groups.join("-"))
    }

    /// The password, to show to the admin once.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TemporaryPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::password::NewPassword;

    #[test]
    fn six_groups_of_four_from_the_alphabet() {
        let password = TemporaryPassword::from_random([0xA5; TEMPORARY_PASSWORD_BYTES]);
        let text = password.as_str();
        assert_eq!(text.len(), 29, "{text}");
        assert_eq!(text.split('-').count(), 6);
        assert!(text
            .chars()
            .all(|c| c == '-' || c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
        assert_ne!(
            TemporaryPassword::from_random([1; TEMPORARY_PASSWORD_BYTES]),
            password
        );
    }

    #[test]
    fn it_passes_the_rules_for_a_new_password_and_hides_in_debug() {
        let password = TemporaryPassword::from_random([7; TEMPORARY_PASSWORD_BYTES]);
        assert!(NewPassword::parse(password.as_str(), "a@example.org").is_ok());
        assert!(!format!("{password:?}").contains(&password.as_str()[..4]));
    }
}
