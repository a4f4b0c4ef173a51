//! Server-side officer sessions; the cookie holds a random id, the table only its hash.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::officer_sessions;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officer_sessions)]
pub struct SessionRow {
    pub id_hash: String,
    pub officer_id: String,
    pub mfa_passed: bool,
    pub created_at: PrimitiveDateTime,
    pub last_seen_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = officer_sessions)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub officer_id: &'a str,
    pub mfa_passed: bool,
    pub created_at: PrimitiveDateTime,
    pub last_seen_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut DbConn, session: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(officer_sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id_hash: &str) -> QueryResult<Option<SessionRow>> {
    officer_sessions::table
        .find(id_hash)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// Records use of the session now, and when it ends if not used again.
pub fn touch(
    conn: &mut DbConn,
    id_hash: &str,
    now: PrimitiveDateTime,
    expires_at: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(officer_sessions::table.find(id_hash))
        .set((
            officer_sessions::last_seen_at.eq(now),
            officer_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn delete(conn: &mut DbConn, id_hash: &str) -> QueryResult<()> {
    diesel::delete(officer_sessions::table.find(id_hash))
        .execute(conn)
        .map(|_| ())
}

/// Ends every session of an officer (disabled, role changed, MFA reset).
pub fn delete_for_officer(conn: &mut DbConn, officer_id: &str) -> QueryResult<usize> {
    diesel::delete(officer_sessions::table.filter(officer_sessions::officer_id.eq(officer_id)))
        .execute(conn)
}

/// Ends every session of an officer but `keep` (the one that changed the password).
pub fn delete_for_officer_except(
    conn: &mut DbConn,
    officer_id: &str,
    keep: &str,
) -> QueryResult<usize> {
    diesel::delete(
        officer_sessions::table
            .filter(officer_sessions::officer_id.eq(officer_id))
            .filter(officer_sessions::id_hash.ne(keep)),
    )
    .execute(conn)
}

pub fn mark_mfa_passed(conn: &mut DbConn, id_hash: &str) -> QueryResult<()> {
    diesel::update(officer_sessions::table.find(id_hash))
        .set(officer_sessions::mfa_passed.eq(true))
        .execute(conn)
        .map(|_| ())
}
