//! Where a request stands in its lifecycle.

use std::fmt;
use std::str::FromStr;

/// The status of a rights request. Stored as its `as_str` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Submitted; the requester has not yet proved they own the email address.
    Unverified,
    /// Verified and waiting in the queue.
    Open,
    /// An officer is working on it.
    InProgress,
    /// An officer asked the requester something; their reply moves it back.
    AwaitingRequester,
    Fulfilled,
    Rejected,
    Withdrawn,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 7] = [
        RequestStatus::Unverified,
        RequestStatus::Open,
        RequestStatus::InProgress,
        RequestStatus::AwaitingRequester,
        RequestStatus::Fulfilled,
        RequestStatus::Rejected,
        RequestStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Unverified => "unverified",
            RequestStatus::Open => "open",
            RequestStatus::InProgress => "in_progress",
            RequestStatus::AwaitingRequester => "awaiting_requester",
            RequestStatus::Fulfilled => "fulfilled",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Unverified => "Waiting for email confirmation",
            RequestStatus::Open => "Received",
            RequestStatus::InProgress => "In progress",
            RequestStatus::AwaitingRequester => "Waiting for your answer",
            RequestStatus::Fulfilled => "Completed",
            RequestStatus::Rejected => "Refused",
            RequestStatus::Withdrawn => "Withdrawn",
        }
    }

    /// What the status means, in the requester's words.
    pub fn explanation(self) -> &'static str {
        match self {
            RequestStatus::Unverified => {
                "Nothing happens until you confirm the request with the link we sent you."
            }
            RequestStatus::Open => {
                "We have your confirmed request. It is in the queue of the Grievance Officer."
            }
            RequestStatus::InProgress => "An officer is working on your request.",
            RequestStatus::AwaitingRequester => {
                "We asked you something. Please answer below so that we can go on."
            }
            RequestStatus::Fulfilled => "We have completed your request.",
            RequestStatus::Rejected => {
                "We refused your request. The reason is in the timeline below."
            }
            RequestStatus::Withdrawn => "You withdrew this request. Nothing more will be done.",
        }
    }

    /// A closed request takes no more workflow actions.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Fulfilled | RequestStatus::Rejected | RequestStatus::Withdrawn
        )
    }

    /// Verified and not yet closed: the deadline clock matters.
    pub fn is_active(self) -> bool {
        !self.is_closed() && self != RequestStatus::Unverified
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown request status")]
pub struct UnknownStatus;

impl FromStr for RequestStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_text() {
        for status in RequestStatus::ALL {
            assert_eq!(status.as_str().parse::<RequestStatus>(), Ok(status));
        }
        assert_eq!("Open".parse::<RequestStatus>(), Err(UnknownStatus));
    }

    #[test]
    fn closed_and_active_are_disjoint() {
        for status in RequestStatus::ALL {
            assert!(!(status.is_closed() && status.is_active()));
        }
        assert!(!RequestStatus::Unverified.is_active());
        assert!(RequestStatus::AwaitingRequester.is_active());
    }
}
