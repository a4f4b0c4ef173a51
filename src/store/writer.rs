//! SQLite's one writer: writers queue for it in order, and every write runs on the same
//! connection.
//!
//! Queueing here is fairer and faster than letting writers poll SQLite's busy handler. The
//! shared connection is about SQLite's page cache: a connection drops its whole cache
//! whenever another connection has written since its last transaction, so writers taking
//! pool connections in turn each read again every index page they touched (a submission
//! touches a dozen). A connection that alone writes keeps its cache from one write to the
//! next.

use std::sync::{Mutex, MutexGuard, PoisonError};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, R2D2Connection};

use super::{ConnectionManager, DatabaseUrl, DbConn, StoreError};

/// Page cache of the writer connection, in KiB (SQLite's negative `cache_size`): the hot
/// index pages of a busy portal, well within a server's memory.
const WRITER_CACHE_KIB: u32 = 32 * 1024;

/// The writers' turn and their connection, opened when first needed.
pub struct SqliteWriter {
    manager: ConnectionManager,
    conn: Mutex<Option<DbConn>>,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteWriter").finish_non_exhaustive()
    }
}

impl SqliteWriter {
    pub fn new(url: &DatabaseUrl) -> SqliteWriter {
        SqliteWriter {
            manager: ConnectionManager { url: url.clone() },
            conn: Mutex::new(None),
        }
    }

    /// Runs `work` on the writer connection, in turn. Fails only when no connection can be
    /// opened; what `work` returns is passed on as it is.
    pub fn run<T>(&self, work: impl FnOnce(&mut DbConn) -> T) -> Result<T, StoreError> {
        let mut slot = self.turn();
        // A connection left mid-transaction (its work panicked) or broken is replaced.
        if slot.as_mut().is_some_and(R2D2Connection::is_broken) {
            *slot = None;
        }
        let conn = match slot.as_mut() {
            Some(conn) => conn,
            None => slot.insert(self.open()?),
        };
        Ok(work(conn))
    }

    /// The writers' turn alone, for a write on a connection of the caller's own (a bulk
    /// load tunes its connection).
    pub fn turn(&self) -> MutexGuard<'_, Option<DbConn>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> Result<DbConn, StoreError> {
        let mut conn = self
            .manager
            .connect()
            .map_err(|e| StoreError::Open(e.to_string()))?;
        conn.batch_execute(&format!("PRAGMA cache_size = -{WRITER_CACHE_KIB};"))?;
        Ok(conn)
    }
}
