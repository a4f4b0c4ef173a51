//! The audit events that record reads and refused attempts rather than changes: what a
//! security team asks of an audit trail beside the changes themselves. Their details hold no
//! personal data: an email address appears only as its keyed hash.

/// An officer opened a request's page (actor: the officer; target: the request).
pub const REQUEST_VIEWED: &str = "request.viewed";
/// A system read a request's status over the API (actor: its token; target: the request).
pub const API_REQUEST_READ: &str = "api.request_read";
/// A system listed requests over the API (actor and target: its token; details: the
/// filters and how many were listed).
pub const API_REQUESTS_LISTED: &str = "api.requests_listed";
/// A source system listed its open fulfilment tasks over the API (actor and target: its
/// token; details: the source and how many were listed).
pub const API_TASKS_LISTED: &str = "api.tasks_listed";
/// A sign-in with a wrong password, an unknown email or a disabled account (actor: system;
/// target: the officer when the email is one, otherwise every officer).
pub const SIGN_IN_FAILED: &str = "officer.sign_in_failed";
/// A wrong or replayed second-step code (actor and target: the officer of the session).
pub const SECOND_STEP_FAILED: &str = "officer.second_step_failed";
/// A wrong current password on the officer's own password-change form (actor and target:
/// the officer).
pub const PASSWORD_CHECK_FAILED: &str = "officer.password_check_failed";
/// An export began: its format and filters, committed before its first byte is written.
pub const EXPORT_STARTED: &str = "export.requests_started";
/// An export ended, whole or cut short: its rows (the event exports always wrote).
pub const EXPORT_FINISHED: &str = "export.requests";
/// An officer exported more, or more often, than the export-spike rule allows.
pub const EXPORT_SPIKE: &str = "security.export_spike";

/// The lookup domain of the keyed hash an email address is audited under.
pub const EMAIL_HASH_DOMAIN: &str = "audited sign-in email";

/// Why a sign-in was refused, as the audit trail names it. The person signing in is told
/// the same thing in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    UnknownEmail,
    WrongPassword,
    Disabled,
    WrongCode,
    ReplayedCode,
}

impl SignInFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInFailure::UnknownEmail => "unknown_email",
            SignInFailure::WrongPassword => "wrong_password",
            SignInFailure::Disabled => "disabled",
            SignInFailure::WrongCode => "wrong_code",
            SignInFailure::ReplayedCode => "replayed_code",
        }
    }
}

/// Whether an event belongs on a request's timeline: views are read in the audit viewer,
/// where they do not bury the changes.
pub fn on_request_timeline(action: &str) -> bool {
    action != REQUEST_VIEWED && action != API_REQUEST_READ
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_stay_off_the_timeline_and_changes_stay_on() {
        assert!(!on_request_timeline(REQUEST_VIEWED));
        assert!(on_request_timeline("request.started"));
        assert!(on_request_timeline(EXPORT_FINISHED));
    }

    #[test]
    fn failures_have_distinct_names() {
        let all = [
            SignInFailure::UnknownEmail,
            SignInFailure::WrongPassword,
            SignInFailure::Disabled,
            SignInFailure::WrongCode,
            SignInFailure::ReplayedCode,
        ];
        let names: std::collections::HashSet<_> = all.iter().map(|f| f.as_str()).collect();
        assert_eq!(names.len(), all.len());
    }
}
