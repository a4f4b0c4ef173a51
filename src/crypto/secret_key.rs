//! The secret key everything secret is derived from: cookies, CSRF tokens, sealing keys,
//! lookup hashes. Each use derives its own key by purpose, so no two uses share key material.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use super::keyed_hash::HashKey;
use super::random::{random_bytes, NoRandomness};
use super::sealing::SealingKey;

#[derive(Clone)]
pub struct SecretKey(HashKey);

impl SecretKey {
    /// A key from configured text (at least 32 characters, surrounding space ignored); the
    /// text is hashed to 32 bytes.
    pub fn from_text(text: &str) -> Option<SecretKey> {
        let text = text.trim();
        (text.chars().count() >= 32)
            .then(|| SecretKey(HashKey::new(Sha256::digest(text.as_bytes()).into())))
    }

    /// Text for a new key (64 hex digits of fresh randomness), as written to the key file.
    pub fn generate_text() -> Result<String, NoRandomness> {
        Ok(HEXLOWER.encode(&random_bytes::<32>()?))
    }

    /// Key material for one purpose: the keyed hash of the purpose's name.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        self.0.hash(&[purpose.as_bytes()])
    }

    /// A keyed-hash key for one purpose.
    pub fn hash_key(&self, purpose: &str) -> HashKey {
        HashKey::new(self.derive(purpose))
    }

    /// A sealing key for one purpose.
    pub fn sealing_key(&self, purpose: &str) -> SealingKey {
        SealingKey::new(self.derive(purpose))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_refused_and_space_ignored() {
        assert!(SecretKey::from_text("too short").is_none());
        let a = SecretKey::from_text("a-secret-key-of-at-least-32-chars!!").unwrap();
        let b = SecretKey::from_text("  a-secret-key-of-at-least-32-chars!!\n").unwrap();
        assert_eq!(a.derive("x"), b.derive("x"));
        assert_ne!(a.derive("x"), a.derive("y"));
    }

    #[test]
    fn generated_text_is_a_usable_key() {
        let text = SecretKey::generate_text().unwrap();
        assert_eq!(text.len(), 64);
        assert!(SecretKey::from_text(&text).is_some());
        assert_ne!(text, SecretKey::generate_text().unwrap());
    }
}
