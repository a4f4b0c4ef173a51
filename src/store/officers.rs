//! Officers (admins, officers, auditors) and their sign-in secrets.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::officers;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officers)]
pub struct OfficerRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    /// Regime codes, comma-separated.
    pub regions: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<PrimitiveDateTime>,
    pub totp_last_step: Option<i64>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// An admin reset the password: the officer must choose a new one before anything else.
    pub password_change_required: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = officers)]
pub struct NewOfficer<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub regions: &'a str,
    pub password_hash: &'a str,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// Changes an admin or the officer makes; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = officers)]
pub struct OfficerChanges {
    pub role: Option<String>,
    pub regions: Option<String>,
    pub password_hash: Option<String>,
    pub totp_secret: Option<Option<String>>,
    pub totp_enabled_at: Option<Option<PrimitiveDateTime>>,
    pub totp_last_step: Option<Option<i64>>,
    pub disabled_at: Option<Option<PrimitiveDateTime>>,
    pub password_change_required: Option<bool>,
}

pub fn insert(conn: &mut DbConn, officer: &NewOfficer<'_>) -> QueryResult<()> {
    diesel::insert_into(officers::table)
        .values(officer)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<OfficerRow>> {
    officers::table
        .filter(officers::email.eq(email))
        .select(OfficerRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<OfficerRow>> {
    officers::table
        .find(id)
        .select(OfficerRow::as_select())
        .first(conn)
        .optional()
}

/// Every officer, by name (the list is small: an organisation's privacy team).
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<OfficerRow>> {
    officers::table
        .order((officers::name.asc(), officers::id.asc()))
        .select(OfficerRow::as_select())
        .load(conn)
}

/// The ids of the active admins, each row locked until the transaction ends (on
/// PostgreSQL; SQLite's write transaction already keeps every other writer out). Two
/// transactions that each demote or disable an admin therefore count one after the other:
/// the second waits for the first and no longer counts the admin the first removed.
pub fn lock_active_admin_ids(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let active_admins = officers::table
        .filter(officers::role.eq("admin"))
        .filter(officers::disabled_at.is_null())
        .order(officers::id.asc())
        .select(officers::id);
    match conn {
        DbConn::Postgres(pg) => active_admins.for_update().load(pg),
        DbConn::Sqlite(sqlite) => active_admins.load(sqlite),
    }
}

pub fn update(
    conn: &mut DbConn,
    id: &str,
    changes: &OfficerChanges,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(officers::table.find(id))
        .set((changes, officers::updated_at.eq(now)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Records the time step of an accepted TOTP code, only if it is newer than the last one:
/// of two sign-ins racing with the same code, one wins.
pub fn advance_totp_step(conn: &mut DbConn, id: &str, step: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        officers::table.find(id).filter(
            officers::totp_last_step
                .is_null()
                .or(officers::totp_last_step.lt(step)),
        ),
    )
    .set(officers::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(updated == 1)
}
