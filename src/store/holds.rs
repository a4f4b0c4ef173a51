//! Legal holds: while one is active, nothing it covers is purged.

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use super::schema::legal_holds;
use super::time::from_db;
use super::{DbConn, StoreError};
use crate::domain::hold::Hold;
use crate::domain::ids::OfficerId;
use crate::store::seal::{open, seal};
use crate::vault::Keyring;

const TABLE: &str = "legal_holds";

/// A hold as stored; it leaves the store only as a [`Hold`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = legal_holds)]
pub(crate) struct HoldRow {
    pub id: String,
    pub scope: String,
    pub target_id: String,
    pub order_reference: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: PrimitiveDateTime,
    pub expires_on: Option<Date>,
    pub released_at: Option<PrimitiveDateTime>,
    pub released_by: Option<String>,
    /// The request the hold was placed from; `None` for a hold an admin placed on a person
    /// without a request (and for older holds whose origin was not recorded).
    pub origin_request_id: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = legal_holds)]
pub struct NewHold<'a> {
    pub id: &'a str,
    pub scope: &'a str,
    pub target_id: &'a str,
    pub order_reference: &'a str,
    pub reason: &'a str,
    pub placed_by: &'a str,
    pub placed_at: PrimitiveDateTime,
    pub expires_on: Option<Date>,
    pub origin_request_id: Option<&'a str>,
}

impl TryFrom<HoldRow> for Hold {
    type Error = StoreError;

    fn try_from(row: HoldRow) -> Result<Hold, StoreError> {
        let corrupt = || StoreError::corrupt("legal_holds", &row.id);
        Ok(Hold {
            id: row.id.parse().map_err(|_| corrupt())?,
            scope: row.scope.parse().map_err(|_| corrupt())?,
            placed_by: row.placed_by.parse().map_err(|_| corrupt())?,
            released_by: row
                .released_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| corrupt())?,
            origin_request_id: row
                .origin_request_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| corrupt())?,
            target_id: row.target_id,
            order_reference: row.order_reference,
            reason: row.reason,
            placed_at: from_db(row.placed_at),
            expires_on: row.expires_on,
            released_at: row.released_at.map(from_db),
        })
    }
}

impl HoldRow {
    /// The hold, its order reference and reason opened.
    fn open(mut self, vault: &Keyring) -> Result<Hold, StoreError> {
        self.order_reference = open(
            vault,
            TABLE,
            &self.id,
            "order_reference",
            self.order_reference,
        )?;
        self.reason = open(vault, TABLE, &self.id, "reason", self.reason)?;
        Hold::try_from(self)
    }
}

fn entities(vault: &Keyring, rows: Vec<HoldRow>) -> Result<Vec<Hold>, StoreError> {
    rows.into_iter().map(|row| row.open(vault)).collect()
}

/// Stores a hold, its order reference and reason sealed.
pub fn insert(conn: &mut DbConn, vault: &Keyring, hold: &NewHold<'_>) -> Result<(), StoreError> {
    let order_reference = seal(
        vault,
        TABLE,
        hold.id,
        "order_reference",
        hold.order_reference,
    )?;
    let reason = seal(vault, TABLE, hold.id, "reason", hold.reason)?;
    diesel::insert_into(legal_holds::table)
        .values((
            &NewHold {
                order_reference: &order_reference,
                reason: &reason,
                ..hold.clone()
            },
            legal_holds::seal_key_id.eq(vault.current_key_id()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Holds on a target not yet released and not expired on `today`.
pub fn active_for(
    conn: &mut DbConn,
    vault: &Keyring,
    scope: &str,
    target_id: &str,
    today: Date,
) -> Result<Vec<Hold>, StoreError> {
    active_for_targets(conn, vault, scope, &[target_id.to_string()], today)
}

/// Releases an active hold on the given target; returns whether one was released.
pub fn release(
    conn: &mut DbConn,
    hold: &Hold,
    released_by: OfficerId,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        legal_holds::table
            .find(hold.id.to_string())
            .filter(legal_holds::scope.eq(hold.scope.as_str()))
            .filter(legal_holds::target_id.eq(&hold.target_id))
            .filter(legal_holds::released_at.is_null()),
    )
    .set((
        legal_holds::released_at.eq(now),
        legal_holds::released_by.eq(released_by.to_string()),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Active holds on any of these targets of one scope.
pub fn active_for_targets(
    conn: &mut DbConn,
    vault: &Keyring,
    scope: &str,
    target_ids: &[String],
    today: Date,
) -> Result<Vec<Hold>, StoreError> {
    if target_ids.is_empty() {
        return Ok(Vec::new());
    }
    legal_holds::table
        .filter(legal_holds::scope.eq(scope))
        .filter(legal_holds::target_id.eq_any(target_ids))
        .filter(legal_holds::released_at.is_null())
        .filter(
            legal_holds::expires_on
                .is_null()
                .or(legal_holds::expires_on.ge(today)),
        )
        .order(legal_holds::placed_at.asc())
        .select(HoldRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
        .and_then(|rows| entities(vault, rows))
}

pub fn find(conn: &mut DbConn, vault: &Keyring, id: &str) -> Result<Option<Hold>, StoreError> {
    legal_holds::table
        .find(id)
        .select(HoldRow::as_select())
        .first(conn)
        .optional()?
        .map(|row| row.open(vault))
        .transpose()
}

/// Every hold in force on `today`, newest first.
pub fn list_active(
    conn: &mut DbConn,
    vault: &Keyring,
    today: Date,
) -> Result<Vec<Hold>, StoreError> {
    legal_holds::table
        .filter(legal_holds::released_at.is_null())
        .filter(
            legal_holds::expires_on
                .is_null()
                .or(legal_holds::expires_on.ge(today)),
        )
        .order((legal_holds::placed_at.desc(), legal_holds::id.desc()))
        .select(HoldRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
        .and_then(|rows| entities(vault, rows))
}
