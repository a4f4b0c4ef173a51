//! A data subject and the consent ledger about them, as the use cases see them.

use time::OffsetDateTime;

use super::ids::{RequestId, SubjectId};

/// A person the organisation holds data about; the identity (email, account reference)
/// stays sealed until a use case opens it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: SubjectId,
    pub email_hash: String,
    pub key_id: String,
    pub identity: Vec<u8>,
    pub cancelled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One entry of the consent ledger: a grant for a purpose, and its withdrawal once made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub subject_id: SubjectId,
    pub purpose: String,
    pub granted_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub source: String,
    pub recorded_at: OffsetDateTime,
}

/// An objection to a purpose, recorded by the request that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub id: String,
    pub subject_id: SubjectId,
    pub purpose: String,
    pub request_id: RequestId,
    pub recorded_at: OffsetDateTime,
}
