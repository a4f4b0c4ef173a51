//! The organisation's time zone, from the time-zone database compiled into the program, and
//! instants carried between that database's calendar and `time`'s.

use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;
use time::OffsetDateTime;

/// The one copy of the time-zone database: the one compiled into the
/// program, never the host's `/usr/share/zoneinfo`, so a zone name gives the
/// same month boundaries on every server and a lookup reads no files.
fn zone_database() -> &'static TimeZoneDatabase {
    static DATABASE: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DATABASE.get_or_init(TimeZoneDatabase::bundled)
}

/// The organisation's time zone: months begin at its local midnight.
#[derive(Debug, Clone)]
pub struct ReportZone {
    pub(super) name: String,
    pub(super) tz: TimeZone,
}

impl ReportZone {
    /// Coordinated Universal Time, the zone used until one is configured.
    pub fn utc() -> ReportZone {
        ReportZone {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// An IANA name such as "Asia/Kolkata" or "UTC" (case-insensitive,
    /// surrounding whitespace ignored); an unknown name is an [`UnknownZone`].
    pub fn named(name: &str) -> Result<ReportZone, UnknownZone> {
        let wanted = name.trim();
        let unknown = || UnknownZone(name.to_owned());
        let tz = zone_database().get(wanted).map_err(|_| unknown())?;
        // "Etc/Unknown" is the database's name for "no zone"; it behaves
        // like UTC, which would silently mislabel every report.
        if tz.is_unknown() {
            return Err(unknown());
        }
        // The database's spelling, so "asia/kolkata" is shown as Asia/Kolkata.
        let name = tz.iana_name().unwrap_or(wanted).to_owned();
        Ok(ReportZone { name, tz })
    }

    /// The IANA name, as the time-zone database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's rules, for showing an instant on its local clock.
    pub(crate) fn rules(&self) -> &TimeZone {
        &self.tz
    }
}

impl PartialEq for ReportZone {
    /// Two zones are the same when they have the same name: the rules behind
    /// a name come from the one database.
    fn eq(&self, other: &ReportZone) -> bool {
        self.name == other.name
    }
}

impl Eq for ReportZone {}

/// A time-zone name the database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?}: use an IANA name such as Asia/Kolkata or UTC")]
pub struct UnknownZone(pub String);

/// The same instant for the time-zone calendar, held to its range at the
/// very ends of `time`'s slightly wider one.
pub(crate) fn to_jiff(at: OffsetDateTime) -> Timestamp {
    let nanos = at.unix_timestamp_nanos();
    Timestamp::from_nanosecond(nanos).unwrap_or(if nanos < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// The same instant as a UTC `OffsetDateTime` (jiff's range lies inside `time`'s; the
/// ends are held to `time`'s all the same, so no instant can fail).
pub(super) fn to_time(at: Timestamp) -> OffsetDateTime {
    let nanos = at.as_nanosecond();
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(if nanos < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_by_name() {
        assert_eq!(ReportZone::named("UTC").unwrap(), ReportZone::utc());
        assert_eq!(
            ReportZone::named(" asia/kolkata ").unwrap().name(),
            "Asia/Kolkata"
        );
        assert_eq!(
            ReportZone::named("Mars/Olympus"),
            Err(UnknownZone("Mars/Olympus".to_owned()))
        );
        assert!(ReportZone::named("").is_err());
        assert!(ReportZone::named("Etc/Unknown").is_err());
        assert!(ReportZone::named("../../etc/passwd").is_err());
        assert_eq!(
            UnknownZone("Mars".to_owned()).to_string(),
            "unknown time zone \"Mars\": use an IANA name such as Asia/Kolkata or UTC"
        );
    }
}
