//! Data packages for access and portability requests.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::data_packages;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = data_packages)]
pub struct PackageRow {
    pub id: String,
    pub request_id: String,
    pub token_hash: String,
    pub key_id: String,
    pub sealed_token: Vec<u8>,
    pub content: Vec<u8>,
    pub size_bytes: i64,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub downloads: i32,
    pub max_downloads: i32,
}

/// A package without its content, for pages that only offer it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = data_packages)]
pub struct PackageSummary {
    pub id: String,
    pub key_id: String,
    pub sealed_token: Vec<u8>,
    pub size_bytes: i64,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub downloads: i32,
    pub max_downloads: i32,
}

pub fn insert(conn: &mut DbConn, row: &PackageRow) -> QueryResult<()> {
    diesel::insert_into(data_packages::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The request's newest package.
pub fn latest_for_request(
    conn: &mut DbConn,
    request_id: &str,
) -> QueryResult<Option<PackageSummary>> {
    data_packages::table
        .filter(data_packages::request_id.eq(request_id))
        .order((data_packages::created_at.desc(), data_packages::id.desc()))
        .select(PackageSummary::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_token_hash(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<PackageRow>> {
    data_packages::table
        .filter(data_packages::token_hash.eq(token_hash))
        .select(PackageRow::as_select())
        .first(conn)
        .optional()
}

/// Counts one download if the package is still offered; returns whether it was.
pub fn count_download(conn: &mut DbConn, id: &str, now: PrimitiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        data_packages::table
            .find(id)
            .filter(data_packages::expires_at.gt(now))
            .filter(data_packages::downloads.lt(data_packages::max_downloads)),
    )
    .set(data_packages::downloads.eq(data_packages::downloads + 1))
    .execute(conn)?;
    Ok(updated == 1)
}
