//! The sequencer: takes committed, unsequenced events in batches, in the order they were
//! stored, numbers them after the head, chains their keyed hashes and seals the batch with
//! a checkpoint, all in one transaction. One runs at a time (a PostgreSQL advisory lock; on
//! SQLite the single writer); a crash rolls its batch back and leaves the events pending
//! for the next run, so nothing is lost and the chain has no gap.

use std::time::{Duration, Instant};

use super::Context;
use crate::app::clock;
use crate::domain::audit::{sequence, Checkpoint};
use crate::error::AppError;
use crate::store::audit_chain;

/// Events per batch: one transaction, one checkpoint.
pub const DEFAULT_BATCH: i64 = 5_000;

/// One batch: `Some(n)` events sequenced (0 when none were waiting), `None` when another
/// sequencer has the turn.
///
/// The first run ever, before any checkpoint exists, first seals the chain as it stands
/// (the events written before sequencing existed, with their unkeyed hashes).
pub fn sequence_batch(ctx: &Context, limit: i64) -> Result<Option<usize>, AppError> {
    // An idle pass reads and writes nothing: no write transaction (on SQLite, no turn at
    // the database's write lock) when nothing waits and the chain is sealed.
    {
        let mut conn = ctx.conn()?;
        if !audit_chain::has_pending(&mut conn)?
            && audit_chain::newest_checkpoint(&mut conn)?.is_some()
        {
            return Ok(Some(0));
        }
    }
    let keys = ctx.audit_keys.clone();
    ctx.write(|conn| {
        if !audit_chain::try_lock_sequencer(conn)? {
            return Ok(None);
        }
        let key = keys.current();
        let now = clock::now();
        let (head_seq, head_hash) = audit_chain::head(conn)?;
        if audit_chain::newest_checkpoint(conn)?.is_none() {
            let seal = Checkpoint::seal(key, head_seq, &head_hash, now);
            audit_chain::insert_checkpoint(conn, &seal)?;
        }
        let pending = audit_chain::pending_batch(conn, limit)?;
        let sequenced = sequence(key, (head_seq, &head_hash), &pending);
        let Some(last) = sequenced.last() else {
            return Ok(Some(0));
        };
        audit_chain::assign(conn, &sequenced, key.id())?;
        audit_chain::move_head(conn, last.seq, &last.hash)?;
        audit_chain::insert_checkpoint(conn, &Checkpoint::seal(key, last.seq, &last.hash, now))?;
        Ok(Some(sequenced.len()))
    })
}

/// Seals the chain as it stands if no checkpoint does yet (after the migration that
/// brought the sequencer: the events written before it keep their unkeyed hashes, sealed
/// under the key). Sequences nothing. False when another sequencer has the turn.
pub fn seal_chain(ctx: &Context) -> Result<bool, AppError> {
    Ok(sequence_batch(ctx, 0)?.is_some())
}

/// What a run of [`sequence_pending`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SequenceRun {
    pub sequenced: u64,
    pub batches: u64,
    /// Another sequencer had the turn the whole time allowed.
    pub busy: bool,
}

/// Sequences batch after batch until none are waiting, `should_stop` says so, or another
/// sequencer has held the turn for `patience` (it is then doing the work).
pub fn sequence_pending(
    ctx: &Context,
    limit: i64,
    patience: Duration,
    should_stop: impl Fn() -> bool,
) -> Result<SequenceRun, AppError> {
    let mut run = SequenceRun::default();
    let mut busy_since: Option<Instant> = None;
    while !should_stop() {
        match sequence_batch(ctx, limit)? {
            Some(done) => {
                busy_since = None;
                run.sequenced += done as u64;
                if done > 0 {
                    run.batches += 1;
                }
                if (done as i64) < limit {
                    break;
                }
            }
            None => {
                let since = *busy_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= patience {
                    run.busy = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(run)
}
