//! Checking the audit chain end to end.

use super::Context;
use crate::domain::audit::{ChainBreak, ChainVerifier};
use crate::error::AppError;
use crate::store::audit;

/// How many events are read per query while verifying.
const BATCH: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Broken(#[from] ChainBreak),
    #[error("{0}")]
    App(#[from] AppError),
}

/// Walks the whole chain in batches; returns the number of events checked.
pub fn verify_chain(ctx: &Context) -> Result<u64, VerifyError> {
    let mut conn = ctx.conn()?;
    let mut verifier = ChainVerifier::default();
    // Read the head first: events appended while we walk come after it and are not checked.
    let (head_seq, head_hash) = audit::head(&mut conn).map_err(AppError::from)?;
    let mut after = 0;
    loop {
        let batch = audit::batch_after(&mut conn, after, BATCH).map_err(AppError::from)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for row in batch {
            if row.seq > head_seq {
                return Ok(verifier.finish(head_seq, &head_hash)?);
            }
            verifier.check(&row.into_stored())?;
        }
    }
    Ok(verifier.finish(head_seq, &head_hash)?)
}
