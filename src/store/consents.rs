//! The consent ledger and objections.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{consents, objections};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: String,
    pub subject_id: String,
    pub purpose: String,
    pub granted_at: PrimitiveDateTime,
    pub withdrawn_at: Option<PrimitiveDateTime>,
    pub source: String,
    pub recorded_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = objections)]
pub struct ObjectionRow {
    pub id: String,
    pub subject_id: String,
    pub purpose: String,
    pub request_id: String,
    pub recorded_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &ConsentRow) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(row)
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
) -> QueryResult<Option<ConsentRow>> {
    consents::table
        .filter(consents::subject_id.eq(subject_id))
        .filter(consents::purpose.eq(purpose))
        .filter(consents::granted_at.eq(granted_at))
        .filter(consents::source.eq(source))
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()
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
pub fn history(conn: &mut DbConn, subject_id: &str) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::subject_id.eq(subject_id))
        .order((
            consents::purpose.asc(),
            consents::granted_at.asc(),
            consents::id.asc(),
        ))
        .select(ConsentRow::as_select())
        .load(conn)
}

/// The subject's open entries for a purpose.
pub fn open_for(
    conn: &mut DbConn,
    subject_id: &str,
    purpose: &str,
) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::subject_id.eq(subject_id))
        .filter(consents::purpose.eq(purpose))
        .filter(consents::withdrawn_at.is_null())
        .order(consents::granted_at.asc())
        .select(ConsentRow::as_select())
        .load(conn)
}

/// Records an objection; returns false when this request already recorded it.
pub fn insert_objection(conn: &mut DbConn, row: &ObjectionRow) -> QueryResult<bool> {
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
        .values(row)
        .execute(conn)?;
    Ok(true)
}

pub fn objections_for(conn: &mut DbConn, subject_id: &str) -> QueryResult<Vec<ObjectionRow>> {
    objections::table
        .filter(objections::subject_id.eq(subject_id))
        .order((objections::recorded_at.asc(), objections::id.asc()))
        .select(ObjectionRow::as_select())
        .load(conn)
}
