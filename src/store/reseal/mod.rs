//! Re-sealing under the current key (`rekey`): finding, a batch at a time, the rows whose
//! sealed values or keyed hashes are still under an older key (or not sealed at all, for
//! rows written before sealing existed), and writing them back sealed anew. Each batch is
//! its own transaction, the caller's; a crash loses at most one batch, and the next run
//! picks up what is left, because a row's key id changes only with its values.
//!
//! The columns sealed here (requests, messages, holds, outbox, webhooks) are opened and sealed by
//! [`super::seal`]; the inventory's binary values are opened by the app, which knows their
//! contents, and written back through the functions at the end of this file.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{
    data_packages, legal_holds, mail_outbox, officers, personal_records, request_messages,
    requests, subjects,
};
use super::seal::{email_index, open, open_optional, seal, seal_optional};
use super::{DbConn, StoreError};
use crate::vault::Keyring;

/// The tables `rekey` walks, in order.
pub const TABLES: &[&str] = &[
    "requests",
    "request_messages",
    "legal_holds",
    "mail_outbox",
    "officers",
    "subjects",
    "personal_records",
    "data_packages",
    "webhook_endpoints",
    "webhook_deliveries",
];

/// Locks the rows a batch rewrites on PostgreSQL, so that a change made meanwhile (a wipe,
/// a sent mail losing its body) is not written over with the values read before it. SQLite's
/// write transaction already keeps every other writer out.
macro_rules! stale_batch {
    ($conn:expr, $query:expr, $row:ty) => {
        match $conn {
            DbConn::Postgres(pg) => $query.for_update().load::<$row>(pg),
            DbConn::Sqlite(sqlite) => $query.load::<$row>(sqlite),
        }
    };
}

/// Rows of `$table` whose sealed columns are not under the key `$current`, or not sealed yet.
macro_rules! sealed_stale {
    ($table:ident, $current:expr) => {
        $table::seal_key_id
            .is_null()
            .or($table::seal_key_id.ne($current))
    };
}

/// The next `$limit` rows of `$table` after the id `$after` whose sealed columns are not
/// under the key `$current` (or not sealed yet), with `$columns`; locked on PostgreSQL.
macro_rules! stale_rows {
    ($conn:expr, $table:ident, $current:expr, $after:expr, $limit:expr, $columns:expr, $row:ty) => {{
        let query = $table::table
            .filter(
                $table::seal_key_id
                    .is_null()
                    .or($table::seal_key_id.ne($current)),
            )
            .filter($table::id.gt($after))
            .order($table::id)
            .limit($limit)
            .select($columns);
        stale_batch!($conn, query, $row)
    }};
}

/// The body of a batch function for a table with one sealed column: reads up to `limit`
/// stale rows after `after` and re-seals that column under the current key.
macro_rules! one_column_batch {
    ($conn:expr, $vault:expr, $after:expr, $limit:expr, $table:ident, $column:ident) => {{
        let current = $vault.current_key_id();
        let rows = stale_rows!(
            $conn,
            $table,
            current,
            $after,
            $limit,
            ($table::id, $table::$column),
            (String, String)
        )?;
        for (id, stored) in &rows {
            let sealed = reseal($vault, stringify!($table), id, stringify!($column), stored)?;
            diesel::update($table::table.find(id))
                .set(($table::$column.eq(sealed), $table::seal_key_id.eq(current)))
                .execute($conn)?;
        }
        Ok(Batch::of(&rows, |row| row.0.as_str()))
    }};
}

/// Opens a column's stored value (sealed under any known key, or readable from before
/// sealing) and seals it again under the current key.
fn reseal(
    vault: &Keyring,
    table: &str,
    id: &str,
    column: &str,
    stored: &str,
) -> Result<String, StoreError> {
    let plain = open(vault, table, id, column, stored.to_string())?;
    seal(vault, table, id, column, &plain)
}

/// What one batch did: how many rows it re-sealed, and the last id it read, where the next
/// batch of that table starts. Batches walk each table by id (a keyset), so each reads only
/// rows it has not seen: asking every time for "the first stale rows" would scan past all the
/// rows already re-sealed, and the run would grow with the square of the table.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub resealed: usize,
    pub last_id: Option<String>,
}

impl Batch {
    pub fn of<R>(rows: &[R], id: impl Fn(&R) -> &str) -> Batch {
        Batch {
            resealed: rows.len(),
            last_id: rows.last().map(|row| id(row).to_string()),
        }
    }
}

/// Makes SQLite overwrite what a batch replaces (`secure_delete`): without it the readable
/// values of rows written before sealing, and values under the retired key, stay in the
/// file's free space. A setting of the connection; PostgreSQL needs none here (its old row
/// versions go with VACUUM).
pub fn overwrite_replaced(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Sqlite(_) = conn {
        diesel::sql_query("PRAGMA secure_delete = ON").execute(conn)?;
    }
    Ok(())
}

/// Copies SQLite's write-ahead log into the file and empties it, so the pages a rekey
/// replaced are not left in the log.
pub fn checkpoint(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Sqlite(_) = conn {
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(conn)?;
    }
    Ok(())
}

/// Whether a run should vacuum what it rewrote: on PostgreSQL every re-sealed row left a
/// dead version behind (the old key's ciphertext) until VACUUM reclaims it.
pub fn vacuums(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Postgres(_))
}

/// `VACUUM (ANALYZE)` of one of [`TABLES`] on PostgreSQL: reclaims the row versions a rekey
/// replaced and refreshes the planner's statistics. VACUUM cannot run inside a transaction,
/// so the connection must not be in one. A no-op on SQLite (`secure_delete` overwrote the
/// replaced values in place).
pub fn vacuum_analyze(conn: &mut DbConn, table: &str) -> QueryResult<()> {
    let table = TABLES.iter().find(|t| **t == table).ok_or_else(|| {
        diesel::result::Error::QueryBuilderError(format!("no re-sealed table {table}").into())
    })?;
    if let DbConn::Postgres(_) = conn {
        diesel::sql_query(format!("VACUUM (ANALYZE) {table}")).execute(conn)?;
    }
    Ok(())
}

mod inventory;
mod webhooks;
pub use inventory::*;
pub use webhooks::{webhook_deliveries_batch, webhook_endpoints_batch};

#[derive(Queryable)]
struct RequestSealed {
    id: String,
    full_name: String,
    email: String,
    account_ref: Option<String>,
    details: String,
    correction: Option<String>,
    purposes: Option<String>,
}

/// Re-seals up to `limit` requests not yet under the current key; returns how many.
pub fn requests_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    let current = vault.current_key_id();
    let rows = stale_rows!(
        conn,
        requests,
        current,
        after,
        limit,
        (
            requests::id,
            requests::full_name,
            requests::email,
            requests::account_ref,
            requests::details,
            requests::correction,
            requests::purposes,
        ),
        RequestSealed
    )?;
    const T: &str = "requests";
    for row in &rows {
        let id = row.id.as_str();
        let reseal_optional = |column: &str, stored: &Option<String>| {
            let plain = open_optional(vault, T, id, column, stored.clone())?;
            seal_optional(vault, T, id, column, plain.as_deref())
        };
        let email = open(vault, T, id, "email", row.email.clone())?;
        diesel::update(requests::table.find(id))
            .set((
                requests::full_name.eq(reseal(vault, T, id, "full_name", &row.full_name)?),
                requests::email.eq(seal(vault, T, id, "email", &email)?),
                requests::email_index.eq(email_index(vault, &email)),
                requests::account_ref.eq(reseal_optional("account_ref", &row.account_ref)?),
                requests::details.eq(reseal(vault, T, id, "details", &row.details)?),
                requests::correction.eq(reseal_optional("correction", &row.correction)?),
                requests::purposes.eq(reseal_optional("purposes", &row.purposes)?),
                requests::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(Batch::of(&rows, |row| row.id.as_str()))
}

/// Re-seals up to `limit` message bodies not yet under the current key.
pub fn messages_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    one_column_batch!(conn, vault, after, limit, request_messages, body)
}

/// Re-seals up to `limit` holds' order references and reasons.
pub fn holds_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    let current = vault.current_key_id();
    let rows = stale_rows!(
        conn,
        legal_holds,
        current,
        after,
        limit,
        (
            legal_holds::id,
            legal_holds::order_reference,
            legal_holds::reason,
        ),
        (String, String, String)
    )?;
    const T: &str = "legal_holds";
    for (id, order_reference, reason) in &rows {
        let order_reference = reseal(vault, T, id, "order_reference", order_reference)?;
        let reason = reseal(vault, T, id, "reason", reason)?;
        diesel::update(legal_holds::table.find(id))
            .set((
                legal_holds::order_reference.eq(order_reference),
                legal_holds::reason.eq(reason),
                legal_holds::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(Batch::of(&rows, |row| row.0.as_str()))
}

/// Re-seals up to `limit` outbox recipients and bodies; a sent mail's body, still readable
/// from before bodies were dropped on sending, is dropped now.
pub fn outbox_batch(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> Result<Batch, StoreError> {
    let current = vault.current_key_id();
    let rows = stale_rows!(
        conn,
        mail_outbox,
        current,
        after,
        limit,
        (
            mail_outbox::id,
            mail_outbox::to_addr,
            mail_outbox::body,
            mail_outbox::sent_at.is_not_null(),
        ),
        (String, String, String, bool)
    )?;
    const T: &str = "mail_outbox";
    for (id, to_addr, body, sent) in &rows {
        let body = if *sent {
            String::new()
        } else {
            reseal(vault, T, id, "body", body)?
        };
        diesel::update(mail_outbox::table.find(id))
            .set((
                mail_outbox::to_addr.eq(reseal(vault, T, id, "to_addr", to_addr)?),
                mail_outbox::body.eq(body),
                mail_outbox::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(Batch::of(&rows, |row| row.0.as_str()))
}

/// How many rows of each table are not yet under the current key, in [`TABLES`] order.
pub fn count_stale(
    conn: &mut DbConn,
    vault: &Keyring,
) -> Result<Vec<(&'static str, i64)>, StoreError> {
    let current = vault.current_key_id();
    let sealed_text_prefix = format!("v1:{current}:%");
    let counts = [
        requests::table
            .filter(sealed_stale!(requests, current))
            .select(count_star())
            .first::<i64>(conn)?,
        request_messages::table
            .filter(sealed_stale!(request_messages, current))
            .select(count_star())
            .first::<i64>(conn)?,
        legal_holds::table
            .filter(sealed_stale!(legal_holds, current))
            .select(count_star())
            .first::<i64>(conn)?,
        mail_outbox::table
            .filter(sealed_stale!(mail_outbox, current))
            .select(count_star())
            .first::<i64>(conn)?,
        officers::table
            .filter(officers::totp_secret.is_not_null())
            .filter(officers::totp_secret.not_like(&sealed_text_prefix))
            .select(count_star())
            .first::<i64>(conn)?,
        subjects::table
            .filter(subjects::key_id.ne(current))
            .select(count_star())
            .first::<i64>(conn)?,
        personal_records::table
            .filter(personal_records::key_id.ne(current))
            .select(count_star())
            .first::<i64>(conn)?,
        data_packages::table
            .filter(data_packages::key_id.ne(current))
            .select(count_star())
            .first::<i64>(conn)?,
    ];
    let webhooks = webhooks::count_stale_webhooks(conn, current)?;
    Ok(TABLES
        .iter()
        .copied()
        .zip(counts.into_iter().chain(webhooks))
        .collect())
}
