//! Personal records: one item of data about a subject, its payload sealed.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::batch::insert_chunked;
use super::schema::personal_records;
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::record::{read_category, read_retention_class, read_state, Record};

/// A record as stored: the columns it was imported with, and the times erasure and
/// restriction set since. It leaves the store only as a [`Record`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = personal_records)]
pub(crate) struct RecordRow {
    #[diesel(embed)]
    pub imported: NewRecord,
    pub restricted_at: Option<PrimitiveDateTime>,
    pub erased_at: Option<PrimitiveDateTime>,
}

impl TryFrom<RecordRow> for Record {
    type Error = StoreError;

    /// Ids that do not parse make the row corrupt; a category, class or state the
    /// inventory does not know is kept as read, so that erasure can name the record.
    fn try_from(stored: RecordRow) -> Result<Record, StoreError> {
        let row = stored.imported;
        let corrupt = || StoreError::corrupt("personal_records", &row.id);
        Ok(Record {
            id: row.id.parse().map_err(|_| corrupt())?,
            subject_id: row.subject_id.parse().map_err(|_| corrupt())?,
            category: read_category(&row.category),
            retention_class: read_retention_class(&row.retention_class),
            state: read_state(&row.state),
            source: row.source,
            source_key: row.source_key,
            key_id: row.key_id,
            sealed: row.sealed,
            removed_at: row.removed_at.map(from_db),
            restricted_at: stored.restricted_at.map(from_db),
            erased_at: stored.erased_at.map(from_db),
            retention_from: row.retention_from.map(from_db),
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

/// The columns an import stores a record with.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = personal_records)]
pub struct NewRecord {
    pub id: String,
    pub subject_id: String,
    pub source: String,
    pub source_key: String,
    pub category: String,
    pub retention_class: String,
    pub state: String,
    pub key_id: String,
    pub sealed: Vec<u8>,
    pub removed_at: Option<PrimitiveDateTime>,
    pub retention_from: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// What a re-import changes on an existing record (its state stays).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = personal_records)]
pub struct ImportedChanges {
    pub subject_id: String,
    pub source_key: String,
    pub category: String,
    pub retention_class: String,
    pub key_id: String,
    pub sealed: Vec<u8>,
    pub removed_at: Option<PrimitiveDateTime>,
    pub retention_from: Option<PrimitiveDateTime>,
    pub updated_at: PrimitiveDateTime,
}

pub fn insert_many(conn: &mut DbConn, rows: &[NewRecord]) -> QueryResult<()> {
    insert_chunked::<_, NewRecord>(conn, personal_records::table, rows)
}

/// What a re-import needs to know of a record already stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = personal_records)]
pub struct ExistingRecord {
    pub source_key: String,
    pub id: String,
    pub state: String,
    pub subject_id: String,
    pub category: String,
    pub retention_class: String,
    pub removed_at: Option<PrimitiveDateTime>,
    pub retention_from: Option<PrimitiveDateTime>,
    pub key_id: String,
    pub sealed: Vec<u8>,
}

/// The records stored under these keys.
pub fn find_by_source_keys(conn: &mut DbConn, keys: &[String]) -> QueryResult<Vec<ExistingRecord>> {
    personal_records::table
        .filter(personal_records::source_key.eq_any(keys))
        .select(ExistingRecord::as_select())
        .load(conn)
}

pub fn update_imported(conn: &mut DbConn, id: &str, changes: &ImportedChanges) -> QueryResult<()> {
    diesel::update(personal_records::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// The subject's records that still hold data, by category then source.
pub fn held_for_subject(conn: &mut DbConn, subject_id: &str) -> Result<Vec<Record>, StoreError> {
    let rows: Vec<RecordRow> = personal_records::table
        .filter(personal_records::subject_id.eq(subject_id))
        .filter(personal_records::state.ne("purged"))
        .order((
            personal_records::category.asc(),
            personal_records::source.asc(),
            personal_records::created_at.asc(),
            personal_records::id.asc(),
        ))
        .select(RecordRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Record::try_from).collect()
}

/// The source systems holding the subject's records still in use.
pub fn sources_in_use(conn: &mut DbConn, subject_id: &str) -> QueryResult<Vec<String>> {
    personal_records::table
        .filter(personal_records::subject_id.eq(subject_id))
        .filter(personal_records::state.eq_any(["active", "restricted"]))
        .select(personal_records::source)
        .distinct()
        .order(personal_records::source.asc())
        .load(conn)
}

/// Replaces a record's sealed content (a rectification).
pub fn reseal(
    conn: &mut DbConn,
    id: &str,
    key_id: &str,
    sealed: &[u8],
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(personal_records::table.find(id))
        .set((
            personal_records::key_id.eq(key_id),
            personal_records::sealed.eq(sealed),
            personal_records::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Takes a record in use out of use; returns whether it changed (so that a second erasure
/// records nothing).
pub fn erase(
    conn: &mut DbConn,
    id: &str,
    retention_class: &str,
    retention_from: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        personal_records::table
            .find(id)
            .filter(personal_records::state.eq_any(["active", "restricted"])),
    )
    .set((
        personal_records::state.eq("erased"),
        personal_records::erased_at.eq(now),
        personal_records::retention_class.eq(retention_class),
        personal_records::retention_from.eq(retention_from),
        personal_records::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Flags an active record restricted; returns whether it changed.
pub fn restrict(conn: &mut DbConn, id: &str, now: PrimitiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        personal_records::table
            .find(id)
            .filter(personal_records::state.eq("active")),
    )
    .set((
        personal_records::state.eq("restricted"),
        personal_records::restricted_at.eq(now),
        personal_records::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Starts the registration clock of a subject's registration records at the account's
/// cancellation.
pub fn start_registration_clock(
    conn: &mut DbConn,
    subject_id: &str,
    cancelled_at: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        personal_records::table
            .filter(personal_records::subject_id.eq(subject_id))
            .filter(personal_records::retention_class.eq("registration")),
    )
    .set(personal_records::retention_from.eq(cancelled_at))
    .execute(conn)
}
