//! The request lifecycle: every status change is one of these transitions, each with a guard.
//!
//! ```text
//! unverified --verify--> open --start/assign--> in_progress --fulfil--> fulfilled
//!      |                   |                       |  ^          \--reject--> rejected
//!      |                   |                       v  |
//!      |                   |                 awaiting_requester
//!      |                   +--extend (once, before the due date passes)
//!      +--expire--> (purged)   open / in_progress / awaiting_requester --withdraw--> withdrawn
//! ```
//! Callers never set a status themselves: they ask [`transition`] and store what it returns.

use time::OffsetDateTime;

use super::status::RequestStatus;

/// Something that may change a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Verify,
    Assign,
    Start,
    AskRequester,
    RequesterReply,
    Extend,
    Reject,
    Fulfil,
    Withdraw,
    Expire,
    Note,
    /// Closes a duplicate: its requester's earlier open request of the same kind answers it.
    Merge,
}

impl Action {
    /// The audit action name of the event this action produces.
    pub fn event_name(self) -> &'static str {
        match self {
            Action::Verify => "request.verified",
            Action::Assign => "request.assigned",
            Action::Start => "request.started",
            Action::AskRequester => "request.asked_requester",
            Action::RequesterReply => "request.requester_replied",
            Action::Extend => "request.extended",
            Action::Reject => "request.rejected",
            Action::Fulfil => "request.fulfilled",
            Action::Withdraw => "request.withdrawn",
            Action::Expire => "request.expired",
            Action::Note => "request.note_added",
            Action::Merge => "request.merged",
        }
    }
}

/// The facts about a request that the guards look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestState {
    pub status: RequestStatus,
    pub due_at: OffsetDateTime,
    pub extended_due_at: Option<OffsetDateTime>,
}

impl RequestState {
    /// The due date in force: the extended one once the request was extended.
    pub fn effective_due(&self) -> OffsetDateTime {
        self.extended_due_at.unwrap_or(self.due_at)
    }
}

/// An allowed transition: the status before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub action: Action,
    pub from: RequestStatus,
    pub to: RequestStatus,
}

impl Transition {
    /// Whether this transition closes the request.
    pub fn closes(&self) -> bool {
        !self.from.is_closed() && self.to.is_closed()
    }
}

/// Why a transition was refused; each is shown to people, so it says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this request is {}: that action is not possible now", .0.label().to_lowercase())]
    WrongStatus(RequestStatus),
    #[error("this request was already extended once")]
    AlreadyExtended,
    #[error("the due date has passed: an extension must be made before it")]
    DuePassed,
}

/// Checks the guard of `action` for a request in `state` at `now`.
pub fn transition(
    state: &RequestState,
    action: Action,
    now: OffsetDateTime,
) -> Result<Transition, Refusal> {
    use RequestStatus::*;
    let from = state.status;
    let to = match (action, from) {
        (Action::Verify, Unverified) => Open,
        (Action::Expire, Unverified) => Unverified,
        (Action::Assign, Open | InProgress) => InProgress,
        (Action::Assign, AwaitingRequester) => AwaitingRequester,
        (Action::Start, Open) => InProgress,
        (Action::AskRequester, Open | InProgress) => AwaitingRequester,
        (Action::RequesterReply, AwaitingRequester) => InProgress,
        (Action::RequesterReply, Open | InProgress) => from,
        (Action::Extend, Open | InProgress | AwaitingRequester) => {
            if state.extended_due_at.is_some() {
                return Err(Refusal::AlreadyExtended);
            }
            if now >= state.due_at {
                return Err(Refusal::DuePassed);
            }
            from
        }
        (Action::Reject, Open | InProgress | AwaitingRequester) => Rejected,
        (Action::Fulfil, Open | InProgress | AwaitingRequester) => Fulfilled,
        (Action::Withdraw | Action::Merge, Open | InProgress | AwaitingRequester) => Withdrawn,
        (Action::Note, status) if status != Unverified => status,
        _ => return Err(Refusal::WrongStatus(from)),
    };
    Ok(Transition { action, from, to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-03-10 12:00 UTC);

    fn state(status: RequestStatus) -> RequestState {
        RequestState {
            status,
            due_at: NOW + Duration::days(10),
            extended_due_at: None,
        }
    }

    fn to(status: RequestStatus, action: Action) -> Result<RequestStatus, Refusal> {
        transition(&state(status), action, NOW).map(|t| t.to)
    }

    #[test]
    fn the_happy_path_runs_from_unverified_to_fulfilled() {
        use RequestStatus::*;
        assert_eq!(to(Unverified, Action::Verify), Ok(Open));
        assert_eq!(to(Open, Action::Start), Ok(InProgress));
        assert_eq!(to(InProgress, Action::AskRequester), Ok(AwaitingRequester));
        assert_eq!(
            to(AwaitingRequester, Action::RequesterReply),
            Ok(InProgress)
        );
        assert_eq!(to(InProgress, Action::Fulfil), Ok(Fulfilled));
    }

    #[test]
    fn closed_requests_take_no_workflow_action() {
        use RequestStatus::*;
        for closed in [Fulfilled, Rejected, Withdrawn] {
            for action in [
                Action::Verify,
                Action::Start,
                Action::AskRequester,
                Action::RequesterReply,
                Action::Extend,
                Action::Reject,
                Action::Fulfil,
                Action::Withdraw,
                Action::Expire,
            ] {
                assert_eq!(
                    to(closed, action),
                    Err(Refusal::WrongStatus(closed)),
                    "{action:?}"
                );
            }
        }
    }

    #[test]
    fn unverified_requests_can_only_be_verified_or_expired() {
        use RequestStatus::*;
        assert_eq!(
            to(Unverified, Action::Withdraw),
            Err(Refusal::WrongStatus(Unverified))
        );
        assert_eq!(
            to(Unverified, Action::RequesterReply),
            Err(Refusal::WrongStatus(Unverified))
        );
        assert_eq!(
            to(Unverified, Action::Note),
            Err(Refusal::WrongStatus(Unverified))
        );
        assert_eq!(to(Open, Action::Verify), Err(Refusal::WrongStatus(Open)));
        assert_eq!(to(Open, Action::Expire), Err(Refusal::WrongStatus(Open)));
    }

    #[test]
    fn withdraw_is_open_to_every_active_status_and_closes() {
        use RequestStatus::*;
        for active in [Open, InProgress, AwaitingRequester] {
            let t = transition(&state(active), Action::Withdraw, NOW).unwrap();
            assert_eq!(t.to, Withdrawn);
            assert!(t.closes());
        }
    }

    #[test]
    fn extension_happens_once_and_only_before_the_due_date() {
        let mut s = state(RequestStatus::InProgress);
        assert!(transition(&s, Action::Extend, NOW).is_ok());
        assert_eq!(
            transition(&s, Action::Extend, s.due_at),
            Err(Refusal::DuePassed)
        );
        s.extended_due_at = Some(s.due_at + Duration::days(30));
        assert_eq!(
            transition(&s, Action::Extend, NOW),
            Err(Refusal::AlreadyExtended)
        );
        assert_eq!(s.effective_due(), s.due_at + Duration::days(30));
    }

    #[test]
    fn a_reply_while_not_asked_keeps_the_status() {
        assert_eq!(
            to(RequestStatus::Open, Action::RequesterReply),
            Ok(RequestStatus::Open)
        );
    }
}
