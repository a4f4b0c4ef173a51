//! Rotation seals of the audit log (`audit_rotation_seals`), and where the era of the keys
//! being retired ends.

use diesel::prelude::*;

use super::schema::{audit_checkpoints, audit_events, audit_rotation_seals};
use super::time::{from_db, to_db};
use super::DbConn;
use crate::domain::audit::RotationSeal;

#[derive(Queryable, Insertable)]
#[diesel(table_name = audit_rotation_seals)]
struct SealRow {
    upto_seq: i64,
    key_id: String,
    head_hash: String,
    digest: String,
    retired_key_ids: String,
    at: time::PrimitiveDateTime,
    mac: String,
}

impl From<SealRow> for RotationSeal {
    fn from(row: SealRow) -> RotationSeal {
        RotationSeal {
            upto_seq: row.upto_seq,
            head_hash: row.head_hash,
            digest: row.digest,
            retired_key_ids: row.retired_key_ids,
            at: from_db(row.at),
            key_id: row.key_id,
            mac: row.mac,
        }
    }
}

pub fn insert(conn: &mut DbConn, seal: &RotationSeal) -> QueryResult<()> {
    diesel::insert_into(audit_rotation_seals::table)
        .values(SealRow {
            upto_seq: seal.upto_seq,
            key_id: seal.key_id.clone(),
            head_hash: seal.head_hash.clone(),
            digest: seal.digest.clone(),
            retired_key_ids: seal.retired_key_ids.clone(),
            at: to_db(seal.at),
            mac: seal.mac.clone(),
        })
        .execute(conn)?;
    Ok(())
}

/// Every rotation seal, the one reaching furthest first (a handful: one per key retired).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<RotationSeal>> {
    Ok(audit_rotation_seals::table
        .order((
            audit_rotation_seals::upto_seq.desc(),
            audit_rotation_seals::at.desc(),
        ))
        .load::<SealRow>(conn)?
        .into_iter()
        .map(RotationSeal::from)
        .collect())
}

/// The highest number of a sequenced event or a checkpoint not made with the key
/// `current_key_id` (unkeyed events of the first era included): where the era to seal
/// before retiring the other keys ends. `None` when everything is under the current key.
pub fn era_end_not_under(conn: &mut DbConn, current_key_id: &str) -> QueryResult<Option<i64>> {
    let events: Option<i64> = audit_events::table
        .filter(audit_events::seq.is_not_null())
        .filter(
            audit_events::key_id
                .is_null()
                .or(audit_events::key_id.ne(current_key_id)),
        )
        .select(diesel::dsl::max(audit_events::seq))
        .first(conn)?;
    let checkpoints: Option<i64> = audit_checkpoints::table
        .filter(audit_checkpoints::key_id.ne(current_key_id))
        .select(diesel::dsl::max(audit_checkpoints::seq))
        .first(conn)?;
    Ok(events.max(checkpoints))
}
