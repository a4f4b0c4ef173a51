//! The only place that knows SQL. One connection type serves SQLite and PostgreSQL; the
//! backend is picked from the URL scheme. Each table has its own file with its row structs
//! and one function per question.

mod advisory;
pub mod api_tokens;
pub mod audit;
pub mod audit_chain;
pub mod audit_rotation;
mod batch;
pub mod consents;
pub mod dump;
pub mod export_watch;
pub mod holds;
pub mod messages;
pub mod officers;
pub mod outbox;
pub mod packages;
pub mod records;
pub mod report;
pub mod requests;
pub mod reseal;
pub mod retention;
pub mod retention_notices;
pub mod schema;
pub mod seal;
pub mod sessions;
pub mod subjects;
pub mod tasks;
pub mod throttle;
pub mod time;
pub mod tokens;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
mod writer;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub use batch::INSERT_CHUNK;
pub use writer::SqliteWriter;

/// A connection to either backend. Queries written once with diesel's DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

pub use crate::config::{Backend, DatabaseUrl};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored row that does not parse into its entity: a value no version of this program
    /// writes. It is reported, never read as some default.
    #[error("the row {id} of {table} holds a value that does not parse")]
    Corrupt { table: &'static str, id: String },
    /// A row of a backup or of a table being backed up that does not fit the table's spec.
    #[error("table {table}: {detail}")]
    Unreadable { table: String, detail: String },
    /// An insert that would repeat a unique key.
    #[error("a row with that key exists already")]
    Duplicate,
    /// A sealed value that does not open: its key is not configured, or it was altered.
    #[error("sealed data: {0}")]
    Sealed(crate::vault::VaultError),
}

impl StoreError {
    /// An insert's error: a repeated unique key is [`StoreError::Duplicate`].
    pub fn from_insert(error: diesel::result::Error) -> StoreError {
        match error {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => StoreError::Duplicate,
            other => StoreError::Query(other),
        }
    }

    /// The error for a row of `table` (named by its key) that does not parse.
    pub fn corrupt(table: &'static str, id: impl ToString) -> StoreError {
        StoreError::Corrupt {
            table,
            id: id.to_string(),
        }
    }
}

/// Opens connections of the backend the URL names; diesel's own `establish` on the enum
/// would try each backend in turn and hide the real error.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite { path } => {
                let mut conn = diesel::SqliteConnection::establish(path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // The busy timeout comes first so that even switching to WAL waits for a lock
                // held by a sibling connection; WAL lets readers run beside the one writer.
                // Asking for WAL on a database already in WAL mode still waits for the write
                // lock, so a connection opened during a long import would fail: ask only when
                // the mode differs.
                conn.batch_execute("PRAGMA busy_timeout = 10000;")
                    .map_err(r2d2::Error::QueryError)?;
                if sqlite_journal_mode(&mut conn).map_err(r2d2::Error::QueryError)? != "wal" {
                    conn.batch_execute("PRAGMA journal_mode = WAL;")
                        .map_err(r2d2::Error::QueryError)?;
                }
                conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres { url } => diesel::PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

fn sqlite_journal_mode(conn: &mut diesel::SqliteConnection) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    diesel::sql_query("PRAGMA journal_mode")
        .get_result::<Mode>(conn)
        .map(|m| m.journal_mode.to_ascii_lowercase())
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = PooledConnection<ConnectionManager>;

/// Opens a pool for `url`, creating the SQLite file's directory if needed.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Pool, StoreError> {
    let url = url.clone();
    if let DatabaseUrl::Sqlite { path } = &url {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Directory(parent.display().to_string(), e))?;
        }
    }
    if let DatabaseUrl::Sqlite { path } = &url {
        // Switch a new database to WAL once, before the pool opens its connections side by
        // side: connections racing to change the journal mode get "database is locked".
        let mut first = diesel::SqliteConnection::establish(path)
            .map_err(|e| StoreError::Open(e.to_string()))?;
        first.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
    }
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        // A round trip per checkout costs more than it saves: broken connections are
        // found by `has_broken` when they are returned.
        .test_on_check_out(false)
        .build(ConnectionManager { url })?;
    Ok(pool)
}

/// Applies pending migrations; returns the versions applied. On PostgreSQL an advisory lock
/// keeps two instances starting at once from migrating together.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(|m| m.to_string()).collect())
            .map_err(|e| StoreError::Migration(e.to_string()))?,
        DbConn::Postgres(c) => {
            c.batch_execute("SELECT pg_advisory_lock(7231001)")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect())
                .map_err(|e| StoreError::Migration(e.to_string()));
            c.batch_execute("SELECT pg_advisory_unlock(7231001)")?;
            result?
        }
    };
    Ok(applied)
}

/// Whether any embedded migration has not been applied yet.
pub fn has_pending_migrations(conn: &mut DbConn) -> Result<bool, StoreError> {
    match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))
}

/// Refreshes the query planner's statistics. SQLite has none until `ANALYZE` runs, and
/// without them it may sort a whole status range instead of walking the queue's partial
/// index (seen at a million requests: 225 ms instead of 2 ms for the first page).
/// `analysis_limit` keeps it to milliseconds on a large table. PostgreSQL's autovacuum
/// keeps its own statistics.
pub fn refresh_planner_statistics(conn: &mut DbConn) -> Result<(), StoreError> {
    if conn.backend() == Backend::Sqlite {
        conn.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE;")?;
    }
    Ok(())
}

/// Prepares a connection for a long bulk load. SQLite's default page cache (2 MB) is far
/// smaller than the indexes a million-row import touches at random (keyed hashes), so most
/// of its time went to copying pages in and out of the kernel; 32 MiB keeps much of the
/// working set within the import's memory budget. PostgreSQL needs nothing.
pub fn prepare_bulk_load(conn: &mut DbConn) -> Result<(), StoreError> {
    if conn.backend() == Backend::Sqlite {
        conn.batch_execute("PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 16384;")?;
    }
    Ok(())
}

/// Runs `work` in one read-only transaction that sees a single snapshot throughout, so a
/// long read in many queries (an export) is consistent even while requests change. SQLite
/// in WAL mode gives a read transaction its snapshot; PostgreSQL needs repeatable read.
pub fn read_snapshot<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    transaction_begun_by(conn, Backend::Postgres, repeatable_read_only, work)
}

/// Runs `work` in a write transaction. On SQLite the transaction begins `IMMEDIATE`,
/// holding the database's write lock from its start, so that no read inside it can go
/// stale before its first write (and no page is written just to take the lock). On
/// PostgreSQL it takes no lock of its own: audit events are appended unsequenced, and only
/// the sequencer touches the head.
pub fn write<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()?
        .is_some()
    {
        // Inside a transaction already (which holds the lock): a savepoint.
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    // From here as diesel's own `transaction`: the multi-backend connection hands its
    // commit and rollback to the SQLite connection's manager, which began it.
    match work(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            match <DbConn as Connection>::TransactionManager::rollback_transaction(conn) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                Err(rollback_error) => Err(rollback_error.into()),
            }
        }
    }
}

/// Runs `work` in one transaction whose first statement, on `backend` only, is `begin`.
fn transaction_begun_by<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    backend: Backend,
    begin: fn(&mut DbConn) -> QueryResult<()>,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    conn.transaction(|conn| {
        if conn.backend() == backend {
            begin(conn)?;
        }
        work(conn)
    })
}

fn repeatable_read_only(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(conn)
        .map(|_| ())
}
