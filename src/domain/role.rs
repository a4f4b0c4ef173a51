//! What an officer account is for (DESIGN.md section 1, "Who uses it").

use std::fmt;
use std::str::FromStr;

/// The role of a signed-in officer account. Stored as its `as_str` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages officers, roles and jurisdictions; may also work every request.
    Admin,
    /// A grievance or privacy officer: works the requests of their regions.
    Officer,
    /// Reads everything, changes nothing; exports and verifies the audit trail.
    Auditor,
}

/// The error returned when text is not one of the role codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown role: use admin, officer or auditor")]
pub struct UnknownRole;

impl Role {
    /// Every role, in the order the admin pages list them.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Officer, Role::Auditor];

    /// The stable code used by `officer create --role`, forms and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Auditor => "auditor",
        }
    }

    /// The role's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Officer => "Grievance officer",
            Role::Auditor => "Auditor",
        }
    }

    /// Whether sign-in must ask for a TOTP code even before the account enrolled one
    /// (DESIGN.md section 5: TOTP is required for admins).
    pub fn requires_totp(self) -> bool {
        self == Role::Admin
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    /// Accepts exactly the codes from [`Role::as_str`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or(UnknownRole)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_labels_and_totp_rule() {
        let table = [
            (Role::Admin, "admin", "Administrator", true),
            (Role::Officer, "officer", "Grievance officer", false),
            (Role::Auditor, "auditor", "Auditor", false),
        ];
        assert_eq!(Role::ALL.len(), table.len());
        for (role, code, label, totp) in table {
            assert_eq!(role.as_str(), code);
            assert_eq!(role.to_string(), code);
            assert_eq!(role.label(), label);
            assert_eq!(role.requires_totp(), totp);
            assert_eq!(code.parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn from_str_is_exact() {
        for bad in ["", "Admin", "ADMIN", " officer", "root", "auditors"] {
            assert_eq!(bad.parse::<Role>(), Err(UnknownRole), "{bad:?}");
        }
        assert_eq!(
            UnknownRole.to_string(),
            "unknown role: use admin, officer or auditor"
        );
    }
}
