//! The consent ledger and objections.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{consents, objections};
use super::time::{from_db, to_db};
use super::{DbConn, StoreError};
use crate::domain::subject::{Consent, Objection};

/// A ledger entry as stored; it leaves the store only as a [`Consent`].
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consents)]
pub(crate) struct ConsentRow {
    pub id: String,
    pub subject_id: String,
    pub purpose: String,
    pub granted_at: PrimitiveDateTime,
    pub withdrawn_at: Option<PrimitiveDateTime>,
    pub source: String,
    pub recorded_at: PrimitiveDateTime,
}

/// An objection as stored; it leaves the store only as an [`Objection`].
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = objections)]
pub(crate) struct ObjectionRow {
    pub id: String,
    pub subject_id: String,
    pub purpose: String,
    pub request_id: String,
    pub recorded_at: PrimitiveDateTime,
}

impl TryFrom<ConsentRow> for Consent {
    type Error = StoreError;

    fn try_from(row: ConsentRow) -> Result<Consent, StoreError> {
        let subject_id = row.subject_id.parse();
        Ok(Consent {
            subject_id: subject_id.map_err(|_| StoreError::corrupt("consents", &row.id))?,
            id: row.id,
            purpose: row.purpose,
            granted_at: from_db(row.granted_at),
            withdrawn_at: row.withdrawn_at.map(from_db),
            source: row.source,
            recorded_at: from_db(row.recorded_at),
        })
    }
}

impl From<&Consent> for ConsentRow {
    fn from(entry: &Consent) -> ConsentRow {
        ConsentRow {
            id: entry.id.clone(),
            subject_id: entry.subject_id.to_string(),
            purpose: entry.purpose.clone(),
            granted_at: to_db(entry.granted_at),
            withdrawn_at: entry.withdrawn_at.map(to_db),
            source: entry.source.clone(),
            recorded_at: to_db(entry.recorded_at),
        }
    }
}

impl TryFrom<ObjectionRow> for Objection {
    type Error = StoreError;

    fn try_from(row: ObjectionRow) -> Result<Objection, StoreError> {
        let corrupt = || StoreError::corrupt("objections", &row.id);
        Ok(Objection {
            subject_id: row.subject_id.parse().map_err(|_| corrupt())?,
            request_id: row.request_id.parse().map_err(|_| corrupt())?,
            id: row.id,
            purpose: row.purpose,
            recorded_at: from_db(row.recorded_at),
        })
    }
}

impl From<&Objection> for ObjectionRow {
    fn from(objection: &Objection) -> ObjectionRow {
        ObjectionRow {
            id: objection.id.clone(),
            subject_id: objection.subject_id.to_string(),
            purpose: objection.purpose.clone(),
            request_id: objection.request_id.to_string(),
            recorded_at: to_db(objection.recorded_at),
        }
    }
}

fn consents_of(rows: Vec<ConsentRow>) -> Result<Vec<Consent>, StoreError> {
    rows.into_iter().map(Consent::try_from).collect()
}

pub fn insert(conn: &mut DbConn, entry: &Consent) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(ConsentRow::from(entry))
        .execute(conn)
        .map(|_| ())
}

/// The ledger entry for one grant, if it was recorded before.
pub fn find_entry(
    conn: &mut DbConn,
    subject_id: &str,
    purpose: &str,
    granted_at: PrimitiveDateTime,
    source: &str,
) -> Result<Option<Consent>, StoreError> {
    consents::table
        .filter(consents::subject_id.eq(subject_id))
        .filter(consents::purpose.eq(purpose))
        .filter(consents::granted_at.eq(granted_at))
        .filter(consents::source.eq(source))
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()?
        .map(Consent::try_from)
        .transpose()
}

/// Closes an open entry; returns whether it was open (an entry closes once).
pub fn close(conn: &mut DbConn, id: &str, at: PrimitiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        consents::table
            .find(id)
            .filter(consents::withdrawn_at.is_null()),
    )
    .set(consents::withdrawn_at.eq(at))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The subject's ledger, oldest grant first.
pub fn history(conn: &mut DbConn, subject_id: &str) -> Result<Vec<Consent>, StoreError> {
    let rows = consents::table
        .filter(consents::subject_id.eq(subject_id))
        .order((
            consents::purpose.asc(),
            consents::granted_at.asc(),
            consents::id.asc(),
        ))
        .select(ConsentRow::as_select())
        .load(conn)?;
    consents_of(rows)
}

/// The subject's open entries for a purpose.
pub fn open_for(
    conn: &mut DbConn,
    subject_id: &str,
    purpose: &str,
) -> Result<Vec<Consent>, StoreError> {
    let rows = consents::table
        .filter(consents::subject_id.eq(subject_id))
        .filter(consents::purpose.eq(purpose))
        .filter(consents::withdrawn_at.is_null())
        .order(consents::granted_at.asc())
        .select(ConsentRow::as_select())
        .load(conn)?;
    consents_of(rows)
}

/// Records an objection; returns false when this request already recorded it.
pub fn insert_objection(conn: &mut DbConn, objection: &Objection) -> QueryResult<bool> {
    let row = ObjectionRow::from(objection);
    let existing: i64 = objections::table
        .filter(objections::subject_id.eq(&row.subject_id))
        .filter(objections::purpose.eq(&row.purpose))
        .filter(objections::request_id.eq(&row.request_id))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    diesel::insert_into(objections::table)
        .values(&row)
        .execute(conn)?;
    Ok(true)
}

pub fn objections_for(conn: &mut DbConn, subject_id: &str) -> Result<Vec<Objection>, StoreError> {
    let rows: Vec<ObjectionRow> = objections::table
        .filter(objections::subject_id.eq(subject_id))
        .order((objections::recorded_at.asc(), objections::id.asc()))
        .select(ObjectionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Objection::try_from).collect()
}
