//! Subjects: the people the organisation holds data about, found by a keyed hash of their
//! normalised email; the email itself is sealed.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::batch::insert_chunked;
use super::schema::subjects;
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::subject::Subject;

/// A subject as read back: the very columns it was stored with. It leaves the store only
/// as a [`Subject`].
pub(crate) type SubjectRow = NewSubject;

impl TryFrom<SubjectRow> for Subject {
    type Error = StoreError;

    fn try_from(row: SubjectRow) -> Result<Subject, StoreError> {
        let id = row.id.parse();
        Ok(Subject {
            id: id.map_err(|_| StoreError::corrupt("subjects", &row.id))?,
            email_hash: row.email_hash,
            key_id: row.key_id,
            identity: row.identity,
            cancelled_at: row.cancelled_at.map(from_db),
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = subjects)]
pub struct NewSubject {
    pub id: String,
    pub email_hash: String,
    pub key_id: String,
    pub identity: Vec<u8>,
    pub cancelled_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

pub fn insert_many(conn: &mut DbConn, rows: &[NewSubject]) -> QueryResult<()> {
    insert_chunked::<_, NewSubject>(conn, subjects::table, rows)
}

/// Inserts a subject unless one with its email hash exists already (another transaction
/// may have created the same person a moment before); returns whether it was inserted.
pub fn insert_if_absent(conn: &mut DbConn, row: &NewSubject) -> QueryResult<bool> {
    let inserted = match conn {
        DbConn::Sqlite(c) => diesel::insert_into(subjects::table)
            .values(row)
            .on_conflict(subjects::email_hash)
            .do_nothing()
            .execute(c),
        DbConn::Postgres(c) => diesel::insert_into(subjects::table)
            .values(row)
            .on_conflict(subjects::email_hash)
            .do_nothing()
            .execute(c),
    }?;
    Ok(inserted == 1)
}

/// The subject stored under any of these hashes (one email hashed under each known key).
pub fn find_by_email_hashes(
    conn: &mut DbConn,
    hashes: &[String],
) -> Result<Option<Subject>, StoreError> {
    subjects::table
        .filter(subjects::email_hash.eq_any(hashes))
        .select(SubjectRow::as_select())
        .first(conn)
        .optional()?
        .map(Subject::try_from)
        .transpose()
}

/// Every subject stored under one of these hashes.
pub fn find_many_by_email_hashes(
    conn: &mut DbConn,
    hashes: &[String],
) -> Result<Vec<Subject>, StoreError> {
    let rows: Vec<SubjectRow> = subjects::table
        .filter(subjects::email_hash.eq_any(hashes))
        .select(SubjectRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Subject::try_from).collect()
}

pub fn find_by_id(conn: &mut DbConn, id: &str) -> Result<Option<Subject>, StoreError> {
    subjects::table
        .find(id)
        .select(SubjectRow::as_select())
        .first(conn)
        .optional()?
        .map(Subject::try_from)
        .transpose()
}

/// Reseals the identity (after an account reference changes) under the current key and
/// hash.
pub fn update_identity(
    conn: &mut DbConn,
    id: &str,
    email_hash: &str,
    key_id: &str,
    identity: &[u8],
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(subjects::table.find(id))
        .set((
            subjects::email_hash.eq(email_hash),
            subjects::key_id.eq(key_id),
            subjects::identity.eq(identity),
            subjects::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Marks the account cancelled; returns whether it was not already (so the clock starts
/// once).
pub fn cancel(conn: &mut DbConn, id: &str, at: PrimitiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        subjects::table
            .find(id)
            .filter(subjects::cancelled_at.is_null()),
    )
    .set((subjects::cancelled_at.eq(at), subjects::updated_at.eq(at)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_cancelled_at(
    conn: &mut DbConn,
    id: &str,
    at: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(subjects::table.find(id))
        .set((subjects::cancelled_at.eq(at), subjects::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}
