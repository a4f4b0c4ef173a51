//! The settings every part of the portal reads.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::{DatabaseUrl, SecretKey, TrustedProxies};
use crate::domain::export_spike::ExportSpikePolicy;
use crate::domain::policy::Policy;
use crate::domain::report::ReportZone;
use crate::domain::session::SessionPolicy;
use crate::domain::throttle::ThrottlePolicy;
use crate::domain::totp_policy::TotpRequiredRoles;
use crate::domain::webhook::DeliveryPolicy;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// Base of links in mail, without a trailing slash.
    pub public_url: String,
    pub data_dir: PathBuf,
    pub smtp_url: Option<String>,
    /// Certificates to trust for the SMTP server besides the public roots (a private relay).
    pub smtp_ca_file: Option<PathBuf>,
    /// How long the SMTP client waits for each step of the dialogue.
    pub smtp_timeout_secs: u64,
    pub mail_from: String,
    pub secret_key: SecretKey,
    /// Keys used before the current one: they still open sealed data, never seal new data.
    pub previous_secret_keys: Vec<SecretKey>,
    /// Public POSTs per minute per client address; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Reverse proxies whose forwarding headers name the client; none by default.
    pub trusted_proxies: TrustedProxies,
    /// How often the mail outbox is polled when nothing wakes it.
    pub outbox_interval_ms: u64,
    /// How often `serve` runs the purge.
    pub purge_interval_secs: u64,
    /// How often `serve` sequences the audit events committed since its last pass.
    pub audit_sequence_interval_ms: u64,
    /// How long an audit event may wait for the sequencer before `audit verify` fails.
    pub audit_max_pending_secs: u64,
    /// The organisation's time zone: report months begin at its local midnight (UTC when
    /// none is set).
    pub time_zone: ReportZone,
    /// The zone `RIGHTSDESK_TIME_ZONE` named, if any: requester pages and mail show times
    /// on its clock, or on their regime's when it is unset (`domain::local_time`).
    pub configured_time_zone: Option<ReportZone>,
    pub policy: Policy,
    /// Growing delays and a temporary lock after failed sign-ins.
    pub throttle: ThrottlePolicy,
    /// Officer session timeouts.
    pub sessions: SessionPolicy,
    /// The roles that must use two-step sign-in (TOTP); always admins.
    pub totp_required_roles: TotpRequiredRoles,
    /// Password checks (Argon2, 19 MiB each) that may run at once; more wait briefly, then
    /// get a 503.
    pub password_hashers: usize,
    /// Serve HTTPS directly (rustls) from these PEM files.
    pub tls: Option<TlsFiles>,
    /// A second listener that serves only `/metrics`; `None` turns metrics off.
    pub metrics_bind: Option<SocketAddr>,
    /// How long a SIGTERM waits for requests and deliveries in flight.
    pub shutdown_timeout_secs: u64,
    /// More exports or rows than this per officer per hour mails the admins.
    pub export_spike: ExportSpikePolicy,
    /// API calls per token per minute (in bursts of up to that many); past it, 429.
    pub api_rate_per_minute: u64,
    /// How many days before now a request recorded by an officer or over the API may have
    /// been received: its statutory clock starts then.
    pub intake_max_age_days: u64,
    /// How often the webhook sender looks for due deliveries.
    pub webhook_interval_ms: u64,
    /// How long one webhook delivery may take, connecting and answering included.
    pub webhook_timeout_secs: u64,
    /// Backoff and the bound on attempts of webhook deliveries.
    pub webhook_delivery: DeliveryPolicy,
}

/// The certificate chain and private key of the built-in HTTPS listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// TLS 1.3 only unless the operator allows 1.2 for old clients.
    pub allow_tls12: bool,
}

impl Settings {
    /// Where mail files go when no SMTP server is configured.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Whether browsers reach the portal over https (directly, or through a proxy that
    /// terminates TLS for the public URL): cookies are then `Secure` and HSTS is sent.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://") || self.tls.is_some()
    }
}
