//! The optional TOML file (`RIGHTSDESK_CONFIG`).

use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::ConfigError;
use crate::domain::deadline::PolicyOverrides;
use crate::domain::policy::ConsentPurpose;

/// The TOML file's shape; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSettings {
    pub(super) database_url: Option<String>,
    pub(super) bind: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) data_dir: Option<String>,
    pub(super) smtp_url: Option<String>,
    pub(super) smtp_ca: Option<String>,
    pub(super) smtp_timeout_secs: Option<u64>,
    pub(super) mail_from: Option<String>,
    pub(super) secret_key: Option<String>,
    pub(super) previous_secret_keys: Option<Vec<String>>,
    pub(super) rate_limit: Option<u32>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) outbox_interval_ms: Option<u64>,
    pub(super) purge_interval_secs: Option<u64>,
    pub(super) audit_sequence_interval_ms: Option<u64>,
    pub(super) audit_max_pending_secs: Option<u64>,
    pub(super) time_zone: Option<String>,
    pub(super) session_idle_minutes: Option<u64>,
    pub(super) session_max_hours: Option<u64>,
    pub(super) sign_in_lock_after: Option<u64>,
    pub(super) sign_in_lock_minutes: Option<u64>,
    pub(super) password_hashers: Option<u64>,
    pub(super) tls_cert: Option<String>,
    pub(super) tls_key: Option<String>,
    pub(super) tls_min_version: Option<String>,
    pub(super) metrics_bind: Option<String>,
    pub(super) shutdown_timeout_secs: Option<u64>,
    pub(super) export_spike_exports: Option<u64>,
    pub(super) export_spike_rows: Option<u64>,
    pub(super) api_rate_per_minute: Option<u64>,
    pub(super) intake_max_age_days: Option<u64>,
    pub(super) totp_required_roles: Option<Vec<String>>,
    pub(super) webhook_interval_ms: Option<u64>,
    pub(super) webhook_timeout_secs: Option<u64>,
    pub(super) webhook_max_attempts: Option<u64>,
    pub(super) webhook_retry_secs: Option<u64>,
    #[serde(default)]
    pub(super) policy: PolicyFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyFile {
    pub(super) consent_purposes: Option<Vec<ConsentPurpose>>,
    /// Class name → period, e.g. `registration = "180 days"`.
    pub(super) retention: Option<std::collections::BTreeMap<String, crate::domain::span::Span>>,
    #[serde(flatten)]
    pub(super) deadlines: PolicyOverrides,
}

pub(super) fn read_file_settings(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = fs::read_to_string(path).map_err(|e| {
        ConfigError::new(format!(
            "RIGHTSDESK_CONFIG: cannot read {}: {e}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        let message = e.message().to_string();
        ConfigError::new(format!("RIGHTSDESK_CONFIG: {}: {message}", path.display()))
    })
}
