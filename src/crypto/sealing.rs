//! Sealing (AES-256-GCM): the ciphertext carries its random nonce, and the caller's context
//! (associated data) is bound to it, so a value copied elsewhere does not open.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

use super::random::{random_bytes, NoRandomness};

const NONCE_BYTES: usize = 12;

/// Sealed bytes did not open: the wrong key or context, or damage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sealed data failed its integrity check")]
pub struct Unsealable;

/// A key that seals and opens.
#[derive(Clone)]
pub struct SealingKey(Aes256Gcm);

impl SealingKey {
    pub fn new(bytes: [u8; 32]) -> SealingKey {
        SealingKey(Aes256Gcm::new(&bytes.into()))
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to `context`.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, NoRandomness> {
        let nonce = random_bytes::<NONCE_BYTES>()?;
        let ciphertext = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            // AES-GCM refuses only inputs far beyond anything this portal seals (64 GiB).
            .expect("AES-256-GCM seals any plaintext under 64 GiB");
        let mut bytes = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Ok(bytes)
    }

    /// The plaintext of bytes from [`SealingKey::seal`] with the same context.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, Unsealable> {
        if sealed.len() < NONCE_BYTES {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        self.0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| Unsealable)
    }
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_its_key_and_context() {
        let key = SealingKey::new([1; 32]);
        let sealed = key.seal(b"secret", b"row-1").unwrap();
        assert_eq!(key.open(&sealed, b"row-1").unwrap(), b"secret");
        assert_eq!(key.open(&sealed, b"row-2"), Err(Unsealable));
        assert_eq!(
            SealingKey::new([2; 32]).open(&sealed, b"row-1"),
            Err(Unsealable)
        );
        assert_eq!(key.open(&sealed[..5], b"row-1"), Err(Unsealable));
        assert_ne!(key.seal(b"secret", b"row-1").unwrap(), sealed);
    }
}
