//! Failed sign-in counts per key (a keyed hash of an email, a client address or both, never
//! the values themselves).

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

impl ThrottleRow {
    fn clean(key: &str) -> ThrottleRow {
        ThrottleRow {
            throttle_key: key.to_string(),
            failures: 0,
            last_failure_at: None,
            locked_until: None,
        }
    }
}

pub fn find(conn: &mut DbConn, key: &str) -> QueryResult<Option<ThrottleRow>> {
    login_throttle::table
        .find(key)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()
}

/// The row for `key` (created clean if missing), locked until the transaction ends, so that
/// two sign-in attempts never read the same count. On PostgreSQL the row lock does it; on
/// SQLite the write transaction already holds the database.
pub fn lock(conn: &mut DbConn, key: &str) -> QueryResult<ThrottleRow> {
    let clean = ThrottleRow::clean(key);
    match conn {
        DbConn::Postgres(pg) => {
            diesel::insert_into(login_throttle::table)
                .values(&clean)
                .on_conflict_do_nothing()
                .execute(pg)?;
            login_throttle::table
                .find(key)
                .select(ThrottleRow::as_select())
                .for_update()
                .first(pg)
        }
        DbConn::Sqlite(sqlite) => {
            diesel::insert_or_ignore_into(login_throttle::table)
                .values(&clean)
                .execute(sqlite)?;
            login_throttle::table
                .find(key)
                .select(ThrottleRow::as_select())
                .first(sqlite)
        }
    }
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

/// Forgets counts nobody has added to since `before` and that lock nothing, so that the
/// table does not keep every address that ever failed.
pub fn delete_forgotten(
    conn: &mut DbConn,
    before: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        login_throttle::table
            .filter(
                login_throttle::last_failure_at
                    .lt(before)
                    .or(login_throttle::last_failure_at.is_null()),
            )
            .filter(
                login_throttle::locked_until
                    .is_null()
                    .or(login_throttle::locked_until.lt(now)),
            ),
    )
    .execute(conn)
}
