//! Checking the audit log end to end: the chain in both eras, every checkpoint, that no
//! event has waited too long for the sequencer, and that the log still contains a
//! checkpoint exported earlier. The era a rotation seal covers is checked against it, so
//! its events and checkpoints may be under keys since retired.

use super::Context;
use crate::app::clock;
use crate::domain::audit::{
    check_pending, AuditKeys, ChainBreak, ChainVerifier, Checkpoint, SealedEra, StoredEvent,
};
use crate::error::AppError;
use crate::store::{self, audit_chain, audit_rotation, DbConn};

/// How many events (and checkpoints) are read per query while verifying.
const BATCH: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Broken(#[from] ChainBreak),
    #[error("{0}")]
    App(#[from] AppError),
}

impl From<crate::store::StoreError> for VerifyError {
    fn from(error: crate::store::StoreError) -> VerifyError {
        VerifyError::App(AppError::from(error))
    }
}

impl From<diesel::result::Error> for VerifyError {
    fn from(error: diesel::result::Error) -> VerifyError {
        VerifyError::App(AppError::from(error))
    }
}

/// [`verify_log`] without an exported checkpoint.
pub fn verify_chain(ctx: &Context) -> Result<u64, VerifyError> {
    verify_log(ctx, None)
}

/// Walks the whole log in batches, inside one read snapshot (a sequencer committing during
/// the walk is not mistaken for a break); returns the number of sequenced events checked.
pub fn verify_log(ctx: &Context, exported: Option<Checkpoint>) -> Result<u64, VerifyError> {
    let mut conn = ctx.conn()?;
    let allowed = time::Duration::seconds(ctx.settings.audit_max_pending_secs as i64);
    let keys = ctx.audit_keys.clone();
    store::read_snapshot(&mut conn, |conn| {
        let first = audit_chain::first_checkpoint_seq(conn)?;
        let mut verifier =
            ChainVerifier::new(&keys, first, exported)?.with_sealed_era(sealed_era(conn, &keys)?);
        let checked = walk(conn, &mut verifier)?;
        let now = clock::now();
        let oldest = audit_chain::pending_before(conn, store::time::to_db(now - allowed))?;
        check_pending(oldest, now, allowed)?;
        Ok(checked)
    })
}

/// The era of the furthest-reaching rotation seal made with a configured key, its MAC
/// checked (as is every other seal's whose key is configured).
pub(super) fn sealed_era(
    conn: &mut DbConn,
    keys: &AuditKeys,
) -> Result<Option<SealedEra>, VerifyError> {
    let mut usable = None;
    for seal in audit_rotation::all(conn)? {
        if seal.verify(keys).map_err(ChainBreak::from)? && usable.is_none() {
            usable = Some(SealedEra::new(seal));
        }
    }
    Ok(usable)
}

/// Walks every sequenced event and stored checkpoint through `verifier`, in chain order,
/// and checks that the walk ended where the head and the newest checkpoint say; returns the
/// number of events checked.
pub(super) fn walk(
    conn: &mut DbConn,
    verifier: &mut ChainVerifier<'_>,
) -> Result<u64, VerifyError> {
    let (head_seq, head_hash) = audit_chain::head(conn)?;
    let newest = audit_chain::newest_checkpoint(conn)?.map(|c| c.seq);
    let mut checkpoints = Checkpoints::default();
    checkpoints.hand_over(conn, verifier)?;
    let mut after = 0;
    loop {
        let batch: Vec<StoredEvent> = audit_chain::sequenced_after(conn, after, BATCH)?;
        let Some(last) = batch.last() else { break };
        after = last.seq.unwrap_or(after);
        for event in &batch {
            verifier.check(event)?;
            checkpoints.hand_over(conn, verifier)?;
        }
    }
    Ok(verifier.finish((head_seq, &head_hash), newest)?)
}

/// The stored checkpoints, read in batches as the walk reaches them.
#[derive(Default)]
struct Checkpoints {
    waiting: std::collections::VecDeque<Checkpoint>,
    next_from: i64,
    done: bool,
}

impl Checkpoints {
    /// Hands every checkpoint up to where the walk is to the verifier.
    fn hand_over(
        &mut self,
        conn: &mut DbConn,
        verifier: &mut ChainVerifier<'_>,
    ) -> Result<(), VerifyError> {
        loop {
            if self.waiting.is_empty() && !self.done {
                let batch = audit_chain::checkpoints_from(conn, self.next_from, BATCH)?;
                self.done = (batch.len() as i64) < BATCH;
                if let Some(last) = batch.last() {
                    self.next_from = last.seq + 1;
                }
                self.waiting.extend(batch);
            }
            match self.waiting.front() {
                Some(next) if next.seq <= verifier.last_seq() => {
                    verifier.checkpoint(next)?;
                    self.waiting.pop_front();
                }
                _ => return Ok(()),
            }
        }
    }
}
