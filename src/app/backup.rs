//! Backups: one consistent snapshot of every table, streamed in keyset batches into an
//! encrypted, authenticated file (`files::backup`), and the check of such a file without
//! restoring it. The restore is in `app/restore.rs`.

use std::io::{BufRead, Write};
use std::path::Path;

use diesel::OptionalExtension;

use super::Context;
use crate::config::Settings;
use crate::crypto::{key_ids_in_header, BackupKey};
use crate::domain::backup::{
    AuditHead, Manifest, ManifestTable, TableSpec, FORMAT_NAME, FORMAT_VERSION,
};
use crate::files::backup::{BackupFileError, BackupReader, BackupWriter};
use crate::store::{self, dump, StoreError};

/// Rows read per query while backing up, and written per insert batch while restoring, at
/// most.
pub const BATCH_ROWS: usize = 1000;
/// A batch stops growing at about this many bytes, so that tables of large rows (data
/// packages) keep memory as flat as tables of small ones.
pub const BATCH_BYTES: usize = 8 << 20;

/// The size of the next batch: doubled while batches stay small, halved when one was large;
/// it starts at one row, so that a table of huge rows never reads many at once.
pub fn next_batch_size(current: usize, batch_bytes: usize) -> usize {
    if batch_bytes > BATCH_BYTES {
        (current / 2).max(1)
    } else if batch_bytes < BATCH_BYTES / 4 {
        (current * 2).min(BATCH_ROWS)
    } else {
        current
    }
}

pub fn row_size(row: &[crate::domain::backup::Cell]) -> usize {
    row.iter().map(|c| c.approximate_size()).sum()
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    File(#[from] BackupFileError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot open the database: {0}")]
    Database(String),
    #[error("cannot write the backup: {0}")]
    Write(std::io::Error),
    #[error("cannot read the identity file {0}: {1}")]
    Identity(String, String),
    #[error("the backup's schema {backup} is newer than this program's ({ours}); restore it with a newer rightsdesk")]
    NewerSchema { backup: String, ours: String },
    #[error("the backup's schema {0} is not one this program knows")]
    UnknownSchema(String),
    #[error("the database's schema {target} is newer than the backup's ({backup}); restore into a new database")]
    TargetNewer { target: String, backup: String },
    #[error("the database is not empty; `restore --force` empties it first")]
    NotEmpty,
    #[error(
        "the backup is damaged: {table} holds {found} rows where its manifest counts {expected}"
    )]
    Count {
        table: String,
        expected: u64,
        found: u64,
    },
    #[error("the restored audit chain does not verify ({0}); the database was emptied again")]
    Audit(String),
}

impl From<diesel::result::Error> for BackupError {
    fn from(error: diesel::result::Error) -> BackupError {
        BackupError::Store(StoreError::Query(error))
    }
}

/// Whom a backup is encrypted to.
pub enum Encryption {
    /// A key derived from the secret key (and named by its key id).
    SecretKey,
    /// age X25519 public keys: the host that makes the backup cannot read it.
    Recipients(Vec<age::x25519::Recipient>),
}

/// Parses an age public key (`age1...`).
pub fn parse_recipient(text: &str) -> Result<age::x25519::Recipient, String> {
    text.trim()
        .parse()
        .map_err(|e| format!("--recipient {text}: not an age public key ({e})"))
}

/// How far a backup, a check or a restore is: rows done of the manifest's total.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub rows: u64,
    pub total: u64,
}

/// The keys that open a backup: the backup keys of the secret key and the previous ones,
/// and the identities in `identity_file` (age's format) when one is given.
pub fn identities(
    settings: &Settings,
    identity_file: Option<&Path>,
) -> Result<Vec<Box<dyn age::Identity>>, BackupError> {
    let mut identities: Vec<Box<dyn age::Identity>> =
        vec![Box::new(BackupKey::derive(&settings.secret_key))];
    for previous in &settings.previous_secret_keys {
        identities.push(Box::new(BackupKey::derive(previous)));
    }
    if let Some(path) = identity_file {
        let name = path.display().to_string();
        let file = age::IdentityFile::from_file(name.clone())
            .map_err(|e| BackupError::Identity(name.clone(), e.to_string()))?;
        identities.extend(
            file.into_identities()
                .map_err(|e| BackupError::Identity(name, e.to_string()))?,
        );
    }
    Ok(identities)
}

/// Opens a backup read from `input` with `identities`, naming the key it needs when none fits.
pub fn open_backup<R: BufRead>(
    mut input: R,
    settings: &Settings,
    identities: &[Box<dyn age::Identity>],
) -> Result<BackupReader<R>, BackupError> {
    // The header is at the start and short; peeking at it leaves the input unread.
    let wanted = key_ids_in_header(input.fill_buf().map_err(BackupError::Write)?);
    let ours = BackupKey::derive(&settings.secret_key).id().to_string();
    let hint = move || {
        match wanted.first() {
        Some(id) => format!(
            "the secret key with backup key id {id}, not the configured one ({ours}): set that RIGHTSDESK_SECRET_KEY (or the file's header was altered)"
        ),
        None => "an age public key (--recipient); give its secret key with --identity FILE"
            .to_string(),
    }
    };
    let identities: Vec<&dyn age::Identity> = identities.iter().map(|i| i.as_ref()).collect();
    Ok(BackupReader::open(input, &identities, hint)?)
}

/// Writes a backup of the whole database to `out`, from one snapshot.
pub fn backup<W: Write>(
    ctx: &Context,
    out: W,
    encryption: &Encryption,
    progress: &mut dyn FnMut(Progress),
) -> Result<(W, Manifest), BackupError> {
    let mut conn = ctx
        .conn()
        .map_err(|e| BackupError::Database(e.to_string()))?;
    let key = BackupKey::derive(&ctx.settings.secret_key);
    let recipients: Vec<&dyn age::Recipient> = match encryption {
        Encryption::SecretKey => vec![&key],
        Encryption::Recipients(list) => list.iter().map(|r| r as &dyn age::Recipient).collect(),
    };
    let backend = match ctx.settings.database_url.backend() {
        store::Backend::Sqlite => "sqlite",
        store::Backend::Postgres => "postgres",
    }
    .to_string();
    store::read_snapshot(&mut conn, |conn| {
        let specs = dump::backup_tables();
        let mut tables = Vec::with_capacity(specs.len());
        for spec in specs {
            let rows = dump::rows::count(conn, &spec.name)?;
            tables.push(ManifestTable { spec, rows });
        }
        let schema = dump::migrated_version(conn)?
            .ok_or_else(|| BackupError::Database("the database was never migrated".into()))?;
        let audit_head = store::audit::head(conn)
            .optional()?
            .map(|(seq, hash)| AuditHead { seq, hash });
        let audit_checkpoint = store::audit_chain::newest_checkpoint(conn)?.map(|c| AuditHead {
            seq: c.seq,
            hash: c.head_hash,
        });
        let manifest = Manifest {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            schema,
            created_at: super::clock::now()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            backend,
            tables,
            audit_head,
            audit_checkpoint,
        };
        let mut writer =
            BackupWriter::create(out, &recipients, &manifest).map_err(BackupError::Write)?;
        let total = manifest.total_rows();
        let mut done = 0;
        for table in &manifest.tables {
            writer.table(&table.spec.name).map_err(BackupError::Write)?;
            let written = copy_table(conn, &table.spec, &mut writer)?;
            if written != table.rows {
                // One snapshot cannot change under us; a mismatch is a bug, not data.
                return Err(BackupError::Count {
                    table: table.spec.name.clone(),
                    expected: table.rows,
                    found: written,
                });
            }
            done += written;
            progress(Progress { rows: done, total });
        }
        let out = writer.finish().map_err(BackupError::Write)?;
        Ok((out, manifest))
    })
}

/// Streams one table in key order, a batch at a time; returns the rows written.
fn copy_table<W: Write>(
    conn: &mut store::DbConn,
    spec: &TableSpec,
    writer: &mut BackupWriter<W>,
) -> Result<u64, BackupError> {
    let key = spec.key_positions();
    let mut after = None;
    let mut written = 0;
    let mut size = 1;
    loop {
        let batch = dump::rows::batch_after(conn, spec, after.as_deref(), size as i64)?;
        let mut bytes = 0;
        for row in &batch {
            writer.row(row).map_err(BackupError::Write)?;
            bytes += row_size(row);
        }
        written += batch.len() as u64;
        let full = batch.len() == size;
        size = next_batch_size(size, bytes);
        match batch.last() {
            Some(last) if full => {
                after = Some(key.iter().map(|&i| last[i].clone()).collect::<Vec<_>>());
            }
            _ => return Ok(written),
        }
    }
}

/// Reads a whole backup without restoring it: every chunk is authenticated, every row parsed
/// and counted against the manifest.
pub fn verify_file<R: BufRead>(
    input: R,
    settings: &Settings,
    identities: &[Box<dyn age::Identity>],
    progress: &mut dyn FnMut(Progress),
) -> Result<Manifest, BackupError> {
    let mut reader = open_backup(input, settings, identities)?;
    let manifest = reader.manifest().clone();
    let total = manifest.total_rows();
    let mut done = 0;
    for table in &manifest.tables {
        reader.table(&table.spec.name)?;
        for i in 0..table.rows {
            reader.row(&table.spec)?;
            if i % BATCH_ROWS as u64 == 0 {
                progress(Progress {
                    rows: done + i,
                    total,
                });
            }
        }
        done += table.rows;
    }
    reader.finish()?;
    progress(Progress { rows: done, total });
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_grow_while_small_and_shrink_when_large() {
        assert_eq!(next_batch_size(1, 100), 2);
        assert_eq!(next_batch_size(BATCH_ROWS, 100), BATCH_ROWS);
        assert_eq!(next_batch_size(64, BATCH_BYTES * 2), 32);
        assert_eq!(next_batch_size(1, BATCH_BYTES * 2), 1);
        assert_eq!(next_batch_size(10, BATCH_BYTES / 2), 10);
    }
}
