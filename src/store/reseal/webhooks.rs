//! Webhook secrets and queued bodies, re-sealed under the current key (a delivered
//! message's body is already empty).

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::{reseal, Batch};
use crate::store::schema::{webhook_deliveries, webhook_endpoints};
use crate::store::{DbConn, StoreError};
use crate::vault::Keyring;

/// Re-seals up to `limit` endpoint secrets not yet under the current key.
pub fn webhook_endpoints_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    one_column_batch!(conn, vault, after, limit, webhook_endpoints, secret)
}

/// Re-seals up to `limit` queued webhook bodies not yet under the current key.
pub fn webhook_deliveries_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    one_column_batch!(conn, vault, after, limit, webhook_deliveries, body)
}

/// Rows of the two webhook tables not yet under the current key.
pub(super) fn count_stale_webhooks(conn: &mut DbConn, current: &str) -> QueryResult<[i64; 2]> {
    Ok([
        webhook_endpoints::table
            .filter(sealed_stale!(webhook_endpoints, current))
            .select(count_star())
            .first::<i64>(conn)?,
        webhook_deliveries::table
            .filter(sealed_stale!(webhook_deliveries, current))
            .select(count_star())
            .first::<i64>(conn)?,
    ])
}
