//! Reading the settings from the environment and the file, with a clear message naming the
//! variable for every value that cannot be used.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::file::{read_file_settings, FileSettings};
use super::policy::policy_from;
use super::secret_file::load_or_create_secret;
use super::totp_roles;
use super::{
    BadProxyEntry, ConfigError, DatabaseUrl, SecretKey, Settings, TlsFiles, TrustedProxies,
};
use crate::domain::export_spike::ExportSpikePolicy;
use crate::domain::report::ReportZone;
use crate::domain::session::SessionPolicy;
use crate::domain::throttle::ThrottlePolicy;
use crate::domain::webhook::DeliveryPolicy;

impl Settings {
    /// Loads from the process environment.
    pub fn load() -> Result<Settings, ConfigError> {
        Settings::from_env(&std::env::vars().collect())
    }

    /// Loads from the given variables (tests pass their own).
    pub fn from_env(env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        let file = match var("RIGHTSDESK_CONFIG") {
            Some(path) => read_file_settings(Path::new(&path))?,
            None => FileSettings::default(),
        };

        let data_dir = PathBuf::from(
            var("RIGHTSDESK_DATA_DIR")
                .or(file.data_dir)
                .unwrap_or_else(|| "data".to_string()),
        );
        let database_url = DatabaseUrl::parse(
            &var("DATABASE_URL")
                .or(file.database_url)
                .unwrap_or_else(|| {
                    format!("sqlite://{}", data_dir.join("rightsdesk.db").display())
                }),
        )
        .map_err(|e| ConfigError::new(e.to_string()))?;

        let bind_text = var("RIGHTSDESK_BIND")
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let bind = bind_text.parse::<SocketAddr>().map_err(|_| {
            ConfigError::new(format!(
                "RIGHTSDESK_BIND: expected an address like 127.0.0.1:8080, got {bind_text:?}"
            ))
        })?;

        let public_url = var("RIGHTSDESK_PUBLIC_URL")
            .or(file.public_url)
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_string());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://"))
            || public_url.contains(char::is_whitespace)
        {
            return Err(ConfigError::new(format!(
                "RIGHTSDESK_PUBLIC_URL: expected an http:// or https:// URL, got {public_url:?}"
            )));
        }
        let public_url = public_url.trim_end_matches('/').to_string();

        let smtp_url = var("RIGHTSDESK_SMTP_URL").or(file.smtp_url);
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError::new(
                    "RIGHTSDESK_SMTP_URL: expected smtp://HOST:PORT or smtps://HOST:PORT",
                ));
            }
        }

        let mail_from = var("RIGHTSDESK_MAIL_FROM")
            .or(file.mail_from)
            .unwrap_or_else(|| "rightsdesk <no-reply@localhost>".to_string());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::new(format!(
                "RIGHTSDESK_MAIL_FROM: expected a mailbox like \"rightsdesk <no-reply@example.org>\", got {mail_from:?}"
            )));
        }

        let rate_limit_per_minute = match var("RIGHTSDESK_RATE_LIMIT") {
            Some(text) => text.parse::<u32>().map_err(|_| {
                ConfigError::new(format!(
                    "RIGHTSDESK_RATE_LIMIT: expected a whole number of requests per minute (0 = off), got {text:?}"
                ))
            })?,
            None => file.rate_limit.unwrap_or(30),
        };

        let trusted_proxies = match var("RIGHTSDESK_TRUSTED_PROXIES") {
            Some(text) => TrustedProxies::parse_list(&text),
            None => TrustedProxies::parse_entries(
                file.trusted_proxies.iter().flatten().map(String::as_str),
            ),
        }
        .map_err(|BadProxyEntry(entry)| {
            ConfigError::new(format!(
                "RIGHTSDESK_TRUSTED_PROXIES: {entry:?} is not an address or a CIDR range (e.g. 10.0.0.0/8, 192.168.1.5, fd00::/8)"
            ))
        })?;

        let outbox_interval_ms = OUTBOX_INTERVAL_MS.read(var, file.outbox_interval_ms, 5_000)?;
        let purge_interval_secs = PURGE_INTERVAL_SECS.read(var, file.purge_interval_secs, 3600)?;
        let audit_sequence_interval_ms = AUDIT_SEQUENCE_INTERVAL_MS
            .read(var, file.audit_sequence_interval_ms, 500)?
            .min(MAX_AUDIT_SEQUENCE_INTERVAL_MS);
        let audit_max_pending_secs = AUDIT_MAX_PENDING_SECS
            .read(var, file.audit_max_pending_secs, 300)?
            .min(MAX_MINUTES * 60);
        let smtp_timeout_secs = SMTP_TIMEOUT_SECS
            .read(var, file.smtp_timeout_secs, 30)?
            .min(MAX_SMTP_TIMEOUT_SECS);
        let smtp_ca_file = var("RIGHTSDESK_SMTP_CA")
            .or(file.smtp_ca)
            .map(PathBuf::from);
        if smtp_ca_file.is_some() && smtp_url.is_none() {
            return Err(ConfigError::new(
                "RIGHTSDESK_SMTP_CA: set RIGHTSDESK_SMTP_URL too; without it mail is written to files",
            ));
        }
        let shutdown_timeout_secs =
            SHUTDOWN_TIMEOUT_SECS.read(var, file.shutdown_timeout_secs, 30)?;
        let default_sessions = SessionPolicy::default();
        let sessions = SessionPolicy {
            idle: time::Duration::minutes(
                SESSION_IDLE_MINUTES
                    .read(
                        var,
                        file.session_idle_minutes,
                        default_sessions.idle.whole_minutes() as u64,
                    )?
                    .min(MAX_MINUTES) as i64,
            ),
            absolute: time::Duration::hours(
                SESSION_MAX_HOURS
                    .read(
                        var,
                        file.session_max_hours,
                        default_sessions.absolute.whole_hours() as u64,
                    )?
                    .min(MAX_MINUTES / 60) as i64,
            ),
        };
        let default_throttle = ThrottlePolicy::default();
        let throttle = ThrottlePolicy {
            lock_after: SIGN_IN_LOCK_AFTER
                .read(
                    var,
                    file.sign_in_lock_after,
                    u64::from(default_throttle.lock_after),
                )?
                .min(u64::from(u32::MAX)) as u32,
            lock_for: time::Duration::minutes(
                SIGN_IN_LOCK_MINUTES
                    .read(
                        var,
                        file.sign_in_lock_minutes,
                        default_throttle.lock_for.whole_minutes() as u64,
                    )?
                    .min(MAX_MINUTES) as i64,
            ),
            ..default_throttle
        };
        let totp_required_roles = totp_roles::load(
            var("RIGHTSDESK_TOTP_REQUIRED_ROLES"),
            file.totp_required_roles,
        )?;
        let password_hashers = PASSWORD_HASHERS
            .read(
                var,
                file.password_hashers,
                std::thread::available_parallelism().map_or(2, |n| n.get() as u64),
            )?
            .min(1024) as usize;

        let tls = match (
            var("RIGHTSDESK_TLS_CERT").or(file.tls_cert),
            var("RIGHTSDESK_TLS_KEY").or(file.tls_key),
        ) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: PathBuf::from(cert),
                key: PathBuf::from(key),
                allow_tls12: match var("RIGHTSDESK_TLS_MIN_VERSION")
                    .or(file.tls_min_version)
                    .as_deref()
                {
                    None | Some("1.3") => false,
                    Some("1.2") => true,
                    Some(other) => {
                        return Err(ConfigError::new(format!(
                            "RIGHTSDESK_TLS_MIN_VERSION: expected 1.3 or 1.2, got {other:?}"
                        )))
                    }
                },
            }),
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "RIGHTSDESK_TLS_CERT: set RIGHTSDESK_TLS_KEY too (the certificate's private key, PEM)",
                ))
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "RIGHTSDESK_TLS_KEY: set RIGHTSDESK_TLS_CERT too (the certificate chain, PEM)",
                ))
            }
        };

        let metrics_bind = match var("RIGHTSDESK_METRICS_BIND").or(file.metrics_bind) {
            Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
                ConfigError::new(format!(
                    "RIGHTSDESK_METRICS_BIND: expected an address like 127.0.0.1:9090, got {text:?}"
                ))
            })?),
            None => None,
        };
        if metrics_bind.is_some_and(|m| m == bind && m.port() != 0) {
            return Err(ConfigError::new(
                "RIGHTSDESK_METRICS_BIND: must differ from RIGHTSDESK_BIND, so that the public listener never serves metrics",
            ));
        }

        let configured_time_zone = match var("RIGHTSDESK_TIME_ZONE").or(file.time_zone) {
            Some(name) => Some(
                ReportZone::named(&name)
                    .map_err(|e| ConfigError::new(format!("RIGHTSDESK_TIME_ZONE: {e}")))?,
            ),
            None => None,
        };
        let time_zone = configured_time_zone.clone().unwrap_or_else(ReportZone::utc);

        let secret_key = match var("RIGHTSDESK_SECRET_KEY").or(file.secret_key) {
            Some(text) => SecretKey::from_text(&text).ok_or_else(|| {
                ConfigError::new("RIGHTSDESK_SECRET_KEY: expected at least 32 characters")
            })?,
            None => load_or_create_secret(&data_dir)?,
        };

        let previous_secret_keys = match var("RIGHTSDESK_PREVIOUS_SECRET_KEYS") {
            Some(text) => text
                .split(',')
                .filter(|part| !part.trim().is_empty())
                .map(str::to_string)
                .collect(),
            None => file.previous_secret_keys.unwrap_or_default(),
        }
        .iter()
        .map(|text| {
            SecretKey::from_text(text).ok_or_else(|| {
                ConfigError::new(
                    "RIGHTSDESK_PREVIOUS_SECRET_KEYS: expected keys of at least 32 characters, separated by commas",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

        let default_spike = ExportSpikePolicy::default();
        let export_spike = ExportSpikePolicy {
            max_exports: EXPORT_SPIKE_EXPORTS.read(
                var,
                file.export_spike_exports,
                default_spike.max_exports,
            )?,
            max_rows: EXPORT_SPIKE_ROWS.read(
                var,
                file.export_spike_rows,
                default_spike.max_rows,
            )?,
        };
        let api_rate_per_minute = API_RATE_PER_MINUTE.read(var, file.api_rate_per_minute, 600)?;
        let intake_max_age_days = INTAKE_MAX_AGE_DAYS
            .read(var, file.intake_max_age_days, 30)?
            .min(3660);
        let policy = policy_from(file.policy)?;
        let webhook_interval_ms = WEBHOOK_INTERVAL_MS
            .read(var, file.webhook_interval_ms, 1_000)?
            .min(MAX_AUDIT_SEQUENCE_INTERVAL_MS);
        let webhook_timeout_secs = WEBHOOK_TIMEOUT_SECS
            .read(var, file.webhook_timeout_secs, 10)?
            .min(MAX_WEBHOOK_TIMEOUT_SECS);
        let default_delivery = DeliveryPolicy::default();
        let webhook_delivery = DeliveryPolicy {
            first_wait: time::Duration::seconds(
                WEBHOOK_RETRY_SECS
                    .read(
                        var,
                        file.webhook_retry_secs,
                        default_delivery.first_wait.whole_seconds() as u64,
                    )?
                    .min(MAX_MINUTES) as i64,
            ),
            max_attempts: WEBHOOK_MAX_ATTEMPTS
                .read(
                    var,
                    file.webhook_max_attempts,
                    u64::from(default_delivery.max_attempts),
                )?
                .min(100) as u32,
            ..default_delivery
        };

        Ok(Settings {
            database_url,
            bind,
            public_url,
            data_dir,
            smtp_url,
            smtp_ca_file,
            smtp_timeout_secs,
            mail_from,
            secret_key,
            previous_secret_keys,
            rate_limit_per_minute,
            trusted_proxies,
            outbox_interval_ms,
            purge_interval_secs,
            audit_sequence_interval_ms,
            audit_max_pending_secs,
            time_zone,
            configured_time_zone,
            policy,
            throttle,
            sessions,
            totp_required_roles,
            password_hashers,
            tls,
            metrics_bind,
            shutdown_timeout_secs,
            export_spike,
            api_rate_per_minute,
            intake_max_age_days,
            webhook_interval_ms,
            webhook_timeout_secs,
            webhook_delivery,
        })
    }
}

/// The longest period a minutes setting may name (ten years): beyond it, time arithmetic
/// could overflow.
const MAX_MINUTES: u64 = 10 * 366 * 24 * 60;

/// The longest pause between two passes of the audit sequencer (a minute): events wait at
/// most about this long to be sequenced.
const MAX_AUDIT_SEQUENCE_INTERVAL_MS: u64 = 60_000;

/// The longest the SMTP client waits for one step (an hour): a delivery is bounded at a few
/// of them, and the sender's claims at a few deliveries.
const MAX_SMTP_TIMEOUT_SECS: u64 = 60 * 60;

/// The longest a webhook delivery may take (five minutes): a sender's claim covers a few.
const MAX_WEBHOOK_TIMEOUT_SECS: u64 = 300;

const WEBHOOK_INTERVAL_MS: Whole = Whole::new("RIGHTSDESK_WEBHOOK_INTERVAL_MS", "milliseconds");
const WEBHOOK_TIMEOUT_SECS: Whole = Whole::new("RIGHTSDESK_WEBHOOK_TIMEOUT_SECS", "seconds");
const WEBHOOK_RETRY_SECS: Whole = Whole::new("RIGHTSDESK_WEBHOOK_RETRY_SECS", "seconds");
const WEBHOOK_MAX_ATTEMPTS: Whole = Whole::new("RIGHTSDESK_WEBHOOK_MAX_ATTEMPTS", "attempts");
const OUTBOX_INTERVAL_MS: Whole = Whole::new("RIGHTSDESK_OUTBOX_INTERVAL_MS", "milliseconds");
const PURGE_INTERVAL_SECS: Whole = Whole::new("RIGHTSDESK_PURGE_INTERVAL_SECS", "seconds");
const AUDIT_SEQUENCE_INTERVAL_MS: Whole =
    Whole::new("RIGHTSDESK_AUDIT_SEQUENCE_INTERVAL_MS", "milliseconds");
const AUDIT_MAX_PENDING_SECS: Whole = Whole::new("RIGHTSDESK_AUDIT_MAX_PENDING_SECS", "seconds");
const SMTP_TIMEOUT_SECS: Whole = Whole::new("RIGHTSDESK_SMTP_TIMEOUT_SECS", "seconds");
const SHUTDOWN_TIMEOUT_SECS: Whole = Whole::new("RIGHTSDESK_SHUTDOWN_TIMEOUT_SECS", "seconds");
const SESSION_IDLE_MINUTES: Whole = Whole::new("RIGHTSDESK_SESSION_IDLE_MINUTES", "minutes");
const SESSION_MAX_HOURS: Whole = Whole::new("RIGHTSDESK_SESSION_MAX_HOURS", "hours");
const SIGN_IN_LOCK_AFTER: Whole = Whole::new("RIGHTSDESK_SIGN_IN_LOCK_AFTER", "failed sign-ins");
const SIGN_IN_LOCK_MINUTES: Whole = Whole::new("RIGHTSDESK_SIGN_IN_LOCK_MINUTES", "minutes");
const PASSWORD_HASHERS: Whole =
    Whole::new("RIGHTSDESK_PASSWORD_HASHERS", "concurrent password checks");
const EXPORT_SPIKE_EXPORTS: Whole = Whole::new(
    "RIGHTSDESK_EXPORT_SPIKE_EXPORTS",
    "exports per officer per hour",
);
const EXPORT_SPIKE_ROWS: Whole = Whole::new(
    "RIGHTSDESK_EXPORT_SPIKE_ROWS",
    "exported rows per officer per hour",
);

const API_RATE_PER_MINUTE: Whole = Whole::new(
    "RIGHTSDESK_API_RATE_PER_MINUTE",
    "API calls per token per minute",
);

const INTAKE_MAX_AGE_DAYS: Whole = Whole::new(
    "RIGHTSDESK_INTAKE_MAX_AGE_DAYS",
    "days before now that a recorded request may have been received",
);

/// A setting that is a whole number above zero: its variable (named in errors) and the unit
/// errors speak of.
#[derive(Clone, Copy)]
struct Whole {
    name: &'static str,
    unit: &'static str,
}

impl Whole {
    const fn new(name: &'static str, unit: &'static str) -> Whole {
        Whole { name, unit }
    }

    /// The variable's value, else the file's, else the default.
    fn read(
        self,
        var: impl Fn(&str) -> Option<String>,
        file: Option<u64>,
        default: u64,
    ) -> Result<u64, ConfigError> {
        let Whole { name, unit } = self;
        match var(name) {
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ConfigError::new(format!(
                        "{name}: expected a whole number of {unit} above 0, got {text:?}"
                    ))
                }),
            None => match file {
                Some(0) => Err(ConfigError::new(format!(
                    "RIGHTSDESK_CONFIG: {} must be above 0",
                    name.trim_start_matches("RIGHTSDESK_").to_lowercase()
                ))),
                Some(n) => Ok(n),
                None => Ok(default),
            },
        }
    }
}
