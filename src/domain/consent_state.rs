//! A person's current consent per purpose, from their consent ledger: what a connected
//! system asks before it sends marketing mail.

use time::OffsetDateTime;

use super::subject::Consent;

/// Where consent to one purpose stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentStanding {
    /// An entry is open: consent was given and not withdrawn.
    Granted,
    /// Every entry was withdrawn.
    Withdrawn,
    /// No entry: consent was never recorded.
    None,
}

impl ConsentStanding {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStanding::Granted => "granted",
            ConsentStanding::Withdrawn => "withdrawn",
            ConsentStanding::None => "none",
        }
    }
}

/// One purpose's state, and since when (the latest grant in force, or the latest
/// withdrawal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeState {
    pub purpose: String,
    pub standing: ConsentStanding,
    pub since: Option<OffsetDateTime>,
}

/// The state of each purpose the policy names, then of any other purpose in the ledger, in
/// name order.
pub fn current_states(policy_purposes: &[&str], ledger: &[Consent]) -> Vec<PurposeState> {
    let mut purposes: Vec<&str> = policy_purposes.to_vec();
    for entry in ledger {
        if !purposes.contains(&entry.purpose.as_str()) {
            purposes.push(&entry.purpose);
        }
    }
    purposes.sort_unstable();
    purposes.dedup();
    purposes
        .into_iter()
        .map(|purpose| {
            let entries: Vec<&Consent> = ledger.iter().filter(|e| e.purpose == purpose).collect();
            let open = entries
                .iter()
                .filter(|e| e.withdrawn_at.is_none())
                .map(|e| e.granted_at)
                .max();
            let (standing, since) = match open {
                Some(granted) => (ConsentStanding::Granted, Some(granted)),
                None if entries.is_empty() => (ConsentStanding::None, None),
                None => (
                    ConsentStanding::Withdrawn,
                    entries.iter().filter_map(|e| e.withdrawn_at).max(),
                ),
            };
            PurposeState {
                purpose: purpose.to_string(),
                standing,
                since,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::SubjectId;
    use time::macros::datetime;

    fn entry(purpose: &str, granted: OffsetDateTime, withdrawn: Option<OffsetDateTime>) -> Consent {
        Consent {
            id: "c".into(),
            subject_id: SubjectId::new(),
            purpose: purpose.into(),
            granted_at: granted,
            withdrawn_at: withdrawn,
            source: "crm".into(),
            recorded_at: granted,
        }
    }

    #[test]
    fn open_entries_grant_closed_ones_withdraw_and_none_is_none() {
        let ledger = vec![
            entry(
                "marketing",
                datetime!(2026-01-01 0:00 UTC),
                Some(datetime!(2026-02-01 0:00 UTC)),
            ),
            entry(
                "analytics",
                datetime!(2026-01-01 0:00 UTC),
                Some(datetime!(2026-01-05 0:00 UTC)),
            ),
            entry("analytics", datetime!(2026-03-01 0:00 UTC), None),
            entry("partners", datetime!(2026-01-01 0:00 UTC), None),
        ];
        let states = current_states(&["marketing", "analytics", "profiling"], &ledger);
        let got: Vec<_> = states
            .iter()
            .map(|s| (s.purpose.as_str(), s.standing, s.since))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "analytics",
                    ConsentStanding::Granted,
                    Some(datetime!(2026-03-01 0:00 UTC))
                ),
                (
                    "marketing",
                    ConsentStanding::Withdrawn,
                    Some(datetime!(2026-02-01 0:00 UTC))
                ),
                (
                    "partners",
                    ConsentStanding::Granted,
                    Some(datetime!(2026-01-01 0:00 UTC))
                ),
                ("profiling", ConsentStanding::None, None),
            ]
        );
    }
}
