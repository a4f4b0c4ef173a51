//! `RIGHTSDESK_TOTP_REQUIRED_ROLES` (or `totp_required_roles` in the TOML file): the roles
//! that must use two-step sign-in. The rule itself is `domain::totp_policy`.

use super::ConfigError;
use crate::domain::totp_policy::TotpRequiredRoles;

/// The policy from the variable (a comma-separated list), else the file's list, else the
/// default (admins and officers).
pub(super) fn load(
    variable: Option<String>,
    file: Option<Vec<String>>,
) -> Result<TotpRequiredRoles, ConfigError> {
    match (variable, file) {
        (Some(text), _) => TotpRequiredRoles::parse_list(&text)
            .map_err(|e| ConfigError::new(format!("RIGHTSDESK_TOTP_REQUIRED_ROLES: {e}"))),
        (None, Some(list)) => TotpRequiredRoles::from_codes(list.iter().map(String::as_str))
            .map_err(|e| ConfigError::new(format!("RIGHTSDESK_CONFIG: totp_required_roles: {e}"))),
        (None, None) => Ok(TotpRequiredRoles::default()),
    }
}
