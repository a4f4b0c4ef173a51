//! The officer's request page from the case view: every text the page shows.

use time::OffsetDateTime;

use crate::app::casework::CaseView;
use crate::app::hold_authority::ShownHold;
use crate::app::inventory::{self, SubjectData};
use crate::app::officer::{name_of, OfficerName};
use crate::domain::audit::{Actor, AuditEvent};
use crate::domain::hold::{Hold, HoldScope};
use crate::domain::message::{Author, Message};
use crate::domain::officer_action::RejectionReason;
use crate::domain::policy::Policy;
use crate::domain::queue::due_state;
use crate::domain::regime::Regime;
use crate::domain::task::{Task, TaskState};
use crate::web::officer_pages::{
    CategorySection, ConsentRow, ConsentStateRow, HoldRow, ObjectionEntry, OfficerNav, RecordEntry,
    RequestPage, SelectOption, SubjectSection, TaskRow, TimelineRow,
};
use crate::web::view;

/// Fills the request page. `done` names the action just taken (from the redirect).
pub fn request_page(
    case: &CaseView,
    policy: &Policy,
    nav: OfficerNav,
    done: Option<&str>,
    now: OffsetDateTime,
) -> RequestPage {
    let request = &case.request;
    let officers = &case.officers;
    let due = request.effective_due_at;
    let closed = request.status.is_closed();
    RequestPage {
        nav,
        reference: request.reference.to_string(),
        version: request.version,
        action_url: format!("/officer/requests/{}/actions", request.reference),
        kind_label: request.kind.label().to_string(),
        regime_label: format!("{} ({})", request.regime.label(), request.regime.law()),
        status_label: request.status.label().to_string(),
        status_explanation: request.status.explanation().to_string(),
        requester_name: request.full_name.clone(),
        requester_email: request.email.clone(),
        account_ref: request.account_ref.clone().unwrap_or_default(),
        details: request.details.clone(),
        correction: request.correction.clone().unwrap_or_default(),
        purposes: request.purposes.clone(),
        content_removal: request.content_removal,
        received: view::display_time(request.received_at),
        verified: request
            .verified_at
            .map(view::display_time)
            .unwrap_or_default(),
        due: view::display_time(due),
        due_note: view::due_note(due, now, closed),
        due_state: view::due_class(due_state(due, now, closed)).to_string(),
        due_rule: case.due_rule.clone(),
        extended: request.extended_due_at.is_some(),
        assignee: request
            .assignee
            .map(|id| name_of(officers, id))
            .unwrap_or_else(|| "Unassigned".to_string()),
        timeline: case
            .events
            .iter()
            .map(|event| timeline_row(event, &case.messages, officers))
            .collect(),
        holds: case
            .holds
            .iter()
            .map(|shown| hold_row(shown, officers, case.subject.as_ref()))
            .collect(),
        notice: done.and_then(view::action_notice).map(str::to_string),
        error: None,
        read_only: case.read_only,
        can_assign: case.allowed.assign,
        can_start: case.allowed.start,
        can_ask: case.allowed.ask_requester,
        can_extend: case.allowed.extend,
        extension_until: case
            .extension_until
            .map(view::display_time)
            .unwrap_or_default(),
        can_reject: case.allowed.reject,
        can_fulfil: case.allowed.fulfil,
        can_note: case.allowed.note,
        can_hold: case.allowed.hold,
        duplicate_of: case
            .links
            .duplicate_of
            .as_ref()
            .map(|l| (l.reference.clone(), l.status.label().to_string())),
        duplicates: case
            .links
            .duplicates
            .iter()
            .map(|l| (l.reference.clone(), l.status.label().to_string()))
            .collect(),
        can_merge: case.allowed.merge,
        officers: case
            .assignable
            .iter()
            .map(|o| SelectOption {
                value: o.id.to_string(),
                label: o.name.clone(),
                selected: request.assignee == Some(o.id),
            })
            .collect(),
        rejection_reasons: RejectionReason::ALL
            .into_iter()
            .map(|r| SelectOption {
                value: r.as_str().to_string(),
                label: r.label().to_string(),
                selected: false,
            })
            .collect(),
        subject: case
            .subject
            .as_ref()
            .map(|data| subject_section(policy, data)),
        kind: request.kind.as_str().to_string(),
        tasks: case.tasks.iter().map(task_row).collect(),
        outcome_held: case.outcome_held,
        close_tasks_url: format!("/officer/requests/{}/tasks/close", request.reference),
        can_close_tasks: case.allowed.close_with_tasks,
        record_choices: case
            .subject
            .iter()
            .flat_map(|data| data.records.iter())
            .filter(|r| r.record.in_use())
            .map(|r| SelectOption {
                value: r.record.id.to_string(),
                label: format!(
                    "{} · {} {} ({})",
                    r.record.category_text(),
                    r.record.source,
                    r.content.source_id,
                    r.record.state_text()
                ),
                selected: false,
            })
            .collect(),
        purpose_choices: policy
            .consent_purposes
            .iter()
            .map(|p| SelectOption {
                value: p.slug.clone(),
                label: p.label.clone(),
                selected: request.purposes.contains(&p.slug),
            })
            .collect(),
    }
}

/// One event of the timeline, with the message stored beside it.
fn timeline_row(event: &AuditEvent, messages: &[Message], officers: &[OfficerName]) -> TimelineRow {
    let message = event
        .message_id()
        .and_then(|id| messages.iter().find(|m| m.id == id));
    TimelineRow {
        at: view::display_time(event.at),
        actor: actor_label(event.actor, officers),
        label: view::event_label(&event.action).to_string(),
        message: message.map(|m| m.body.clone()),
        internal: message.is_some_and(|m| m.author == Author::Internal),
    }
}

/// Who did something, in words for the officer.
fn task_row(task: &Task) -> TaskRow {
    let (state, reason) = match &task.state {
        TaskState::Open => ("Open", ""),
        TaskState::Completed => ("Completed", ""),
        TaskState::Failed(reason) => ("Failed", reason.as_str()),
    };
    TaskRow {
        source: task.source.clone(),
        action: task.action.label().to_string(),
        state: state.to_string(),
        reason: reason.to_string(),
        finished: task.finished_at.map(view::display_time).unwrap_or_default(),
    }
}

fn actor_label(actor: Actor, officers: &[OfficerName]) -> String {
    match actor {
        Actor::Officer(id) => name_of(officers, id),
        Actor::DemoOfficer => "Unknown officer".to_string(),
        Actor::Requester => "Requester".to_string(),
        Actor::System | Actor::Operator => "System".to_string(),
        Actor::ApiToken(_) => "Connected system".to_string(),
    }
}

fn hold_row(shown: &ShownHold, officers: &[OfficerName], subject: Option<&SubjectData>) -> HoldRow {
    let hold = &shown.hold;
    HoldRow {
        id: hold.id.to_string(),
        order_reference: hold.order_reference.clone(),
        placed_by: name_of(officers, hold.placed_by),
        placed_at: view::display_time(hold.placed_at),
        expires_on: view::hold_expiry(hold),
        covers: hold_covers(hold, subject),
        may_release: shown.may_release,
        release_note: if shown.may_release {
            String::new()
        } else {
            release_note(shown.origin)
        },
    }
}

/// Why the officer cannot release a hold, in a few words.
fn release_note(origin: Option<Regime>) -> String {
    match origin {
        Some(regime) => format!(
            "Placed from a request of another region ({}): only its officers or an admin can release it.",
            regime.label()
        ),
        None => "Not placed from a request: only an admin can release it.".to_string(),
    }
}

/// What a hold covers, in words for the officer.
fn hold_covers(hold: &Hold, subject: Option<&SubjectData>) -> String {
    match hold.scope {
        HoldScope::Request => "This request".to_string(),
        HoldScope::Subject => "All data about this person".to_string(),
        HoldScope::Record => subject
            .and_then(|data| {
                data.records
                    .iter()
                    .find(|r| r.record.id.to_string() == hold.target_id)
            })
            .map(|r| {
                format!(
                    "Record {} {} ({})",
                    r.record.source,
                    r.content.source_id,
                    r.record.category_text()
                )
            })
            .unwrap_or_else(|| "One record".to_string()),
    }
}

fn subject_section(policy: &Policy, data: &SubjectData) -> SubjectSection {
    let mut categories: Vec<CategorySection> = Vec::new();
    for record in &data.records {
        let entry = RecordEntry {
            source: record.record.source.clone(),
            source_id: record.content.source_id.clone(),
            state: record.record.state_text().to_string(),
            retention: record.record.retention_text().replace('_', " "),
            fields: record
                .content
                .payload
                .iter()
                .map(|(key, value)| {
                    let text = match value {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (key.clone(), text)
                })
                .collect(),
        };
        match categories.last_mut() {
            Some(group) if group.name == record.record.category_text() => group.records.push(entry),
            _ => categories.push(CategorySection {
                name: record.record.category_text().to_string(),
                records: vec![entry],
            }),
        }
    }
    let purposes = policy.purpose_slugs();
    SubjectSection {
        account_ref: data.identity.account_ref.clone().unwrap_or_default(),
        cancelled: data
            .subject
            .cancelled_at
            .map(view::display_time)
            .unwrap_or_default(),
        categories,
        consent_state: inventory::consent_state(&purposes, &data.consents)
            .into_iter()
            .map(|(purpose, granted)| ConsentStateRow {
                purpose: purpose.to_string(),
                granted,
            })
            .collect(),
        consents: data
            .consents
            .iter()
            .map(|c| ConsentRow {
                purpose: c.purpose.clone(),
                granted_at: view::display_time(c.granted_at),
                withdrawn_at: c.withdrawn_at.map(view::display_time).unwrap_or_default(),
                source: c.source.clone(),
            })
            .collect(),
        objections: data
            .objections
            .iter()
            .map(|o| ObjectionEntry {
                purpose: o.purpose.clone(),
                recorded_at: view::display_time(o.recorded_at),
            })
            .collect(),
    }
}
