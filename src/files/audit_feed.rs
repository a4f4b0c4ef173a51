//! The audit feed's line format (`rightsdesk audit tail --format ndjson`): one JSON object
//! per sequenced event, for a log shipper.

use time::format_description::well_known::Rfc3339;

use crate::domain::audit::StoredEvent;

/// One event as one line of JSON (no newline). `details` is the stored JSON object.
pub fn event_line(event: &StoredEvent) -> String {
    let details = serde_json::from_str::<serde_json::Value>(&event.details)
        .unwrap_or_else(|_| serde_json::Value::String(event.details.clone()));
    serde_json::json!({
        "seq": event.seq,
        "id": event.id,
        "at": event.at.format(&Rfc3339).unwrap_or_default(),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "details": details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "key_id": event.key_id,
    })
    .to_string()
}
