//! The audit trail: who did what to what, and when. Events are stored as they happen,
//! unsequenced; a single sequencer numbers them and chains their keyed hashes
//! ([`chain`]), and seals each batch under a checkpoint ([`checkpoint`]), so an edited,
//! deleted or reordered event breaks the chain and a rewrite after a checkpoint was
//! exported is found. A key leaves the configuration once a rotation seal ([`rotation`])
//! under its successor covers the era it made.

pub mod chain;
pub mod chain_break;
pub mod checkpoint;
pub mod rotation;

use time::OffsetDateTime;

use super::ids::{ApiTokenId, OfficerId, RecordId, RequestId, SubjectId, WebhookEndpointId};

pub use chain::{
    chain_hash, check_pending, keyed_chain_hash, sequence, ChainBreak, ChainVerifier, EventContent,
    Sequenced, StoredEvent, GENESIS_HASH,
};
pub use checkpoint::{AuditKey, AuditKeys, Checkpoint, InvalidCheckpoint};
pub use rotation::{EraDigest, EraSummary, InvalidRotationSeal, RotationSeal, SealedEra};

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
    /// Another system, calling the JSON API with this token.
    ApiToken(ApiTokenId),
}

impl Actor {
    pub fn to_audit_string(&self) -> String {
        match self {
            Actor::Requester => "requester".to_string(),
            Actor::System => "system".to_string(),
            Actor::Operator => "operator".to_string(),
            Actor::Officer(id) => format!("officer:{id}"),
            Actor::DemoOfficer => "officer:demo".to_string(),
            Actor::ApiToken(id) => format!("api_token:{id}"),
        }
    }

    /// Reads an actor as [`Actor::to_audit_string`] writes it.
    pub fn parse(text: &str) -> Result<Actor, InvalidAuditName> {
        match text {
            "requester" => Ok(Actor::Requester),
            "system" => Ok(Actor::System),
            "operator" => Ok(Actor::Operator),
            "officer:demo" => Ok(Actor::DemoOfficer),
            _ => {
                if let Some(id) = text.strip_prefix("api_token:") {
                    return id
                        .parse()
                        .map(Actor::ApiToken)
                        .map_err(|_| InvalidAuditName);
                }
                text.strip_prefix("officer:")
                    .and_then(|id| id.parse().ok())
                    .map(Actor::Officer)
                    .ok_or(InvalidAuditName)
            }
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
    /// A re-sealing of the data at rest under the current key, by its run id.
    Rekey(String),
    /// An API token (its creation, revocation), by its id.
    ApiToken(ApiTokenId),
    /// A webhook endpoint.
    Webhook(WebhookEndpointId),
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
            Target::Rekey(id) => format!("rekey:{id}"),
            Target::ApiToken(id) => format!("api_token:{id}"),
            Target::Webhook(id) => format!("webhook:{id}"),
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
            "api_token" => id.parse().map(Target::ApiToken).ok(),
            "retention" if !id.is_empty() => Some(Target::Retention(id.to_string())),
            "mail" if !id.is_empty() => Some(Target::Mail(id.to_string())),
            "import" if !id.is_empty() => Some(Target::Import(id.to_string())),
            "rekey" if !id.is_empty() => Some(Target::Rekey(id.to_string())),
            "webhook" => id.parse().map(Target::Webhook).ok(),
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
    /// Its place in the chain; `None` while it waits for the sequencer.
    pub seq: Option<i64>,
    /// Where it was stored, in insertion order: orders pending events.
    pub position: i64,
    pub at: OffsetDateTime,
    pub actor: Actor,
    pub action: String,
    pub target: Target,
    /// A JSON object without personal data.
    pub details: String,
}

impl TryFrom<StoredEvent> for AuditEvent {
    type Error = InvalidAuditName;

    fn try_from(event: StoredEvent) -> Result<AuditEvent, InvalidAuditName> {
        Ok(AuditEvent {
            seq: event.seq,
            position: event.position,
            at: event.at,
            actor: Actor::parse(&event.actor)?,
            target: Target::parse(&event.target)?,
            action: event.action,
            details: event.details,
        })
    }
}

impl AuditEvent {
    /// Whether the sequencer has not numbered it yet.
    pub fn is_pending(&self) -> bool {
        self.seq.is_none()
    }

    /// The id of the message stored beside this event, if it names one.
    pub fn message_id(&self) -> Option<String> {
        let details: serde_json::Value = serde_json::from_str(&self.details).ok()?;
        details.get("message_id")?.as_str().map(str::to_string)
    }
}

/// Where a page of the audit viewer ends: events older than this one come next. Pending
/// events come first (newest stored first), then sequenced ones (highest number first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCursor {
    /// Before the pending event stored at this position (written `p<position>`).
    Pending(i64),
    /// Before the sequenced event with this number (written as the number).
    Sequenced(i64),
}

impl AuditCursor {
    /// The cursor after `event`, the last of a page.
    pub fn after(event: &AuditEvent) -> AuditCursor {
        match event.seq {
            Some(seq) => AuditCursor::Sequenced(seq),
            None => AuditCursor::Pending(event.position),
        }
    }

    /// Reads a cursor as [`AuditCursor::to_param`] writes it; `None` for anything else.
    pub fn parse(text: &str) -> Option<AuditCursor> {
        let text = text.trim();
        match text.strip_prefix('p') {
            Some(position) => position.parse().ok().map(AuditCursor::Pending),
            None => text.parse().ok().map(AuditCursor::Sequenced),
        }
    }

    pub fn to_param(self) -> String {
        match self {
            AuditCursor::Pending(position) => format!("p{position}"),
            AuditCursor::Sequenced(seq) => seq.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Target::Rekey("r1".to_string()),
            Target::RequestExport,
        ] {
            assert_eq!(Target::parse(&target.to_audit_string()), Ok(target));
        }
        assert_eq!(Actor::parse("officer:nobody"), Err(InvalidAuditName));
        assert_eq!(Target::parse("request:"), Err(InvalidAuditName));
    }

    #[test]
    fn cursors_read_back_what_they_write() {
        for cursor in [AuditCursor::Pending(12), AuditCursor::Sequenced(41)] {
            assert_eq!(AuditCursor::parse(&cursor.to_param()), Some(cursor));
        }
        assert_eq!(AuditCursor::parse("pp1"), None);
        assert_eq!(AuditCursor::parse(""), None);
    }
}
