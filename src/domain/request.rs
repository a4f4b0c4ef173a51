//! A rights request as the rest of the program sees it: every column parsed into its type.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use super::ids::{OfficerId, RequestId};
use super::kind::RequestKind;
use super::lifecycle::RequestState;
use super::officer_action::RejectionReason;
use super::reference::Reference;
use super::regime::Regime;
use super::status::RequestStatus;

/// How a closed request ended, when an officer answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Fulfilled,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fulfilled => "fulfilled",
            Outcome::Rejected => "rejected",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = ();

    fn from_str(text: &str) -> Result<Outcome, ()> {
        match text {
            "fulfilled" => Ok(Outcome::Fulfilled),
            "rejected" => Ok(Outcome::Rejected),
            _ => Err(()),
        }
    }
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: RequestId,
    pub reference: Reference,
    pub kind: RequestKind,
    pub regime: Regime,
    pub status: RequestStatus,
    pub full_name: String,
    pub email: String,
    pub account_ref: Option<String>,
    pub details: String,
    pub correction: Option<String>,
    /// The consent purposes the requester named (withdrawal and objection requests).
    pub purposes: Vec<String>,
    pub content_removal: bool,
    pub received_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
    pub acknowledge_due_at: Option<OffsetDateTime>,
    pub due_at: OffsetDateTime,
    pub extended_due_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub assignee: Option<OfficerId>,
    pub outcome: Option<Outcome>,
    pub rejection_reason: Option<RejectionReason>,
    /// Counts the request's changes, so that an officer acting on a stale page is refused.
    pub version: i64,
    pub updated_at: OffsetDateTime,
    /// The due date in force (extended or not).
    pub effective_due_at: OffsetDateTime,
    /// The language the requester used: their pages and mail speak it.
    pub locale: super::locale::Locale,
    /// The same person's open request of the same kind this one was linked to on
    /// verification, as a likely duplicate.
    pub duplicate_of: Option<RequestId>,
}

/// A request linked to another as its likely duplicate (or the one it duplicates), as the
/// other's page names it: nothing personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedRequest {
    pub id: RequestId,
    pub reference: String,
    pub status: RequestStatus,
}

impl Request {
    /// The facts the lifecycle's guards look at.
    pub fn state(&self) -> RequestState {
        RequestState {
            status: self.status,
            due_at: self.due_at,
            extended_due_at: self.extended_due_at,
        }
    }

    /// The audit target naming this request (its id, never personal data).
    pub fn audit_target(&self) -> String {
        super::audit::Target::Request(self.id).to_audit_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_back_what_they_write() {
        for outcome in [Outcome::Fulfilled, Outcome::Rejected] {
            assert_eq!(outcome.as_str().parse(), Ok(outcome));
        }
        assert_eq!("withdrawn".parse::<Outcome>(), Err(()));
    }
}
