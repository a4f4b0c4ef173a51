//! Rows of any table by its spec: read in keyset batches as backend-neutral cells, written
//! back in multi-row inserts with typed binds. The database builds each row as one JSON
//! array (SQLite's `json_array`, PostgreSQL's `json_build_array`), so one query shape reads
//! every table whatever its columns.

use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Binary, Bool, Date, Integer, Nullable, Text, Timestamp};

use crate::domain::backup::{Cell, ColumnType, TableSpec};
use crate::store::{Backend, DbConn, MultiBackend, StoreError};

/// At most this many bound values per insert: PostgreSQL allows 65,535, SQLite 32,766.
const MAX_BINDS: usize = 30_000;
/// At most this many rows per insert.
const MAX_INSERT_ROWS: usize = 1_000;

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => format!("?{n}"),
        Backend::Postgres => format!("${n}"),
    }
}

/// The rows of `table` after the key `after` (the first rows when `None`), at most `limit`,
/// in key order.
pub fn batch_after(
    conn: &mut DbConn,
    table: &TableSpec,
    after: Option<&[Cell]>,
    limit: i64,
) -> Result<Vec<Vec<Cell>>, StoreError> {
    let backend = conn.backend();
    let values: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let name = quoted(&c.name);
            match (c.ty, backend) {
                (ColumnType::Binary, Backend::Sqlite) => {
                    format!("CASE WHEN {name} IS NULL THEN NULL ELSE hex({name}) END")
                }
                (ColumnType::Binary, Backend::Postgres) => format!("encode({name}, 'hex')"),
                _ => name,
            }
        })
        .collect();
    let array = match backend {
        Backend::Sqlite => format!("json_array({})", values.join(", ")),
        Backend::Postgres => format!("json_build_array({})::text", values.join(", ")),
    };
    let key: Vec<String> = table.key.iter().map(|k| quoted(k)).collect();
    let mut sql = format!("SELECT {array} AS row FROM {}", quoted(&table.name));
    let mut n = 0;
    if after.is_some() {
        let marks: Vec<String> = (1..=key.len()).map(|i| placeholder(backend, i)).collect();
        n = key.len();
        sql += &format!(" WHERE ({}) > ({})", key.join(", "), marks.join(", "));
    }
    sql += &format!(
        " ORDER BY {} LIMIT {}",
        key.join(", "),
        placeholder(backend, n + 1)
    );
    let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    if let Some(after) = after {
        for cell in after {
            query = bind_cell(query, cell, key_type(cell), table)?;
        }
    }
    let rows: Vec<JsonRow> = query.bind::<BigInt, _>(limit).load(conn)?;
    rows.iter()
        .map(|r| {
            let values: Vec<serde_json::Value> = serde_json::from_str(&r.row)
                .map_err(|_| unreadable(table, "a row that is not a JSON array of its columns"))?;
            if values.len() != table.columns.len() {
                return Err(unreadable(
                    table,
                    "a row that is not a JSON array of its columns",
                ));
            }
            values
                .iter()
                .zip(&table.columns)
                .map(|(v, c)| Cell::from_json(v, c))
                .collect::<Result<Vec<Cell>, String>>()
                .map_err(|e| unreadable(table, e))
        })
        .collect()
}

fn unreadable(table: &TableSpec, detail: impl ToString) -> StoreError {
    StoreError::Unreadable {
        table: table.name.clone(),
        detail: detail.to_string(),
    }
}

fn key_type(cell: &Cell) -> ColumnType {
    match cell {
        Cell::Int(_) => ColumnType::BigInt,
        Cell::Bytes(_) => ColumnType::Binary,
        Cell::Bool(_) => ColumnType::Bool,
        Cell::Timestamp(_) => ColumnType::Timestamp,
        Cell::Date(_) => ColumnType::Date,
        Cell::Text(_) | Cell::Null => ColumnType::Text,
    }
}

fn bind_cell<'f>(
    query: BoxedSqlQuery<'f, MultiBackend, diesel::query_builder::SqlQuery>,
    cell: &Cell,
    ty: ColumnType,
    table: &TableSpec,
) -> Result<BoxedSqlQuery<'f, MultiBackend, diesel::query_builder::SqlQuery>, StoreError> {
    let mismatch = || unreadable(table, format!("a value that is not a {ty:?}"));
    Ok(match (ty, cell) {
        (ColumnType::Text, Cell::Text(s)) => query.bind::<Nullable<Text>, _>(Some(s.clone())),
        (ColumnType::Text, Cell::Null) => query.bind::<Nullable<Text>, _>(None::<String>),
        (ColumnType::Integer, Cell::Int(n)) => {
            let n = i32::try_from(*n).map_err(|_| mismatch())?;
            query.bind::<Nullable<Integer>, _>(Some(n))
        }
        (ColumnType::Integer, Cell::Null) => query.bind::<Nullable<Integer>, _>(None::<i32>),
        (ColumnType::BigInt, Cell::Int(n)) => query.bind::<Nullable<BigInt>, _>(Some(*n)),
        (ColumnType::BigInt, Cell::Null) => query.bind::<Nullable<BigInt>, _>(None::<i64>),
        (ColumnType::Bool, Cell::Bool(b)) => query.bind::<Nullable<Bool>, _>(Some(*b)),
        (ColumnType::Bool, Cell::Null) => query.bind::<Nullable<Bool>, _>(None::<bool>),
        (ColumnType::Binary, Cell::Bytes(b)) => query.bind::<Nullable<Binary>, _>(Some(b.clone())),
        (ColumnType::Binary, Cell::Null) => query.bind::<Nullable<Binary>, _>(None::<Vec<u8>>),
        (ColumnType::Timestamp, Cell::Timestamp(t)) => {
            query.bind::<Nullable<Timestamp>, _>(Some(*t))
        }
        (ColumnType::Timestamp, Cell::Null) => {
            query.bind::<Nullable<Timestamp>, _>(None::<time::PrimitiveDateTime>)
        }
        (ColumnType::Date, Cell::Date(d)) => query.bind::<Nullable<Date>, _>(Some(*d)),
        (ColumnType::Date, Cell::Null) => query.bind::<Nullable<Date>, _>(None::<time::Date>),
        _ => return Err(mismatch()),
    })
}

/// How many rows fit in one insert into `table`.
pub fn insert_rows_per_statement(table: &TableSpec) -> usize {
    (MAX_BINDS / table.columns.len().max(1)).clamp(1, MAX_INSERT_ROWS)
}

/// Inserts `rows` (cells in the spec's column order) into `table`, in as few statements as
/// the bind limits allow.
pub fn insert(conn: &mut DbConn, table: &TableSpec, rows: &[Vec<Cell>]) -> Result<(), StoreError> {
    let backend = conn.backend();
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    for chunk in rows.chunks(insert_rows_per_statement(table)) {
        let mut n = 0;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| {
                let marks: Vec<String> = table
                    .columns
                    .iter()
                    .map(|_| {
                        n += 1;
                        placeholder(backend, n)
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            quoted(&table.name),
            columns.join(", "),
            tuples.join(", ")
        );
        let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
        for row in chunk {
            if row.len() != table.columns.len() {
                return Err(unreadable(table, "a row with too few or too many values"));
            }
            for (cell, column) in row.iter().zip(&table.columns) {
                query = bind_cell(query, cell, column.ty, table)?;
            }
        }
        query.execute(conn)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The rows `table` holds.
pub fn count(conn: &mut DbConn, table: &str) -> Result<u64, StoreError> {
    let sql = format!("SELECT COUNT(*) AS n FROM {}", quoted(table));
    let count: Count = diesel::sql_query(sql).get_result(conn)?;
    Ok(count.n.max(0) as u64)
}

/// Deletes every row of each table, the last table first, so that no foreign key is left
/// pointing at a deleted row.
pub fn delete_all(conn: &mut DbConn, tables: &[TableSpec]) -> Result<(), StoreError> {
    for table in tables.iter().rev() {
        diesel::sql_query(format!("DELETE FROM {}", quoted(&table.name))).execute(conn)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The tables the database holds, but for diesel's own record of migrations.
pub fn database_tables(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '__diesel_schema_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '__diesel_schema_migrations' ORDER BY table_name"
        }
    };
    let names: Vec<TableName> = diesel::sql_query(sql).load(conn)?;
    Ok(names.into_iter().map(|t| t.name).collect())
}

/// The columns of `table` as the database has them, in order.
pub fn database_columns(conn: &mut DbConn, table: &str) -> Result<Vec<String>, StoreError> {
    let sql = match conn.backend() {
        Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        Backend::Postgres => format!(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}' \
             ORDER BY ordinal_position"
        ),
    };
    let names: Vec<TableName> = diesel::sql_query(sql).load(conn)?;
    Ok(names.into_iter().map(|t| t.name).collect())
}

/// The tables `table`'s foreign keys point to (SQLite's own record of them).
pub fn sqlite_parents(conn: &mut DbConn, table: &str) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct Parent {
        #[diesel(sql_type = Text)]
        table: String,
    }
    let sql = format!("SELECT \"table\" FROM pragma_foreign_key_list('{table}')");
    let parents: Vec<Parent> = diesel::sql_query(sql).load(conn)?;
    Ok(parents.into_iter().map(|p| p.table).collect())
}

/// Moves every PostgreSQL sequence that feeds a column (serial or identity) past the largest
/// value restored into it, so that the next insert does not repeat a key. SQLite keeps its
/// own counters up to date on insert.
pub fn advance_sequences(conn: &mut DbConn) -> Result<(), StoreError> {
    if conn.backend() != Backend::Postgres {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Fed {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
    }
    let fed: Vec<Fed> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')",
    )
    .load(conn)?;
    for Fed {
        table_name,
        column_name,
    } in fed
    {
        let table = quoted(&table_name);
        let column = quoted(&column_name);
        diesel::sql_query(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), \
             COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        ))
        .bind::<Text, _>(table)
        .bind::<Text, _>(column_name)
        .execute(conn)?;
    }
    Ok(())
}
