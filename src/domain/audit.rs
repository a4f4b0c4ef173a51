//! The audit chain: each event's hash covers its content and the previous event's hash, so
//! an edited, deleted or reordered row breaks the chain from that row on.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::ids::{OfficerId, RecordId, RequestId, SubjectId};

/// The hash the first event points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something. Officers are named by id, never by name or email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Requester,
    System,
    /// Someone with access to the server, running a command (an import).
    Operator,
    Officer(OfficerId),
    /// The made-up officer who works the demo requests (`rightsdesk demo`).
    DemoOfficer,
}

impl Actor {
    pub fn to_audit_string(&self) -> String {
        match self {
            Actor::Requester => "requester".to_string(),
            Actor::System => "system".to_string(),
            Actor::Operator => "operator".to_string(),
            Actor::Officer(id) => format!("officer:{id}"),
            Actor::DemoOfficer => "officer:demo".to_string(),
        }
    }

    /// Reads an actor as [`Actor::to_audit_string`] writes it.
    pub fn parse(text: &str) -> Result<Actor, InvalidAuditName> {
        match text {
            "requester" => Ok(Actor::Requester),
            "system" => Ok(Actor::System),
            "operator" => Ok(Actor::Operator),
            "officer:demo" => Ok(Actor::DemoOfficer),
            _ => text
                .strip_prefix("officer:")
                .and_then(|id| id.parse().ok())
                .map(Actor::Officer)
                .ok_or(InvalidAuditName),
        }
    }
}

/// What an event is about: a kind and, for most, an id. Never personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Request(RequestId),
    Record(RecordId),
    Subject(SubjectId),
    Officer(OfficerId),
    /// Every officer account (the sign-in throttle's events).
    Officers,
    /// A purge run over one retention class.
    Retention(String),
    /// A mail in the outbox, by its id.
    Mail(String),
    /// An import run, by its id.
    Import(String),
    /// An export of requests.
    RequestExport,
}

impl Target {
    pub fn to_audit_string(&self) -> String {
        match self {
            Target::Request(id) => format!("request:{id}"),
            Target::Record(id) => format!("record:{id}"),
            Target::Subject(id) => format!("subject:{id}"),
            Target::Officer(id) => format!("officer:{id}"),
            Target::Officers => "officers".to_string(),
            Target::Retention(class) => format!("retention:{class}"),
            Target::Mail(id) => format!("mail:{id}"),
            Target::Import(id) => format!("import:{id}"),
            Target::RequestExport => "export:requests".to_string(),
        }
    }

    /// Reads a target as [`Target::to_audit_string`] writes it.
    pub fn parse(text: &str) -> Result<Target, InvalidAuditName> {
        if text == "officers" {
            return Ok(Target::Officers);
        }
        if text == "export:requests" {
            return Ok(Target::RequestExport);
        }
        let (kind, id) = text.split_once(':').ok_or(InvalidAuditName)?;
        let parsed = match kind {
            "request" => id.parse().map(Target::Request).ok(),
            "record" => id.parse().map(Target::Record).ok(),
            "subject" => id.parse().map(Target::Subject).ok(),
            "officer" => id.parse().map(Target::Officer).ok(),
            "retention" if !id.is_empty() => Some(Target::Retention(id.to_string())),
            "mail" if !id.is_empty() => Some(Target::Mail(id.to_string())),
            "import" if !id.is_empty() => Some(Target::Import(id.to_string())),
            _ => None,
        };
        parsed.ok_or(InvalidAuditName)
    }
}

/// An actor or target text that names nothing we write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an actor or target the audit trail knows")]
pub struct InvalidAuditName;

/// An event as the officer workspace reads it: who, what, about what, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor: Actor,
    pub action: String,
    pub target: Target,
    /// A JSON object without personal data.
    pub details: String,
}

impl AuditEvent {
    /// The id of the message stored beside this event, if it names one.
    pub fn message_id(&self) -> Option<String> {
        let details: serde_json::Value = serde_json::from_str(&self.details).ok()?;
        details.get("message_id")?.as_str().map(str::to_string)
    }
}

/// The fields an event's hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContent<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub at: OffsetDateTime,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
}

/// The hash of `event` chained onto `prev_hash`.
pub fn chain_hash(prev_hash: &str, event: &EventContent<'_>) -> String {
    let mut hasher = Sha256::new();
    // Each field is length-prefixed so that no two different events hash the same input.
    let at = event
        .at
        .format(&Rfc3339)
        .unwrap_or_else(|_| event.at.unix_timestamp_nanos().to_string());
    let seq = event.seq.to_string();
    for field in [
        prev_hash,
        seq.as_str(),
        event.id,
        at.as_str(),
        event.actor,
        event.action,
        event.target,
        event.details,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    HEXLOWER.encode(&hasher.finalize())
}

/// A stored event as the verifier reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub id: String,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEvent {
    fn content(&self) -> EventContent<'_> {
        EventContent {
            seq: self.seq,
            id: &self.id,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            details: &self.details,
        }
    }
}

/// What is wrong with the chain at the first bad event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit event {seq} does not follow event {expected_prev}: an event is missing or out of order")]
    Gap { seq: i64, expected_prev: i64 },
    #[error("audit event {seq} does not point to the hash of the event before it: an event before it was changed, removed or moved")]
    PrevMismatch { seq: i64 },
    #[error(
        "audit event {seq} was changed after it was written: its hash does not match its content"
    )]
    HashMismatch { seq: i64 },
    #[error("the newest audit events are missing: the chain ends at {last_seq}, but {head_seq} were written")]
    Truncated { last_seq: i64, head_seq: i64 },
}

/// Walks the chain in order, one batch at a time, remembering only the last event.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next event in sequence order.
    pub fn check(&mut self, event: &StoredEvent) -> Result<(), ChainBreak> {
        if event.seq != self.last_seq + 1 {
            return Err(ChainBreak::Gap {
                seq: event.seq,
                expected_prev: self.last_seq,
            });
        }
        if event.prev_hash != self.last_hash {
            return Err(ChainBreak::PrevMismatch { seq: event.seq });
        }
        if chain_hash(&event.prev_hash, &event.content()) != event.hash {
            return Err(ChainBreak::HashMismatch { seq: event.seq });
        }
        self.last_seq = event.seq;
        self.last_hash = event.hash.clone();
        self.checked += 1;
        Ok(())
    }

    /// Checks that the walk ended where the head says the chain ends.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<u64, ChainBreak> {
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(ChainBreak::Truncated {
                last_seq: self.last_seq,
                head_seq,
            });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn actors_and_targets_read_back_what_they_write() {
        let officer = OfficerId::new();
        for actor in [
            Actor::Requester,
            Actor::System,
            Actor::Operator,
            Actor::Officer(officer),
            Actor::DemoOfficer,
        ] {
            assert_eq!(Actor::parse(&actor.to_audit_string()), Ok(actor));
        }
        for target in [
            Target::Request(RequestId::new()),
            Target::Record(RecordId::new()),
            Target::Subject(SubjectId::new()),
            Target::Officer(officer),
            Target::Officers,
            Target::Retention("closed_requests".to_string()),
            Target::Mail("m1".to_string()),
            Target::Import("i1".to_string()),
            Target::RequestExport,
        ] {
            assert_eq!(Target::parse(&target.to_audit_string()), Ok(target));
        }
        assert_eq!(Actor::parse("officer:nobody"), Err(InvalidAuditName));
        assert_eq!(Target::parse("request:"), Err(InvalidAuditName));
    }

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut event = StoredEvent {
                    seq,
                    id: format!("id-{seq}"),
                    at: datetime!(2026-01-01 00:00 UTC) + time::Duration::minutes(seq),
                    actor: "system".into(),
                    action: "request.submitted".into(),
                    target: format!("request:{seq}"),
                    details: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                event.hash = chain_hash(&prev, &event.content());
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    fn verify(events: &[StoredEvent], head: (i64, &str)) -> Result<u64, ChainBreak> {
        let mut verifier = ChainVerifier::default();
        for event in events {
            verifier.check(event)?;
        }
        verifier.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain(5);
        let last = events.last().unwrap().hash.clone();
        assert_eq!(verify(&events, (5, &last)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn an_edit_is_found_at_its_row() {
        let mut events = chain(5);
        let last = events.last().unwrap().hash.clone();
        events[2].details = r#"{"edited":true}"#.into();
        assert_eq!(
            verify(&events, (5, &last)),
            Err(ChainBreak::HashMismatch { seq: 3 })
        );
    }

    #[test]
    fn a_deletion_or_reordering_is_found() {
        let events = chain(5);
        let last = events.last().unwrap().hash.clone();
        let mut deleted = events.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, (5, &last)),
            Err(ChainBreak::Gap {
                seq: 3,
                expected_prev: 1
            })
        );
        let mut swapped = events.clone();
        swapped.swap(1, 2);
        (swapped[1].seq, swapped[2].seq) = (2, 3);
        assert_eq!(
            verify(&swapped, (5, &last)),
            Err(ChainBreak::PrevMismatch { seq: 2 })
        );
        let truncated = &events[..4];
        assert_eq!(
            verify(truncated, (5, &last)),
            Err(ChainBreak::Truncated {
                last_seq: 4,
                head_seq: 5
            })
        );
    }
}
