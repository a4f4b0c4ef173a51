//! Sealing the era of the audit keys being retired (`rekey`, while they are still
//! configured): the whole chain is verified with every configured key, then a rotation seal
//! under the current key covers every event and checkpoint up to the last one not made with
//! it. The seal and its audit event commit together, in the sequencer's turn, so no batch is
//! sequenced meanwhile. Running again under the same key with nothing new under older keys
//! finds the seal in place and writes nothing.

use std::time::{Duration, Instant};

use serde_json::json;

use super::verify::{sealed_era, walk, VerifyError};
use super::Context;
use crate::app::clock;
use crate::domain::audit::{Actor, ChainVerifier, RotationSeal, Target};
use crate::error::AppError;
use crate::store::{audit, audit_chain, audit_rotation};

/// How long to wait for another instance's sequencer batch to end.
const PATIENCE: Duration = Duration::from_secs(30);

/// What [`seal_retired_era`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Every event and checkpoint is under the current key: nothing to seal.
    Nothing,
    /// A seal under the current key already covers everything up to `upto_seq`.
    AlreadySealed { upto_seq: i64 },
    /// Sealed now: the era up to `upto_seq`, made with `retired` (comma-separated).
    Sealed { upto_seq: i64, retired: String },
}

/// Verifies the chain and seals the era of the older keys under the current one, audited
/// under `target` (the rekey run).
pub fn seal_retired_era(ctx: &Context, target: &Target) -> Result<Rotation, VerifyError> {
    let started = Instant::now();
    loop {
        if let Some(done) = try_seal(ctx, target)? {
            return Ok(done);
        }
        if started.elapsed() >= PATIENCE {
            return Err(AppError::Conflict(
                "another instance's audit sequencer kept its turn: run rekey again".into(),
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One attempt; `None` when another sequencer has the turn.
fn try_seal(ctx: &Context, target: &Target) -> Result<Option<Rotation>, VerifyError> {
    let keys = ctx.audit_keys.clone();
    ctx.write_as(|conn| {
        if !audit_chain::try_lock_sequencer(conn)? {
            return Ok(None);
        }
        let current = keys.current();
        let Some(upto_seq) = audit_rotation::era_end_not_under(conn, current.id())? else {
            return Ok(Some(Rotation::Nothing));
        };
        let existing = audit_rotation::all(conn)?;
        if existing
            .iter()
            .any(|s| s.key_id == current.id() && s.upto_seq == upto_seq)
        {
            return Ok(Some(Rotation::AlreadySealed { upto_seq }));
        }
        let first = audit_chain::first_checkpoint_seq(conn)?;
        let mut verifier = ChainVerifier::new(&keys, first, None)?
            .with_sealed_era(sealed_era(conn, &keys)?)
            .collecting(upto_seq);
        walk(conn, &mut verifier)?;
        let era = verifier
            .collected()
            .ok_or_else(|| AppError::Internal(format!("the audit chain ends before {upto_seq}")))?;
        let now = clock::now();
        let seal = RotationSeal::seal(current, &era, now);
        audit_rotation::insert(conn, &seal)?;
        audit::append_event(
            conn,
            now,
            &Actor::Operator,
            "audit.rotation_sealed",
            target,
            &json!({
                "upto_seq": seal.upto_seq,
                "head_hash": seal.head_hash,
                "key_id": seal.key_id,
                "retired_key_ids": seal.retired_key_ids,
            }),
        )?;
        Ok(Some(Rotation::Sealed {
            upto_seq,
            retired: seal.retired_key_ids,
        }))
    })
}
