//! Webhooks: the event types other systems subscribe to, what an endpoint's URL must be, the
//! signing secret and the Standard Webhooks signature (`v1,` + base64 of HMAC-SHA-256 over
//! `{id}.{timestamp}.{body}`), the body each event carries, and when a failed delivery is
//! tried again.

use data_encoding::BASE64;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::mail_delivery::AfterFailure;

/// Something that happened which other systems may be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A request was confirmed by its requester (or recorded by an officer).
    RequestCreated,
    /// An officer's action (or the requester's reply) moved a request to another status.
    RequestStatusChanged,
    /// A fulfilment task was created for a source system.
    TaskCreated,
    /// A consent withdrawal closed a person's consent to a purpose.
    ConsentWithdrawn,
}

impl EventType {
    pub const ALL: [EventType; 4] = [
        EventType::RequestCreated,
        EventType::RequestStatusChanged,
        EventType::TaskCreated,
        EventType::ConsentWithdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::RequestCreated => "request.created",
            EventType::RequestStatusChanged => "request.status_changed",
            EventType::TaskCreated => "task.created",
            EventType::ConsentWithdrawn => "consent.withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// The event types one endpoint receives: at least one, each once, in [`EventType::ALL`]'s
/// order. Stored as the names separated by commas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(Vec<EventType>);

impl EventTypes {
    /// The types named in `names`; `None` when none is given or one is unknown.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<EventTypes> {
        let mut chosen = Vec::new();
        for name in names {
            chosen.push(EventType::parse(name.trim())?);
        }
        let ordered: Vec<EventType> = EventType::ALL
            .into_iter()
            .filter(|t| chosen.contains(t))
            .collect();
        (!ordered.is_empty()).then_some(EventTypes(ordered))
    }

    /// Reads the stored form.
    pub fn from_stored(text: &str) -> Option<EventTypes> {
        EventTypes::parse(text.split(','))
    }

    pub fn to_stored(&self) -> String {
        self.names().join(",")
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|t| t.as_str()).collect()
    }

    pub fn contains(&self, event: EventType) -> bool {
        self.0.contains(&event)
    }
}

/// Why a URL cannot be an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error(
        "Enter the endpoint's full address, such as https://crm.example.org/hooks/rightsdesk."
    )]
    NotAUrl,
    #[error("The address must start with https:// (plain http is accepted only for this machine itself, 127.0.0.1 or localhost).")]
    NotHttps,
    #[error("The address must not hold a user name or password; the signature proves who sent an event.")]
    HasCredentials,
}

/// An endpoint's URL: https, or plain http to the loopback interface (a receiver on the
/// same machine, as in tests and local relays). Nothing else travels in clear text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    pub fn parse(text: &str) -> Result<EndpointUrl, UrlProblem> {
        let url = url::Url::parse(text.trim()).map_err(|_| UrlProblem::NotAUrl)?;
        let host = url.host().ok_or(UrlProblem::NotAUrl)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlProblem::HasCredentials);
        }
        let loopback = match host {
            url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        match url.scheme() {
            "https" => Ok(EndpointUrl(url.to_string())),
            "http" if loopback => Ok(EndpointUrl(url.to_string())),
            "http" => Err(UrlProblem::NotHttps),
            _ => Err(UrlProblem::NotAUrl),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many random bytes a signing secret holds (Standard Webhooks asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;
const SECRET_PREFIX: &str = "whsec_";

/// An endpoint's signing secret: shown to the admin once as `whsec_` + base64, kept sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    pub fn from_random(bytes: [u8; SECRET_BYTES]) -> SigningSecret {
        SigningSecret(bytes.to_vec())
    }

    /// Reads `whsec_<base64>`; `None` for anything else or fewer than 24 bytes.
    pub fn parse(text: &str) -> Option<SigningSecret> {
        let encoded = text.trim().strip_prefix(SECRET_PREFIX)?;
        let bytes = BASE64.decode(encoded.as_bytes()).ok()?;
        (bytes.len() >= 24).then_some(SigningSecret(bytes))
    }

    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC-SHA-256 takes a key of any size");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` header for a message: `v1,<base64 HMAC-SHA-256>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("v1,{}", BASE64.encode(&tag))
    }

    /// Whether any `v1` signature in a `webhook-signature` header (several are separated by
    /// spaces) matches the message; compared in constant time.
    pub fn verify(&self, header: &str, id: &str, timestamp: i64, body: &[u8]) -> bool {
        header.split_whitespace().any(|part| {
            let Some(encoded) = part.strip_prefix("v1,") else {
                return false;
            };
            let Ok(tag) = BASE64.decode(encoded.as_bytes()) else {
                return false;
            };
            self.mac(id, timestamp, body).verify_slice(&tag).is_ok()
        })
    }
}

/// One event as it is queued: its type, when it happened, what any endpoint may receive and
/// what only an endpoint marked to receive personal data gets besides.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub event_type: EventType,
    pub at: OffsetDateTime,
    /// The request's reference and facts about the case (kind, status), never the person.
    pub data: Map<String, Value>,
    /// The requester's email and name, and the like.
    pub personal: Map<String, Value>,
}

impl WebhookEvent {
    /// The JSON body for an endpoint (Standard Webhooks' `type`, `timestamp`, `data`).
    pub fn body(&self, with_personal_data: bool) -> String {
        let mut data = self.data.clone();
        if with_personal_data {
            data.extend(self.personal.clone());
        }
        let timestamp = self
            .at
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.at.unix_timestamp().to_string());
        serde_json::json!({
            "type": self.event_type.as_str(),
            "timestamp": timestamp,
            "data": data,
        })
        .to_string()
    }
}

/// When failed deliveries are tried again: a wait that doubles from `first_wait` up to
/// `longest_wait`, and no more than `max_attempts` attempts in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    pub first_wait: Duration,
    pub longest_wait: Duration,
    pub max_attempts: u32,
}

impl Default for DeliveryPolicy {
    /// 30 s doubling to at most an hour; 8 attempts (about 2 hours of trying).
    fn default() -> Self {
        DeliveryPolicy {
            first_wait: Duration::seconds(30),
            longest_wait: Duration::hours(1),
            max_attempts: 8,
        }
    }
}

impl DeliveryPolicy {
    /// The decision after attempt number `attempt` (1 for the first) failed at `now`.
    pub fn after_failure(&self, attempt: u32, now: OffsetDateTime) -> AfterFailure {
        if attempt >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let wait = 2i32
            .checked_pow(attempt.saturating_sub(1).min(30))
            .and_then(|factor| self.first_wait.checked_mul(factor))
            .unwrap_or(self.longest_wait)
            .min(self.longest_wait);
        AfterFailure::RetryAt(now.saturating_add(wait))
    }
}

/// Whether an endpoint's answer counts as delivered: any 2xx. A redirect is not followed and
/// counts as a failure, as every other status does.
pub fn is_delivered(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
