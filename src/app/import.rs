//! Importing the data inventory from a file: read in batches, each item checked, subjects
//! and records upserted, every batch and its audit event committed together.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde_json::json;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::inventory::{
    self, open_identity, seal_identity, seal_record, Identity, RecordContent, EMAIL_INDEX,
};
use super::{clock, Context};
use crate::domain::audit::Actor;
use crate::domain::import_row::{
    parse_item, ConsentItem, ImportItem, ImportKind, RecordItem, SubjectItem,
};
use crate::domain::inventory::{Category, RecordState, RetentionClass};
use crate::error::AppError;
use crate::import_file::{FatalError, Format, ItemReader, ReaderOptions};
use crate::store::audit::{self, NewAuditEvent};
use crate::store::consents::{self, ConsentRow};
use crate::store::records::{self, ExistingRecord, ImportedChanges, NewRecord};
use crate::store::subjects::{self, NewSubject, SubjectRow};
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

type Batch = Vec<(u64, ImportItem)>;

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
struct Counts {
    inserted: u64,
    updated: u64,
    unchanged: u64,
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
    audit::append(
        conn,
        &NewAuditEvent {
            at: now,
            actor: &Actor::Operator.to_audit_string(),
            action: "inventory.imported",
            target: &format!("import:{import_id}"),
            details: &json!({
                "kind": options.kind.as_str(),
                "batch": number,
                "items": size,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "subjects_created": subjects.created.len(),
            })
            .to_string(),
        },
    )?;
    Ok(counts)
}

/// The batch's subjects by email, created when unknown.
struct SubjectIndex {
    by_email: HashMap<String, SubjectRef>,
    /// Emails whose subject this batch created.
    created: HashSet<String>,
}

#[derive(Debug, Clone)]
struct SubjectRef {
    id: String,
    cancelled_at: Option<PrimitiveDateTime>,
    /// The stored row, when it was read (existing subjects) and is still current.
    row: Option<SubjectRow>,
}

impl SubjectIndex {
    fn resolve<'a>(
        ctx: &Context,
        conn: &mut DbConn,
        emails: impl Iterator<Item = &'a str>,
        initial: &HashMap<&str, (Option<String>, Option<PrimitiveDateTime>)>,
        now: OffsetDateTime,
    ) -> Result<SubjectIndex, AppError> {
        let emails: HashSet<&str> = emails.collect();
        let mut hash_to_email: HashMap<String, &str> = HashMap::new();
        for email in &emails {
            for hash in ctx.keyring.index_candidates(EMAIL_INDEX, email) {
                hash_to_email.insert(hash, email);
            }
        }
        let hashes: Vec<String> = hash_to_email.keys().cloned().collect();
        let mut by_email = HashMap::new();
        for row in subjects::find_many_by_email_hashes(conn, &hashes)? {
            if let Some(email) = hash_to_email.get(&row.email_hash) {
                by_email.insert(
                    email.to_string(),
                    SubjectRef {
                        id: row.id.clone(),
                        cancelled_at: row.cancelled_at,
                        row: Some(row),
                    },
                );
            }
        }
        let mut fresh = Vec::new();
        let mut created = HashSet::new();
        let unknown: Vec<&str> = emails
            .into_iter()
            .filter(|e| !by_email.contains_key(*e))
            .collect();
        for email in unknown {
            let id = uuid::Uuid::now_v7().to_string();
            let (account_ref, cancelled_at) = initial.get(email).cloned().unwrap_or_default();
            let identity = Identity {
                email: email.to_string(),
                account_ref,
            };
            let sealed = seal_identity(ctx, &id, &identity)?;
            fresh.push(NewSubject {
                id: id.clone(),
                email_hash: ctx.keyring.index(EMAIL_INDEX, email),
                key_id: sealed.key_id,
                identity: sealed.bytes,
                cancelled_at,
                created_at: to_db(now),
                updated_at: to_db(now),
            });
            created.insert(email.to_string());
            by_email.insert(
                email.to_string(),
                SubjectRef {
                    id,
                    cancelled_at,
                    row: None,
                },
            );
        }
        subjects::insert_many(conn, &fresh)?;
        Ok(SubjectIndex { by_email, created })
    }

    fn get(&self, email: &str) -> Result<&SubjectRef, AppError> {
        self.by_email
            .get(email)
            .ok_or_else(|| AppError::Internal("import: subject not resolved".to_string()))
    }
}

fn write_records(
    ctx: &Context,
    conn: &mut DbConn,
    batch: Batch,
    subjects: &SubjectIndex,
    now: OffsetDateTime,
) -> Result<Counts, AppError> {
    // Within a batch the last item for a (source, source id) wins, like a later batch would.
    let mut latest: HashMap<String, RecordItem> = HashMap::with_capacity(batch.len());
    let mut order = Vec::with_capacity(batch.len());
    let mut counts = Counts::default();
    for (_, item) in batch {
        let ImportItem::Record(record) = item else {
            continue;
        };
        let key = inventory::source_key(ctx, record.source.as_str(), &record.source_id);
        if latest.insert(key.clone(), record).is_some() {
            counts.updated += 1;
        } else {
            order.push(key);
        }
    }
    let mut candidates: HashMap<String, String> = HashMap::new();
    for key in &order {
        let record = &latest[key];
        for candidate in
            inventory::source_key_candidates(ctx, record.source.as_str(), &record.source_id)
        {
            candidates.insert(candidate, key.clone());
        }
    }
    let lookup: Vec<String> = candidates.keys().cloned().collect();
    let mut existing = HashMap::new();
    for found in records::find_by_source_keys(conn, &lookup)? {
        if let Some(key) = candidates.get(&found.source_key) {
            existing.insert(key.clone(), found);
        }
    }
    let mut fresh = Vec::new();
    for key in order {
        let record = latest
            .remove(&key)
            .ok_or_else(|| AppError::Internal("import: record lost".to_string()))?;
        let subject = subjects.get(record.email.as_str())?;
        let clock_from = match record.retention_class {
            RetentionClass::Registration => subject.cancelled_at,
            RetentionClass::RemovedContent => record.removed_at.map(to_db),
            RetentionClass::ErasedRecords => None,
        };
        let content = RecordContent {
            source_id: record.source_id,
            payload: record.payload,
        };
        match existing.get(&key) {
            Some(found)
                if is_unchanged(
                    ctx,
                    found,
                    &subject.id,
                    &record.category,
                    record.retention_class,
                    record.removed_at,
                    &content,
                ) =>
            {
                counts.unchanged += 1;
            }
            Some(found) => {
                let sealed = seal_record(ctx, &found.id, &content)?;
                // An erased record keeps its erasure clock and class: a re-import from a
                // source system does not bring it back into use.
                let erased = found.state == RecordState::Erased.as_str();
                records::update_imported(
                    conn,
                    &found.id,
                    &ImportedChanges {
                        subject_id: subject.id.clone(),
                        source_key: key,
                        category: record.category.as_str().to_string(),
                        retention_class: if erased {
                            found.retention_class.clone()
                        } else {
                            record.retention_class.as_str().to_string()
                        },
                        key_id: sealed.key_id,
                        sealed: sealed.bytes,
                        removed_at: record.removed_at.map(to_db),
                        retention_from: if erased {
                            found.retention_from
                        } else {
                            clock_from
                        },
                        updated_at: to_db(now),
                    },
                )?;
                counts.updated += 1;
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                let sealed = seal_record(ctx, &id, &content)?;
                fresh.push(NewRecord {
                    id,
                    subject_id: subject.id.clone(),
                    source: record.source.as_str().to_string(),
                    source_key: key,
                    category: record.category.as_str().to_string(),
                    retention_class: record.retention_class.as_str().to_string(),
                    state: RecordState::Active.as_str().to_string(),
                    key_id: sealed.key_id,
                    sealed: sealed.bytes,
                    removed_at: record.removed_at.map(to_db),
                    retention_from: clock_from,
                    created_at: to_db(now),
                    updated_at: to_db(now),
                });
                counts.inserted += 1;
            }
        }
    }
    records::insert_many(conn, &fresh)?;
    Ok(counts)
}

/// Whether a re-imported record equals what is stored, so that nothing is rewritten.
fn is_unchanged(
    ctx: &Context,
    found: &ExistingRecord,
    subject_id: &str,
    category: &Category,
    class: RetentionClass,
    removed_at: Option<OffsetDateTime>,
    content: &RecordContent,
) -> bool {
    let same_fields = found.subject_id == subject_id
        && found.category == category.as_str()
        && found.removed_at == removed_at.map(to_db)
        && (found.retention_class == class.as_str() || found.state == RecordState::Erased.as_str());
    same_fields
        && ctx
            .keyring
            .open(&found.key_id, &found.sealed, found.id.as_bytes())
            .ok()
            .and_then(|json| serde_json::from_slice::<RecordContent>(&json).ok())
            .is_some_and(|stored| &stored == content)
}

fn write_subjects(
    ctx: &Context,
    conn: &mut DbConn,
    batch: Batch,
    subjects: &mut SubjectIndex,
    now: OffsetDateTime,
) -> Result<Counts, AppError> {
    let mut counts = Counts::default();
    let mut seen = HashSet::new();
    for (_, item) in batch {
        let ImportItem::Subject(SubjectItem {
            email,
            account_ref,
            cancelled_at,
        }) = item
        else {
            continue;
        };
        if subjects.created.contains(email.as_str()) && seen.insert(email.to_string()) {
            // Created by this batch with this item's values.
            counts.inserted += 1;
            continue;
        }
        let subject = subjects.get(email.as_str())?.clone();
        let row = match subject.row {
            Some(row) => row,
            None => subjects::find_by_id(conn, &subject.id)?
                .ok_or_else(|| AppError::Internal("import: subject vanished".to_string()))?,
        };
        let mut changed = false;
        let identity = open_identity(ctx, &row)?;
        if account_ref.is_some() && account_ref != identity.account_ref {
            let identity = Identity {
                email: email.to_string(),
                account_ref,
            };
            let sealed = seal_identity(ctx, &row.id, &identity)?;
            subjects::update_identity(
                conn,
                &row.id,
                &ctx.keyring.index(EMAIL_INDEX, email.as_str()),
                &sealed.key_id,
                &sealed.bytes,
                to_db(now),
            )?;
            changed = true;
        }
        if let Some(at) = cancelled_at.map(to_db) {
            if row.cancelled_at != Some(at) {
                subjects::set_cancelled_at(conn, &row.id, at, to_db(now))?;
                records::start_registration_clock(conn, &row.id, at)?;
                if let Some(entry) = subjects.by_email.get_mut(email.as_str()) {
                    entry.cancelled_at = Some(at);
                }
                changed = true;
            }
        }
        if changed {
            // A later item for this subject in the batch reads the row afresh.
            if let Some(entry) = subjects.by_email.get_mut(email.as_str()) {
                entry.row = None;
            }
            counts.updated += 1;
        } else {
            counts.unchanged += 1;
        }
    }
    Ok(counts)
}

fn write_consents(
    conn: &mut DbConn,
    batch: Batch,
    subjects: &SubjectIndex,
    now: OffsetDateTime,
) -> Result<Counts, AppError> {
    let mut counts = Counts::default();
    for (_, item) in batch {
        let ImportItem::Consent(ConsentItem {
            email,
            purpose,
            granted_at,
            withdrawn_at,
            source,
        }) = item
        else {
            continue;
        };
        let subject = subjects.get(email.as_str())?;
        match consents::find_entry(conn, &subject.id, &purpose, to_db(granted_at), &source)? {
            None => {
                consents::insert(
                    conn,
                    &ConsentRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        subject_id: subject.id.clone(),
                        purpose,
                        granted_at: to_db(granted_at),
                        withdrawn_at: withdrawn_at.map(to_db),
                        source,
                        recorded_at: to_db(now),
                    },
                )?;
                counts.inserted += 1;
            }
            Some(entry) => match withdrawn_at {
                Some(at) if entry.withdrawn_at.is_none() => {
                    consents::close(conn, &entry.id, to_db(at))?;
                    counts.updated += 1;
                }
                _ => counts.unchanged += 1,
            },
        }
    }
    Ok(counts)
}
