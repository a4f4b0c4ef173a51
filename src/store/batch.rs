//! Multi-row inserts, written per backend: the multi-backend connection cannot say whether
//! SQLite takes the DEFAULT keyword in a multi-row VALUES list, so each backend runs the
//! statement on its own connection type.

use diesel::prelude::*;
use diesel::query_builder::InsertStatement;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::{PgConnection, SqliteConnection};

use super::DbConn;

/// Rows per multi-row INSERT: well under PostgreSQL's 65,535 parameters a statement for
/// the widest table.
pub const INSERT_CHUNK: usize = 2000;

/// Inserts `rows` into `table` in statements of at most [`INSERT_CHUNK`] rows each. Callers
/// name the row type (`insert_chunked::<_, NewRecord>`): the compiler does not infer it
/// through diesel's insert traits.
pub fn insert_chunked<T, R>(conn: &mut DbConn, table: T, rows: &[R]) -> QueryResult<()>
where
    T: Table + Copy,
    for<'a> &'a [R]: Insertable<T>,
    for<'a> InsertStatement<T, <&'a [R] as Insertable<T>>::Values>:
        ExecuteDsl<SqliteConnection> + ExecuteDsl<PgConnection>,
{
    for chunk in rows.chunks(INSERT_CHUNK) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(table).values(chunk).execute(c),
            DbConn::Postgres(c) => diesel::insert_into(table).values(chunk).execute(c),
        }?;
    }
    Ok(())
}
