//! Times are stored as UTC timestamps without an offset (both backends support that type).

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

pub fn to_db(at: OffsetDateTime) -> PrimitiveDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    PrimitiveDateTime::new(utc.date(), utc.time())
}

pub fn from_db(at: PrimitiveDateTime) -> OffsetDateTime {
    at.assume_utc()
}
