//! What `audit verify` reports: the first place the log is broken, one clear line each.

use time::OffsetDateTime;

use super::checkpoint::{rfc3339, InvalidCheckpoint};
use super::rotation::InvalidRotationSeal;

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
    #[error("audit event {seq} was hashed with key {key_id}, which is not configured and no rotation seal covers it: put that key back in RIGHTSDESK_PREVIOUS_SECRET_KEYS and run `rightsdesk rekey` before retiring it")]
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
    #[error("audit events or checkpoints up to {upto_seq}, sealed when key(s) {retired} were retired, were changed since: they no longer match their rotation seal")]
    RotationMismatch { upto_seq: i64, retired: String },
    #[error("{0}")]
    RotationSeal(#[from] InvalidRotationSeal),
    #[error("{count} audit events have waited more than {allowed_secs} s to be sequenced (the oldest since {oldest}): is the sequencer running?")]
    StalePending {
        count: i64,
        oldest: String,
        allowed_secs: u64,
    },
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
