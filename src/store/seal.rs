//! The one place personal columns are sealed and opened. Each value is sealed as text
//! (`v1:<key id>:<hex>`) bound to its table, row and column, so a value copied onto another
//! row or column does not open there. Empty text stays empty (a wiped field), and text
//! written before sealing existed is read as it is until `rekey` seals it.

use crate::store::StoreError;
use crate::vault::Keyring;

/// The keyed-hash domain a request's email is found under (the queue's search, the lookup).
pub const REQUEST_EMAIL_INDEX: &str = "request email";

/// The text a column holds for `plain`, sealed under the current key.
pub fn seal(
    vault: &Keyring,
    table: &str,
    id: &str,
    column: &str,
    plain: &str,
) -> Result<String, StoreError> {
    if plain.is_empty() {
        return Ok(String::new());
    }
    vault
        .seal_text(plain, &context(table, id, column))
        .map_err(StoreError::Sealed)
}

pub fn seal_optional(
    vault: &Keyring,
    table: &str,
    id: &str,
    column: &str,
    plain: Option<&str>,
) -> Result<Option<String>, StoreError> {
    plain.map(|p| seal(vault, table, id, column, p)).transpose()
}

/// The plain text of a column's stored value.
pub fn open(
    vault: &Keyring,
    table: &str,
    id: &str,
    column: &str,
    stored: String,
) -> Result<String, StoreError> {
    match vault.open_text(&stored, &context(table, id, column)) {
        None => Ok(stored),
        Some(opened) => opened.map_err(StoreError::Sealed),
    }
}

pub fn open_optional(
    vault: &Keyring,
    table: &str,
    id: &str,
    column: &str,
    stored: Option<String>,
) -> Result<Option<String>, StoreError> {
    stored
        .map(|s| open(vault, table, id, column, s))
        .transpose()
}

/// The blind index of a request's email under the current key; `None` for no email.
pub fn email_index(vault: &Keyring, email: &str) -> Option<String> {
    (!email.is_empty()).then(|| vault.index(REQUEST_EMAIL_INDEX, email))
}

/// The email's blind index under every known key, current first.
pub fn email_index_candidates(vault: &Keyring, email: &str) -> Vec<String> {
    vault.index_candidates(REQUEST_EMAIL_INDEX, email)
}

fn context(table: &str, id: &str, column: &str) -> String {
    format!("{table}\u{0}{id}\u{0}{column}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SecretKey;

    fn ring() -> Keyring {
        Keyring::new(
            &SecretKey::from_text("a-secret-key-of-at-least-32-chars!!").unwrap(),
            &[],
        )
    }

    #[test]
    fn a_sealed_value_opens_only_on_its_row_and_column() {
        let vault = ring();
        let sealed = seal(&vault, "requests", "r1", "email", "asha@example.in").unwrap();
        assert!(!sealed.contains("asha"));
        assert_eq!(
            open(&vault, "requests", "r1", "email", sealed.clone()).unwrap(),
            "asha@example.in"
        );
        assert!(open(&vault, "requests", "r2", "email", sealed.clone()).is_err());
        assert!(open(&vault, "requests", "r1", "full_name", sealed).is_err());
    }

    #[test]
    fn empty_and_unsealed_text_read_as_they_are() {
        let vault = ring();
        assert_eq!(seal(&vault, "t", "1", "c", "").unwrap(), "");
        assert_eq!(
            open(&vault, "t", "1", "c", "plain".into()).unwrap(),
            "plain"
        );
    }
}
