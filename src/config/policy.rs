//! The `[policy]` table: deadline overrides, consent purposes and retention periods.

use super::file::PolicyFile;
use super::ConfigError;
use crate::domain::deadline::DeadlinePolicy;
use crate::domain::policy::Policy;
use crate::domain::retention::{PurgeClass, RetentionPolicy};

pub(super) fn policy_from(file: PolicyFile) -> Result<Policy, ConfigError> {
    let deadlines = DeadlinePolicy::with_overrides(file.deadlines)
        .map_err(|e| ConfigError::new(format!("RIGHTSDESK_CONFIG: {e}")))?;
    let consent_purposes = file
        .consent_purposes
        .unwrap_or_else(Policy::default_consent_purposes);
    if consent_purposes.is_empty() {
        return Err(ConfigError::new(
            "RIGHTSDESK_CONFIG: policy.consent_purposes must name at least one purpose",
        ));
    }

    let mut retention_overrides = Vec::new();
    for (name, span) in file.retention.unwrap_or_default() {
        let class = name.parse::<PurgeClass>().map_err(|_| {
            ConfigError::new(format!(
                "RIGHTSDESK_CONFIG: policy.retention.{name} is not a retention class; expected one of {}",
                PurgeClass::ALL.map(PurgeClass::as_str).join(", ")
            ))
        })?;
        retention_overrides.push((class, span));
    }
    Ok(Policy {
        deadlines,
        consent_purposes,
        retention: RetentionPolicy::with_overrides(&retention_overrides),
    })
}
