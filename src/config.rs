//! Typed settings, loaded once at start from the environment and an optional TOML file
//! (`RIGHTSDESK_CONFIG`); a variable wins over the file. Passed around, never global.
//!
//! `settings.rs` is what the rest of the portal reads; `load.rs` reads the variables,
//! `file.rs` the TOML file, `policy.rs` its `[policy]` table, `secret_file.rs` the generated
//! secret key; `database_url.rs` and `trusted_proxies.rs` parse one setting each.

mod database_url;
mod file;
mod load;
mod policy;
mod secret_file;
mod settings;
mod totp_roles;
mod trusted_proxies;

pub use crate::crypto::SecretKey;
pub use database_url::{Backend, DatabaseUrl, UnsupportedDatabaseUrl};
pub use settings::{Settings, TlsFiles};
pub use trusted_proxies::{BadProxyEntry, TrustedProxies};

/// A setting that could not be used; the message names the variable or key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl ConfigError {
    fn new(message: impl Into<String>) -> ConfigError {
        ConfigError(message.into())
    }
}

#[cfg(test)]
mod tests;
