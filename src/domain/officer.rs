//! An officer account (admin, officer or auditor) as the use cases see it.

use std::fmt;

use time::OffsetDateTime;

use super::access::OfficerScope;
use super::ids::OfficerId;
use super::regime::Regime;
use super::role::Role;

/// The regions an officer works, in a fixed order (by code), each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regions(Vec<Regime>);

impl Regions {
    pub fn new(mut regions: Vec<Regime>) -> Regions {
        regions.sort_by_key(|r| r.as_str());
        regions.dedup();
        Regions(regions)
    }

    /// Reads the stored form: codes separated by commas (`eu,in`), none for an empty list.
    pub fn parse(text: &str) -> Result<Regions, UnknownRegion> {
        text.split(',')
            .filter(|code| !code.is_empty())
            .map(|code| code.parse::<Regime>().map_err(|_| UnknownRegion))
            .collect::<Result<Vec<_>, _>>()
            .map(Regions::new)
    }

    pub fn as_slice(&self) -> &[Regime] {
        &self.0
    }
}

/// The stored form, `eu,in`.
impl fmt::Display for Regions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.0.iter().map(|r| r.as_str()).collect();
        f.write_str(&codes.join(","))
    }
}

impl PartialEq<&str> for Regions {
    fn eq(&self, text: &&str) -> bool {
        text.split(',')
            .filter(|code| !code.is_empty())
            .eq(self.0.iter().map(|r| r.as_str()))
    }
}

/// A region code that names no regime.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an unknown region")]
pub struct UnknownRegion;

/// A stored officer account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub id: OfficerId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub regions: Regions,
    pub password_hash: String,
    /// The TOTP secret, sealed by the vault.
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<OffsetDateTime>,
    pub totp_last_step: Option<i64>,
    pub disabled_at: Option<OffsetDateTime>,
    /// Set by an admin's reset: the officer must choose a new password before anything else.
    pub password_change_required: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Officer {
    /// What this officer may reach.
    pub fn scope(&self) -> OfficerScope {
        OfficerScope {
            role: self.role,
            regions: self.regions.as_slice().to_vec(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_back_what_they_write_in_one_order() {
        let regions = Regions::parse("in,eu,in").unwrap();
        assert_eq!(regions, "eu,in");
        assert!(regions != "in,eu");
        assert_eq!(Regions::parse(&regions.to_string()), Ok(regions));
        assert_eq!(Regions::parse(""), Ok(Regions::default()));
        assert_eq!(Regions::parse("eu,mars"), Err(UnknownRegion));
        assert!(Regions::default() == "");
    }
}
