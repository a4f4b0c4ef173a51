//! Which roles must use two-step sign-in (TOTP): the `RIGHTSDESK_TOTP_REQUIRED_ROLES`
//! setting. An officer of such a role who has not enrolled is sent to enrolment right after
//! the password and can do nothing else until it is done.

use std::fmt;

use super::role::Role;

/// The roles that must use TOTP. Admins are always among them (DESIGN.md section 5: TOTP is
/// required for admins), so a list without them is refused rather than quietly widened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpRequiredRoles {
    admin: bool,
    officer: bool,
    auditor: bool,
}

/// Why a list of roles could not be the policy; the text is for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTotpRoles {
    #[error("{0:?} is not a role; expected a comma-separated list of admin, officer, auditor")]
    UnknownRole(String),
    #[error("the list must include admin: administrators always use two-step sign-in")]
    AdminMissing,
}

impl Default for TotpRequiredRoles {
    /// Admins and officers: everyone who can change a request. Auditors only read.
    fn default() -> Self {
        TotpRequiredRoles {
            admin: true,
            officer: true,
            auditor: false,
        }
    }
}

impl TotpRequiredRoles {
    /// Reads role codes (`admin`, `officer`, `auditor`); blanks are skipped, repeats are
    /// harmless.
    pub fn from_codes<'a>(
        codes: impl IntoIterator<Item = &'a str>,
    ) -> Result<TotpRequiredRoles, BadTotpRoles> {
        let mut roles = TotpRequiredRoles {
            admin: false,
            officer: false,
            auditor: false,
        };
        for code in codes.into_iter().map(str::trim).filter(|c| !c.is_empty()) {
            match code
                .to_ascii_lowercase()
                .parse::<Role>()
                .map_err(|_| BadTotpRoles::UnknownRole(code.to_string()))?
            {
                Role::Admin => roles.admin = true,
                Role::Officer => roles.officer = true,
                Role::Auditor => roles.auditor = true,
            }
        }
        if !roles.admin {
            return Err(BadTotpRoles::AdminMissing);
        }
        Ok(roles)
    }

    /// Reads a comma-separated list, as the environment variable gives it.
    pub fn parse_list(text: &str) -> Result<TotpRequiredRoles, BadTotpRoles> {
        TotpRequiredRoles::from_codes(text.split(','))
    }

    /// Whether an officer of `role` must use TOTP.
    pub fn requires(&self, role: Role) -> bool {
        role.requires_totp()
            || match role {
                Role::Admin => self.admin,
                Role::Officer => self.officer,
                Role::Auditor => self.auditor,
            }
    }
}

impl fmt::Display for TotpRequiredRoles {
    /// The list as the setting takes it, e.g. `admin,officer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|role| self.requires(*role))
            .map(Role::as_str)
            .collect();
        f.write_str(&codes.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_admins_and_officers() {
        let policy = TotpRequiredRoles::default();
        assert!(policy.requires(Role::Admin));
        assert!(policy.requires(Role::Officer));
        assert!(!policy.requires(Role::Auditor));
        assert_eq!(policy.to_string(), "admin,officer");
    }

    #[test]
    fn lists_name_the_roles() {
        let table = [
            ("admin", "admin"),
            ("admin,auditor", "admin,auditor"),
            (" Officer , admin ,, admin", "admin,officer"),
            ("auditor,officer,admin", "admin,officer,auditor"),
        ];
        for (text, expected) in table {
            let policy = TotpRequiredRoles::parse_list(text).expect(text);
            assert_eq!(policy.to_string(), expected, "{text:?}");
        }
        let admins_only = TotpRequiredRoles::parse_list("admin").unwrap();
        assert!(!admins_only.requires(Role::Officer));
        assert!(!admins_only.requires(Role::Auditor));
    }

    #[test]
    fn bad_lists_are_refused_with_a_reason() {
        assert_eq!(
            TotpRequiredRoles::parse_list("admin,root"),
            Err(BadTotpRoles::UnknownRole("root".to_string()))
        );
        for without_admin in ["", "officer", "officer,auditor", " , "] {
            assert_eq!(
                TotpRequiredRoles::parse_list(without_admin),
                Err(BadTotpRoles::AdminMissing),
                "{without_admin:?}"
            );
        }
        assert_eq!(
            BadTotpRoles::AdminMissing.to_string(),
            "the list must include admin: administrators always use two-step sign-in"
        );
    }
}
