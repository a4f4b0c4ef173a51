//! A request's detail page and its workflow actions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, see_other, CsrfForm};
use crate::app::inventory::SubjectData;
use crate::app::{self, clock};
use crate::domain::inventory::RecordState;
use crate::domain::officer_action::{ActionRequest, RawAction, RejectionReason};
use crate::domain::queue::due_state;
use crate::domain::reference::Reference;
use crate::error::AppError;
use crate::store::time::from_db;
use crate::web::error::WebError;
use crate::web::officer_pages::{
    CategorySection, ConsentRow, ConsentStateRow, HoldRow, ObjectionEntry, RecordEntry,
    RequestPage, SelectOption, SubjectSection, TimelineRow,
};
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    csrf_token: String,
    action: String,
    version: String,
    assignee: String,
    message: String,
    reason: String,
    order_reference: String,
    expires_on: String,
    hold_id: String,
    hold_scope: String,
    record_id: Vec<String>,
    correction: String,
    purposes: Vec<String>,
}

impl CsrfForm for ActionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl ActionForm {
    fn raw(self) -> RawAction {
        RawAction {
            action: self.action,
            version: self.version,
            assignee: self.assignee,
            message: self.message,
            reason: self.reason,
            order_reference: self.order_reference,
            expires_on: self.expires_on,
            hold_id: self.hold_id,
            hold_scope: self.hold_scope,
            record_id: self.record_id,
            correction: self.correction,
            purposes: self.purposes,
        }
    }
}

fn reference_from(path: &str) -> Result<Reference, AppError> {
    Reference::parse(path).map_err(|_| AppError::NotFound)
}

pub async fn detail(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    reference: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let reference = reference_from(&reference)?;
    let ctx = state.ctx.clone();
    let (viewer, wanted) = (officer.clone(), reference.to_string());
    let case = blocking(move || app::casework::view(&ctx, &viewer, &wanted)).await?;
    let csrf = issue_csrf(&state, &req)?;
    let now = clock::now();
    let request = &case.request;
    let name_of = |id: &str| {
        case.officer_names
            .iter()
            .find(|(officer_id, _)| officer_id == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| "Unknown officer".to_string())
    };
    let actor_label = |actor: &str| match actor.strip_prefix("officer:") {
        Some(id) => name_of(id),
        None if actor == "requester" => "Requester".to_string(),
        None => "System".to_string(),
    };
    let timeline = case
        .events
        .iter()
        .map(|event| {
            let details: serde_json::Value =
                serde_json::from_str(&event.details).unwrap_or_default();
            let message = details
                .get("message_id")
                .and_then(|v| v.as_str())
                .and_then(|id| case.messages.iter().find(|m| m.id == id));
            TimelineRow {
                at: view::display_time(from_db(event.at)),
                actor: actor_label(&event.actor),
                label: view::event_label(&event.action).to_string(),
                message: message.map(|m| m.body.clone()),
                internal: message.is_some_and(|m| m.author == "internal"),
            }
        })
        .collect();
    let due = from_db(request.row.effective_due_at);
    let closed = request.status.is_closed();
    let requested_purposes: Vec<String> = request
        .row
        .purposes
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let page = RequestPage {
        nav: view::officer_nav(&officer, &csrf.form_token),
        reference: request.row.reference.clone(),
        version: request.row.version,
        action_url: format!("/officer/requests/{}/actions", request.row.reference),
        kind_label: request.kind.label().to_string(),
        regime_label: format!("{} ({})", request.regime.label(), request.regime.law()),
        status_label: request.status.label().to_string(),
        status_explanation: request.status.explanation().to_string(),
        requester_name: request.row.full_name.clone(),
        requester_email: request.row.email.clone(),
        account_ref: request.row.account_ref.clone().unwrap_or_default(),
        details: request.row.details.clone(),
        correction: request.row.correction.clone().unwrap_or_default(),
        purposes: requested_purposes.clone(),
        content_removal: request.row.content_removal,
        received: view::display_time(from_db(request.row.received_at)),
        verified: request
            .row
            .verified_at
            .map(|v| view::display_time(from_db(v)))
            .unwrap_or_default(),
        due: view::display_time(due),
        due_note: view::due_note(due, now, closed),
        due_state: view::due_class(due_state(due, now, closed)).to_string(),
        due_rule: case.due_rule.clone(),
        extended: request.row.extended_due_at.is_some(),
        assignee: request
            .row
            .assignee_id
            .as_deref()
            .map(name_of)
            .unwrap_or_else(|| "Unassigned".to_string()),
        timeline,
        holds: case
            .holds
            .iter()
            .map(|h| HoldRow {
                id: h.id.clone(),
                order_reference: h.order_reference.clone(),
                placed_by: name_of(&h.placed_by),
                placed_at: view::display_time(from_db(h.placed_at)),
                expires_on: h.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                covers: hold_covers(h, case.subject.as_ref()),
            })
            .collect(),
        notice: query
            .done
            .as_deref()
            .and_then(view::action_notice)
            .map(str::to_string),
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
        officers: case
            .assignable
            .iter()
            .map(|o| SelectOption {
                value: o.id.clone(),
                label: o.name.clone(),
                selected: request.row.assignee_id.as_deref() == Some(o.id.as_str()),
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
            .map(|data| subject_section(&state, data)),
        kind: request.kind.as_str().to_string(),
        record_choices: case
            .subject
            .iter()
            .flat_map(|data| data.records.iter())
            .filter(|r| r.row.state.parse().is_ok_and(RecordState::in_use))
            .map(|r| SelectOption {
                value: r.row.id.clone(),
                label: format!(
                    "{} · {} {} ({})",
                    r.row.category, r.row.source, r.content.source_id, r.row.state
                ),
                selected: false,
            })
            .collect(),
        purpose_choices: state
            .ctx
            .settings
            .policy
            .consent_purposes
            .iter()
            .map(|p| SelectOption {
                value: p.slug.clone(),
                label: p.label.clone(),
                selected: requested_purposes.contains(&p.slug),
            })
            .collect(),
    };
    render(&page, StatusCode::OK, Some(csrf))
}

/// What a hold covers, in words for the officer.
fn hold_covers(hold: &crate::store::holds::HoldRow, subject: Option<&SubjectData>) -> String {
    match hold.scope.as_str() {
        "request" => "This request".to_string(),
        "subject" => "All data about this person".to_string(),
        _ => subject
            .and_then(|data| data.records.iter().find(|r| r.row.id == hold.target_id))
            .map(|r| {
                format!(
                    "Record {} {} ({})",
                    r.row.source, r.content.source_id, r.row.category
                )
            })
            .unwrap_or_else(|| "One record".to_string()),
    }
}

fn subject_section(state: &WebState, data: &SubjectData) -> SubjectSection {
    let mut categories: Vec<CategorySection> = Vec::new();
    for record in &data.records {
        let entry = RecordEntry {
            source: record.row.source.clone(),
            source_id: record.content.source_id.clone(),
            state: record.row.state.clone(),
            retention: record.row.retention_class.replace('_', " "),
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
            Some(group) if group.name == record.row.category => group.records.push(entry),
            _ => categories.push(CategorySection {
                name: record.row.category.clone(),
                records: vec![entry],
            }),
        }
    }
    let purposes = state.ctx.settings.policy.purpose_slugs();
    SubjectSection {
        account_ref: data.identity.account_ref.clone().unwrap_or_default(),
        cancelled: data
            .subject
            .cancelled_at
            .map(|at| view::display_time(from_db(at)))
            .unwrap_or_default(),
        categories,
        consent_state: app::inventory::consent_state(&purposes, &data.consents)
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
                granted_at: view::display_time(from_db(c.granted_at)),
                withdrawn_at: c
                    .withdrawn_at
                    .map(|at| view::display_time(from_db(at)))
                    .unwrap_or_default(),
                source: c.source.clone(),
            })
            .collect(),
        objections: data
            .objections
            .iter()
            .map(|o| ObjectionEntry {
                purpose: o.purpose.clone(),
                recorded_at: view::display_time(from_db(o.recorded_at)),
            })
            .collect(),
    }
}

pub async fn act(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    reference: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let reference = reference_from(&reference)?;
    let form: ActionForm = read_checked_form(&state, &req, payload).await?;
    let input = ActionRequest::parse(&form.raw()).map_err(|e| AppError::Invalid(vec![e]))?;
    let name = input.action.name();
    let ctx = state.ctx.clone();
    let target = reference.to_string();
    blocking(move || app::casework::act(&ctx, &officer, &target, input)).await?;
    Ok(see_other(&format!(
        "/officer/requests/{reference}?done={name}"
    )))
}
