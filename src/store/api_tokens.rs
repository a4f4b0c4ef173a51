//! API tokens: found by the hash of the presented secret, listed for the admin page,
//! revoked, and their last use noted.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::api_tokens;
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::api_token::{join_names, ApiScope, ApiToken, ApiTokenHash, NewApiToken};
use crate::domain::ids::ApiTokenId;
use crate::domain::regime::Regime;

const TABLE: &str = "api_tokens";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct ApiTokenRow {
    id: String,
    name: String,
    scopes: String,
    regions: String,
    created_at: PrimitiveDateTime,
    expires_at: Option<PrimitiveDateTime>,
    revoked_at: Option<PrimitiveDateTime>,
    last_used_at: Option<PrimitiveDateTime>,
}

impl TryFrom<ApiTokenRow> for ApiToken {
    type Error = StoreError;

    fn try_from(row: ApiTokenRow) -> Result<ApiToken, StoreError> {
        let corrupt = || StoreError::corrupt(TABLE, &row.id);
        let scopes = row
            .scopes
            .split_whitespace()
            .map(str::parse::<ApiScope>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt())?;
        let regions = row
            .regions
            .split_whitespace()
            .map(str::parse::<Regime>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt())?;
        Ok(ApiToken {
            id: row.id.parse().map_err(|_| corrupt())?,
            name: row.name,
            scopes,
            regions,
            created_at: from_db(row.created_at),
            expires_at: row.expires_at.map(from_db),
            revoked_at: row.revoked_at.map(from_db),
            last_used_at: row.last_used_at.map(from_db),
        })
    }
}

/// Stores a new token under the hash of its secret.
pub fn insert(
    conn: &mut DbConn,
    id: ApiTokenId,
    hash: &ApiTokenHash,
    token: &NewApiToken,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(id.to_string()),
            api_tokens::name.eq(&token.name),
            api_tokens::token_hash.eq(hash.as_str()),
            api_tokens::scopes.eq(join_names(&token.scopes, ApiScope::as_str)),
            api_tokens::regions.eq(join_names(&token.regions, Regime::as_str)),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(token.expires_at.map(super::time::to_db)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The token stored under this hash, live or not.
pub fn find_by_hash(
    conn: &mut DbConn,
    hash: &ApiTokenHash,
) -> Result<Option<ApiToken>, StoreError> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(hash.as_str()))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?
        .map(ApiToken::try_from)
        .transpose()
}

pub fn find(conn: &mut DbConn, id: ApiTokenId) -> Result<Option<ApiToken>, StoreError> {
    api_tokens::table
        .find(id.to_string())
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?
        .map(ApiToken::try_from)
        .transpose()
}

/// Every token, newest first (there are few: one per connected system).
pub fn list(conn: &mut DbConn) -> Result<Vec<ApiToken>, StoreError> {
    api_tokens::table
        .order(api_tokens::id.desc())
        .select(ApiTokenRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ApiToken::try_from)
        .collect()
}

/// Revokes a token not yet revoked; returns whether this call revoked it.
pub fn revoke(conn: &mut DbConn, id: ApiTokenId, now: PrimitiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        api_tokens::table
            .find(id.to_string())
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Notes the token's use at `now`.
pub fn touch(conn: &mut DbConn, id: ApiTokenId, now: PrimitiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id.to_string()))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
        .map(|_| ())
}
