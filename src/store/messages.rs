//! Messages between the requester and the officers on a request.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::request_messages;
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::ids::RequestId;
use crate::domain::message::{Author, Message};

/// A message as stored; it leaves the store only as a [`Message`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = request_messages)]
pub(crate) struct MessageRow {
    pub id: String,
    pub request_id: String,
    pub author: String,
    pub body: String,
    pub created_at: PrimitiveDateTime,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;

    fn try_from(row: MessageRow) -> Result<Message, StoreError> {
        let corrupt = || StoreError::corrupt("request_messages", &row.id);
        Ok(Message {
            request_id: row.request_id.parse().map_err(|_| corrupt())?,
            author: row.author.parse().map_err(|_| corrupt())?,
            id: row.id,
            body: row.body,
            created_at: from_db(row.created_at),
        })
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = request_messages)]
struct NewMessageRow<'a> {
    id: &'a str,
    request_id: &'a str,
    author: &'a str,
    body: &'a str,
    created_at: PrimitiveDateTime,
}

/// Stores a message on a request.
pub fn insert(
    conn: &mut DbConn,
    id: &str,
    request_id: RequestId,
    author: Author,
    body: &str,
    created_at: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(request_messages::table)
        .values(&NewMessageRow {
            id,
            request_id: &request_id.to_string(),
            author: author.as_str(),
            body,
            created_at,
        })
        .execute(conn)
        .map(|_| ())
}

pub fn list_for_request(
    conn: &mut DbConn,
    request_id: RequestId,
) -> Result<Vec<Message>, StoreError> {
    request_messages::table
        .filter(request_messages::request_id.eq(request_id.to_string()))
        .order((
            request_messages::created_at.asc(),
            request_messages::id.asc(),
        ))
        .select(MessageRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Message::try_from)
        .collect()
}
