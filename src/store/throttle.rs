//! Failed sign-in counts per key (a keyed hash of an email or a client address).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::login_throttle;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_throttle)]
#[diesel(treat_none_as_null = true)]
pub struct ThrottleRow {
    pub throttle_key: String,
    pub failures: i32,
    pub last_failure_at: Option<PrimitiveDateTime>,
    pub locked_until: Option<PrimitiveDateTime>,
}

pub fn find(conn: &mut DbConn, key: &str) -> QueryResult<Option<ThrottleRow>> {
    login_throttle::table
        .find(key)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()
}

/// Stores the row for its key, replacing what was there.
pub fn save(conn: &mut DbConn, row: &ThrottleRow) -> QueryResult<()> {
    let updated = diesel::update(login_throttle::table.find(&row.throttle_key))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_throttle::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(key))
        .execute(conn)
        .map(|_| ())
}
