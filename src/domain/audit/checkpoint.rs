//! The audit trail's keys and the checkpoints that seal its chain.
//!
//! Event hashes and checkpoints are keyed (HMAC-SHA-256) under keys derived from the secret
//! key, so someone who can write to the database but does not hold the key cannot rewrite
//! history and recompute what verifies it. Each hash and checkpoint names the key it was
//! made with (a short key id), so the secret key can rotate as the vault's does: the current
//! key chains and seals; the previous keys (`RIGHTSDESK_PREVIOUS_SECRET_KEYS`) still verify.

use data_encoding::HEXLOWER;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::chain::length_prefixed;
use crate::crypto::{HashKey, SecretKey};

/// The keys one secret key gives the audit trail.
#[derive(Clone)]
pub struct AuditKey {
    id: String,
    events: HashKey,
    checkpoints: HashKey,
    rotations: HashKey,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey").field("id", &self.id).finish()
    }
}

impl AuditKey {
    pub fn derive(secret: &SecretKey) -> AuditKey {
        let id = secret.derive("audit key id v1");
        AuditKey {
            id: HEXLOWER.encode(&id[..6]),
            events: secret.hash_key("audit event chain v1"),
            checkpoints: secret.hash_key("audit checkpoint v1"),
            rotations: secret.hash_key("audit rotation seal v1"),
        }
    }

    /// The short id stored beside every hash and checkpoint this key made.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The keyed hash of fields written one after the other, each length-prefixed.
    pub(super) fn event_hash(&self, fields: &[&str]) -> String {
        HEXLOWER.encode(&self.events.hash(&[&length_prefixed(fields)]))
    }

    /// The MAC of a rotation seal's fields (`rotation.rs`).
    pub(super) fn rotation_mac(&self, input: &[u8]) -> String {
        HEXLOWER.encode(&self.rotations.hash(&[input]))
    }

    pub(super) fn verify_rotation_mac(&self, input: &[u8], mac: &str) -> bool {
        HEXLOWER
            .decode(mac.as_bytes())
            .is_ok_and(|tag| self.rotations.verify(&[input], &tag))
    }

    fn checkpoint_input(seq: i64, head_hash: &str, at: &str, key_id: &str) -> Vec<u8> {
        let seq = seq.to_string();
        length_prefixed(&[
            "rightsdesk audit checkpoint v1",
            &seq,
            head_hash,
            at,
            key_id,
        ])
    }
}

/// The current key and the previous ones, derived once at start.
#[derive(Debug, Clone)]
pub struct AuditKeys {
    keys: Vec<AuditKey>,
}

impl AuditKeys {
    /// `current` chains and seals; `previous` only verify.
    pub fn new(current: &SecretKey, previous: &[SecretKey]) -> AuditKeys {
        let mut keys = vec![AuditKey::derive(current)];
        keys.extend(previous.iter().map(AuditKey::derive));
        AuditKeys { keys }
    }

    pub fn current(&self) -> &AuditKey {
        &self.keys[0]
    }

    /// The key with this id, current or previous.
    pub fn find(&self, key_id: &str) -> Option<&AuditKey> {
        self.keys.iter().find(|key| key.id == key_id)
    }
}

/// The chain's head at one sequence number, sealed with a MAC: written by the sequencer
/// with each batch, and exported (one JSON line) for an operator to keep off the box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub head_hash: String,
    pub at: OffsetDateTime,
    pub key_id: String,
    pub mac: String,
}

/// What is wrong with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCheckpoint {
    #[error("the checkpoint at {seq} was made with key {key_id}, which is not configured and no rotation seal covers it: put that key back in RIGHTSDESK_PREVIOUS_SECRET_KEYS and run `rightsdesk rekey` before retiring it")]
    UnknownKey { seq: i64, key_id: String },
    #[error("the checkpoint at {seq} does not carry a valid MAC: it was forged or changed")]
    BadMac { seq: i64 },
    #[error("not a checkpoint as `rightsdesk audit checkpoint` writes it: {0}")]
    Malformed(String),
}

impl Checkpoint {
    /// Seals the head `(seq, head_hash)` under `key` at `at`.
    pub fn seal(key: &AuditKey, seq: i64, head_hash: &str, at: OffsetDateTime) -> Checkpoint {
        let input = AuditKey::checkpoint_input(seq, head_hash, &rfc3339(at), &key.id);
        Checkpoint {
            seq,
            head_hash: head_hash.to_string(),
            at,
            key_id: key.id.clone(),
            mac: HEXLOWER.encode(&key.checkpoints.hash(&[&input])),
        }
    }

    /// Checks the MAC under the key the checkpoint names.
    pub fn verify(&self, keys: &AuditKeys) -> Result<(), InvalidCheckpoint> {
        let key = keys
            .find(&self.key_id)
            .ok_or_else(|| InvalidCheckpoint::UnknownKey {
                seq: self.seq,
                key_id: self.key_id.clone(),
            })?;
        let input =
            AuditKey::checkpoint_input(self.seq, &self.head_hash, &rfc3339(self.at), &self.key_id);
        let tag = HEXLOWER
            .decode(self.mac.as_bytes())
            .map_err(|_| InvalidCheckpoint::BadMac { seq: self.seq })?;
        if key.checkpoints.verify(&[&input], &tag) {
            Ok(())
        } else {
            Err(InvalidCheckpoint::BadMac { seq: self.seq })
        }
    }

    /// The checkpoint as one JSON object on one line.
    pub fn to_json_line(&self) -> String {
        serde_json::json!({
            "seq": self.seq,
            "head_hash": self.head_hash,
            "at": rfc3339(self.at),
            "key_id": self.key_id,
            "mac": self.mac,
        })
        .to_string()
    }

    /// Reads a checkpoint written by [`Checkpoint::to_json_line`] (surrounding space ignored).
    pub fn parse_json(text: &str) -> Result<Checkpoint, InvalidCheckpoint> {
        let malformed = |what: &str| InvalidCheckpoint::Malformed(what.to_string());
        let value: serde_json::Value =
            serde_json::from_str(text.trim()).map_err(|e| malformed(&e.to_string()))?;
        let text_field = |name: &str| {
            value
                .get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| malformed(&format!("no text field {name:?}")))
        };
        let seq = value
            .get("seq")
            .and_then(serde_json::Value::as_i64)
            .filter(|seq| *seq >= 0)
            .ok_or_else(|| malformed("no sequence number \"seq\""))?;
        let at = OffsetDateTime::parse(&text_field("at")?, &Rfc3339)
            .map_err(|_| malformed("\"at\" is not an RFC 3339 time"))?;
        Ok(Checkpoint {
            seq,
            head_hash: text_field("head_hash")?,
            at,
            key_id: text_field("key_id")?,
            mac: text_field("mac")?,
        })
    }
}

/// Times as hashed: RFC 3339, which keeps every digit a stored time has.
pub(super) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp_nanos().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn secret(text: &str) -> SecretKey {
        SecretKey::from_text(text).unwrap()
    }

    #[test]
    fn a_checkpoint_verifies_only_as_sealed_and_round_trips_as_json() {
        let keys = AuditKeys::new(&secret("a-secret-key-of-at-least-32-chars!!"), &[]);
        let at = datetime!(2026-12-01 10:00:00.123456 UTC);
        let checkpoint = Checkpoint::seal(keys.current(), 42, "ab12", at);
        assert_eq!(checkpoint.verify(&keys), Ok(()));
        let line = checkpoint.to_json_line();
        assert!(!line.contains('\n'));
        assert_eq!(
            Checkpoint::parse_json(&format!("{line}\n")),
            Ok(checkpoint.clone())
        );

        for forged in [
            Checkpoint {
                seq: 41,
                ..checkpoint.clone()
            },
            Checkpoint {
                head_hash: "ab13".into(),
                ..checkpoint.clone()
            },
            Checkpoint {
                at: at + time::Duration::SECOND,
                ..checkpoint.clone()
            },
            Checkpoint {
                mac: "00".repeat(32),
                ..checkpoint.clone()
            },
            Checkpoint {
                mac: "not hex".into(),
                ..checkpoint.clone()
            },
        ] {
            assert_eq!(
                forged.verify(&keys),
                Err(InvalidCheckpoint::BadMac { seq: forged.seq })
            );
        }
        assert!(matches!(
            Checkpoint::parse_json("{\"seq\":1}"),
            Err(InvalidCheckpoint::Malformed(_))
        ));
    }

    #[test]
    fn a_rotated_key_still_verifies_and_a_forgotten_one_is_named() {
        let old = secret("the-old-secret-key-of-32-characters");
        let new = secret("the-new-secret-key-of-32-characters");
        let before = AuditKeys::new(&old, &[]);
        let checkpoint =
            Checkpoint::seal(before.current(), 7, "cd", datetime!(2026-12-01 0:00 UTC));
        let after = AuditKeys::new(&new, std::slice::from_ref(&old));
        assert_ne!(after.current().id(), checkpoint.key_id);
        assert_eq!(checkpoint.verify(&after), Ok(()));
        assert_eq!(
            checkpoint.verify(&AuditKeys::new(&new, &[])),
            Err(InvalidCheckpoint::UnknownKey {
                seq: 7,
                key_id: checkpoint.key_id.clone()
            })
        );
    }
}
