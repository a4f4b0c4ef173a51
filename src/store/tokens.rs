//! Link tokens, stored only as hashes.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::link_tokens;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = link_tokens)]
pub struct LinkTokenRow {
    pub token_hash: String,
    pub request_id: String,
    pub purpose: String,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub used_at: Option<PrimitiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = link_tokens)]
// One SQL text for every token, kept prepared (see `NewRequest`).
#[diesel(treat_none_as_default_value = false)]
pub struct NewLinkToken<'a> {
    pub token_hash: &'a str,
    pub request_id: &'a str,
    pub purpose: &'a str,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut DbConn, token: &NewLinkToken<'_>) -> QueryResult<()> {
    diesel::insert_into(link_tokens::table)
        .values(token)
        .execute(conn)
        .map(|_| ())
}

/// The token with this hash and purpose, whether or not it is still live.
pub fn find(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: &str,
) -> QueryResult<Option<LinkTokenRow>> {
    link_tokens::table
        .find(token_hash)
        .filter(link_tokens::purpose.eq(purpose))
        .select(LinkTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a token used, once; returns false if it was used already.
pub fn mark_used(conn: &mut DbConn, token_hash: &str, now: PrimitiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        link_tokens::table
            .find(token_hash)
            .filter(link_tokens::used_at.is_null()),
    )
    .set(link_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Ends every live token of this purpose for a request, as of `now` (its link then answers
/// "no longer works"); returns how many were live. An id that names no request changes
/// nothing, at the cost of the same indexed statement.
pub fn expire_for_request(
    conn: &mut DbConn,
    request_id: &str,
    purpose: &str,
    now: PrimitiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        link_tokens::table
            .filter(link_tokens::request_id.eq(request_id))
            .filter(link_tokens::purpose.eq(purpose))
            .filter(link_tokens::expires_at.gt(now)),
    )
    .set(link_tokens::expires_at.eq(now))
    .execute(conn)
}
