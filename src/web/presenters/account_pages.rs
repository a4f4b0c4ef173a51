//! The officer's own password page and the answer to an admin's password reset.

use crate::app::auth::Session;
use crate::app::password_reset::PasswordReset;
use crate::domain::submission::FieldError;
use crate::web::account_pages::{PasswordChangePage, PasswordResetPage};
use crate::web::officer_pages::OfficerNav;
use crate::web::view;

/// Fills the password change page. The workspace's header is left out while a sign-in
/// step is still owed; `done` is the change just made (from the redirect).
pub fn password_change_page(
    session: &Session,
    csrf_token: &str,
    errors: &[FieldError],
    done: Option<&str>,
) -> PasswordChangePage {
    PasswordChangePage {
        nav: (session.pending_step().is_none())
            .then(|| view::officer_nav(&session.officer, csrf_token)),
        csrf_token: csrf_token.to_string(),
        required: session.password_change_required,
        errors: view::officer_field_errors(errors),
        notice: (done == Some("changed"))
            .then(|| "Your password is changed. You are signed out everywhere else.".to_string()),
    }
}

/// Fills the page that shows the temporary password once.
pub fn password_reset_page(nav: OfficerNav, reset: PasswordReset) -> PasswordResetPage {
    PasswordResetPage {
        nav,
        officer_name: reset.officer_name,
        officer_email: reset.officer_email,
        temporary_password: reset.temporary_password.as_str().to_string(),
    }
}
