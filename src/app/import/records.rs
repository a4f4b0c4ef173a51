//! A records batch: the last item per (source, source id) wins; unchanged records are not
//! rewritten, and an erased record stays erased.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::subject_index::SubjectIndex;
use super::{Batch, Counts};
use crate::app::inventory::{self, seal_record, RecordContent};
use crate::app::Context;
use crate::domain::import_row::{ImportItem, RecordItem};
use crate::domain::inventory::{Category, RecordState, RetentionClass};
use crate::error::AppError;
use crate::store::records::{self, ExistingRecord, ImportedChanges, NewRecord};
use crate::store::time::to_db;
use crate::store::DbConn;

pub(super) fn write_records(
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
