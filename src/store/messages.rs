//! Messages between the requester and the officers on a request.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::request_messages;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = request_messages)]
pub struct MessageRow {
    pub id: String,
    pub request_id: String,
    pub author: String,
    pub body: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = request_messages)]
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub request_id: &'a str,
    pub author: &'a str,
    pub body: &'a str,
    pub created_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut DbConn, message: &NewMessage<'_>) -> QueryResult<()> {
    diesel::insert_into(request_messages::table)
        .values(message)
        .execute(conn)
        .map(|_| ())
}

pub fn list_for_request(conn: &mut DbConn, request_id: &str) -> QueryResult<Vec<MessageRow>> {
    request_messages::table
        .filter(request_messages::request_id.eq(request_id))
        .order((
            request_messages::created_at.asc(),
            request_messages::id.asc(),
        ))
        .select(MessageRow::as_select())
        .load(conn)
}
