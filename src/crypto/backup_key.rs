//! The key a backup is encrypted to when no public key is given: derived from the secret key
//! and named by a short key id. It plugs into the age format as its own recipient type, so a
//! backup is one age file either way (a stanza `rightsdesk-key <key id>` holding the file key
//! sealed with AES-256-GCM), and its payload is age's STREAM: 64 KiB chunks, each
//! authenticated with its counter and a last-chunk flag.

use std::collections::HashSet;

use age::{DecryptError, EncryptError};
use age_core::format::{FileKey, Stanza, FILE_KEY_BYTES};
use age_core::secrecy::ExposeSecret;
use data_encoding::HEXLOWER;

use super::{SealingKey, SecretKey};

/// The stanza tag of a file key sealed under a key derived from the secret key.
pub const STANZA_TAG: &str = "rightsdesk-key";
/// What the sealed file key is bound to, so it opens nowhere else.
const CONTEXT: &[u8] = b"rightsdesk backup file key";

/// A backup key: derived from one secret key, named by its id.
pub struct BackupKey {
    id: String,
    sealing: SealingKey,
}

impl BackupKey {
    pub fn derive(secret: &SecretKey) -> BackupKey {
        let id = secret.derive("backup key id v1");
        BackupKey {
            id: HEXLOWER.encode(&id[..6]),
            sealing: secret.sealing_key("backup file key v1"),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

impl age::Recipient for BackupKey {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, HashSet<String>), EncryptError> {
        let body = self
            .sealing
            .seal(file_key.expose_secret(), CONTEXT)
            .map_err(|e| EncryptError::Io(std::io::Error::other(e.to_string())))?;
        let stanza = Stanza {
            tag: STANZA_TAG.to_string(),
            args: vec![self.id.clone()],
            body,
        };
        Ok((vec![stanza], HashSet::new()))
    }
}

impl age::Identity for BackupKey {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        if stanza.tag != STANZA_TAG || stanza.args.first() != Some(&self.id) {
            return None;
        }
        let opened = self.sealing.open(&stanza.body, CONTEXT);
        Some(match opened {
            Ok(bytes) if bytes.len() == FILE_KEY_BYTES => {
                let mut key = Box::new([0u8; FILE_KEY_BYTES]);
                key.copy_from_slice(&bytes);
                Ok(FileKey::new(key))
            }
            _ => Err(DecryptError::DecryptionFailed),
        })
    }
}

/// The key ids of the `rightsdesk-key` stanzas in an age header, for an error that names the
/// key a backup needs. The header is read up to its MAC line and no further.
pub fn key_ids_in_header(file_start: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(file_start);
    text.lines()
        .take_while(|line| !line.starts_with("---"))
        .filter_map(|line| line.strip_prefix("-> "))
        .filter_map(|stanza| {
            let mut words = stanza.split(' ');
            (words.next() == Some(STANZA_TAG)).then(|| words.next().map(str::to_string))?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn key(text: &str) -> BackupKey {
        BackupKey::derive(&SecretKey::from_text(text).unwrap())
    }

    fn encrypt(key: &BackupKey, plaintext: &[u8]) -> Vec<u8> {
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(key as &dyn age::Recipient)).unwrap();
        let mut out = Vec::new();
        let mut writer = encryptor.wrap_output(&mut out).unwrap();
        writer.write_all(plaintext).unwrap();
        writer.finish().unwrap();
        out
    }

    fn decrypt(key: &BackupKey, file: &[u8]) -> Result<Vec<u8>, String> {
        let decryptor = age::Decryptor::new_buffered(file).map_err(|e| e.to_string())?;
        let mut reader = decryptor
            .decrypt(std::iter::once(key as &dyn age::Identity))
            .map_err(|e| e.to_string())?;
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).map_err(|e| e.to_string())?;
        Ok(plain)
    }

    #[test]
    fn the_same_secret_key_opens_and_another_does_not() {
        let mine = key("the-first-secret-key-of-at-least-32-characters");
        let other = key("another-secret-key-of-at-least-32-characters!!");
        assert_ne!(mine.id(), other.id());
        let file = encrypt(&mine, b"rows");
        assert_eq!(decrypt(&mine, &file).unwrap(), b"rows");
        assert!(decrypt(&other, &file).is_err());
        assert_eq!(key_ids_in_header(&file), vec![mine.id().to_string()]);
    }

    #[test]
    fn a_flipped_byte_or_a_cut_is_found() {
        let mine = key("the-first-secret-key-of-at-least-32-characters");
        let plaintext = vec![7u8; 200_000];
        let file = encrypt(&mine, &plaintext);
        for at in [10, file.len() / 2, file.len() - 3] {
            let mut bad = file.clone();
            bad[at] ^= 1;
            assert!(decrypt(&mine, &bad).is_err(), "flipped at {at}");
        }
        assert!(decrypt(&mine, &file[..file.len() - 100]).is_err());
        // Cut exactly at a chunk boundary (64 KiB + 16-byte tag per chunk) too.
        let header_and_nonce = file.len() - (3 * (65536 + 16) + (200_000 - 3 * 65536) + 16);
        assert!(decrypt(&mine, &file[..header_and_nonce + 65536 + 16]).is_err());
    }
}
