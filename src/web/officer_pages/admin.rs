//! The admin page of officer accounts.

use askama::Template;

use super::{FieldError, OfficerNav, SelectOption};

/// One officer account on the admin page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRow {
    pub id: String,
    pub email: String,
    pub name: String,
    /// The role's value or label (matched against `AdminOfficersPage::roles`).
    pub role: String,
    /// Comma-separated region values or labels (matched against
    /// `AdminOfficersPage::regions`); `""` for none.
    pub regions: String,
    pub mfa: bool,
    pub disabled: bool,
}

/// `GET /officer/admin/officers`, and `POST /officer/admin/officers` with errors.
#[derive(Template)]
#[template(path = "officer/admin_officers.html")]
pub struct AdminOfficersPage {
    pub nav: OfficerNav,
    pub officers: Vec<OfficerRow>,
    /// For the create form (`selected` = kept value) and every row's role select.
    pub roles: Vec<SelectOption>,
    /// For the create form (`selected` = kept value) and every row's region checkboxes.
    pub regions: Vec<SelectOption>,
    /// Errors of the create form (`email`, `name`, `role`, `regions`, `password`).
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub email: String,
    pub name: String,
}

impl AdminOfficersPage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Whether `option` is the officer's current role.
    pub fn row_has_role(&self, row: &OfficerRow, option: &SelectOption) -> bool {
        matches_option(row.role.trim(), option)
    }

    /// Whether `option` is one of the officer's regions.
    pub fn row_has_region(&self, row: &OfficerRow, option: &SelectOption) -> bool {
        split_list(&row.regions).any(|r| matches_option(r, option))
    }

    /// The officer's role as the label of the matching role option.
    pub fn role_label(&self, row: &OfficerRow) -> String {
        self.label_of(&self.roles, row.role.trim())
    }

    /// The officer's regions as labels, or "None".
    pub fn regions_label(&self, row: &OfficerRow) -> String {
        let labels: Vec<String> = split_list(&row.regions)
            .map(|r| self.label_of(&self.regions, r))
            .collect();
        if labels.is_empty() {
            "None".to_owned()
        } else {
            labels.join(", ")
        }
    }

    fn label_of(&self, options: &[SelectOption], value: &str) -> String {
        options
            .iter()
            .find(|o| matches_option(value, o))
            .map_or_else(|| value.to_owned(), |o| o.label.clone())
    }
}

fn matches_option(value: &str, option: &SelectOption) -> bool {
    !value.is_empty()
        && (value.eq_ignore_ascii_case(&option.value) || value.eq_ignore_ascii_case(&option.label))
}

fn split_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}
