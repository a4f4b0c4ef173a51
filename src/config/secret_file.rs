//! The secret key generated on first run and kept in the data directory.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::{ConfigError, SecretKey};

/// Reads the generated key from the data dir, or makes one (mode 0600) on first run.
pub(super) fn load_or_create_secret(data_dir: &Path) -> Result<SecretKey, ConfigError> {
    let path = data_dir.join("secret_key");
    let unusable = |e: std::io::Error| {
        ConfigError::new(format!(
            "RIGHTSDESK_DATA_DIR: cannot keep the secret key in {}: {e}",
            path.display()
        ))
    };
    match fs::read_to_string(&path) {
        Ok(text) => SecretKey::from_text(&text).ok_or_else(|| {
            ConfigError::new(format!(
                "RIGHTSDESK_SECRET_KEY: the key file {} is damaged; restore it from backup",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(data_dir).map_err(unusable)?;
            let text = SecretKey::generate_text()
                .map_err(|e| ConfigError::new(format!("RIGHTSDESK_SECRET_KEY: {e}")))?;
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(unusable)?;
            file.write_all(text.as_bytes()).map_err(unusable)?;
            file.sync_all().map_err(unusable)?;
            SecretKey::from_text(&text)
                .ok_or_else(|| ConfigError::new("RIGHTSDESK_SECRET_KEY: generation failed"))
        }
        Err(e) => Err(unusable(e)),
    }
}
