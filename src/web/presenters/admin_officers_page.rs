//! The admin page of officers from the officer accounts: every text it shows.

use crate::app::officers::NewOfficerInput;
use crate::domain::officer::Officer;
use crate::domain::regime::Regime;
use crate::domain::role::Role;
use crate::domain::submission::FieldError;
use crate::web::officer_pages::{AdminOfficersPage, OfficerNav, OfficerRow, SelectOption};
use crate::web::view;

/// Fills the page. `form` is what the create form keeps (empty after a redirect), `errors`
/// its validation messages, `done` the change just made (from the redirect).
pub fn admin_officers_page(
    nav: OfficerNav,
    officers: Vec<Officer>,
    form: &NewOfficerInput,
    errors: &[FieldError],
    done: Option<&str>,
) -> AdminOfficersPage {
    AdminOfficersPage {
        nav,
        officers: officers.into_iter().map(officer_row).collect(),
        roles: view::options(
            Role::ALL.into_iter().map(|r| (r.as_str(), r.label())),
            &form.role,
        ),
        regions: Regime::ALL
            .into_iter()
            .map(|r| SelectOption {
                value: r.as_str().to_string(),
                label: r.label().to_string(),
                selected: form.regions.iter().any(|x| x == r.as_str()),
            })
            .collect(),
        errors: view::officer_field_errors(errors),
        notice: done.and_then(notice_for).map(str::to_string),
        email: form.email.clone(),
        name: form.name.clone(),
    }
}

fn officer_row(officer: Officer) -> OfficerRow {
    OfficerRow {
        id: officer.id.to_string(),
        email: officer.email,
        name: officer.name,
        role: officer.role.as_str().to_string(),
        regions: officer.regions.to_string(),
        mfa: officer.totp_enabled_at.is_some(),
        disabled: officer.disabled_at.is_some(),
    }
}

/// What the admin is told after a change (its name comes back in the URL).
fn notice_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "The officer is created. They can sign in now.",
        "update" => "The role and regions are saved; the officer signs in again.",
        "disable" => "The officer is disabled and signed out.",
        "enable" => "The officer can sign in again.",
        "reset_mfa" => {
            "Two-step sign-in is reset; the officer sets it up again at the next sign-in."
        }
        _ => return None,
    })
}
