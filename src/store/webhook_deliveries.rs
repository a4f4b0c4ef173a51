//! The webhook queue: one row per event and endpoint, written in the transaction of the
//! change that caused the event, and claimed by senders as the mail outbox is (a token and
//! a time the claim lasts; on PostgreSQL `FOR UPDATE SKIP LOCKED`). A row is pending,
//! delivered (`delivered_at`, its body dropped) or given up (`failed_at`).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::webhook_deliveries;
use super::seal::{open, seal};
use super::{DbConn, StoreError};
use crate::vault::Keyring;

const TABLE: &str = "webhook_deliveries";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub body: String,
    pub created_at: PrimitiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: PrimitiveDateTime,
    pub delivered_at: Option<PrimitiveDateTime>,
    pub failed_at: Option<PrimitiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<PrimitiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery<'a> {
    pub id: &'a str,
    pub endpoint_id: &'a str,
    pub event_type: &'a str,
    pub body: &'a str,
    pub created_at: PrimitiveDateTime,
    pub next_attempt_at: PrimitiveDateTime,
}

/// Queues a delivery, its body sealed (it may hold personal data).
pub fn enqueue(
    conn: &mut DbConn,
    vault: &Keyring,
    delivery: &NewDelivery<'_>,
) -> Result<(), StoreError> {
    let body = seal(vault, TABLE, delivery.id, "body", delivery.body)?;
    diesel::insert_into(webhook_deliveries::table)
        .values((
            &NewDelivery {
                body: &body,
                ..delivery.clone()
            },
            webhook_deliveries::seal_key_id.eq(vault.current_key_id()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether any pending delivery to an enabled endpoint is due at `now` and unclaimed.
pub fn any_due(conn: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<bool> {
    use super::schema::webhook_endpoints;
    diesel::select(diesel::dsl::exists(
        webhook_deliveries::table
            .filter(webhook_deliveries::delivered_at.is_null())
            .filter(webhook_deliveries::failed_at.is_null())
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::claimed_until
                    .is_null()
                    .or(webhook_deliveries::claimed_until.lt(now)),
            )
            .filter(
                webhook_deliveries::endpoint_id.eq_any(
                    webhook_endpoints::table
                        .filter(webhook_endpoints::enabled.eq(true))
                        .select(webhook_endpoints::id),
                ),
            ),
    ))
    .get_result(conn)
}

/// Claims up to `limit` due deliveries to enabled endpoints that no other sender holds,
/// marking them with `token` until `claim_until`, and returns them with their bodies
/// opened. On PostgreSQL rows another sender is claiming are skipped.
pub fn claim_due(
    conn: &mut DbConn,
    vault: &Keyring,
    token: &str,
    now: PrimitiveDateTime,
    claim_until: PrimitiveDateTime,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    // Written in SQL: diesel's DSL does not take a subquery on the table being updated.
    let claim_sql = match conn {
        DbConn::Postgres(_) => {
            "UPDATE webhook_deliveries SET claimed_until = $1, claim_token = $2 WHERE id IN (\
             SELECT id FROM webhook_deliveries \
             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 \
             AND (claimed_until IS NULL OR claimed_until < $3) \
             AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled) \
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
        }
        DbConn::Sqlite(_) => {
            "UPDATE webhook_deliveries SET claimed_until = ?1, claim_token = ?2 WHERE id IN (\
             SELECT id FROM webhook_deliveries \
             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?3 \
             AND (claimed_until IS NULL OR claimed_until < ?3) \
             AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled) \
             ORDER BY next_attempt_at LIMIT ?4)"
        }
    };
    diesel::sql_query(claim_sql)
        .bind::<Timestamp, _>(claim_until)
        .bind::<Text, _>(token)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .execute(conn)?;
    webhook_deliveries::table
        .filter(webhook_deliveries::claim_token.eq(token))
        .filter(webhook_deliveries::delivered_at.is_null())
        .filter(webhook_deliveries::failed_at.is_null())
        .order(webhook_deliveries::next_attempt_at.asc())
        .select(DeliveryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|mut row| {
            row.body = open(vault, TABLE, &row.id, "body", row.body)?;
            Ok(row)
        })
        .collect()
}

/// Marks a delivery done by the holder of `token` and drops its body; false when the claim
/// was lost meanwhile.
pub fn mark_delivered(
    conn: &mut DbConn,
    id: &str,
    token: &str,
    now: PrimitiveDateTime,
    status: i32,
) -> QueryResult<bool> {
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::claim_token.eq(token)),
    )
    .set((
        webhook_deliveries::delivered_at.eq(now),
        webhook_deliveries::body.eq(""),
        webhook_deliveries::claimed_until.eq(None::<PrimitiveDateTime>),
        webhook_deliveries::claim_token.eq(None::<String>),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::last_status.eq(Some(status)),
        webhook_deliveries::last_error.eq(None::<String>),
        webhook_deliveries::last_attempt_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// What a failed attempt leaves: another try at a time, or none (given up since then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailedDelivery {
    RetryAt(PrimitiveDateTime),
    GivenUpAt(PrimitiveDateTime),
}

/// Records a failed attempt by the holder of `token` at `now`.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    token: &str,
    now: PrimitiveDateTime,
    after: AfterFailedDelivery,
    status: Option<i32>,
    error: &str,
) -> QueryResult<()> {
    let (next_attempt_at, failed_at) = match after {
        AfterFailedDelivery::RetryAt(at) => (at, None),
        AfterFailedDelivery::GivenUpAt(at) => (at, Some(at)),
    };
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::claim_token.eq(token)),
    )
    .set((
        webhook_deliveries::next_attempt_at.eq(next_attempt_at),
        webhook_deliveries::failed_at.eq(failed_at),
        webhook_deliveries::claimed_until.eq(None::<PrimitiveDateTime>),
        webhook_deliveries::claim_token.eq(None::<String>),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::last_status.eq(status),
        webhook_deliveries::last_error.eq(error),
        webhook_deliveries::last_attempt_at.eq(now),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Gives back what `token` claimed and did not try, for another sender to take at once.
pub fn release_claims(conn: &mut DbConn, token: &str) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::claim_token.eq(token))
            .filter(webhook_deliveries::delivered_at.is_null())
            .filter(webhook_deliveries::failed_at.is_null()),
    )
    .set((
        webhook_deliveries::claimed_until.eq(None::<PrimitiveDateTime>),
        webhook_deliveries::claim_token.eq(None::<String>),
    ))
    .execute(conn)
}

/// An endpoint's deliveries by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeliveryCounts {
    pub delivered: i64,
    pub pending: i64,
    pub given_up: i64,
}

pub fn counts_for(conn: &mut DbConn, endpoint_id: &str) -> QueryResult<DeliveryCounts> {
    let of_endpoint =
        || webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(endpoint_id));
    Ok(DeliveryCounts {
        delivered: of_endpoint()
            .filter(webhook_deliveries::delivered_at.is_not_null())
            .count()
            .get_result(conn)?,
        pending: of_endpoint()
            .filter(webhook_deliveries::delivered_at.is_null())
            .filter(webhook_deliveries::failed_at.is_null())
            .count()
            .get_result(conn)?,
        given_up: of_endpoint()
            .filter(webhook_deliveries::failed_at.is_not_null())
            .count()
            .get_result(conn)?,
    })
}

/// An endpoint's newest deliveries (bodies left out), newest first.
pub fn recent_for(
    conn: &mut DbConn,
    endpoint_id: &str,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let rows: Vec<DeliveryRow> = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| DeliveryRow {
            body: String::new(),
            ..row
        })
        .collect())
}
