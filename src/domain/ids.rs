//! Typed ids: a request's id cannot be passed where an officer's is meant. Every id is a
//! UUID (v7 when we make it), stored as text.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Text that is not a UUID where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an id")]
pub struct InvalidId;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new id, ordered by creation time (UUIDv7).
            pub fn new() -> $name {
                $name(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> $name {
                $name(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> $name {
                $name::new()
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(text: &str) -> Result<$name, InvalidId> {
                Uuid::parse_str(text).map($name).map_err(|_| InvalidId)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Hyphenated lower case: the form the database holds.
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A rights request.
    RequestId
);
uuid_id!(
    /// An officer (admin, officer or auditor).
    OfficerId
);
uuid_id!(
    /// A personal record in the inventory.
    RecordId
);
uuid_id!(
    /// A data subject in the inventory.
    SubjectId
);
uuid_id!(
    /// A legal hold.
    HoldId
);
uuid_id!(
    /// A token another system uses on the JSON API.
    ApiTokenId
);
uuid_id!(
    /// A webhook endpoint an admin configured.
    WebhookEndpointId
);

uuid_id!(
    /// A fulfilment task: one source system's share of a fulfilled request.
    TaskId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_what_it_writes() {
        let id = RequestId::new();
        assert_eq!(id.to_string().parse::<RequestId>(), Ok(id));
    }

    #[test]
    fn text_that_is_no_uuid_is_no_id() {
        assert_eq!("officer:1".parse::<OfficerId>(), Err(InvalidId));
    }
}
