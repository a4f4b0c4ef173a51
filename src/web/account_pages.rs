//! The officer's own account pages and the admin's password reset: one askama struct each.
//! Like the other officer pages, every field is owned and ready to show.

use askama::Template;

use super::officer_pages::{FieldError, OfficerNav};

/// `GET /officer/account/password`, and `POST` with errors. With `nav: None` it renders
/// without the officer nav: the officer must choose a new password before anything else.
#[derive(Template)]
#[template(path = "officer/password.html")]
pub struct PasswordChangePage {
    pub nav: Option<OfficerNav>,
    pub csrf_token: String,
    /// An admin reset the password: says why the page comes first.
    pub required: bool,
    /// Errors of `current_password`, `new_password` and `confirmation`.
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

impl PasswordChangePage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The answer to an admin's password reset: the temporary password, shown this once.
#[derive(Template)]
#[template(path = "officer/admin_password_reset.html")]
pub struct PasswordResetPage {
    pub nav: OfficerNav,
    pub officer_name: String,
    pub officer_email: String,
    pub temporary_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nav() -> OfficerNav {
        OfficerNav {
            name: "Asha Rao".into(),
            role_label: "Grievance officer".into(),
            is_admin: false,
            sees_retention: false,
            can_record: true,
            csrf_token: "tok".into(),
        }
    }

    #[test]
    fn the_password_form_names_its_fields_and_errors() {
        let page = PasswordChangePage {
            nav: Some(nav()),
            csrf_token: "tok".into(),
            required: false,
            errors: vec![FieldError {
                field: "new_password".into(),
                message: "A password needs at least 12 characters".into(),
            }],
            notice: None,
        };
        let html = page.render().unwrap();
        for name in [
            "current_password",
            "new_password",
            "confirmation",
            "csrf_token",
        ] {
            assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert!(html.contains("autocomplete=\"current-password\""));
        assert!(html.contains("autocomplete=\"new-password\""));
        assert!(html.contains("href=\"#new_password\""));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("Sign out"), "the nav is shown");
        assert!(!html.contains("before you can continue"));
    }

    #[test]
    fn a_required_change_has_no_nav_and_says_why() {
        let page = PasswordChangePage {
            nav: None,
            csrf_token: "tok".into(),
            required: true,
            errors: Vec::new(),
            notice: None,
        };
        let html = page.render().unwrap();
        assert!(html.contains("before you can continue"));
        assert!(!html.contains("/officer/queue\">Queue"));
    }

    #[test]
    fn the_reset_page_shows_the_temporary_password_once() {
        let page = PasswordResetPage {
            nav: OfficerNav {
                is_admin: true,
                ..nav()
            },
            officer_name: "Omar <b>".into(),
            officer_email: "omar@example.org".into(),
            temporary_password: "ABCD-EFGH-IJKL-MNOP-QRST-UVWX".into(),
        };
        let html = page.render().unwrap();
        assert!(html.contains("ABCD-EFGH-IJKL-MNOP-QRST-UVWX"));
        assert!(html.contains("Omar &#60;b&#62;") || html.contains("Omar &lt;b&gt;"));
    }
}
