//! PostgreSQL advisory locks: they keep work that must run once from running in two
//! instances at the same time. SQLite has a single writer, so there every lock is granted.

use diesel::prelude::*;

use super::{Backend, DbConn};

/// Takes the lock `key` until the transaction ends, waiting for it if another has it.
pub fn lock_for_transaction(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    if conn.backend() == Backend::Postgres {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({key})")).execute(conn)?;
    }
    Ok(())
}

/// Takes the lock `key` until the transaction ends unless another has it; whether it did.
pub fn try_lock_for_transaction(conn: &mut DbConn, key: i64) -> QueryResult<bool> {
    try_lock(conn, "pg_try_advisory_xact_lock", key)
}

/// Takes the lock `key` for this session unless another session has it; whether it did.
pub fn try_lock_for_session(conn: &mut DbConn, key: i64) -> QueryResult<bool> {
    try_lock(conn, "pg_try_advisory_lock", key)
}

fn try_lock(conn: &mut DbConn, function: &str, key: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    if conn.backend() != Backend::Postgres {
        return Ok(true);
    }
    diesel::sql_query(format!("SELECT {function}({key}) AS locked"))
        .get_result::<Locked>(conn)
        .map(|row| row.locked)
}

/// Gives back the session's lock `key`.
pub fn unlock_for_session(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    if conn.backend() == Backend::Postgres {
        diesel::sql_query(format!("SELECT pg_advisory_unlock({key})")).execute(conn)?;
    }
    Ok(())
}
