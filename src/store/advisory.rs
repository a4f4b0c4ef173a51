//! PostgreSQL advisory locks: they keep work that must run once from running in two
//! instances at the same time. SQLite has a single writer, so there every lock is granted.
//!
//! Advisory locks belong to the whole database, not to a schema, so each lock is the pair
//! (the schema's hash, `key`): two installations in separate schemas of one database never
//! wait for each other.

use diesel::prelude::*;

use super::{Backend, DbConn};

/// The first half of every lock: the current schema.
const SCHEMA: &str = "hashtext(current_schema())";

/// Takes the lock `key` until the transaction ends, waiting for it if another has it.
pub fn lock_for_transaction(conn: &mut DbConn, key: i32) -> QueryResult<()> {
    if conn.backend() == Backend::Postgres {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SCHEMA}, {key})"))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes the lock `key` until the transaction ends unless another has it; whether it did.
pub fn try_lock_for_transaction(conn: &mut DbConn, key: i32) -> QueryResult<bool> {
    try_lock(conn, "pg_try_advisory_xact_lock", key)
}

/// Takes the lock `key` for this session unless another session has it; whether it did.
pub fn try_lock_for_session(conn: &mut DbConn, key: i32) -> QueryResult<bool> {
    try_lock(conn, "pg_try_advisory_lock", key)
}

fn try_lock(conn: &mut DbConn, function: &str, key: i32) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    if conn.backend() != Backend::Postgres {
        return Ok(true);
    }
    diesel::sql_query(format!("SELECT {function}({SCHEMA}, {key}) AS locked"))
        .get_result::<Locked>(conn)
        .map(|row| row.locked)
}

/// Gives back the session's lock `key`.
pub fn unlock_for_session(conn: &mut DbConn, key: i32) -> QueryResult<()> {
    if conn.backend() == Backend::Postgres {
        diesel::sql_query(format!("SELECT pg_advisory_unlock({SCHEMA}, {key})")).execute(conn)?;
    }
    Ok(())
}
