//! What each webhook event says: the case's facts for every endpoint, the person's email
//! and name only for endpoints marked to receive personal data.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::lifecycle::Transition;
use super::request::Request;
use super::webhook::{EventType, WebhookEvent};

fn case_facts(request: &Request) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("reference".into(), request.reference.as_str().into());
    data.insert("kind".into(), request.kind.as_str().into());
    data.insert("regime".into(), request.regime.as_str().into());
    data
}

fn requester(request: &Request) -> Map<String, Value> {
    let mut personal = Map::new();
    personal.insert("email".into(), request.email.clone().into());
    personal.insert("full_name".into(), request.full_name.clone().into());
    personal
}

/// `request.created`: a request was confirmed (or recorded) and its clock runs.
pub fn request_created(request: &Request, at: OffsetDateTime) -> WebhookEvent {
    let mut data = case_facts(request);
    data.insert("status".into(), "open".into());
    WebhookEvent {
        event_type: EventType::RequestCreated,
        at,
        data,
        personal: requester(request),
    }
}

/// `request.status_changed`: a transition moved the request from one status to another.
pub fn status_changed(
    request: &Request,
    transition: &Transition,
    at: OffsetDateTime,
) -> WebhookEvent {
    let mut data = case_facts(request);
    data.insert("from".into(), transition.from.as_str().into());
    data.insert("status".into(), transition.to.as_str().into());
    WebhookEvent {
        event_type: EventType::RequestStatusChanged,
        at,
        data,
        personal: requester(request),
    }
}

/// `consent.withdrawn`: a withdrawal request closed the person's consent to `purpose`.
pub fn consent_withdrawn(request: &Request, purpose: &str, at: OffsetDateTime) -> WebhookEvent {
    let mut data = Map::new();
    data.insert("reference".into(), request.reference.as_str().into());
    data.insert("purpose".into(), purpose.into());
    let mut personal = Map::new();
    personal.insert("email".into(), request.email.clone().into());
    WebhookEvent {
        event_type: EventType::ConsentWithdrawn,
        at,
        data,
        personal,
    }
}

/// A fulfilment task for one source system, as `task.created` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTask<'a> {
    pub task_id: &'a str,
    /// The source system that must act (the inventory's `source`).
    pub source: &'a str,
    /// What the source must do (`erase`, `restrict`, ...).
    pub action: &'a str,
}

/// `task.created`: a source system has work to do for a request.
pub fn task_created(request: &Request, task: &CreatedTask<'_>, at: OffsetDateTime) -> WebhookEvent {
    let mut data = case_facts(request);
    data.insert("task_id".into(), task.task_id.into());
    data.insert("source".into(), task.source.into());
    data.insert("action".into(), task.action.into());
    let mut personal = Map::new();
    personal.insert("email".into(), request.email.clone().into());
    WebhookEvent {
        event_type: EventType::TaskCreated,
        at,
        data,
        personal,
    }
}
