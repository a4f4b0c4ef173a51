//! Messages between the requester and the officers on a request.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::request_messages;
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::ids::RequestId;
use crate::domain::message::{Author, Message};
use crate::store::seal::{open, seal};
use crate::vault::Keyring;

const TABLE: &str = "request_messages";

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
/// Stores a message on a request, its body sealed.
pub fn insert(
    conn: &mut DbConn,
    vault: &Keyring,
    id: &str,
    request_id: RequestId,
    author: Author,
    body: &str,
    created_at: PrimitiveDateTime,
) -> Result<(), StoreError> {
    let body = seal(vault, TABLE, id, "body", body)?;
    diesel::insert_into(request_messages::table)
        .values((
            &NewMessageRow {
                id,
                request_id: &request_id.to_string(),
                author: author.as_str(),
                body: &body,
                created_at,
            },
            request_messages::seal_key_id.eq(vault.current_key_id()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list_for_request(
    conn: &mut DbConn,
    vault: &Keyring,
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
        .map(|mut row| {
            row.body = open(vault, TABLE, &row.id, "body", row.body)?;
            Message::try_from(row)
        })
        .collect()
}
