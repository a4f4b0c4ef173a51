//! The audit chain: each sequenced event's hash covers its content and the previous
//! event's hash, so an edited, deleted or reordered event breaks the chain from there on.
//!
//! Two eras share one chain. Events written before the sequencer existed keep their unkeyed
//! SHA-256 hashes ([`chain_hash`]); the first checkpoint seals them. Every event after it is
//! chained with a keyed hash ([`keyed_chain_hash`]) and sealed by later checkpoints.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::checkpoint::{rfc3339, AuditKey, AuditKeys, Checkpoint, InvalidCheckpoint};
use super::rotation::{EraDigest, EraSummary, SealedEra};

pub use super::chain_break::{check_pending, ChainBreak};

/// The hash the first event points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an event's hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContent<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub at: OffsetDateTime,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
}

/// Fields one after the other, each after its length, so that no two different lists of
/// fields give the same bytes.
pub(super) fn length_prefixed(fields: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(fields.iter().map(|f| f.len() + 8).sum());
    for field in fields {
        bytes.extend_from_slice(&(field.len() as u64).to_be_bytes());
        bytes.extend_from_slice(field.as_bytes());
    }
    bytes
}

/// The first era's rule: the unkeyed hash of `event` chained onto `prev_hash`.
pub fn chain_hash(prev_hash: &str, event: &EventContent<'_>) -> String {
    let (seq, at) = (event.seq.to_string(), rfc3339(event.at));
    let input = length_prefixed(&hashed_fields(prev_hash, &seq, &at, event));
    HEXLOWER.encode(&Sha256::digest(&input))
}

/// The keyed rule: HMAC-SHA-256 under `key` of `event` chained onto `prev_hash`, the key's
/// id included so that a hash cannot be passed off as another key's.
pub fn keyed_chain_hash(key: &AuditKey, prev_hash: &str, event: &EventContent<'_>) -> String {
    let (seq, at) = (event.seq.to_string(), rfc3339(event.at));
    let mut fields = vec!["rightsdesk audit event v2", key.id()];
    fields.extend(hashed_fields(prev_hash, &seq, &at, event));
    key.event_hash(&fields)
}

/// What both rules hash, in order: the previous hash, then the event's fields (its number
/// and time as written by the caller).
fn hashed_fields<'a>(
    prev_hash: &'a str,
    seq: &'a str,
    at: &'a str,
    event: &EventContent<'a>,
) -> [&'a str; 8] {
    [
        prev_hash,
        seq,
        event.id,
        at,
        event.actor,
        event.action,
        event.target,
        event.details,
    ]
}

/// An event as stored: sequenced (`seq`, hashes and, in the keyed era, `key_id` set) or
/// pending (all four `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Local insertion order: the order the sequencer takes pending events in.
    pub position: i64,
    pub seq: Option<i64>,
    pub id: String,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub key_id: Option<String>,
}

impl StoredEvent {
    fn content(&self, seq: i64) -> EventContent<'_> {
        EventContent {
            seq,
            id: &self.id,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            details: &self.details,
        }
    }
}

/// A pending event numbered and chained: what the sequencer writes back to its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequenced {
    pub position: i64,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// Numbers `pending` in the order given, after the head `(head_seq, head_hash)`, and chains
/// them under `key`.
pub fn sequence(key: &AuditKey, head: (i64, &str), pending: &[StoredEvent]) -> Vec<Sequenced> {
    let (mut seq, mut prev) = (head.0, head.1.to_string());
    pending
        .iter()
        .map(|event| {
            seq += 1;
            let hash = keyed_chain_hash(key, &prev, &event.content(seq));
            let prev_hash = std::mem::replace(&mut prev, hash.clone());
            Sequenced {
                position: event.position,
                seq,
                prev_hash,
                hash,
            }
        })
        .collect()
}

/// Walks the chain in order, one batch at a time, remembering only the last event; the
/// caller hands it each stored checkpoint once the walk has reached its number.
#[derive(Debug, Clone)]
pub struct ChainVerifier<'k> {
    keys: &'k AuditKeys,
    /// Events up to here may carry the first era's unkeyed hash: the first checkpoint's
    /// number. `None`: no checkpoint, so no sequenced event may exist.
    sealed_at: Option<i64>,
    exported: Option<Checkpoint>,
    /// The exported checkpoint's key is retired: it must equal a stored checkpoint of a
    /// sealed era instead.
    exported_unproven: bool,
    /// The era a rotation seal covers, whose events and checkpoints may be under keys no
    /// longer configured.
    era: Option<SealedEra>,
    /// An era being digested for a new rotation seal (`rekey`).
    collecting: Option<EraDigest>,
    last_seq: i64,
    last_hash: String,
    checked: u64,
}

impl<'k> ChainVerifier<'k> {
    /// A walk from the start, given the first stored checkpoint's number and, optionally, a
    /// checkpoint exported earlier that the log must still contain (its MAC is checked here).
    pub fn new(
        keys: &'k AuditKeys,
        first_checkpoint: Option<i64>,
        exported: Option<Checkpoint>,
    ) -> Result<ChainVerifier<'k>, ChainBreak> {
        let mut exported_unproven = false;
        if let Some(exported) = &exported {
            match exported.verify(keys) {
                Err(InvalidCheckpoint::UnknownKey { .. }) => exported_unproven = true,
                other => other?,
            }
        }
        let verifier = ChainVerifier {
            keys,
            sealed_at: first_checkpoint,
            exported,
            exported_unproven,
            era: None,
            collecting: None,
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            checked: 0,
        };
        verifier.check_exported()?;
        Ok(verifier)
    }

    /// Checks the era `era` covers against its rotation seal (already verified) as the walk
    /// goes, so events and checkpoints of it may be under keys no longer configured.
    pub fn with_sealed_era(mut self, era: Option<SealedEra>) -> ChainVerifier<'k> {
        self.era = era;
        self
    }

    /// Digests every event and checkpoint up to `upto_seq` as it is checked, for a new
    /// rotation seal ([`ChainVerifier::collected`]).
    pub fn collecting(mut self, upto_seq: i64) -> ChainVerifier<'k> {
        self.collecting = Some(EraDigest::new(upto_seq));
        self
    }

    /// The collected era, once the walk has passed its end.
    pub fn collected(&mut self) -> Option<EraSummary> {
        match &self.collecting {
            Some(digest) if digest.upto_seq() <= self.last_seq => {
                self.collecting.take().map(EraDigest::finish)
            }
            _ => None,
        }
    }

    /// The number of the last event checked (0 before the first).
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Checks the next sequenced event in order.
    pub fn check(&mut self, event: &StoredEvent) -> Result<(), ChainBreak> {
        let seq = event.seq.unwrap_or(self.last_seq + 1);
        if seq != self.last_seq + 1 {
            return Err(ChainBreak::Gap {
                seq,
                expected_prev: self.last_seq,
            });
        }
        let sealed_at = self.sealed_at.ok_or(ChainBreak::Unsealed)?;
        if let Some(era) = self.era.as_mut().filter(|era| !era.covers(seq)) {
            era.close()?;
        }
        let (Some(prev_hash), Some(hash)) = (&event.prev_hash, &event.hash) else {
            return Err(ChainBreak::HashMismatch { seq });
        };
        if *prev_hash != self.last_hash {
            return Err(ChainBreak::PrevMismatch { seq });
        }
        let content = event.content(seq);
        let expected = match &event.key_id {
            None if seq <= sealed_at => chain_hash(prev_hash, &content),
            None => return Err(ChainBreak::Unkeyed { seq, sealed_at }),
            Some(key_id) => match self.keys.find(key_id) {
                Some(key) => keyed_chain_hash(key, prev_hash, &content),
                // A retired key's hash: the era's digest checks it (with the content).
                None if self.era.as_ref().is_some_and(|era| era.covers(seq)) => hash.clone(),
                None => {
                    return Err(ChainBreak::UnknownKey {
                        seq,
                        key_id: key_id.clone(),
                    })
                }
            },
        };
        if expected != *hash {
            return Err(ChainBreak::HashMismatch { seq });
        }
        if let Some(era) = &mut self.era {
            era.add_event(seq, event);
        }
        if let Some(digest) = &mut self.collecting {
            digest.add_event(seq, event);
        }
        self.last_seq = seq;
        self.last_hash = hash.clone();
        self.checked += 1;
        self.check_exported()
    }

    /// Checks a stored checkpoint at the place the walk has reached (`checkpoint.seq` must
    /// be [`ChainVerifier::last_seq`]): its MAC, and that it names the chain's head there.
    ///
    /// A checkpoint made with a retired key is accepted inside a sealed era: the era's
    /// digest covers it, MAC included.
    pub fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), ChainBreak> {
        let in_era = self
            .era
            .as_ref()
            .is_some_and(|era| era.covers(checkpoint.seq));
        match checkpoint.verify(self.keys) {
            Err(InvalidCheckpoint::UnknownKey { .. }) if in_era => {}
            other => other?,
        }
        if checkpoint.seq != self.last_seq || checkpoint.head_hash != self.last_hash {
            return Err(ChainBreak::CheckpointMismatch {
                seq: checkpoint.seq,
            });
        }
        if in_era && self.exported.as_ref() == Some(checkpoint) {
            self.exported_unproven = false;
        }
        if let Some(era) = &mut self.era {
            era.add_checkpoint(checkpoint);
        }
        if let Some(digest) = &mut self.collecting {
            digest.add_checkpoint(checkpoint);
        }
        Ok(())
    }

    fn check_exported(&self) -> Result<(), ChainBreak> {
        match &self.exported {
            Some(exported) if exported.seq == self.last_seq => {
                if exported.head_hash == self.last_hash {
                    Ok(())
                } else {
                    Err(ChainBreak::ExportRewritten { seq: exported.seq })
                }
            }
            _ => Ok(()),
        }
    }

    /// Checks that the walk ended where the head and the newest checkpoint say the chain
    /// ends, and that it reached the exported checkpoint; returns the events checked.
    pub fn finish(
        &mut self,
        head: (i64, &str),
        newest_checkpoint: Option<i64>,
    ) -> Result<u64, ChainBreak> {
        let ends_at = head.0.max(newest_checkpoint.unwrap_or(0));
        if ends_at != self.last_seq || (head.0 == self.last_seq && head.1 != self.last_hash) {
            return Err(ChainBreak::Truncated {
                last_seq: self.last_seq,
                head_seq: ends_at,
            });
        }
        if self.last_seq > 0 && newest_checkpoint != Some(self.last_seq) {
            return Err(ChainBreak::Unsealed);
        }
        if let Some(era) = &mut self.era {
            era.close()?;
        }
        if let Some(exported) = &self.exported {
            if exported.seq > self.last_seq {
                return Err(ChainBreak::ExportTruncated {
                    seq: exported.seq,
                    last_seq: self.last_seq,
                });
            }
            if self.exported_unproven {
                return Err(InvalidCheckpoint::UnknownKey {
                    seq: exported.seq,
                    key_id: exported.key_id.clone(),
                }
                .into());
            }
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
