//! Restoring a backup into an empty database, of either backend: the database is migrated to
//! the backup's schema, every row goes in inside one transaction while each chunk and count
//! is checked, the newer migrations then run, and the audit chain must verify. Whatever
//! fails, the database is left empty: a failed check rolls the transaction back, and a chain
//! that does not verify empties it again.

use std::io::BufRead;

use diesel::Connection;

use super::backup::{open_backup, row_size, BackupError, Progress, BATCH_BYTES, BATCH_ROWS};
use super::Context;
use crate::domain::backup::{Manifest, ManifestTable, TableSpec};
use crate::files::backup::BackupReader;
use crate::store::{self, dump, DbConn};

/// Events numbered per batch when the restore sequences what was pending at the snapshot.
const SEQUENCE_BATCH: i64 = 1000;
/// How long the restore waits for another sequencer (a portal already running on the
/// database) to finish its turn.
const SEQUENCER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Events the audit verification checked.
    pub audit_events: u64,
}

/// Restores the backup read from `input`. A database that holds anything is refused unless
/// `force`, which empties it in the restore's transaction.
pub fn restore<R: BufRead>(
    ctx: &Context,
    input: R,
    identities: &[Box<dyn age::Identity>],
    force: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Restored, BackupError> {
    let reader = open_backup(input, &ctx.settings, identities)?;
    let manifest = reader.manifest().clone();
    let mut conn = ctx
        .conn()
        .map_err(|e| BackupError::Database(e.to_string()))?;
    check_schema(&mut conn, &manifest.schema)?;
    dump::migrate_up_to(&mut conn, &manifest.schema)?;
    let specs: Vec<TableSpec> = manifest.tables.iter().map(|t| t.spec.clone()).collect();
    if !force && !dump::is_empty(&mut conn, &specs)? {
        return Err(BackupError::NotEmpty);
    }
    conn.transaction(|conn| {
        dump::rows::delete_all(conn, &specs)?;
        load(conn, reader, &manifest.tables, progress)?;
        dump::rows::advance_sequences(conn)?;
        Ok::<_, BackupError>(())
    })?;
    let verified = store::run_migrations(&mut conn)
        .map_err(BackupError::from)
        .and_then(|_| settle_audit(ctx));
    match verified {
        Ok(audit_events) => Ok(Restored {
            manifest,
            audit_events,
        }),
        Err(error) => {
            empty_again(&mut conn, specs)?;
            Err(error)
        }
    }
}

/// Does what `migrate` and the sequencer would do when the restored portal starts (seal a
/// chain written before the sequencer, number the events still pending at the snapshot),
/// then verifies the audit log end to end.
fn settle_audit(ctx: &Context) -> Result<u64, BackupError> {
    let failed = |e: &dyn std::fmt::Display| BackupError::Audit(e.to_string());
    super::audit::seal_chain(ctx).map_err(|e| failed(&e))?;
    super::audit::sequence_pending(ctx, SEQUENCE_BATCH, SEQUENCER_PATIENCE, || false)
        .map_err(|e| failed(&e))?;
    super::audit::verify_chain(ctx).map_err(|e| failed(&e))
}

/// Refuses a backup of a schema this program does not know, and a database already past it.
fn check_schema(conn: &mut DbConn, backup: &str) -> Result<(), BackupError> {
    let known = dump::known_versions(conn)?;
    let newest = known.last().cloned().unwrap_or_default();
    if backup > newest.as_str() {
        return Err(BackupError::NewerSchema {
            backup: backup.to_string(),
            ours: newest,
        });
    }
    if !known.iter().any(|v| v == backup) {
        return Err(BackupError::UnknownSchema(backup.to_string()));
    }
    if let Some(target) = dump::schema_version(conn)? {
        if target.as_str() > backup {
            return Err(BackupError::TargetNewer {
                target,
                backup: backup.to_string(),
            });
        }
    }
    Ok(())
}

/// Leaves a database whose restore failed after its commit as a freshly migrated one: every
/// row deleted, and the rows the migrations alone put in (the audit head at its start, zero
/// counts) back, for the schema it has reached (the backup's, or the newest when the newer
/// migrations ran).
fn empty_again(conn: &mut DbConn, specs: Vec<TableSpec>) -> Result<(), BackupError> {
    let reached = dump::schema_version(conn)?.unwrap_or_default();
    let tables = if dump::known_versions(conn)?.last() == Some(&reached) {
        dump::backup_tables()
    } else {
        specs
    };
    let seeds = dump::migration_seeds(&reached, &tables)?;
    conn.transaction(|conn| empty(conn, &tables, &seeds))
}

/// Deletes every row and puts the migrations' own rows back.
fn empty(
    conn: &mut DbConn,
    specs: &[TableSpec],
    seeds: &[dump::SeedRows],
) -> Result<(), BackupError> {
    dump::rows::delete_all(conn, specs)?;
    for (spec, rows) in seeds {
        dump::rows::insert(conn, spec, rows)?;
    }
    Ok(())
}

/// Reads every table's rows from the backup into the database, checking each table's count
/// against the manifest and the file's end.
fn load<R: std::io::Read>(
    conn: &mut DbConn,
    mut reader: BackupReader<R>,
    tables: &[ManifestTable],
    progress: &mut dyn FnMut(Progress),
) -> Result<(), BackupError> {
    let total = tables.iter().map(|t| t.rows).sum();
    let mut done = 0;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    for table in tables {
        reader.table(&table.spec.name)?;
        let mut left = table.rows;
        while left > 0 {
            batch.clear();
            let mut bytes = 0;
            while left > 0 && batch.len() < BATCH_ROWS && bytes < BATCH_BYTES {
                let row = reader.row(&table.spec)?;
                bytes += row_size(&row);
                batch.push(row);
                left -= 1;
            }
            dump::rows::insert(conn, &table.spec, &batch)?;
            done += batch.len() as u64;
            progress(Progress { rows: done, total });
        }
        let found = dump::rows::count(conn, &table.spec.name)?;
        if found != table.rows {
            return Err(BackupError::Count {
                table: table.spec.name.clone(),
                expected: table.rows,
                found,
            });
        }
    }
    reader.finish()?;
    Ok(())
}
