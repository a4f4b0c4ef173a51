//! Operational figures in the Prometheus text format (the `prometheus-client` crate):
//! HTTP traffic by route pattern (never by path: paths hold tokens), the mail outbox, open
//! and overdue requests, purges and sign-in trouble. Counters count what this process did;
//! gauges read from the database describe the whole deployment, whichever instance is asked.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    /// The route pattern, like `/status/{token}`, or `(unmatched)`.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RegimeLabels {
    pub regime: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClassLabels {
    pub class: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_latency: HistogramFamily,
    pub mail_sent: Counter,
    /// Failed delivery attempts by outcome: `retry` or `undeliverable`.
    pub mail_failures: Family<OutcomeLabels, Counter>,
    pub outbox_pending: Gauge,
    pub outbox_failing: Gauge,
    pub outbox_undeliverable: Gauge,
    /// Audit events committed but not yet sequenced, and the oldest one's age.
    pub audit_pending: Gauge,
    pub audit_pending_oldest_seconds: Gauge,
    /// Audit events this instance's sequencer numbered and chained.
    pub audit_sequenced: Counter,
    pub requests_open: Family<RegimeLabels, Gauge>,
    pub requests_overdue: Family<RegimeLabels, Gauge>,
    pub purge_runs: Counter,
    pub purge_items: Family<ClassLabels, Counter>,
    pub sign_in_failures: Counter,
    pub sign_in_locks: Counter,
    /// Sign-ins refused because every password hasher was busy.
    pub sign_in_busy: Counter,
    pub sign_in_throttled: Counter,
    pub scrape_errors: Counter<u64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("rightsdesk");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            http_requests.clone(),
        );
        let http_latency = HistogramFamily::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route pattern",
            http_latency.clone(),
        );
        let mail_sent = Counter::default();
        registry.register(
            "mail_sent",
            "Mails delivered by this instance",
            mail_sent.clone(),
        );
        let mail_failures = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "mail_delivery_failures",
            "Failed delivery attempts by this instance, by outcome (retry or undeliverable)",
            mail_failures.clone(),
        );
        let outbox_pending = Gauge::default();
        registry.register(
            "outbox_pending",
            "Mails waiting to be sent",
            outbox_pending.clone(),
        );
        let outbox_failing = Gauge::default();
        registry.register(
            "outbox_failing",
            "Mails waiting to be sent after at least one failed attempt",
            outbox_failing.clone(),
        );
        let outbox_undeliverable = Gauge::default();
        registry.register(
            "outbox_undeliverable",
            "Mails given up (refused recipient, or failing for days); listed for admins",
            outbox_undeliverable.clone(),
        );
        let audit_pending = Gauge::default();
        registry.register(
            "audit_pending",
            "Audit events committed but not yet sequenced",
            audit_pending.clone(),
        );
        let audit_pending_oldest_seconds = Gauge::default();
        registry.register(
            "audit_pending_oldest_seconds",
            "How long the oldest audit event not yet sequenced has waited (0 when none)",
            audit_pending_oldest_seconds.clone(),
        );
        let audit_sequenced = Counter::default();
        registry.register(
            "audit_sequenced",
            "Audit events this instance's sequencer numbered, chained and checkpointed",
            audit_sequenced.clone(),
        );
        let requests_open = Family::<RegimeLabels, Gauge>::default();
        registry.register(
            "requests_open",
            "Requests being worked (open, in progress, awaiting the requester), by regime",
            requests_open.clone(),
        );
        let requests_overdue = Family::<RegimeLabels, Gauge>::default();
        registry.register(
            "requests_overdue",
            "Requests being worked past their due date in force, by regime",
            requests_overdue.clone(),
        );
        let purge_runs = Counter::default();
        registry.register(
            "purge_runs",
            "Scheduled purges this instance ran",
            purge_runs.clone(),
        );
        let purge_items = Family::<ClassLabels, Counter>::default();
        registry.register(
            "purge_items",
            "Items purged by this instance's scheduled purges, by retention class",
            purge_items.clone(),
        );
        let sign_in_failures = Counter::default();
        registry.register(
            "sign_in_failures",
            "Failed sign-in attempts (password or code)",
            sign_in_failures.clone(),
        );
        let sign_in_locks = Counter::default();
        registry.register(
            "sign_in_locks",
            "Temporary locks of an account for one client after repeated failures",
            sign_in_locks.clone(),
        );
        let sign_in_throttled = Counter::default();
        registry.register(
            "sign_in_throttled",
            "Sign-in attempts refused because their account or client must wait",
            sign_in_throttled.clone(),
        );
        let sign_in_busy = Counter::default();
        registry.register(
            "sign_in_busy",
            "Sign-in attempts answered 503 because every password hasher was busy",
            sign_in_busy.clone(),
        );
        let scrape_errors = Counter::<u64, AtomicU64>::default();
        registry.register(
            "metrics_scrape_errors",
            "Scrapes whose database figures could not be read",
            scrape_errors.clone(),
        );
        Metrics {
            registry,
            http_requests,
            http_latency,
            mail_sent,
            mail_failures,
            outbox_pending,
            outbox_failing,
            outbox_undeliverable,
            audit_pending,
            audit_pending_oldest_seconds,
            audit_sequenced,
            requests_open,
            requests_overdue,
            purge_runs,
            purge_items,
            sign_in_failures,
            sign_in_locks,
            sign_in_busy,
            sign_in_throttled,
            scrape_errors,
        }
    }

    /// Counts one answered HTTP request.
    pub fn observe_http(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.http_requests
            .get_or_create(&HttpLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.http_latency
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds);
    }

    pub fn mail_failed(&self, undeliverable: bool) {
        let outcome = if undeliverable {
            "undeliverable"
        } else {
            "retry"
        };
        self.mail_failures
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    pub fn purged(&self, class: &str, items: u64) {
        self.purge_items
            .get_or_create(&ClassLabels {
                class: class.to_string(),
            })
            .inc_by(items);
    }

    /// The whole registry in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_statuses_are_labels_and_the_text_ends_with_eof() {
        let metrics = Metrics::new();
        metrics.observe_http("GET", "/status/{token}", 200, 0.003);
        metrics.observe_http("GET", "/status/{token}", 200, 0.004);
        metrics.mail_failed(true);
        metrics.purged("sessions", 3);
        let text = metrics.encode();
        assert!(
            text.contains(
                "rightsdesk_http_requests_total{method=\"GET\",route=\"/status/{token}\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("rightsdesk_http_request_duration_seconds_count{method=\"GET\",route=\"/status/{token}\"} 2"));
        assert!(
            text.contains("rightsdesk_mail_delivery_failures_total{outcome=\"undeliverable\"} 1")
        );
        assert!(text.contains("rightsdesk_purge_items_total{class=\"sessions\"} 3"));
        assert!(text.trim_end().ends_with("# EOF"));
    }
}
