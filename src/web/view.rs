//! Turning domain values into the strings the officer workspace shows (requester pages:
//! `requester_view.rs`, in the requester's language).

use time::macros::format_description;
use time::OffsetDateTime;

use super::officer_pages::{FieldError as OfficerFieldError, OfficerNav, SelectOption};
use super::pages::FieldError;
use crate::app::officer::CurrentOfficer;
use crate::domain::hold::Hold;
use crate::domain::queue::DueState;
use crate::domain::role::Role;
use crate::domain::submission;

/// A time as pages show it, e.g. "9 March 2026, 14:00 UTC".
pub fn display_time(at: OffsetDateTime) -> String {
    let format =
        format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    at.format(&format).unwrap_or_else(|_| at.to_string())
}

/// The day a legal hold lapses; blank for a hold in force until it is released.
pub fn hold_expiry(hold: &Hold) -> String {
    hold.expires_on.map(|d| d.to_string()).unwrap_or_default()
}

/// The CSS class of a request's due-date badge (`queue-row--overdue`, `due-tag--due-soon`).
pub fn due_class(state: DueState) -> &'static str {
    match state {
        DueState::Overdue => "overdue",
        DueState::DueSoon => "due-soon",
        DueState::Ok => "ok",
        DueState::Closed => "closed",
    }
}

/// "12 days left", "due today", "overdue by 3 days": in words, never only in colour.
pub fn due_note(due: OffsetDateTime, now: OffsetDateTime, closed: bool) -> String {
    if closed {
        return "This request is closed.".to_string();
    }
    let hours = (due - now).whole_hours();
    match hours {
        h if h < 0 => {
            let days = (-h + 23) / 24;
            format!("Overdue by {days} day{}", plural(days))
        }
        h if h < 24 => format!("Due within {} hour{}", h.max(1), plural(h.max(1))),
        h => {
            let days = h / 24;
            format!("{days} day{} left", plural(days))
        }
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn field_errors(errors: Vec<submission::FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError {
            field: e.field.to_string(),
            message: capitalise(&e.message),
        })
        .collect()
}

/// The same messages for the officer workspace's forms.
pub fn officer_field_errors(errors: &[submission::FieldError]) -> Vec<OfficerFieldError> {
    field_errors(errors.to_vec())
        .into_iter()
        .map(|e| OfficerFieldError {
            field: e.field,
            message: e.message,
        })
        .collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The officer workspace's header: who is signed in, and the token for its forms.
pub fn officer_nav(officer: &CurrentOfficer, csrf_token: &str) -> OfficerNav {
    OfficerNav {
        name: officer.name.clone(),
        role_label: officer.scope.role.label().to_string(),
        is_admin: officer.scope.role == Role::Admin,
        sees_retention: officer.scope.can_verify_audit(),
        can_record: officer.scope.role != Role::Auditor,
        csrf_token: csrf_token.to_string(),
    }
}

/// Options for a select, with `selected` marked.
pub fn options<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a str)>,
    selected: &str,
) -> Vec<SelectOption> {
    items
        .into_iter()
        .map(|(value, label)| SelectOption {
            value: value.to_string(),
            label: label.to_string(),
            selected: value == selected,
        })
        .collect()
}

/// An audit action in the officer's words.
pub fn event_label(action: &str) -> &str {
    match action {
        "request.submitted" => "Request submitted",
        "request.verified" => "Email address confirmed",
        "request.assigned" => "Assigned",
        "request.started" => "Work started",
        "request.asked_requester" => "Asked the requester",
        "request.requester_replied" => "The requester replied",
        "request.extended" => "Deadline extended",
        "request.rejected" => "Refused",
        "request.fulfilled" => "Fulfilled",
        "request.withdrawn" => "Withdrawn by the requester",
        "request.merged" => "Merged into the request it repeats",
        "request.duplicate_merged" => "A repeated request was merged into this one",
        "request.note_added" => "Internal note",
        "request.hold_placed" => "Legal hold placed",
        "request.hold_released" => "Legal hold released",
        "task.completed" => "A source system completed its task",
        "task.failed" => "A source system reported its task failed",
        "request.closed_with_open_tasks" => "The requester was told the outcome with tasks left",
        "package.created" => "Data package prepared",
        "package.downloaded" => "Data package downloaded by the requester",
        other => other,
    }
}

/// What the officer is told after an action (the action's name comes back in the URL).
pub fn action_notice(action: &str) -> Option<&'static str> {
    Some(match action {
        "assign" => "The request is assigned.",
        "start" => "You started work on the request.",
        "ask_requester" => "Your question was sent to the requester.",
        "extend" => "The deadline is extended and the requester is told why.",
        "reject" => "The request is refused and the requester is told why.",
        "fulfil" => "The request is fulfilled. The requester is told now, or once the source systems have done their tasks.",
        "note" => "Your note is saved. The requester does not see it.",
        "hold" => "The legal hold is in place: nothing it covers will be purged while it lasts.",
        "release_hold" => "The legal hold is released.",
        "close_tasks" => "The requester is told the outcome, with the source systems still to act.",
        "merge" => "The request is merged into the one it repeats, and the requester is told.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn due_badges_have_a_class_each() {
        let classes: Vec<_> = [
            DueState::Overdue,
            DueState::DueSoon,
            DueState::Ok,
            DueState::Closed,
        ]
        .into_iter()
        .map(due_class)
        .collect();
        assert_eq!(classes, ["overdue", "due-soon", "ok", "closed"]);
    }

    #[test]
    fn due_notes_say_the_time_left_in_words() {
        let now = datetime!(2026-03-10 12:00 UTC);
        assert_eq!(
            due_note(now + Duration::days(12), now, false),
            "12 days left"
        );
        assert_eq!(due_note(now + Duration::days(1), now, false), "1 day left");
        assert_eq!(
            due_note(now + Duration::hours(5), now, false),
            "Due within 5 hours"
        );
        assert_eq!(
            due_note(now - Duration::hours(30), now, false),
            "Overdue by 2 days"
        );
        assert_eq!(
            due_note(now - Duration::days(1), now, true),
            "This request is closed."
        );
    }

    #[test]
    fn times_are_shown_in_utc_words() {
        assert_eq!(
            display_time(datetime!(2026-03-09 14:05 UTC)),
            "9 March 2026, 14:05 UTC"
        );
    }
}
