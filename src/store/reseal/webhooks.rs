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
    let current = vault.current_key_id();
    let rows = stale_rows!(
        conn,
        webhook_endpoints,
        current,
        after,
        limit,
        (webhook_endpoints::id, webhook_endpoints::secret),
        (String, String)
    )?;
    const T: &str = "webhook_endpoints";
    for (id, secret) in &rows {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::secret.eq(reseal(vault, T, id, "secret", secret)?),
                webhook_endpoints::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(Batch::of(&rows, |row| row.0.as_str()))
}

/// Re-seals up to `limit` queued webhook bodies not yet under the current key.
pub fn webhook_deliveries_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    let current = vault.current_key_id();
    let rows = stale_rows!(
        conn,
        webhook_deliveries,
        current,
        after,
        limit,
        (webhook_deliveries::id, webhook_deliveries::body),
        (String, String)
    )?;
    const T: &str = "webhook_deliveries";
    for (id, body) in &rows {
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::body.eq(reseal(vault, T, id, "body", body)?),
                webhook_deliveries::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(Batch::of(&rows, |row| row.0.as_str()))
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
