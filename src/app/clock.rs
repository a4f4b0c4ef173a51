//! The current time, cut to the microseconds both databases keep, so that a value read back
//! equals the value written (the audit hash depends on it).

use time::OffsetDateTime;

pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let micros = now.microsecond();
    now.replace_microsecond(micros).unwrap_or(now)
}
