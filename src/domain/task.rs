//! Fulfilment tasks: when a fulfilled request changes data, each source system that holds
//! the person's records gets one task, which it completes or reports failed with a reason.
//! The requester's outcome mail waits until every task is completed.

use time::OffsetDateTime;

use super::ids::{RequestId, TaskId};
use super::kind::RequestKind;

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub request_id: RequestId,
    /// The source system that must act (the inventory's `source`).
    pub source: String,
    pub action: TaskAction,
    pub state: TaskState,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    /// Who reported the task finished, as the audit log names them.
    pub finished_by: Option<String>,
}

/// What a source system must do for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    Erase,
    Restrict,
    Rectify,
    Object,
    WithdrawConsent,
}

impl TaskAction {
    /// The action a fulfilled request of `kind` asks of the source systems, if any: access,
    /// portability and grievances change nothing there.
    pub fn for_kind(kind: RequestKind) -> Option<TaskAction> {
        match kind {
            RequestKind::Erasure => Some(TaskAction::Erase),
            RequestKind::Restriction => Some(TaskAction::Restrict),
            RequestKind::Rectification => Some(TaskAction::Rectify),
            RequestKind::Objection => Some(TaskAction::Object),
            RequestKind::ConsentWithdrawal => Some(TaskAction::WithdrawConsent),
            RequestKind::Access | RequestKind::Portability | RequestKind::Grievance => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskAction::Erase => "erase",
            TaskAction::Restrict => "restrict",
            TaskAction::Rectify => "rectify",
            TaskAction::Object => "object",
            TaskAction::WithdrawConsent => "withdraw_consent",
        }
    }

    /// What the source must do, in words for the officer.
    pub fn label(self) -> &'static str {
        match self {
            TaskAction::Erase => "Erase the records",
            TaskAction::Restrict => "Restrict processing",
            TaskAction::Rectify => "Correct the records",
            TaskAction::Object => "Stop the processing objected to",
            TaskAction::WithdrawConsent => "Stop the processing consent was withdrawn for",
        }
    }

    pub fn parse(text: &str) -> Option<TaskAction> {
        [
            TaskAction::Erase,
            TaskAction::Restrict,
            TaskAction::Rectify,
            TaskAction::Object,
            TaskAction::WithdrawConsent,
        ]
        .into_iter()
        .find(|action| action.as_str() == text)
    }
}

/// Why a source system could not do its task, as it says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReason(String);

impl FailureReason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<FailureReason, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Say why the task failed.".to_string());
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "A failure reason is at most {} characters.",
                Self::MAX_CHARS
            ));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err("A failure reason cannot contain control characters.".to_string());
        }
        Ok(FailureReason(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a task stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Open,
    Completed,
    Failed(FailureReason),
}

impl TaskState {
    /// The stored name of the state (`open`, `completed`, `failed`).
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Completed => "completed",
            TaskState::Failed(_) => "failed",
        }
    }

    /// Reads a stored state and its reason; `None` when they do not fit together.
    pub fn read(state: &str, reason: Option<&str>) -> Option<TaskState> {
        match (state, reason) {
            ("open", None) => Some(TaskState::Open),
            ("completed", None) => Some(TaskState::Completed),
            ("failed", Some(reason)) => FailureReason::parse(reason).ok().map(TaskState::Failed),
            _ => None,
        }
    }

    pub fn is_completed(&self) -> bool {
        matches!(self, TaskState::Completed)
    }
}

/// What a source system reports about its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskReport {
    Completed,
    Failed(FailureReason),
}

/// A report on a task that is no longer open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TaskConflict(pub String);

/// The state a report moves an open task to. A task is finished once: completing a task
/// already completed (or failed) is a conflict, not a silent repeat, so that a source
/// system learns its report was not the one that counted.
pub fn finish(current: &TaskState, report: TaskReport) -> Result<TaskState, TaskConflict> {
    match current {
        TaskState::Open => Ok(match report {
            TaskReport::Completed => TaskState::Completed,
            TaskReport::Failed(reason) => TaskState::Failed(reason),
        }),
        TaskState::Completed => Err(TaskConflict("This task is already completed.".to_string())),
        TaskState::Failed(_) => Err(TaskConflict(
            "This task was already reported failed.".to_string(),
        )),
    }
}

/// Whether the outcome mail a request's tasks held may go now: every task is completed.
pub fn all_completed<'a>(states: impl IntoIterator<Item = &'a TaskState>) -> bool {
    states.into_iter().all(TaskState::is_completed)
}

/// The sources, sorted and without repeats, that get a task.
pub fn task_sources<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = sources
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    set.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> FailureReason {
        FailureReason::parse(text).unwrap()
    }

    #[test]
    fn only_kinds_that_change_data_make_tasks() {
        assert_eq!(
            TaskAction::for_kind(RequestKind::Erasure),
            Some(TaskAction::Erase)
        );
        assert_eq!(
            TaskAction::for_kind(RequestKind::ConsentWithdrawal),
            Some(TaskAction::WithdrawConsent)
        );
        assert_eq!(TaskAction::for_kind(RequestKind::Access), None);
        assert_eq!(TaskAction::for_kind(RequestKind::Portability), None);
        assert_eq!(TaskAction::for_kind(RequestKind::Grievance), None);
        for action in [TaskAction::Erase, TaskAction::Rectify, TaskAction::Object] {
            assert_eq!(TaskAction::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn an_open_task_completes_or_fails_once() {
        assert_eq!(
            finish(&TaskState::Open, TaskReport::Completed),
            Ok(TaskState::Completed)
        );
        assert_eq!(
            finish(&TaskState::Open, TaskReport::Failed(reason("locked"))),
            Ok(TaskState::Failed(reason("locked")))
        );
        assert!(finish(&TaskState::Completed, TaskReport::Completed).is_err());
        assert!(finish(&TaskState::Failed(reason("x")), TaskReport::Completed).is_err());
    }

    #[test]
    fn a_failure_needs_a_short_plain_reason() {
        assert!(FailureReason::parse("  ").is_err());
        assert!(FailureReason::parse(&"x".repeat(501)).is_err());
        assert!(FailureReason::parse("bad\u{7}").is_err());
        assert_eq!(reason("  Account locked ").as_str(), "Account locked");
    }

    #[test]
    fn states_read_back_as_written() {
        assert_eq!(TaskState::read("open", None), Some(TaskState::Open));
        assert_eq!(
            TaskState::read("failed", Some("gone")),
            Some(TaskState::Failed(reason("gone")))
        );
        assert_eq!(TaskState::read("failed", None), None);
        assert_eq!(TaskState::read("done", None), None);
    }

    #[test]
    fn the_mail_waits_for_every_task() {
        assert!(all_completed(&[TaskState::Completed, TaskState::Completed]));
        assert!(!all_completed(&[TaskState::Completed, TaskState::Open]));
        assert!(!all_completed(&[TaskState::Failed(reason("x"))]));
    }

    #[test]
    fn each_source_gets_one_task() {
        assert_eq!(
            task_sources(["crm", "forum", "crm", " "]),
            vec!["crm".to_string(), "forum".to_string()]
        );
    }
}
