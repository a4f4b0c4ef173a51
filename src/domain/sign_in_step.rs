//! The steps of an officer's sign-in after the password, and which one is owed next.

/// Where a signed-in officer goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Enter the code from the authenticator app.
    Code,
    /// Set up two-step sign-in first (required for the roles of
    /// `RIGHTSDESK_TOTP_REQUIRED_ROLES`, see `domain::totp_policy`).
    Enrol,
    /// Choose a new password: an admin reset it.
    ChangePassword,
    Workspace,
}

/// How far a session's sign-in got, and what the account requires of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInProgress {
    /// The account has TOTP turned on.
    pub mfa_enrolled: bool,
    /// This session entered a valid code (or enrolled).
    pub mfa_passed: bool,
    /// The account's role must use TOTP.
    pub mfa_required: bool,
    /// An admin reset the password; the officer has not chosen a new one yet.
    pub password_change_required: bool,
}

impl SignInProgress {
    /// The step still owed, in order: the code (when enrolled), a new password (before
    /// enrolment, so that the key is set up by the holder of the new password), then
    /// enrolment where the role requires it. `None`: the workspace is open.
    pub fn owed(&self) -> Option<NextStep> {
        if self.mfa_enrolled && !self.mfa_passed {
            Some(NextStep::Code)
        } else if self.password_change_required {
            Some(NextStep::ChangePassword)
        } else if !self.mfa_enrolled && self.mfa_required {
            Some(NextStep::Enrol)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_come_in_order() {
        // (enrolled, passed, required, change password) -> owed
        let table = [
            ((false, false, false, false), None),
            ((false, false, true, false), Some(NextStep::Enrol)),
            ((true, false, false, false), Some(NextStep::Code)),
            ((true, false, true, true), Some(NextStep::Code)),
            ((true, true, true, false), None),
            ((true, true, true, true), Some(NextStep::ChangePassword)),
            ((false, false, true, true), Some(NextStep::ChangePassword)),
            ((false, false, false, true), Some(NextStep::ChangePassword)),
        ];
        for ((enrolled, passed, required, change), owed) in table {
            let progress = SignInProgress {
                mfa_enrolled: enrolled,
                mfa_passed: passed,
                mfa_required: required,
                password_change_required: change,
            };
            assert_eq!(progress.owed(), owed, "{progress:?}");
        }
    }
}
