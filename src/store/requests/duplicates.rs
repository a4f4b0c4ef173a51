//! Likely duplicates: a person's open request of the same kind, found by the email's blind
//! index, and the requests linked to one as its duplicates.

use diesel::prelude::*;

use super::{entity, RequestRow};
use crate::domain::ids::RequestId;
use crate::domain::kind::RequestKind;
use crate::domain::request::{LinkedRequest, Request};
use crate::domain::status::RequestStatus;
use crate::store::schema::requests;
use crate::store::{DbConn, StoreError};
use crate::vault::Keyring;

/// The statuses of a request still being worked on.
const OPEN_STATUSES: [RequestStatus; 3] = [
    RequestStatus::Open,
    RequestStatus::InProgress,
    RequestStatus::AwaitingRequester,
];

/// The oldest request of `kind` from the email whose blind index is one of `email_indexes`
/// (under any known key), still open and itself no duplicate, other than `excluding`.
pub fn open_original(
    conn: &mut DbConn,
    vault: &Keyring,
    email_indexes: &[String],
    kind: RequestKind,
    excluding: RequestId,
) -> Result<Option<Request>, StoreError> {
    let row = requests::table
        .filter(requests::email_index.eq_any(email_indexes))
        .filter(requests::kind.eq(kind.as_str()))
        .filter(requests::status.eq_any(OPEN_STATUSES.map(RequestStatus::as_str)))
        .filter(requests::duplicate_of.is_null())
        .filter(requests::id.ne(excluding.to_string()))
        .order((requests::received_at.asc(), requests::id.asc()))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?;
    entity(vault, row)
}

/// The requests linked to `original` as its duplicates, oldest first.
pub fn duplicates_of(
    conn: &mut DbConn,
    original: RequestId,
) -> Result<Vec<LinkedRequest>, StoreError> {
    let rows: Vec<(String, String, String)> = requests::table
        .filter(requests::duplicate_of.eq(original.to_string()))
        .order((requests::received_at.asc(), requests::id.asc()))
        .select((requests::id, requests::reference, requests::status))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, reference, status)| {
            let corrupt = || StoreError::corrupt("requests", &id);
            Ok(LinkedRequest {
                id: id.parse().map_err(|_| corrupt())?,
                status: status.parse().map_err(|_| corrupt())?,
                reference,
            })
        })
        .collect()
}

/// The reference and status of one request, by id (nothing personal is opened).
pub fn linked(conn: &mut DbConn, id: RequestId) -> Result<Option<LinkedRequest>, StoreError> {
    let row: Option<(String, String)> = requests::table
        .find(id.to_string())
        .select((requests::reference, requests::status))
        .first(conn)
        .optional()?;
    row.map(|(reference, status)| {
        Ok(LinkedRequest {
            id,
            status: status
                .parse()
                .map_err(|_| StoreError::corrupt("requests", id))?,
            reference,
        })
    })
    .transpose()
}
