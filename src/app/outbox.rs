//! The outbox side of mail delivery: claiming due mail and recording how each attempt went.

use time::Duration;

use super::{clock, Context};
use crate::error::AppError;
use crate::store::outbox::{self, OutboxRow};
use crate::store::time::to_db;

/// How long a claimed mail is reserved for one sender before another may try it.
const CLAIM_FOR: Duration = Duration::minutes(2);

pub fn claim_due(ctx: &Context, limit: i64) -> Result<Vec<OutboxRow>, AppError> {
    let mut conn = ctx.conn()?;
    let now = clock::now();
    Ok(outbox::claim_due(
        &mut conn,
        to_db(now),
        to_db(now + CLAIM_FOR),
        limit,
    )?)
}

pub fn record_sent(ctx: &Context, id: &str) -> Result<(), AppError> {
    let mut conn = ctx.conn()?;
    Ok(outbox::mark_sent(&mut conn, id, to_db(clock::now()))?)
}

/// Records a failure and schedules the next attempt with exponential backoff
/// (30 s, 1 min, 2 min, ... at most 1 hour).
pub fn record_failure(ctx: &Context, row: &OutboxRow, error: &str) -> Result<(), AppError> {
    let next = clock::now() + retry_delay(row.attempts);
    ctx.write(|conn| Ok(outbox::mark_failed(conn, &row.id, to_db(next), error)?))
}

pub fn retry_delay(attempts_so_far: i32) -> Duration {
    let exponent = attempts_so_far.clamp(0, 7) as u32;
    Duration::seconds((30_i64 << exponent).min(3_600))
}

pub fn pending_count(ctx: &Context) -> Result<i64, AppError> {
    let mut conn = ctx.conn()?;
    Ok(outbox::count_pending(&mut conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop_growing_at_an_hour() {
        assert_eq!(retry_delay(0), Duration::seconds(30));
        assert_eq!(retry_delay(1), Duration::seconds(60));
        assert_eq!(retry_delay(3), Duration::seconds(240));
        assert_eq!(retry_delay(20), Duration::seconds(3_600));
    }
}
