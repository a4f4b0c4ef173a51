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

/// What is wrong with the audit log, at the first bad place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit event {seq} does not follow event {expected_prev}: an event is missing or out of order")]
    Gap { seq: i64, expected_prev: i64 },
    #[error("audit event {seq} does not point to the hash of the event before it: an event before it was changed, removed or moved")]
    PrevMismatch { seq: i64 },
    #[error(
        "audit event {seq} was changed after it was written: its hash does not match its content"
    )]
    HashMismatch { seq: i64 },
    #[error("audit event {seq} carries an unkeyed hash, but every event after the first checkpoint ({sealed_at}) is keyed: it was rewritten")]
    Unkeyed { seq: i64, sealed_at: i64 },
    #[error("audit event {seq} was hashed with key {key_id}, which is not configured (see RIGHTSDESK_PREVIOUS_SECRET_KEYS)")]
    UnknownKey { seq: i64, key_id: String },
    #[error(
        "audit events were sequenced but no checkpoint seals them: the checkpoints were removed"
    )]
    Unsealed,
    #[error("{0}")]
    Checkpoint(#[from] InvalidCheckpoint),
    #[error(
        "the checkpoint at {seq} does not match the chain: audit events up to {seq} were rewritten"
    )]
    CheckpointMismatch { seq: i64 },
    #[error("the newest audit events are missing: the chain ends at {last_seq}, but {head_seq} were written")]
    Truncated { last_seq: i64, head_seq: i64 },
    #[error("the log no longer contains the exported checkpoint: audit event {seq} was rewritten after it was exported")]
    ExportRewritten { seq: i64 },
    #[error("the log no longer contains the exported checkpoint: the chain ends at {last_seq}, before its {seq}; events were removed after it was exported")]
    ExportTruncated { seq: i64, last_seq: i64 },
    #[error("{count} audit events have waited more than {allowed_secs} s to be sequenced (the oldest since {oldest}): is the sequencer running?")]
    StalePending {
        count: i64,
        oldest: String,
        allowed_secs: u64,
    },
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
        if let Some(exported) = &exported {
            exported.verify(keys)?;
        }
        let verifier = ChainVerifier {
            keys,
            sealed_at: first_checkpoint,
            exported,
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            checked: 0,
        };
        verifier.check_exported()?;
        Ok(verifier)
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
            Some(key_id) => {
                let key = self
                    .keys
                    .find(key_id)
                    .ok_or_else(|| ChainBreak::UnknownKey {
                        seq,
                        key_id: key_id.clone(),
                    })?;
                keyed_chain_hash(key, prev_hash, &content)
            }
        };
        if expected != *hash {
            return Err(ChainBreak::HashMismatch { seq });
        }
        self.last_seq = seq;
        self.last_hash = hash.clone();
        self.checked += 1;
        self.check_exported()
    }

    /// Checks a stored checkpoint at the place the walk has reached (`checkpoint.seq` must
    /// be [`ChainVerifier::last_seq`]): its MAC, and that it names the chain's head there.
    pub fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), ChainBreak> {
        checkpoint.verify(self.keys)?;
        if checkpoint.seq != self.last_seq || checkpoint.head_hash != self.last_hash {
            return Err(ChainBreak::CheckpointMismatch {
                seq: checkpoint.seq,
            });
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
        &self,
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
        if let Some(exported) = &self.exported {
            if exported.seq > self.last_seq {
                return Err(ChainBreak::ExportTruncated {
                    seq: exported.seq,
                    last_seq: self.last_seq,
                });
            }
        }
        Ok(self.checked)
    }
}

/// Whether pending events have waited longer than allowed for the sequencer.
pub fn check_pending(
    oldest: Option<(OffsetDateTime, i64)>,
    now: OffsetDateTime,
    allowed: time::Duration,
) -> Result<(), ChainBreak> {
    match oldest {
        Some((at, count)) if now - at > allowed => Err(ChainBreak::StalePending {
            count,
            oldest: rfc3339(at),
            allowed_secs: allowed.whole_seconds().max(0) as u64,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
