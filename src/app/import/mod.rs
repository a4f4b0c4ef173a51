//! Importing the data inventory from a file: read in batches, each item checked, subjects
//! and records upserted, every batch and its audit event committed together.

use std::collections::HashMap;
use std::io::Read;

use serde_json::json;
use time::PrimitiveDateTime;

mod consents;
mod records;
mod subject_index;
mod subjects;

use consents::write_consents;
use records::write_records;
use subject_index::SubjectIndex;
use subjects::write_subjects;

use super::{clock, Context};
use crate::domain::audit::{Actor, Target};
use crate::domain::import_row::{parse_item, ImportItem, ImportKind};
use crate::error::AppError;
pub use crate::files::import::Format;
use crate::files::import::{FatalError, ItemReader, ReaderOptions};
use crate::store::audit;
use crate::store::time::to_db;
use crate::store::{self, DbConn};

/// Items per transaction: large enough that commits do not dominate (every commit rewrites
/// the index pages it touched, and keyed hashes touch pages at random), small enough that
/// the web app waits well under a second for the write lock and memory stays flat.
pub const DEFAULT_BATCH_SIZE: usize = 5000;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: ImportKind,
    pub format: Format,
    /// Roll everything back at the first bad item.
    pub strict: bool,
    /// Check every item; store nothing.
    pub dry_run: bool,
    pub batch_size: usize,
    /// Who the audit events name: the operator at the command line, or an API token.
    pub actor: Actor,
}

/// What an import did. In a dry run `valid` counts the items that would be imported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub read: u64,
    pub valid: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// A bad item: where it starts and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Strict mode: the first bad item; nothing was stored.
    #[error("line {}: {}; nothing was imported (--strict)", .0.line, .0.reason)]
    Strict(Rejected),
    /// The file could not be read past this point. Outside strict mode the batches before
    /// it stay imported.
    #[error("line {}: {}", .fatal.line, .fatal.reason)]
    Unreadable {
        fatal: FatalError,
        summary: ImportSummary,
        rolled_back: bool,
    },
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> ImportError {
        ImportError::App(AppError::Database(error))
    }
}

/// The reader's rules for a kind: its columns, and which CSV cells hold JSON.
pub fn reader_options(kind: ImportKind) -> ReaderOptions {
    ReaderOptions {
        allowed_columns: kind.fields().iter().map(|f| f.to_string()).collect(),
        json_columns: kind.json_fields().iter().map(|f| f.to_string()).collect(),
        ..ReaderOptions::default()
    }
}

/// Imports `input`; `rejected` hears of every bad item as it is found (they are not kept).
pub fn run<R: Read>(
    ctx: &Context,
    input: R,
    options: &ImportOptions,
    rejected: &mut dyn FnMut(&Rejected),
) -> Result<ImportSummary, ImportError> {
    let purposes = ctx.settings.policy.purpose_slugs();
    let mut batches = Batches {
        items: ItemReader::new(options.format, input, reader_options(options.kind)),
        kind: options.kind,
        purposes: &purposes,
        size: options.batch_size.max(1),
        summary: ImportSummary::default(),
        fatal: None,
    };
    let import_id = uuid::Uuid::now_v7().to_string();
    if options.dry_run {
        while let Some(batch) = batches.next_batch(options.strict, rejected)? {
            batches.summary.valid += batch.len() as u64;
        }
        return batches.finish();
    }
    // One connection for the whole import, tuned for it.
    let mut conn = ctx.conn()?;
    store::prepare_bulk_load(&mut conn).map_err(AppError::from)?;
    if options.strict {
        let summary = ctx.write_on(&mut conn, |conn| {
            let mut number = 0;
            while let Some(batch) = batches.next_batch(true, rejected)? {
                number += 1;
                let counts = write_batch(ctx, conn, batch, &import_id, number, options)?;
                batches.summary.add(counts);
            }
            if let Some(fatal) = batches.fatal.take() {
                return Err(ImportError::Unreadable {
                    fatal,
                    summary: ImportSummary::default(),
                    rolled_back: true,
                });
            }
            Ok(batches.summary)
        })?;
        return Ok(summary);
    }
    let mut number = 0;
    while let Some(batch) = batches.next_batch(false, rejected)? {
        number += 1;
        let counts = ctx.write_on(&mut conn, |conn| {
            write_batch(ctx, conn, batch, &import_id, number, options)
        })?;
        batches.summary.add(counts);
    }
    batches.finish()
}

struct Batches<'a, R: Read> {
    items: ItemReader<R>,
    kind: ImportKind,
    purposes: &'a [&'a str],
    size: usize,
    summary: ImportSummary,
    fatal: Option<FatalError>,
}

pub(super) type Batch = Vec<(u64, ImportItem)>;

impl<R: Read> Batches<'_, R> {
    /// The next batch of good items; `None` at the end of the input or after a fatal error.
    fn next_batch(
        &mut self,
        strict: bool,
        rejected: &mut dyn FnMut(&Rejected),
    ) -> Result<Option<Batch>, ImportError> {
        let mut batch = Vec::new();
        while batch.len() < self.size {
            let Some(next) = self.items.next() else { break };
            let raw = match next {
                Ok(raw) => raw,
                Err(fatal) => {
                    self.fatal = Some(fatal);
                    break;
                }
            };
            self.summary.read += 1;
            match raw
                .fields
                .and_then(|fields| parse_item(self.kind, fields, self.purposes))
            {
                Ok(item) => batch.push((raw.line, item)),
                Err(reason) => {
                    let bad = Rejected {
                        line: raw.line,
                        reason,
                    };
                    if strict {
                        return Err(ImportError::Strict(bad));
                    }
                    self.summary.rejected += 1;
                    rejected(&bad);
                }
            }
        }
        Ok((!batch.is_empty()).then_some(batch))
    }

    /// The summary, or the error that stopped reading (the batches before it stay).
    fn finish(mut self) -> Result<ImportSummary, ImportError> {
        match self.fatal.take() {
            Some(fatal) => Err(ImportError::Unreadable {
                fatal,
                summary: self.summary,
                rolled_back: false,
            }),
            None => Ok(self.summary),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counts {
    pub(super) inserted: u64,
    pub(super) updated: u64,
    pub(super) unchanged: u64,
}

impl ImportSummary {
    fn add(&mut self, counts: Counts) {
        self.valid += counts.inserted + counts.updated + counts.unchanged;
        self.inserted += counts.inserted;
        self.updated += counts.updated;
        self.unchanged += counts.unchanged;
    }
}

fn write_batch(
    ctx: &Context,
    conn: &mut DbConn,
    batch: Batch,
    import_id: &str,
    number: u64,
    options: &ImportOptions,
) -> Result<Counts, AppError> {
    let now = clock::now();
    let size = batch.len();
    // A subject created by this batch starts with its first item's values, so that a
    // subjects import writes each new subject once.
    let mut initial: HashMap<&str, (Option<String>, Option<PrimitiveDateTime>)> = HashMap::new();
    for (_, item) in &batch {
        if let ImportItem::Subject(subject) = item {
            initial
                .entry(subject.email.as_str())
                .or_insert_with(|| (subject.account_ref.clone(), subject.cancelled_at.map(to_db)));
        }
    }
    let mut subjects = SubjectIndex::resolve(
        ctx,
        conn,
        batch.iter().map(|(_, item)| item.email().as_str()),
        &initial,
        now,
    )?;
    let counts = match options.kind {
        ImportKind::Records => write_records(ctx, conn, batch, &subjects, now)?,
        ImportKind::Subjects => write_subjects(ctx, conn, batch, &mut subjects, now)?,
        ImportKind::Consents => write_consents(conn, batch, &subjects, now)?,
    };
    audit::append_event(
        conn,
        now,
        &options.actor,
        "inventory.imported",
        &Target::Import(import_id.to_string()),
        &json!({
            "kind": options.kind.as_str(),
            "batch": number,
            "items": size,
            "inserted": counts.inserted,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "subjects_created": subjects.created.len(),
        }),
    )?;
    Ok(counts)
}
