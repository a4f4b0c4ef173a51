//! Re-sealing under the current key (`rekey`): finding, a batch at a time, the rows whose
//! sealed values or keyed hashes are still under an older key (or not sealed at all, for
//! rows written before sealing existed), and writing them back sealed anew. Each batch is
//! its own transaction, the caller's; a crash loses at most one batch, and the next run
//! picks up what is left, because a row's key id changes only with its values.
//!
//! The columns sealed here (requests, messages, holds, outbox) are opened and sealed by
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
pub fn requests_batch(conn: &mut DbConn, vault: &Keyring, limit: i64) -> Result<usize, StoreError> {
    let current = vault.current_key_id();
    let query = requests::table
        .filter(
            requests::seal_key_id
                .is_null()
                .or(requests::seal_key_id.ne(current)),
        )
        .order(requests::id)
        .limit(limit)
        .select((
            requests::id,
            requests::full_name,
            requests::email,
            requests::account_ref,
            requests::details,
            requests::correction,
            requests::purposes,
        ));
    let rows = stale_batch!(conn, query, RequestSealed)?;
    const T: &str = "requests";
    for row in &rows {
        let id = row.id.as_str();
        let reseal = |column: &str, stored: &str| -> Result<String, StoreError> {
            seal(
                vault,
                T,
                id,
                column,
                &open(vault, T, id, column, stored.to_string())?,
            )
        };
        let reseal_optional = |column: &str, stored: &Option<String>| {
            let plain = open_optional(vault, T, id, column, stored.clone())?;
            seal_optional(vault, T, id, column, plain.as_deref())
        };
        let email = open(vault, T, id, "email", row.email.clone())?;
        diesel::update(requests::table.find(id))
            .set((
                requests::full_name.eq(reseal("full_name", &row.full_name)?),
                requests::email.eq(seal(vault, T, id, "email", &email)?),
                requests::email_index.eq(email_index(vault, &email)),
                requests::account_ref.eq(reseal_optional("account_ref", &row.account_ref)?),
                requests::details.eq(reseal("details", &row.details)?),
                requests::correction.eq(reseal_optional("correction", &row.correction)?),
                requests::purposes.eq(reseal_optional("purposes", &row.purposes)?),
                requests::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(rows.len())
}

/// Re-seals up to `limit` message bodies not yet under the current key.
pub fn messages_batch(conn: &mut DbConn, vault: &Keyring, limit: i64) -> Result<usize, StoreError> {
    let current = vault.current_key_id();
    let query = request_messages::table
        .filter(
            request_messages::seal_key_id
                .is_null()
                .or(request_messages::seal_key_id.ne(current)),
        )
        .order(request_messages::id)
        .limit(limit)
        .select((request_messages::id, request_messages::body));
    let rows = stale_batch!(conn, query, (String, String))?;
    const T: &str = "request_messages";
    for (id, body) in &rows {
        let body = open(vault, T, id, "body", body.clone())?;
        diesel::update(request_messages::table.find(id))
            .set((
                request_messages::body.eq(seal(vault, T, id, "body", &body)?),
                request_messages::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(rows.len())
}

/// Re-seals up to `limit` holds' order references and reasons.
pub fn holds_batch(conn: &mut DbConn, vault: &Keyring, limit: i64) -> Result<usize, StoreError> {
    let current = vault.current_key_id();
    let query = legal_holds::table
        .filter(
            legal_holds::seal_key_id
                .is_null()
                .or(legal_holds::seal_key_id.ne(current)),
        )
        .order(legal_holds::id)
        .limit(limit)
        .select((
            legal_holds::id,
            legal_holds::order_reference,
            legal_holds::reason,
        ));
    let rows = stale_batch!(conn, query, (String, String, String))?;
    const T: &str = "legal_holds";
    for (id, order_reference, reason) in &rows {
        let order_reference = open(vault, T, id, "order_reference", order_reference.clone())?;
        let reason = open(vault, T, id, "reason", reason.clone())?;
        diesel::update(legal_holds::table.find(id))
            .set((
                legal_holds::order_reference.eq(seal(
                    vault,
                    T,
                    id,
                    "order_reference",
                    &order_reference,
                )?),
                legal_holds::reason.eq(seal(vault, T, id, "reason", &reason)?),
                legal_holds::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(rows.len())
}

/// Re-seals up to `limit` outbox recipients and bodies; a sent mail's body, still readable
/// from before bodies were dropped on sending, is dropped now.
pub fn outbox_batch(conn: &mut DbConn, vault: &Keyring, limit: i64) -> Result<usize, StoreError> {
    let current = vault.current_key_id();
    let query = mail_outbox::table
        .filter(
            mail_outbox::seal_key_id
                .is_null()
                .or(mail_outbox::seal_key_id.ne(current)),
        )
        .order(mail_outbox::id)
        .limit(limit)
        .select((
            mail_outbox::id,
            mail_outbox::to_addr,
            mail_outbox::body,
            mail_outbox::sent_at.is_not_null(),
        ));
    let rows = stale_batch!(conn, query, (String, String, String, bool))?;
    const T: &str = "mail_outbox";
    for (id, to_addr, body, sent) in &rows {
        let to_addr = open(vault, T, id, "to_addr", to_addr.clone())?;
        let body = if *sent {
            String::new()
        } else {
            seal(
                vault,
                T,
                id,
                "body",
                &open(vault, T, id, "body", body.clone())?,
            )?
        };
        diesel::update(mail_outbox::table.find(id))
            .set((
                mail_outbox::to_addr.eq(seal(vault, T, id, "to_addr", &to_addr)?),
                mail_outbox::body.eq(body),
                mail_outbox::seal_key_id.eq(current),
            ))
            .execute(conn)?;
    }
    Ok(rows.len())
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
            .filter(
                requests::seal_key_id
                    .is_null()
                    .or(requests::seal_key_id.ne(current)),
            )
            .select(count_star())
            .first::<i64>(conn)?,
        request_messages::table
            .filter(
                request_messages::seal_key_id
                    .is_null()
                    .or(request_messages::seal_key_id.ne(current)),
            )
            .select(count_star())
            .first::<i64>(conn)?,
        legal_holds::table
            .filter(
                legal_holds::seal_key_id
                    .is_null()
                    .or(legal_holds::seal_key_id.ne(current)),
            )
            .select(count_star())
            .first::<i64>(conn)?,
        mail_outbox::table
            .filter(
                mail_outbox::seal_key_id
                    .is_null()
                    .or(mail_outbox::seal_key_id.ne(current)),
            )
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
    Ok(TABLES.iter().copied().zip(counts).collect())
}

/// Officers whose TOTP secret is not sealed under the current key: (id, stored secret).
pub fn stale_totp_secrets(
    conn: &mut DbConn,
    vault: &Keyring,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    let prefix = format!("v1:{}:%", vault.current_key_id());
    let query = officers::table
        .filter(officers::totp_secret.is_not_null())
        .filter(officers::totp_secret.not_like(prefix))
        .order(officers::id)
        .limit(limit)
        .select((officers::id, officers::totp_secret.assume_not_null()));
    stale_batch!(conn, query, (String, String))
}

pub fn set_totp_secret(conn: &mut DbConn, id: &str, sealed: &str) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set(officers::totp_secret.eq(sealed))
        .execute(conn)
        .map(|_| ())
}

/// Subjects not under the current key: (id, key id, sealed identity).
pub fn stale_subjects(
    conn: &mut DbConn,
    vault: &Keyring,
    limit: i64,
) -> QueryResult<Vec<(String, String, Vec<u8>)>> {
    let query = subjects::table
        .filter(subjects::key_id.ne(vault.current_key_id()))
        .order(subjects::id)
        .limit(limit)
        .select((subjects::id, subjects::key_id, subjects::identity));
    stale_batch!(conn, query, (String, String, Vec<u8>))
}

/// Writes back a subject's identity and email hash under the current key.
pub fn set_subject(
    conn: &mut DbConn,
    id: &str,
    key_id: &str,
    identity: &[u8],
    email_hash: &str,
) -> QueryResult<()> {
    diesel::update(subjects::table.find(id))
        .set((
            subjects::key_id.eq(key_id),
            subjects::identity.eq(identity),
            subjects::email_hash.eq(email_hash),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records not under the current key: (id, source, key id, sealed content).
pub fn stale_records(
    conn: &mut DbConn,
    vault: &Keyring,
    limit: i64,
) -> QueryResult<Vec<(String, String, String, Vec<u8>)>> {
    let query = personal_records::table
        .filter(personal_records::key_id.ne(vault.current_key_id()))
        .order(personal_records::id)
        .limit(limit)
        .select((
            personal_records::id,
            personal_records::source,
            personal_records::key_id,
            personal_records::sealed,
        ));
    stale_batch!(conn, query, (String, String, String, Vec<u8>))
}

/// Writes back a record's content and (source, source id) hash under the current key.
pub fn set_record(
    conn: &mut DbConn,
    id: &str,
    key_id: &str,
    sealed: &[u8],
    source_key: &str,
) -> QueryResult<()> {
    diesel::update(personal_records::table.find(id))
        .set((
            personal_records::key_id.eq(key_id),
            personal_records::sealed.eq(sealed),
            personal_records::source_key.eq(source_key),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Data packages not under the current key: (id, key id, sealed token, sealed content).
pub fn stale_packages(
    conn: &mut DbConn,
    vault: &Keyring,
    limit: i64,
) -> QueryResult<Vec<(String, String, Vec<u8>, Vec<u8>)>> {
    let query = data_packages::table
        .filter(data_packages::key_id.ne(vault.current_key_id()))
        .order(data_packages::id)
        .limit(limit)
        .select((
            data_packages::id,
            data_packages::key_id,
            data_packages::sealed_token,
            data_packages::content,
        ));
    stale_batch!(conn, query, (String, String, Vec<u8>, Vec<u8>))
}

pub fn set_package(
    conn: &mut DbConn,
    id: &str,
    key_id: &str,
    sealed_token: &[u8],
    content: &[u8],
) -> QueryResult<()> {
    diesel::update(data_packages::table.find(id))
        .set((
            data_packages::key_id.eq(key_id),
            data_packages::sealed_token.eq(sealed_token),
            data_packages::content.eq(content),
        ))
        .execute(conn)
        .map(|_| ())
}
