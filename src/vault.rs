//! Personal data at rest: sealed with AES-256-GCM under keys derived from the secret key,
//! and found again through keyed hashes rather than plaintext.
//!
//! Every sealed value names the key that sealed it (a short key id), so the secret key can
//! rotate: the new key seals, and the previous keys (`RIGHTSDESK_PREVIOUS_SECRET_KEYS`) still
//! open what they sealed. Lookups hash under every known key for the same reason.

use data_encoding::HEXLOWER;

use crate::crypto::{HashKey, SealingKey, SecretKey};

const INDEX_BYTES: usize = 16;

/// A sealed value: the id of the key that sealed it and `nonce || ciphertext || tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("sealed with key {0}, which is not configured (see RIGHTSDESK_PREVIOUS_SECRET_KEYS)")]
    UnknownKey(String),
    #[error("sealed data failed its integrity check")]
    Damaged,
    #[error("no randomness for a nonce: {0}")]
    NoRandomness(String),
}

/// The keys one secret key gives the vault.
struct VaultKey {
    id: String,
    sealing: SealingKey,
    index: HashKey,
}

impl VaultKey {
    fn derive(secret: &SecretKey) -> VaultKey {
        let id_bytes = secret.derive("vault key id v1");
        VaultKey {
            id: HEXLOWER.encode(&id_bytes[..6]),
            sealing: secret.sealing_key("vault sealing key v1"),
            index: secret.hash_key("vault lookup index v1"),
        }
    }

    fn index(&self, domain: &str, value: &str) -> String {
        let hash = self
            .index
            .hash(&[domain.as_bytes(), &[0], value.as_bytes()]);
        // 128 bits: collisions stay out of reach (2^64 values before one is likely) and the
        // unique indexes the hashes live in are half as large to search and write.
        HEXLOWER.encode(&hash[..INDEX_BYTES])
    }
}

/// The current key and the previous ones, derived once at start.
pub struct Keyring {
    keys: Vec<VaultKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

impl Keyring {
    /// `current` seals; `previous` only open and match.
    pub fn new(current: &SecretKey, previous: &[SecretKey]) -> Keyring {
        let mut keys = vec![VaultKey::derive(current)];
        keys.extend(previous.iter().map(VaultKey::derive));
        Keyring { keys }
    }

    fn current(&self) -> &VaultKey {
        &self.keys[0]
    }

    pub fn current_key_id(&self) -> &str {
        &self.current().id
    }

    /// Seals `plaintext`, bound to `context` (for example the row's id), so that a sealed
    /// value copied onto another row does not open there.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Sealed, VaultError> {
        let key = self.current();
        let bytes = key
            .sealing
            .seal(plaintext, context)
            .map_err(|e| VaultError::NoRandomness(e.to_string()))?;
        Ok(Sealed {
            key_id: key.id.clone(),
            bytes,
        })
    }

    pub fn open(&self, key_id: &str, bytes: &[u8], context: &[u8]) -> Result<Vec<u8>, VaultError> {
        let key = self
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or_else(|| VaultError::UnknownKey(key_id.to_string()))?;
        key.sealing
            .open(bytes, context)
            .map_err(|_| VaultError::Damaged)
    }

    /// The keyed hash a value is stored and found under, with the current key.
    pub fn index(&self, domain: &str, value: &str) -> String {
        self.current().index(domain, value)
    }

    /// The value's keyed hash under every known key, current first: a row written before a
    /// rotation is still found.
    pub fn index_candidates(&self, domain: &str, value: &str) -> Vec<String> {
        self.keys.iter().map(|k| k.index(domain, value)).collect()
    }

    /// Seals text into one printable string (`v1:<key id>:<hex>`) for text columns.
    pub fn seal_text(&self, plaintext: &str, context: &str) -> Result<String, VaultError> {
        let sealed = self.seal(plaintext.as_bytes(), context.as_bytes())?;
        Ok(format!(
            "{TEXT_PREFIX}{}:{}",
            sealed.key_id,
            HEXLOWER.encode(&sealed.bytes)
        ))
    }

    /// Opens a value from [`Keyring::seal_text`]; `None` when the text was never sealed (a
    /// value written before sealing existed).
    pub fn open_text(&self, text: &str, context: &str) -> Option<Result<String, VaultError>> {
        let rest = text.strip_prefix(TEXT_PREFIX)?;
        Some((|| {
            let (key_id, hex) = rest.split_once(':').ok_or(VaultError::Damaged)?;
            let bytes = HEXLOWER
                .decode(hex.as_bytes())
                .map_err(|_| VaultError::Damaged)?;
            let plain = self.open(key_id, &bytes, context.as_bytes())?;
            String::from_utf8(plain).map_err(|_| VaultError::Damaged)
        })())
    }
}

const TEXT_PREFIX: &str = "v1:";

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> SecretKey {
        SecretKey::from_text(text).unwrap()
    }

    #[test]
    fn sealed_values_open_only_with_their_context() {
        let ring = Keyring::new(&key("a-secret-key-of-at-least-32-chars!!"), &[]);
        let sealed = ring.seal(b"{\"name\":\"Asha\"}", b"record-1").unwrap();
        assert_eq!(sealed.key_id, ring.current_key_id());
        assert!(!sealed.bytes.windows(4).any(|w| w == b"Asha"));
        assert_eq!(
            ring.open(&sealed.key_id, &sealed.bytes, b"record-1")
                .unwrap(),
            b"{\"name\":\"Asha\"}"
        );
        assert_eq!(
            ring.open(&sealed.key_id, &sealed.bytes, b"record-2"),
            Err(VaultError::Damaged)
        );
        let mut tampered = sealed.bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(
            ring.open(&sealed.key_id, &tampered, b"record-1"),
            Err(VaultError::Damaged)
        );
    }

    #[test]
    fn two_seals_of_one_value_differ() {
        let ring = Keyring::new(&key("a-secret-key-of-at-least-32-chars!!"), &[]);
        assert_ne!(
            ring.seal(b"x", b"c").unwrap(),
            ring.seal(b"x", b"c").unwrap()
        );
    }

    #[test]
    fn a_rotated_key_still_opens_and_matches_old_values() {
        let old = key("the-old-secret-key-of-32-characters");
        let new = key("the-new-secret-key-of-32-characters");
        let before = Keyring::new(&old, &[]);
        let sealed = before.seal(b"payload", b"id").unwrap();
        let hash = before.index("email", "asha@example.in");

        let after = Keyring::new(&new, std::slice::from_ref(&old));
        assert_ne!(after.current_key_id(), sealed.key_id);
        assert_eq!(
            after.open(&sealed.key_id, &sealed.bytes, b"id").unwrap(),
            b"payload"
        );
        assert!(after
            .index_candidates("email", "asha@example.in")
            .contains(&hash));
        assert_ne!(after.index("email", "asha@example.in"), hash);

        let forgotten = Keyring::new(&new, &[]);
        assert!(matches!(
            forgotten.open(&sealed.key_id, &sealed.bytes, b"id"),
            Err(VaultError::UnknownKey(_))
        ));
    }

    #[test]
    fn indexes_are_separated_by_domain() {
        let ring = Keyring::new(&key("a-secret-key-of-at-least-32-chars!!"), &[]);
        assert_ne!(ring.index("email", "x"), ring.index("source", "x"));
        assert_eq!(ring.index("email", "x"), ring.index("email", "x"));
        assert_eq!(ring.index("email", "x").len(), 32);
    }

    #[test]
    fn sealed_text_round_trips_and_plain_text_is_told_apart() {
        let ring = Keyring::new(&key("a-secret-key-of-at-least-32-chars!!"), &[]);
        let text = ring.seal_text("JBSWY3DPEHPK3PXP", "officer-1").unwrap();
        assert!(text.starts_with("v1:"));
        assert_eq!(
            ring.open_text(&text, "officer-1").unwrap().unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(ring.open_text(&text, "officer-2").unwrap().is_err());
        assert!(ring.open_text("JBSWY3DPEHPK3PXP", "officer-1").is_none());
    }
}
