//! Which law's clock applies to a request (DESIGN.md section 2, "Regimes").

use std::fmt;
use std::str::FromStr;

/// The legal regime, chosen from where the requester lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Regime {
    /// India: DPDP Act 2023 and IT Rules 2021.
    In,
    /// GDPR: the EU, the EEA and the UK.
    Eu,
    /// California: CCPA as amended by the CPRA.
    UsCa,
    /// Anywhere else: the organisation's own policy.
    Other,
}

/// The error returned when text is not one of the regime codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown region")]
pub struct UnknownRegime;

impl Regime {
    /// Every regime, in the order the request form lists them.
    pub const ALL: [Regime; 4] = [Regime::In, Regime::Eu, Regime::UsCa, Regime::Other];

    /// The stable code used in the `region` form field, exports and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::In => "in",
            Regime::Eu => "eu",
            Regime::UsCa => "us-ca",
            Regime::Other => "other",
        }
    }

    /// Where the requester lives, as shown in the region picker.
    pub fn label(self) -> &'static str {
        match self {
            Regime::In => "India",
            Regime::Eu => "European Union, EEA or UK",
            Regime::UsCa => "California, USA",
            Regime::Other => "Elsewhere",
        }
    }

    /// The law (or policy) whose deadlines apply.
    pub fn law(self) -> &'static str {
        match self {
            Regime::In => "DPDP Act 2023 and IT Rules 2021",
            Regime::Eu => "GDPR",
            Regime::UsCa => "CCPA / CPRA",
            Regime::Other => "Organisation policy",
        }
    }
}

impl FromStr for Regime {
    type Err = UnknownRegime;

    /// Accepts exactly the codes from [`Regime::as_str`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Regime::ALL
            .into_iter()
            .find(|regime| regime.as_str() == s)
            .ok_or(UnknownRegime)
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let expected = ["in", "eu", "us-ca", "other"];
        for (regime, code) in Regime::ALL.into_iter().zip(expected) {
            assert_eq!(regime.as_str(), code);
            assert_eq!(regime.to_string(), code);
            assert_eq!(code.parse::<Regime>(), Ok(regime));
        }
    }

    #[test]
    fn labels_and_laws() {
        let table = [
            (Regime::In, "India", "DPDP Act 2023 and IT Rules 2021"),
            (Regime::Eu, "European Union, EEA or UK", "GDPR"),
            (Regime::UsCa, "California, USA", "CCPA / CPRA"),
            (Regime::Other, "Elsewhere", "Organisation policy"),
        ];
        for (regime, label, law) in table {
            assert_eq!(regime.label(), label);
            assert_eq!(regime.law(), law);
        }
    }

    #[test]
    fn from_str_is_exact() {
        for bad in ["", "IN", "us_ca", "usca", "uk", " eu"] {
            assert_eq!(bad.parse::<Regime>(), Err(UnknownRegime), "{bad:?}");
        }
        assert_eq!(UnknownRegime.to_string(), "unknown region");
    }
}
