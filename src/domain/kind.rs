//! The rights a requester can exercise (DESIGN.md section 2, "Rights").

use std::fmt;
use std::str::FromStr;

/// The kind of a privacy-rights request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// Access to the personal data held about the requester.
    Access,
    /// Correction of inaccurate or incomplete data.
    Rectification,
    /// Erasure ("right to be forgotten").
    Erasure,
    /// Restriction of processing.
    Restriction,
    /// A machine-readable copy to take elsewhere.
    Portability,
    /// Objection to processing.
    Objection,
    /// Withdrawal of consent for one or more purposes.
    ConsentWithdrawal,
    /// A complaint to the Grievance Officer.
    Grievance,
}

/// The error returned when text is not one of the snake_case kind names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown request kind")]
pub struct UnknownKind;

impl RequestKind {
    /// Every kind, in the order the public pages list them.
    pub const ALL: [RequestKind; 8] = [
        RequestKind::Access,
        RequestKind::Rectification,
        RequestKind::Erasure,
        RequestKind::Restriction,
        RequestKind::Portability,
        RequestKind::Objection,
        RequestKind::ConsentWithdrawal,
        RequestKind::Grievance,
    ];

    /// The stable snake_case name used in forms, URLs, exports and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Rectification => "rectification",
            RequestKind::Erasure => "erasure",
            RequestKind::Restriction => "restriction",
            RequestKind::Portability => "portability",
            RequestKind::Objection => "objection",
            RequestKind::ConsentWithdrawal => "consent_withdrawal",
            RequestKind::Grievance => "grievance",
        }
    }

    /// A short human label for buttons and headings.
    pub fn label(self) -> &'static str {
        match self {
            RequestKind::Access => "Access to my data",
            RequestKind::Rectification => "Correct my data",
            RequestKind::Erasure => "Erase my data",
            RequestKind::Restriction => "Restrict processing",
            RequestKind::Portability => "Data portability",
            RequestKind::Objection => "Object to processing",
            RequestKind::ConsentWithdrawal => "Withdraw consent",
            RequestKind::Grievance => "Complaint to the Grievance Officer",
        }
    }

    /// One plain-language sentence telling a requester what this request does.
    /// Whether the request means nothing without the requester's own words.
    pub fn needs_details(self) -> bool {
        matches!(
            self,
            RequestKind::Grievance | RequestKind::Objection | RequestKind::Rectification
        )
    }

    pub fn description(self) -> &'static str {
        match self {
            RequestKind::Access => {
                "Find out whether we hold personal data about you and get a copy of it."
            }
            RequestKind::Rectification => {
                "Ask us to correct personal data about you that is wrong or incomplete."
            }
            RequestKind::Erasure => "Ask us to delete the personal data we hold about you.",
            RequestKind::Restriction => {
                "Ask us to stop using your personal data for now, while keeping it stored."
            }
            RequestKind::Portability => {
                "Get your data in a machine-readable file that you can take to another service."
            }
            RequestKind::Objection => {
                "Object to how we use your personal data, for example for direct marketing."
            }
            RequestKind::ConsentWithdrawal => {
                "Take back consent you gave us to use your personal data for a purpose."
            }
            RequestKind::Grievance => {
                "Complain to our Grievance Officer about how we handled your data or a request."
            }
        }
    }
}

impl FromStr for RequestKind {
    type Err = UnknownKind;

    /// Accepts exactly the snake_case names from [`RequestKind::as_str`]; no case folding,
    /// because these come from our own forms and links and anything else is a bug or probing.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or(UnknownKind)
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_round_trip_through_from_str_and_display() {
        let expected = [
            "access",
            "rectification",
            "erasure",
            "restriction",
            "portability",
            "objection",
            "consent_withdrawal",
            "grievance",
        ];
        for (kind, name) in RequestKind::ALL.into_iter().zip(expected) {
            assert_eq!(kind.as_str(), name);
            assert_eq!(kind.to_string(), name);
            assert_eq!(name.parse::<RequestKind>(), Ok(kind));
        }
    }

    #[test]
    fn all_lists_each_kind_once() {
        let set: HashSet<_> = RequestKind::ALL.into_iter().collect();
        assert_eq!(set.len(), RequestKind::ALL.len());
    }

    #[test]
    fn from_str_is_exact() {
        for bad in [
            "",
            "Access",
            "ACCESS",
            " access",
            "consent-withdrawal",
            "delete",
        ] {
            assert_eq!(bad.parse::<RequestKind>(), Err(UnknownKind), "{bad:?}");
        }
        assert_eq!(UnknownKind.to_string(), "unknown request kind");
    }

    #[test]
    fn labels_and_descriptions_are_distinct_sentences() {
        assert_eq!(RequestKind::Access.label(), "Access to my data");
        assert_eq!(
            RequestKind::Grievance.label(),
            "Complaint to the Grievance Officer"
        );
        let labels: HashSet<_> = RequestKind::ALL.iter().map(|k| k.label()).collect();
        let descriptions: HashSet<_> = RequestKind::ALL.iter().map(|k| k.description()).collect();
        assert_eq!(labels.len(), 8);
        assert_eq!(descriptions.len(), 8);
        for kind in RequestKind::ALL {
            let d = kind.description();
            assert!(d.ends_with('.') && d.chars().next().is_some_and(char::is_uppercase));
        }
    }
}
