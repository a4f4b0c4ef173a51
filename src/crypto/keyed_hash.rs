//! Keyed hashes (HMAC-SHA-256): lookups that must not reveal their input, CSRF tokens, key
//! derivation. The one place an HMAC is computed.

use data_encoding::HEXLOWER;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A key for keyed hashes; its bytes never leave this type.
#[derive(Clone)]
pub struct HashKey([u8; 32]);

impl HashKey {
    pub fn new(bytes: [u8; 32]) -> HashKey {
        HashKey(bytes)
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC-SHA256 accepts a key of any length");
        for part in parts {
            mac.update(part);
        }
        mac
    }

    /// The keyed hash of `parts` written one after the other. Callers that hash several
    /// fields separate them themselves (a NUL, a newline), so that fields cannot shift.
    pub fn hash(&self, parts: &[&[u8]]) -> [u8; 32] {
        self.mac(parts).finalize().into_bytes().into()
    }

    /// Whether `tag` is the keyed hash of `parts`, compared in constant time.
    pub fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        self.mac(parts).verify_slice(tag).is_ok()
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(..)")
    }
}

/// The SHA-256 digest of `text` in lower-case hex: stores a high-entropy token (a session)
/// by what does not let a reader of the database use it.
pub fn sha256_hex(text: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hmac_sha256_test_vector() {
        // RFC 4231, test case 2: HMAC pads its key with zeros, so "Jefe" padded to 32 bytes
        // is the same key.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let tag = HashKey::new(key).hash(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            HEXLOWER.encode(&tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verifies_only_its_own_tag() {
        let key = HashKey::new([7; 32]);
        let tag = key.hash(&[b"a", b"b"]);
        assert!(key.verify(&[b"ab"], &tag));
        assert!(!key.verify(&[b"ac"], &tag));
        assert!(!HashKey::new([8; 32]).verify(&[b"ab"], &tag));
        assert!(!key.verify(&[b"ab"], &tag[..31]));
    }
}
