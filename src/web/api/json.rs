//! The API's JSON bodies and answers, with their OpenAPI schemas. Enumerations are
//! documented as such but read as text, so that an unknown value is a field-level 422 from
//! the domain's checks rather than a shapeless parse error.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::app::api::requests::{RequestPage, RequestStatusView};
use crate::app::api::tasks::{TaskPage, TaskView};
use crate::domain::consent_state::PurposeState;
use crate::domain::intake::RawIntake;
use crate::domain::submission::RawSubmission;
use crate::domain::task::TaskState;

/// A request received elsewhere, to be recorded.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewRequestBody {
    /// Which right the requester uses.
    #[schema(example = "access", value_type = String, pattern = "^(access|rectification|erasure|restriction|portability|objection|consent_withdrawal|grievance)$")]
    pub kind: String,
    /// Whose law applies: `in`, `eu`, `us-ca` or `other`.
    #[schema(example = "eu", value_type = String, pattern = "^(in|eu|us-ca|other)$")]
    pub regime: String,
    pub requester: RequesterBody,
    /// What the request is about (required for some kinds).
    #[serde(default)]
    pub details: Option<String>,
    /// What the data should say instead (rectification).
    #[serde(default)]
    pub correction: Option<String>,
    /// The consent purposes to withdraw from (consent withdrawal).
    #[serde(default)]
    pub purposes: Option<Vec<String>>,
    /// A grievance about content that should come down.
    #[serde(default)]
    pub content_removal: Option<bool>,
    /// When the request reached the organisation (RFC 3339): the statutory clock starts here.
    /// Not in the future, and not more days ago than the portal's intake limit.
    #[schema(example = "2026-11-28T10:30:00Z", format = DateTime)]
    pub received_at: String,
    /// How it reached the organisation.
    #[schema(example = "phone", pattern = "^(post|phone|in_person|email|agent)$")]
    pub channel: String,
    /// The language of the requester's mail and status page: `en` (the default) or `hi`.
    /// Also read as `locale`.
    #[serde(default, alias = "locale")]
    #[schema(example = "hi", pattern = "^(en|hi)$")]
    pub language: Option<String>,
}

/// The person who made the request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RequesterBody {
    #[schema(example = "Asha Rao")]
    pub name: String,
    /// The status link is mailed here.
    #[schema(example = "asha@example.org")]
    pub email: String,
    /// Their account or customer number with the organisation.
    #[serde(default)]
    pub account_ref: Option<String>,
}

impl NewRequestBody {
    pub fn raw(&self) -> RawIntake {
        RawIntake {
            submission: RawSubmission {
                kind: self.kind.clone(),
                full_name: self.requester.name.clone(),
                email: self.requester.email.clone(),
                region: self.regime.clone(),
                account_ref: self.requester.account_ref.clone().unwrap_or_default(),
                details: self.details.clone().unwrap_or_default(),
                correction: self.correction.clone().unwrap_or_default(),
                purposes: self.purposes.clone().unwrap_or_default(),
                content_removal: self.content_removal.unwrap_or(false),
            },
            received_at: self.received_at.clone(),
            channel: self.channel.clone(),
            locale: self.language.clone().unwrap_or_default(),
        }
    }
}

/// A request's status, due dates and outcome: no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestJson {
    #[schema(example = "RD-7K3M-9QX2")]
    pub reference: String,
    pub kind: String,
    pub regime: String,
    /// `open`, `in_progress`, `awaiting_requester`, `fulfilled`, `rejected` or `withdrawn`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// The response due date before any extension.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub extended_due_at: Option<OffsetDateTime>,
    /// The due date in force.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub effective_due_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<OffsetDateTime>,
    /// `fulfilled` or `rejected` once closed so.
    pub outcome: Option<String>,
}

impl From<RequestStatusView> for RequestJson {
    fn from(view: RequestStatusView) -> RequestJson {
        RequestJson {
            reference: view.reference,
            kind: view.kind.as_str().to_string(),
            regime: view.regime.as_str().to_string(),
            status: view.status.as_str().to_string(),
            received_at: view.received_at,
            due_at: view.due_at,
            extended_due_at: view.extended_due_at,
            effective_due_at: view.effective_due_at,
            closed_at: view.closed_at,
            outcome: view.outcome,
        }
    }
}

/// A page of requests, soonest due first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestListJson {
    pub items: Vec<RequestJson>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl From<RequestPage> for RequestListJson {
    fn from(page: RequestPage) -> RequestListJson {
        RequestListJson {
            items: page.items.into_iter().map(RequestJson::from).collect(),
            next_cursor: page.next,
        }
    }
}

/// One purpose's consent now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PurposeConsentJson {
    #[schema(example = "marketing")]
    pub purpose: String,
    /// `granted`, `withdrawn` or `none` (never recorded).
    #[schema(example = "withdrawn")]
    pub state: String,
    /// Since when: the grant in force, or the latest withdrawal.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<OffsetDateTime>,
}

/// A person's consent per purpose.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentsJson {
    pub purposes: Vec<PurposeConsentJson>,
}

impl From<Vec<PurposeState>> for ConsentsJson {
    fn from(states: Vec<PurposeState>) -> ConsentsJson {
        ConsentsJson {
            purposes: states
                .into_iter()
                .map(|s| PurposeConsentJson {
                    purpose: s.purpose,
                    state: s.standing.as_str().to_string(),
                    since: s.since,
                })
                .collect(),
        }
    }
}

/// One refused line of an NDJSON body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedLineJson {
    pub line: u64,
    pub detail: String,
}

/// What an inventory push did. In a dry run `valid` counts what would be imported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestSummaryJson {
    pub read: u64,
    pub valid: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub dry_run: bool,
    /// The refused lines, the first 1,000 of them.
    pub errors: Vec<RejectedLineJson>,
}

/// A fulfilment task: what one source system must do for a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskJson {
    #[schema(example = "01938a6e-5c1f-7d2a-9b3e-4f5a6b7c8d9e")]
    pub id: String,
    /// The request the task is for.
    #[schema(example = "RD-7K3M-9QX2")]
    pub reference: String,
    /// The source system that must act.
    #[schema(example = "crm")]
    pub source: String,
    /// `erase`, `restrict`, `rectify`, `object` or `withdraw_consent`.
    #[schema(example = "erase")]
    pub action: String,
    /// `open`, `completed` or `failed`.
    #[schema(example = "open")]
    pub state: String,
    /// Why the source could not do it (`failed` only).
    pub failure_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<TaskView> for TaskJson {
    fn from(view: TaskView) -> TaskJson {
        let task = view.task;
        let failure_reason = match &task.state {
            TaskState::Failed(reason) => Some(reason.as_str().to_string()),
            _ => None,
        };
        TaskJson {
            id: task.id.to_string(),
            reference: view.reference,
            source: task.source,
            action: task.action.as_str().to_string(),
            state: task.state.as_str().to_string(),
            failure_reason,
            created_at: task.created_at,
            finished_at: task.finished_at,
        }
    }
}

/// A page of a source's open tasks, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskListJson {
    pub items: Vec<TaskJson>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl From<TaskPage> for TaskListJson {
    fn from(page: TaskPage) -> TaskListJson {
        TaskListJson {
            items: page.items.into_iter().map(TaskJson::from).collect(),
            next_cursor: page.next,
        }
    }
}

/// Why a source system could not do its task.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FailTaskBody {
    /// At most 500 characters, not blank, no control characters but line breaks.
    #[schema(example = "The account is archived offline")]
    pub reason: String,
}
