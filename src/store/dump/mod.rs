//! The store's side of backup and restore: the tables and their columns (read from the
//! compiled schema), rows of any table in keyset batches, inserts of restored rows, and the
//! schema versions (migrations) a backup is made at and restored to.

pub mod rows;
pub mod tables;

use diesel::migration::MigrationSource;
use diesel_migrations::MigrationHarness;

use super::{DbConn, StoreError, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::domain::backup::{Cell, TableSpec};

pub use tables::{backup_tables, SEEDED_BY_MIGRATIONS};

/// The versions of the migrations this binary carries, oldest first.
pub fn known_versions(conn: &DbConn) -> Result<Vec<String>, StoreError> {
    let versions: Vec<String> = match conn {
        DbConn::Sqlite(_) => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map_err(|e| StoreError::Migration(e.to_string()))?
                .iter()
                .map(|m| m.name().version().to_string())
                .collect()
        }
        DbConn::Postgres(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map_err(|e| StoreError::Migration(e.to_string()))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    let mut versions = versions;
    versions.sort();
    Ok(versions)
}

/// The newest migration applied, or `None` for a database never migrated.
pub fn schema_version(conn: &mut DbConn) -> Result<Option<String>, StoreError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.applied_migrations(),
        DbConn::Postgres(c) => c.applied_migrations(),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.iter().map(|v| v.to_string()).max())
}

/// The newest migration applied, read without creating diesel's table of migrations, so it
/// runs inside a read-only snapshot; the database must have been migrated.
pub fn migrated_version(conn: &mut DbConn) -> Result<Option<String>, StoreError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Newest {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        version: Option<String>,
    }
    let newest: Newest =
        diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)?;
    Ok(newest.version)
}

/// Applies pending migrations, oldest first, up to and including `version`, and no further:
/// a backup's rows go into the schema they were read from, and the newer migrations then
/// carry them forward as they carry any database.
pub fn migrate_up_to(conn: &mut DbConn, version: &str) -> Result<(), StoreError> {
    loop {
        if schema_version(conn)?.is_some_and(|v| v.as_str() >= version) {
            return Ok(());
        }
        match conn {
            DbConn::Sqlite(c) => c.run_next_migration(SQLITE_MIGRATIONS).map(|_| ()),
            DbConn::Postgres(c) => c.run_next_migration(POSTGRES_MIGRATIONS).map(|_| ()),
        }
        .map_err(|e| StoreError::Migration(e.to_string()))?;
    }
}

/// Whether the database holds nothing but what its migrations insert.
pub fn is_empty(conn: &mut DbConn, tables: &[TableSpec]) -> Result<bool, StoreError> {
    for table in tables {
        if SEEDED_BY_MIGRATIONS.contains(&table.name.as_str()) {
            continue;
        }
        if rows::count(conn, &table.name)? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A table and the rows the migrations put in it.
pub type SeedRows = (TableSpec, Vec<Vec<Cell>>);

/// The rows the migrations up to `version` insert into the `seeded` tables (those of
/// [`SEEDED_BY_MIGRATIONS`]), read from a scratch in-memory SQLite database migrated that far.
/// The seeds are the same SQL on both backends.
pub fn migration_seeds(version: &str, tables: &[TableSpec]) -> Result<Vec<SeedRows>, StoreError> {
    use diesel::Connection;
    let scratch = diesel::SqliteConnection::establish(":memory:")
        .map_err(|e| StoreError::Open(e.to_string()))?;
    let mut scratch = DbConn::Sqlite(scratch);
    migrate_up_to(&mut scratch, version)?;
    let mut seeds = Vec::new();
    for table in tables {
        if !SEEDED_BY_MIGRATIONS.contains(&table.name.as_str()) {
            continue;
        }
        // A few dozen rows at most: one batch holds them all.
        let rows = rows::batch_after(&mut scratch, table, None, 100_000)?;
        seeds.push((table.clone(), rows));
    }
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{connect, run_migrations, DatabaseUrl};

    fn migrated_sqlite() -> (tempfile::TempDir, crate::store::Pool) {
        let dir = tempfile::tempdir().unwrap();
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let pool = connect(&url, 1).unwrap();
        run_migrations(&mut pool.get().unwrap()).unwrap();
        (dir, pool)
    }

    #[test]
    fn the_backup_covers_every_table_and_column_the_migrations_create() {
        let (_dir, pool) = migrated_sqlite();
        let mut conn = pool.get().unwrap();
        let specs = backup_tables();
        let mut spec_names: Vec<String> = specs.iter().map(|t| t.name.clone()).collect();
        spec_names.sort();
        assert_eq!(
            rows::database_tables(&mut conn).unwrap(),
            spec_names,
            "every table in the migrations must be in src/store/schema.rs (and so in backups)"
        );
        for spec in &specs {
            let mut columns: Vec<String> = spec.columns.iter().map(|c| c.name.clone()).collect();
            columns.sort();
            let mut found = rows::database_columns(&mut conn, &spec.name).unwrap();
            found.sort();
            assert_eq!(found, columns, "{}", spec.name);
        }
        assert!(is_empty(&mut conn, &specs).unwrap());
    }

    #[test]
    fn tables_are_restored_after_the_tables_they_point_to() {
        let (_dir, pool) = migrated_sqlite();
        let mut conn = pool.get().unwrap();
        let specs = backup_tables();
        for (i, spec) in specs.iter().enumerate() {
            for parent in rows::sqlite_parents(&mut conn, &spec.name).unwrap() {
                let at = specs.iter().position(|t| t.name == parent).unwrap();
                assert!(
                    at < i,
                    "{} points to {parent}, declared after it in schema.rs",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn the_schema_version_is_the_newest_migration() {
        let (_dir, pool) = migrated_sqlite();
        let mut conn = pool.get().unwrap();
        let known = known_versions(&conn).unwrap();
        assert_eq!(
            schema_version(&mut conn).unwrap().as_ref(),
            known.last(),
            "{known:?}"
        );
    }
}
