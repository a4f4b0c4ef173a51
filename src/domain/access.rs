//! Who may see and do what in the officer workspace (DESIGN.md section 5, "Zero trust inside").
//!
//! Every officer route asks an [`OfficerScope`] before it reads or changes a request. A request
//! the scope cannot read is answered with 404, as if it did not exist.

use super::regime::Regime;
use super::role::Role;

/// What a signed-in account may reach: its role and, for officers, the regions it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerScope {
    pub role: Role,
    /// The regimes an officer works. Admins and auditors reach every regime whatever this holds.
    pub regions: Vec<Regime>,
}

impl OfficerScope {
    /// Whether requests under `regime` may be listed and opened.
    pub fn can_read(&self, regime: Regime) -> bool {
        match self.role {
            Role::Admin | Role::Auditor => true,
            Role::Officer => self.regions.contains(&regime),
        }
    }

    /// Whether workflow actions may be taken on requests under `regime`. Auditors never act.
    pub fn can_act(&self, regime: Regime) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer => self.regions.contains(&regime),
            Role::Auditor => false,
        }
    }

    /// Whether officers, roles and jurisdictions may be managed.
    pub fn can_manage_officers(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether an export may carry the requesters' names, emails and details.
    pub fn can_export_personal(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the audit trail may be verified and exported.
    pub fn can_verify_audit(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Auditor)
    }

    /// Whether a legal hold may be released, given the regime of the request it was placed
    /// from (`None`: placed on a person without a request). Admins release any hold;
    /// officers only those from requests of their regions; auditors none.
    pub fn can_release_hold(&self, origin: Option<Regime>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer => origin.is_some_and(|regime| self.regions.contains(&regime)),
            Role::Auditor => false,
        }
    }

    /// Whether legal holds may be placed on a person without a request (a court's or
    /// regulator's order naming them).
    pub fn can_hold_without_request(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether every audit event may be read. Officers read only the events about requests
    /// of their regions and those about themselves (see `app::audit::list_events`).
    pub fn reads_whole_audit_trail(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Auditor)
    }

    /// The regimes a queue or export query must be limited to, in [`Regime::ALL`] order and
    /// without repeats. Empty for an officer with no regions: such an officer sees nothing.
    pub fn readable_regimes(&self) -> Vec<Regime> {
        Regime::ALL
            .into_iter()
            .filter(|regime| self.can_read(*regime))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, regions: &[Regime]) -> OfficerScope {
        OfficerScope {
            role,
            regions: regions.to_vec(),
        }
    }

    #[test]
    fn role_by_regime_by_permission() {
        use Regime::*;
        // (role, the officer's regions, regime asked about, can_read, can_act)
        let table = [
            (Role::Admin, vec![], In, true, true),
            (Role::Admin, vec![], Eu, true, true),
            (Role::Admin, vec![], UsCa, true, true),
            (Role::Admin, vec![], Other, true, true),
            (Role::Officer, vec![In, Eu], In, true, true),
            (Role::Officer, vec![In, Eu], Eu, true, true),
            (Role::Officer, vec![In, Eu], UsCa, false, false),
            (Role::Officer, vec![In, Eu], Other, false, false),
            (Role::Officer, vec![], In, false, false),
            (Role::Officer, vec![], Other, false, false),
            (Role::Auditor, vec![], In, true, false),
            (Role::Auditor, vec![], Eu, true, false),
            (Role::Auditor, vec![UsCa], UsCa, true, false),
            (Role::Auditor, vec![], Other, true, false),
        ];
        for (role, regions, regime, read, act) in table {
            let scope = scope(role, &regions);
            assert_eq!(
                scope.can_read(regime),
                read,
                "{role} {regions:?} read {regime}"
            );
            assert_eq!(
                scope.can_act(regime),
                act,
                "{role} {regions:?} act {regime}"
            );
            // Acting always implies reading.
            assert!(!act || read);
        }
    }

    #[test]
    fn account_wide_permissions() {
        // (role, can_manage_officers, can_verify_audit)
        let table = [
            (Role::Admin, true, true),
            (Role::Officer, false, false),
            (Role::Auditor, false, true),
        ];
        for (role, manage, audit) in table {
            let scope = scope(role, &Regime::ALL);
            assert_eq!(scope.can_manage_officers(), manage, "{role}");
            assert_eq!(scope.can_verify_audit(), audit, "{role}");
        }
    }

    #[test]
    fn releasing_a_hold_needs_its_origins_region_or_admin() {
        use Regime::*;
        // (role, the officer's regions, the hold's origin, can_release)
        let table = [
            (Role::Admin, vec![], Some(Eu), true),
            (Role::Admin, vec![], None, true),
            (Role::Officer, vec![In, Eu], Some(Eu), true),
            (Role::Officer, vec![In], Some(Eu), false),
            (Role::Officer, vec![In, Eu, UsCa, Other], None, false),
            (Role::Auditor, vec![Eu], Some(Eu), false),
            (Role::Auditor, vec![], None, false),
        ];
        for (role, regions, origin, expected) in table {
            assert_eq!(
                scope(role, &regions).can_release_hold(origin),
                expected,
                "{role} {regions:?} {origin:?}"
            );
        }
        assert!(scope(Role::Admin, &[]).reads_whole_audit_trail());
        assert!(scope(Role::Auditor, &[]).reads_whole_audit_trail());
        assert!(!scope(Role::Officer, &Regime::ALL).reads_whole_audit_trail());
    }

    #[test]
    fn readable_regimes_limit_the_queue() {
        use Regime::*;
        let table = [
            (Role::Admin, vec![], Regime::ALL.to_vec()),
            (Role::Auditor, vec![Eu], Regime::ALL.to_vec()),
            (Role::Officer, vec![], vec![]),
            (Role::Officer, vec![Other, In, Other], vec![In, Other]),
            (Role::Officer, vec![UsCa], vec![UsCa]),
        ];
        for (role, regions, expected) in table {
            assert_eq!(
                scope(role, &regions).readable_regimes(),
                expected,
                "{role} {regions:?}"
            );
        }
    }
}
