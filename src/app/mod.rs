//! Use cases: each one a function that reads and changes the store inside one transaction,
//! applies the domain's rules and queues the mail it causes. No HTTP types here.

pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod casework;
pub mod clock;
pub mod demo;
pub mod downloads;
pub mod export;
pub mod export_watch;
pub mod fulfil;
pub mod health;
pub mod hold_authority;
pub mod import;
pub mod intake;
pub mod inventory;
pub mod lookup;
pub mod metrics;
pub mod officer;
pub mod officers;
pub mod outbox;
pub mod password_change;
pub mod password_reset;
pub mod purge;
pub mod purge_notice;
pub mod queue;
pub mod refusals;
pub mod rekey;
pub mod report;
pub mod requests;
pub mod restore;
pub mod retention;
pub mod sign_in_throttle;
pub mod status;
pub mod subject_holds;
pub mod submit;
pub mod tasks;
pub mod transition;
pub mod verify;
pub mod webhooks;
pub mod work_gate;

pub use work_gate::WorkGate;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::Settings;
use crate::domain::audit::AuditKeys;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::store::{self, Backend, DbConn, Pool, PooledConn, SqliteWriter};
use crate::vault::Keyring;

/// What every use case needs: the pool, the settings and a way to wake the mail sender.
#[derive(Clone)]
pub struct Context {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Seals personal data at rest and hashes what must be found again.
    pub keyring: Arc<Keyring>,
    /// Chains audit events and seals checkpoints (current key), and verifies (all keys).
    pub audit_keys: Arc<AuditKeys>,
    /// Figures for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Bounds how many password checks (Argon2, memory-hard on purpose) run at once.
    pub password_checks: Arc<WorkGate>,
    mail_wakeup: Arc<Notify>,
    /// SQLite has one writer at a time: writers queue here and share one connection.
    sqlite_writer: Option<Arc<SqliteWriter>>,
    backend: Backend,
}

impl Context {
    /// Opens the database named by the settings, with a pool for a server: one connection
    /// per concurrent request worth serving.
    pub fn open(settings: Settings) -> Result<Context, store::StoreError> {
        let backend = settings.database_url.backend();
        let pool_size = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        Context::open_with_pool(settings, pool_size)
    }

    /// Opens the database for a one-shot command: a few connections are all it uses, and
    /// each PostgreSQL connection costs a slot on the server and time at start.
    pub fn open_for_command(settings: Settings) -> Result<Context, store::StoreError> {
        Context::open_with_pool(settings, 4)
    }

    fn open_with_pool(settings: Settings, pool_size: u32) -> Result<Context, store::StoreError> {
        let backend = settings.database_url.backend();
        let pool = store::connect(&settings.database_url, pool_size)?;
        let sqlite_writer = (backend == Backend::Sqlite)
            .then(|| Arc::new(SqliteWriter::new(&settings.database_url)));
        Ok(Context {
            pool,
            keyring: Arc::new(Keyring::new(
                &settings.secret_key,
                &settings.previous_secret_keys,
            )),
            audit_keys: Arc::new(AuditKeys::new(
                &settings.secret_key,
                &settings.previous_secret_keys,
            )),
            metrics: Arc::new(Metrics::new()),
            password_checks: Arc::new(WorkGate::new(settings.password_hashers)),
            settings: Arc::new(settings),
            mail_wakeup: Arc::new(Notify::new()),
            sqlite_writer,
            backend,
        })
    }

    pub fn conn(&self) -> Result<PooledConn, AppError> {
        Ok(self.pool.get()?)
    }

    /// Runs `work` in one write transaction: a change, its audit events and its mail commit
    /// together or not at all.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.write_as(work)
    }

    /// [`Context::write`] for work with its own error type; any error rolls back.
    pub fn write_as<T, E>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error> + From<AppError>,
    {
        match &self.sqlite_writer {
            Some(writer) => writer
                .run(|conn| store::write(conn, work))
                .unwrap_or_else(|e| Err(AppError::from(e).into())),
            None => store::write(&mut *self.conn()?, work),
        }
    }

    /// [`Context::write_as`] on a connection the caller holds (and has tuned, say for a
    /// bulk load).
    pub fn write_on<T, E>(
        &self,
        conn: &mut DbConn,
        work: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error> + From<AppError>,
    {
        let _turn = self.sqlite_writer.as_ref().map(|writer| writer.turn());
        store::write(conn, work)
    }

    /// Runs one write statement that needs no transaction around it (it is atomic by
    /// itself and records no audit event), in the writers' queue on SQLite: the mail
    /// sender's bookkeeping.
    pub fn write_statement<T>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        match &self.sqlite_writer {
            Some(writer) => writer.run(work)?,
            None => work(&mut *self.conn()?),
        }
    }

    /// An absolute link for mail, from a path like `/status/TOKEN`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.settings.public_url, path)
    }

    /// Tells the mail sender that new mail is waiting.
    pub fn wake_mailer(&self) {
        self.mail_wakeup.notify_one();
    }

    pub fn mail_wakeup(&self) -> Arc<Notify> {
        Arc::clone(&self.mail_wakeup)
    }

    /// Refreshes the database's planner statistics (see the store function).
    pub fn refresh_planner_statistics(&self) -> Result<(), AppError> {
        let mut conn = self.conn()?;
        Ok(store::refresh_planner_statistics(&mut conn)?)
    }

    /// Applies pending migrations.
    pub fn migrate(&self) -> Result<Vec<String>, AppError> {
        let mut conn = self.conn()?;
        Ok(store::run_migrations(&mut conn)?)
    }

    /// Prepares the database as `serve` starts: a SQLite file is migrated on the spot (a
    /// first run needs no separate step); PostgreSQL is migrated by the operator
    /// (`rightsdesk migrate`) so that many instances do not race at start.
    pub fn migrate_at_start(&self) -> Result<(), AppError> {
        if self.backend == Backend::Sqlite {
            let applied = self.migrate()?;
            rekey::seal_after_upgrade(self, &applied)?;
        }
        Ok(())
    }

    /// The database's kind, for the log: `Sqlite` or `Postgres`.
    pub fn database_kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "Sqlite",
            Backend::Postgres => "Postgres",
        }
    }
}

/// Fresh random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    crate::crypto::random_bytes().map_err(|e| AppError::Internal(e.to_string()))
}
