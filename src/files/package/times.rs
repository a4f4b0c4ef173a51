use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::files::package::PackageError;

/// Every time in the package is shown in UTC so that readers never have to reconcile
/// offsets between files.
pub(crate) fn rfc3339(t: OffsetDateTime) -> Result<String, PackageError> {
    let utc = t
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| PackageError("time outside the representable range".to_owned()))?;
    utc.format(&Rfc3339)
        .map_err(|e| PackageError::context("formatting time", e))
}

pub(crate) fn rfc3339_opt(t: Option<OffsetDateTime>) -> Result<Option<String>, PackageError> {
    t.map(rfc3339).transpose()
}

/// Zip stores DOS local times (1980-2107, two-second steps); UTC is used so the value
/// does not depend on the server's time zone.
pub(crate) fn zip_timestamp(t: OffsetDateTime) -> Result<zip::DateTime, PackageError> {
    let out_of_range = || {
        PackageError(
            "generated_at cannot be stored as a zip timestamp (years 1980-2107 only)".to_owned(),
        )
    };
    let utc = t
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(out_of_range)?;
    let year = u16::try_from(utc.year()).map_err(|_| out_of_range())?;
    zip::DateTime::from_date_and_time(
        year,
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
    )
    .map_err(|_| out_of_range())
}
