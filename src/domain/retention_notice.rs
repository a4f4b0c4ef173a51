//! DPDP Rules 2025 r.8(2): before a retention purge erases personal data of a Data
//! Principal under the Indian regime, they are told at least 48 hours ahead, when an email
//! address is known. Who needs a notice, the window, and what the notice says each class is.
//!
//! A subject's regime is the regime of the requests made from its email address: one
//! request under `in` puts the person under the Indian rules. The inventory itself holds
//! no regime, and a person who never made a request is under none.

use time::{Duration, OffsetDateTime};

use super::regime::Regime;
use super::retention::PurgeClass;

/// How long before erasure the notice must be given.
pub const NOTICE_PERIOD: Duration = Duration::hours(48);

/// The audit action of a notice mailed (and recorded) before erasure.
pub const NOTICE_SENT: &str = "retention.notice_sent";

/// The classes whose purge erases a subject's own records, and so needs a notice. Case
/// files (wiped to a statistics stub kept for record-keeping), unverified requests (whose
/// address was never shown to be the requester's) and expired links, sessions, packages and
/// mail are housekeeping, not the erasure r.8 speaks of.
pub const NOTICE_CLASSES: [PurgeClass; 3] = [
    PurgeClass::Registration,
    PurgeClass::RemovedContent,
    PurgeClass::ErasedRecords,
];

/// Whether erasing items of `class` needs a notice (for a subject under a regime that
/// requires one).
pub fn class_needs_notice(class: PurgeClass) -> bool {
    NOTICE_CLASSES.contains(&class)
}

/// Whether a subject under `regime` must be told before erasure.
pub fn regime_requires_notice(regime: Regime) -> bool {
    regime == Regime::In
}

/// The regimes whose subjects must be told, as stored.
pub fn noticed_regime_codes() -> Vec<&'static str> {
    Regime::ALL
        .into_iter()
        .filter(|regime| regime_requires_notice(*regime))
        .map(Regime::as_str)
        .collect()
}

/// The moment a notice counts as given: the purge's standpoint (`--as-of`), but never
/// before the mail is really queued, so a purge run as of a past day cannot shorten the
/// 48 hours.
pub fn given_at(as_of: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
    as_of.max(now)
}

/// The first moment the items a notice covers may be erased.
pub fn erase_from(given_at: OffsetDateTime) -> OffsetDateTime {
    given_at + NOTICE_PERIOD
}

/// Whether a notice whose items may go from `erase_from` lets a purge standing at `as_of`
/// erase them.
pub fn may_erase(erase_from: OffsetDateTime, as_of: OffsetDateTime) -> bool {
    erase_from <= as_of
}

/// What the notice calls the items of a class: the kind of data, never its content.
pub fn describe(class: PurgeClass) -> &'static str {
    match class {
        PurgeClass::Registration => "registration data from a cancelled account",
        PurgeClass::RemovedContent => "content that was removed and kept for a while",
        PurgeClass::ErasedRecords => "data you asked us to erase, kept for a while",
        PurgeClass::UnverifiedRequests => "a request that was never confirmed",
        PurgeClass::ClosedCaseFiles => "a closed request's case file",
        PurgeClass::DataPackages => "a data package",
        PurgeClass::LinkTokens => "links",
        PurgeClass::Sessions => "sessions",
        PurgeClass::SentMail => "sent mail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_the_indian_regime_and_record_classes_need_a_notice() {
        assert_eq!(noticed_regime_codes(), ["in"]);
        assert!(regime_requires_notice(Regime::In));
        assert!(!regime_requires_notice(Regime::Eu));
        let noticed: Vec<PurgeClass> = PurgeClass::ALL
            .into_iter()
            .filter(|c| class_needs_notice(*c))
            .collect();
        assert_eq!(noticed, NOTICE_CLASSES);
    }

    #[test]
    fn items_may_go_48_hours_after_the_notice_and_not_before() {
        let day = datetime!(2026-07-10 00:00 UTC);
        let now = datetime!(2026-07-01 09:30 UTC);
        let given = given_at(day, now);
        assert_eq!(given, day, "a purge as of a later day stands there");
        let from = erase_from(given);
        assert!(!may_erase(from, day));
        assert!(!may_erase(from, day + Duration::days(1)));
        assert!(!may_erase(from, day + Duration::hours(47)));
        assert!(may_erase(from, day + Duration::days(2)));
        // A purge as of a past day still gives the full 48 hours from now.
        let past = datetime!(2026-06-01 00:00 UTC);
        assert_eq!(given_at(past, now), now);
        assert_eq!(erase_from(given_at(past, now)), now + Duration::hours(48));
    }
}
