//! Rights requests.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::requests;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct RequestRow {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub regime: String,
    pub status: String,
    pub full_name: String,
    pub email: String,
    pub account_ref: Option<String>,
    pub details: String,
    pub correction: Option<String>,
    pub purposes: Option<String>,
    pub content_removal: bool,
    pub received_at: PrimitiveDateTime,
    pub verified_at: Option<PrimitiveDateTime>,
    pub acknowledge_due_at: Option<PrimitiveDateTime>,
    pub due_at: PrimitiveDateTime,
    pub extended_due_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub assignee_id: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason: Option<String>,
    pub version: i64,
    pub updated_at: PrimitiveDateTime,
    pub effective_due_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = requests)]
pub struct NewRequest {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub regime: String,
    pub status: String,
    pub full_name: String,
    pub email: String,
    pub account_ref: Option<String>,
    pub details: String,
    pub correction: Option<String>,
    pub purposes: Option<String>,
    pub content_removal: bool,
    pub received_at: PrimitiveDateTime,
    pub acknowledge_due_at: Option<PrimitiveDateTime>,
    pub due_at: PrimitiveDateTime,
    pub version: i64,
    pub updated_at: PrimitiveDateTime,
    pub effective_due_at: PrimitiveDateTime,
}

/// The columns a transition may change; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = requests)]
pub struct RequestChanges {
    pub status: Option<String>,
    pub verified_at: Option<PrimitiveDateTime>,
    pub acknowledge_due_at: Option<PrimitiveDateTime>,
    pub extended_due_at: Option<PrimitiveDateTime>,
    pub effective_due_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub assignee_id: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason: Option<String>,
}

pub fn insert(conn: &mut DbConn, request: &NewRequest) -> QueryResult<()> {
    diesel::insert_into(requests::table)
        .values(request)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<RequestRow>> {
    requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_reference(conn: &mut DbConn, reference: &str) -> QueryResult<Option<RequestRow>> {
    requests::table
        .filter(requests::reference.eq(reference))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

/// Applies `changes` only if the request is still at `expected_version`; returns whether it
/// was. A stale version means someone else changed the request first.
pub fn update_if_version(
    conn: &mut DbConn,
    id: &str,
    expected_version: i64,
    changes: &RequestChanges,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        requests::table
            .filter(requests::id.eq(id))
            .filter(requests::version.eq(expected_version)),
    )
    .set((
        changes,
        requests::version.eq(expected_version + 1),
        requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// How many requests there are in each status (for the demo and health pages).
pub fn count_all(conn: &mut DbConn) -> QueryResult<i64> {
    requests::table.count().get_result(conn)
}
