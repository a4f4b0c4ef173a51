//! The inventory's sealed values and keyed hashes (and officers' TOTP secrets), found
//! while still under an old key and written back by the app, which knows their contents.

use diesel::prelude::*;

use crate::store::schema::{data_packages, officers, personal_records, subjects};
use crate::store::DbConn;
use crate::vault::Keyring;

/// Officers whose TOTP secret is not sealed under the current key: (id, stored secret).
pub fn stale_totp_secrets(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    let prefix = format!("v1:{}:%", vault.current_key_id());
    let query = officers::table
        .filter(officers::totp_secret.is_not_null())
        .filter(officers::totp_secret.not_like(prefix))
        .filter(officers::id.gt(after))
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
    after: &str,
    limit: i64,
) -> QueryResult<Vec<(String, String, Vec<u8>)>> {
    let query = subjects::table
        .filter(subjects::key_id.ne(vault.current_key_id()))
        .filter(subjects::id.gt(after))
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

/// A record's (id, source, key id, sealed content).
pub type StaleRecord = (String, String, String, Vec<u8>);

/// A data package's (id, key id, sealed token, sealed content).
pub type StalePackage = (String, String, Vec<u8>, Vec<u8>);

/// Records not under the current key.
pub fn stale_records(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<StaleRecord>> {
    let query = personal_records::table
        .filter(personal_records::key_id.ne(vault.current_key_id()))
        .filter(personal_records::id.gt(after))
        .order(personal_records::id)
        .limit(limit)
        .select((
            personal_records::id,
            personal_records::source,
            personal_records::key_id,
            personal_records::sealed,
        ));
    stale_batch!(conn, query, StaleRecord)
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

/// Data packages not under the current key.
pub fn stale_packages(
    conn: &mut DbConn,
    vault: &Keyring,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<StalePackage>> {
    let query = data_packages::table
        .filter(data_packages::key_id.ne(vault.current_key_id()))
        .filter(data_packages::id.gt(after))
        .order(data_packages::id)
        .limit(limit)
        .select((
            data_packages::id,
            data_packages::key_id,
            data_packages::sealed_token,
            data_packages::content,
        ));
    stale_batch!(conn, query, StalePackage)
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
