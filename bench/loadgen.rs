//! Submission load generator for rightsdesk.
//!
//! Every worker behaves like one browser: its own HTTP client with a cookie
//! store and redirects disabled. It fetches the request form once to obtain
//! the CSRF cookie (`rd_csrf`) and the matching `csrf_token` field, then
//! submits access requests in a loop. A submission counts as a success when
//! the server answers `303 See Other`.
//!
//! With `--api-token` (or `LOADGEN_API_TOKEN`) the workers record requests
//! through the JSON API instead (`POST /api/v1/requests` with that bearer
//! token); a request counts as a success on `201 Created`.
//!
//! ```text
//! cargo run --release --example loadgen -- --url http://127.0.0.1:8080 --concurrency 16 --requests 20000
//! cargo run --release --example loadgen -- --concurrency 16 --duration-secs 30
//! ```
//!
//! Output: one human-readable summary block, then one machine-readable line
//! `RESULT concurrency=.. rps=.. p50_ms=.. p99_ms=.. errors=..`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use reqwest::header::CONTENT_TYPE;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

#[path = "loadgen_form.rs"]
mod form;

use form::{extract_csrf_token, form_body};

const DEFAULT_REQUESTS: u64 = 20_000;
const REGIONS: [&str; 4] = ["in", "eu", "us-ca", "other"];
/// Highest latency the histogram tracks exactly: 10 minutes, in microseconds.
const MAX_TRACKED_US: u64 = 600_000_000;

#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "Submit privacy-rights requests to a running rightsdesk and report throughput and latency"
)]
struct Args {
    /// Base URL of the portal.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,

    /// Number of concurrent clients (each with its own cookie jar).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,

    /// Total number of submissions across all clients
    /// [default: 20000 unless --duration-secs is given].
    #[arg(long)]
    requests: Option<u64>,

    /// Stop after this many seconds (whichever of --requests and this comes first).
    #[arg(long)]
    duration_secs: Option<u64>,

    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,

    /// Tokio worker threads for the load generator (0: one per CPU).
    #[arg(long, default_value_t = 0)]
    threads: usize,

    /// Record requests through the JSON API (`POST /api/v1/requests`, JSON, this bearer
    /// token with requests:write) instead of the public form; success is `201 Created`.
    #[arg(long, env = "LOADGEN_API_TOKEN", hide_env_values = true)]
    api_token: Option<String>,
}

/// What one worker measured.
struct WorkerReport {
    histogram: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

impl WorkerReport {
    fn new() -> Result<Self, String> {
        let histogram = Histogram::new_with_bounds(1, MAX_TRACKED_US, 3)
            .map_err(|e| format!("cannot create histogram: {e}"))?;
        Ok(Self {
            histogram,
            ok: 0,
            errors: BTreeMap::new(),
        })
    }

    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_insert(0) += 1;
    }
}

/// Shared run limits: a ticket counter and an optional deadline.
struct Limits {
    issued: AtomicU64,
    max_requests: Option<u64>,
    deadline: Option<Instant>,
}

impl Limits {
    /// Claims the next request number, or `None` when the run is over.
    fn next(&self) -> Option<u64> {
        if let Some(deadline) = self.deadline {
            if Instant::now() >= deadline {
                return None;
            }
        }
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        match self.max_requests {
            Some(max) if n >= max => None,
            _ => Some(n),
        }
    }
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("loadgen: {message}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    if args.concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    let max_requests = match (args.requests, args.duration_secs) {
        (Some(n), _) => Some(n),
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_REQUESTS),
    };

    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if args.threads > 0 {
        builder.worker_threads(args.threads);
    }
    let runtime = builder
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(run_async(args, max_requests))
}

async fn run_async(args: Args, max_requests: Option<u64>) -> Result<(), String> {
    let base = args.url.trim_end_matches('/').to_string();
    let timeout = Duration::from_secs(args.timeout_secs.max(1));

    // Every worker signs in to the form before the clock starts.
    let mut clients = Vec::with_capacity(args.concurrency);
    for worker in 0..args.concurrency {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        let token = match &args.api_token {
            Some(_) => String::new(),
            None => fetch_csrf_token(&client, &base)
                .await
                .map_err(|e| format!("worker {worker}: {e}"))?,
        };
        clients.push((client, token));
    }

    let started = Instant::now();
    let limits = Arc::new(Limits {
        issued: AtomicU64::new(0),
        max_requests,
        deadline: args.duration_secs.map(|s| started + Duration::from_secs(s)),
    });

    let mut handles = Vec::with_capacity(args.concurrency);
    for (worker, (client, token)) in clients.into_iter().enumerate() {
        let limits = Arc::clone(&limits);
        let base = base.clone();
        let api_token = args.api_token.clone();
        handles.push(tokio::spawn(async move {
            match api_token {
                Some(api_token) => api_loop(worker, client, api_token, base, limits).await,
                None => worker_loop(worker, client, token, base, limits).await,
            }
        }));
    }

    let mut histogram = Histogram::<u64>::new_with_bounds(1, MAX_TRACKED_US, 3)
        .map_err(|e| format!("cannot create histogram: {e}"))?;
    let mut ok = 0u64;
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for handle in handles {
        let report = handle
            .await
            .map_err(|e| format!("worker task failed: {e}"))??;
        histogram
            .add(&report.histogram)
            .map_err(|e| format!("cannot merge histograms: {e}"))?;
        ok += report.ok;
        for (kind, count) in report.errors {
            *errors.entry(kind).or_insert(0) += count;
        }
    }
    let elapsed = started.elapsed();

    let error_count: u64 = errors.values().sum();
    let total = ok + error_count;
    let secs = elapsed.as_secs_f64().max(f64::EPSILON);
    let rps = ok as f64 / secs;
    let ms = |us: u64| us as f64 / 1000.0;
    let (p50, p90, p99, max) = if histogram.is_empty() {
        (0.0, 0.0, 0.0, 0.0)
    } else {
        (
            ms(histogram.value_at_quantile(0.50)),
            ms(histogram.value_at_quantile(0.90)),
            ms(histogram.value_at_quantile(0.99)),
            ms(histogram.max()),
        )
    };

    let path = if args.api_token.is_some() {
        "/api/v1/requests"
    } else {
        "/requests"
    };
    println!("loadgen: POST {base}{path}");
    println!("  concurrency  {}", args.concurrency);
    println!("  requests     {total} ({ok} ok)");
    println!("  errors       {error_count}");
    for (kind, count) in &errors {
        println!("    {kind:<10} {count}");
    }
    println!("  elapsed      {secs:.3} s");
    println!("  throughput   {rps:.1} req/s (successful submissions)");
    println!("  latency p50  {p50:.3} ms");
    println!("  latency p90  {p90:.3} ms");
    println!("  latency p99  {p99:.3} ms");
    println!("  latency max  {max:.3} ms");
    println!(
        "RESULT concurrency={} rps={rps:.1} p50_ms={p50:.3} p99_ms={p99:.3} errors={error_count}",
        args.concurrency
    );

    if ok == 0 && total > 0 {
        return Err("no submission succeeded".into());
    }
    Ok(())
}

async fn worker_loop(
    worker: usize,
    client: Client,
    mut token: String,
    base: String,
    limits: Arc<Limits>,
) -> Result<WorkerReport, String> {
    let mut report = WorkerReport::new()?;
    let post_url = format!("{base}/requests");
    let mut n: u64 = 0;

    while limits.next().is_some() {
        n += 1;
        let region = REGIONS[(n as usize) % REGIONS.len()];
        let body = form_body(&[
            ("kind", "access"),
            ("full_name", &format!("Bench Person {n}")),
            ("email", &format!("bench-{worker}-{n}@example.test")),
            ("region", region),
            ("account_ref", ""),
            ("details", "Please send me a copy of my data."),
            ("csrf_token", &token),
        ]);

        let sent = Instant::now();
        let result = client
            .post(&post_url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        match result {
            Ok(response) => {
                let status = response.status();
                // Read the (small) body so the connection can be reused.
                let body_result = response.bytes().await;
                let latency_us = sent.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
                report.histogram.saturating_record(latency_us.max(1));
                match body_result {
                    Err(e) => report.error(error_kind(&e)),
                    Ok(_) if status == StatusCode::SEE_OTHER => report.ok += 1,
                    Ok(_) => {
                        report.error(status.as_u16().to_string());
                        if status == StatusCode::FORBIDDEN {
                            // Probably a stale CSRF token: fetch a fresh one and go on.
                            if let Ok(fresh) = fetch_csrf_token(&client, &base).await {
                                token = fresh;
                            }
                        }
                    }
                }
            }
            Err(e) => report.error(error_kind(&e)),
        }
    }
    Ok(report)
}

/// Like [`worker_loop`], through the JSON API: each request was received by phone a day ago.
async fn api_loop(
    worker: usize,
    client: Client,
    api_token: String,
    base: String,
    limits: Arc<Limits>,
) -> Result<WorkerReport, String> {
    let mut report = WorkerReport::new()?;
    let post_url = format!("{base}/api/v1/requests");
    let received_at = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())?;
    let mut n: u64 = 0;
    while limits.next().is_some() {
        n += 1;
        let body = serde_json::json!({
            "kind": "access",
            "regime": REGIONS[(n as usize) % REGIONS.len()],
            "requester": {
                "name": format!("Bench Person {n}"),
                "email": format!("api-bench-{worker}-{n}@example.test"),
            },
            "details": "Please send me a copy of my data.",
            "received_at": received_at,
            "channel": "phone",
        });
        let sent = Instant::now();
        let result = client
            .post(&post_url)
            .bearer_auth(&api_token)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        match result {
            Ok(response) => {
                let status = response.status();
                let body_result = response.bytes().await;
                let latency_us = sent.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
                report.histogram.saturating_record(latency_us.max(1));
                match body_result {
                    Err(e) => report.error(error_kind(&e)),
                    Ok(_) if status == StatusCode::CREATED => report.ok += 1,
                    Ok(_) => report.error(status.as_u16().to_string()),
                }
            }
            Err(e) => report.error(error_kind(&e)),
        }
    }
    Ok(report)
}

/// An error and its chain of causes on one line (reqwest hides the cause,
/// e.g. "connection refused", in its source).
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

fn error_kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect".into()
    } else if e.is_body() || e.is_decode() {
        "body".into()
    } else {
        "transport".into()
    }
}

/// GETs the access-request form and returns its CSRF token; the cookie
/// store keeps the `rd_csrf` cookie the page sets.
async fn fetch_csrf_token(client: &Client, base: &str) -> Result<String, String> {
    let url = format!("{base}/requests/new?kind=access");
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", with_sources(&e)))?;
    let status = response.status();
    let html = response
        .text()
        .await
        .map_err(|e| format!("GET {url}: reading body: {e}"))?;
    if status != StatusCode::OK {
        return Err(format!("GET {url}: status {status}"));
    }
    extract_csrf_token(&html).ok_or_else(|| format!("GET {url}: no csrf_token field in the page"))
}
