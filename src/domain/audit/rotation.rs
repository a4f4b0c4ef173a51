//! Retiring an audit key without re-chaining the log.
//!
//! Event hashes and checkpoints keep the key they were made with, and are never re-hashed
//! (the head hashes of exported checkpoints must keep matching). To let an old key leave the
//! configuration, `rekey` first verifies the chain with the old key still present, then
//! writes a **rotation seal** under the current key: a MAC over a digest of every event of
//! the era up to a sequence number (its content and its stored hashes) and every checkpoint
//! of that era, with the era's last number and head hash. Once the old key is gone, `audit
//! verify` checks the stored hashes' linkage as always and, for the events and checkpoints it
//! can no longer check with their own key, recomputes the digest and checks it against the
//! seal instead: an edited old event (content or hash) still fails.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use time::OffsetDateTime;

use super::chain::{length_prefixed, ChainBreak, StoredEvent, GENESIS_HASH};
use super::checkpoint::{rfc3339, AuditKey, AuditKeys, Checkpoint};

/// What one era's events and checkpoints come to: its last number, the chain's hash there,
/// the digest over all of it, and the key ids its hashes and checkpoints were made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraSummary {
    pub upto_seq: i64,
    pub head_hash: String,
    pub digest: String,
    pub key_ids: BTreeSet<String>,
}

/// The digest of an era, fed in chain order: every event numbered up to `upto_seq` and
/// every checkpoint at or below it. Anything after the era is ignored.
#[derive(Debug, Clone)]
pub struct EraDigest {
    upto_seq: i64,
    events: Sha256,
    checkpoints: Sha256,
    head_hash: String,
    key_ids: BTreeSet<String>,
}

impl EraDigest {
    pub fn new(upto_seq: i64) -> EraDigest {
        EraDigest {
            upto_seq,
            events: Sha256::new(),
            checkpoints: Sha256::new(),
            head_hash: GENESIS_HASH.to_string(),
            key_ids: BTreeSet::new(),
        }
    }

    pub fn upto_seq(&self) -> i64 {
        self.upto_seq
    }

    /// Whether the event or checkpoint numbered `seq` belongs to the era.
    pub fn covers(&self, seq: i64) -> bool {
        seq <= self.upto_seq
    }

    /// Adds a sequenced event (its number, content, both stored hashes and key id).
    pub fn add_event(&mut self, seq: i64, event: &StoredEvent) {
        if !self.covers(seq) {
            return;
        }
        let seq_text = seq.to_string();
        let at = rfc3339(event.at);
        let (prev, hash) = (
            event.prev_hash.as_deref().unwrap_or(""),
            event.hash.as_deref().unwrap_or(""),
        );
        let key_id = event.key_id.as_deref().unwrap_or("");
        self.events.update(length_prefixed(&[
            &seq_text,
            &event.id,
            &at,
            &event.actor,
            &event.action,
            &event.target,
            &event.details,
            prev,
            hash,
            key_id,
        ]));
        if let Some(key_id) = &event.key_id {
            self.key_ids.insert(key_id.clone());
        }
        self.head_hash = hash.to_string();
    }

    /// Adds a stored checkpoint (all of it, MAC included).
    pub fn add_checkpoint(&mut self, checkpoint: &Checkpoint) {
        if !self.covers(checkpoint.seq) {
            return;
        }
        let seq = checkpoint.seq.to_string();
        self.checkpoints.update(length_prefixed(&[
            &seq,
            &checkpoint.head_hash,
            &rfc3339(checkpoint.at),
            &checkpoint.key_id,
            &checkpoint.mac,
        ]));
        self.key_ids.insert(checkpoint.key_id.clone());
    }

    pub fn finish(self) -> EraSummary {
        let (events, checkpoints) = (
            HEXLOWER.encode(&self.events.finalize()),
            HEXLOWER.encode(&self.checkpoints.finalize()),
        );
        let upto = self.upto_seq.to_string();
        let digest = Sha256::digest(length_prefixed(&[
            "rightsdesk audit era v1",
            &upto,
            &self.head_hash,
            &events,
            &checkpoints,
        ]));
        EraSummary {
            upto_seq: self.upto_seq,
            head_hash: self.head_hash,
            digest: HEXLOWER.encode(&digest),
            key_ids: self.key_ids,
        }
    }
}

/// An era of the log sealed under the key that replaced the ones it was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationSeal {
    pub upto_seq: i64,
    pub head_hash: String,
    pub digest: String,
    /// The other keys the era's hashes and checkpoints were made with, comma-separated.
    pub retired_key_ids: String,
    pub at: OffsetDateTime,
    pub key_id: String,
    pub mac: String,
}

/// What is wrong with a rotation seal whose key is configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRotationSeal {
    #[error("the rotation seal of audit events up to {upto_seq} does not carry a valid MAC: it was forged or changed")]
    BadMac { upto_seq: i64 },
}

impl RotationSeal {
    /// Seals `era` under `key` at `at`.
    pub fn seal(key: &AuditKey, era: &EraSummary, at: OffsetDateTime) -> RotationSeal {
        let retired: Vec<&str> = era
            .key_ids
            .iter()
            .map(String::as_str)
            .filter(|id| *id != key.id())
            .collect();
        let mut seal = RotationSeal {
            upto_seq: era.upto_seq,
            head_hash: era.head_hash.clone(),
            digest: era.digest.clone(),
            retired_key_ids: retired.join(","),
            at,
            key_id: key.id().to_string(),
            mac: String::new(),
        };
        seal.mac = key.rotation_mac(&seal.mac_input());
        seal
    }

    /// `Ok(true)` when the MAC holds, `Ok(false)` when the seal's key is not configured (the
    /// seal cannot be used), an error when the key is there and the MAC fails.
    pub fn verify(&self, keys: &AuditKeys) -> Result<bool, InvalidRotationSeal> {
        let Some(key) = keys.find(&self.key_id) else {
            return Ok(false);
        };
        if key.verify_rotation_mac(&self.mac_input(), &self.mac) {
            Ok(true)
        } else {
            Err(InvalidRotationSeal::BadMac {
                upto_seq: self.upto_seq,
            })
        }
    }

    fn mac_input(&self) -> Vec<u8> {
        let upto = self.upto_seq.to_string();
        length_prefixed(&[
            "rightsdesk audit rotation seal v1",
            &upto,
            &self.head_hash,
            &self.digest,
            &self.retired_key_ids,
            &rfc3339(self.at),
            &self.key_id,
        ])
    }
}

/// The era a verified rotation seal covers, checked as the walk goes: every event and
/// checkpoint of it is digested, and when the walk leaves it (or ends) the digest and the
/// head hash must be the seal's.
#[derive(Debug, Clone)]
pub struct SealedEra {
    seal: RotationSeal,
    digest: Option<EraDigest>,
}

impl SealedEra {
    /// An era to check against `seal`, whose MAC the caller has verified.
    pub fn new(seal: RotationSeal) -> SealedEra {
        let digest = Some(EraDigest::new(seal.upto_seq));
        SealedEra { seal, digest }
    }

    /// Whether `seq` is in the era (so its own key may be missing).
    pub fn covers(&self, seq: i64) -> bool {
        seq <= self.seal.upto_seq
    }

    pub fn add_event(&mut self, seq: i64, event: &StoredEvent) {
        if let Some(digest) = &mut self.digest {
            digest.add_event(seq, event);
        }
    }

    pub fn add_checkpoint(&mut self, checkpoint: &Checkpoint) {
        if let Some(digest) = &mut self.digest {
            digest.add_checkpoint(checkpoint);
        }
    }

    /// Compares what was digested with the seal, once; called when the walk has passed the
    /// era's end (every event and checkpoint of it handed in) or has ended.
    pub fn close(&mut self) -> Result<(), ChainBreak> {
        let Some(digest) = self.digest.take() else {
            return Ok(());
        };
        let era = digest.finish();
        if era.digest != self.seal.digest || era.head_hash != self.seal.head_hash {
            return Err(ChainBreak::RotationMismatch {
                upto_seq: self.seal.upto_seq,
                retired: self.seal.retired_key_ids.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "rotation_tests.rs"]
mod tests;
