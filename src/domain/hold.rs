//! Legal holds: while one is active, nothing it covers is purged.

use std::fmt;
use std::str::FromStr;

use time::{Date, OffsetDateTime};

use super::ids::{HoldId, OfficerId, RequestId};

/// What kind of thing a hold covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldScope {
    /// A request (its case file).
    Request,
    /// Everything held about one data subject.
    Subject,
    /// One personal record.
    Record,
}

impl HoldScope {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldScope::Request => "request",
            HoldScope::Subject => "subject",
            HoldScope::Record => "record",
        }
    }
}

impl fmt::Display for HoldScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HoldScope {
    type Err = ();

    fn from_str(text: &str) -> Result<HoldScope, ()> {
        [HoldScope::Request, HoldScope::Subject, HoldScope::Record]
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or(())
    }
}

/// A stored legal hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: HoldId,
    pub scope: HoldScope,
    /// The id of the request, subject or record held (by `scope`).
    pub target_id: String,
    pub order_reference: String,
    pub reason: String,
    pub placed_by: OfficerId,
    pub placed_at: OffsetDateTime,
    pub expires_on: Option<Date>,
    pub released_at: Option<OffsetDateTime>,
    pub released_by: Option<OfficerId>,
    /// The request the hold was placed from; none for a hold an admin placed on a person.
    pub origin_request_id: Option<RequestId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_what_they_write() {
        for scope in [HoldScope::Request, HoldScope::Subject, HoldScope::Record] {
            assert_eq!(scope.as_str().parse(), Ok(scope));
        }
        assert_eq!("everything".parse::<HoldScope>(), Err(()));
    }
}
