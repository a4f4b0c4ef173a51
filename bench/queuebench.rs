//! Officer-queue load generator for rightsdesk (`bench/queue.sh`).
//!
//! Sends GETs for one queue page as a signed-in officer (`Cookie: rd_session=TOKEN`, a
//! session made by `queuegen`), at a fixed concurrency, and reports latency and throughput.
//! A request counts as a success when the server answers `200 OK` with the queue page;
//! redirects are not followed, so an expired session shows up as errors, not as fast
//! sign-in pages.
//!
//! ```text
//! queuebench --url http://127.0.0.1:18081 --cookie TOKEN --path '/officer/queue?kind=erasure&regime=eu' \
//!            --requests 2000 --concurrency 8
//! queuebench --cookie TOKEN --follow-next 20 --requests 500   # the 21st page of the queue
//! ```
//!
//! Output: a human-readable block, then one machine-readable line
//! `RESULT label=.. concurrency=.. requests=.. rps=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. rows=.. errors=..`
//! where `rows` is the number of requests listed on the page.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use reqwest::header::COOKIE;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

/// Highest latency the histogram tracks exactly: 10 minutes, in microseconds.
const MAX_TRACKED_US: u64 = 600_000_000;
/// How a queue row links to its request.
const ROW_MARKER: &str = "href=\"/officer/requests/";

#[derive(Parser, Debug)]
#[command(
    name = "queuebench",
    about = "Fetch one officer-queue page over and over and report latency and throughput"
)]
struct Args {
    /// Base URL of the portal.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,

    /// The officer's session token (the `rd_session` cookie's value).
    #[arg(long, env = "QUEUEBENCH_COOKIE")]
    cookie: String,

    /// The page to fetch, with its query string.
    #[arg(long, default_value = "/officer/queue")]
    path: String,

    /// Follow the page's "Next page" link this many times first, and measure the page reached.
    #[arg(long, default_value_t = 0)]
    follow_next: u32,

    /// Total number of measured requests across all clients.
    #[arg(long, default_value_t = 2000)]
    requests: u64,

    /// Number of concurrent clients.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,

    /// Unmeasured requests sent first (at the same concurrency).
    #[arg(long, default_value_t = 20)]
    warmup: u64,

    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,

    /// A name for this measurement in the RESULT line.
    #[arg(long, default_value = "queue")]
    label: String,

    /// Tokio worker threads for the load generator (0: one per CPU).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// What one worker measured.
struct WorkerReport {
    histogram: Histogram<u64>,
    ok: u64,
    rows_min: usize,
    rows_max: usize,
    errors: BTreeMap<String, u64>,
}

impl WorkerReport {
    fn new() -> Result<Self, String> {
        let histogram = Histogram::new_with_bounds(1, MAX_TRACKED_US, 3)
            .map_err(|e| format!("cannot create histogram: {e}"))?;
        Ok(Self {
            histogram,
            ok: 0,
            rows_min: usize::MAX,
            rows_max: 0,
            errors: BTreeMap::new(),
        })
    }

    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_insert(0) += 1;
    }
}

/// Hands out request numbers until the run is over.
struct Tickets {
    issued: AtomicU64,
    max: u64,
}

impl Tickets {
    fn next(&self) -> bool {
        self.issued.fetch_add(1, Ordering::Relaxed) < self.max
    }
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("queuebench: {message}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    if args.concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    if !args.path.starts_with('/') {
        return Err("--path must start with /".into());
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if args.threads > 0 {
        builder.worker_threads(args.threads);
    }
    let runtime = builder
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(run_async(args))
}

fn new_client(timeout: Duration) -> Result<Client, String> {
    Client::builder()
        .redirect(Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| format!("cannot build HTTP client: {e}"))
}

async fn run_async(args: Args) -> Result<(), String> {
    let base = args.url.trim_end_matches('/').to_string();
    let timeout = Duration::from_secs(args.timeout_secs.max(1));
    let cookie = Arc::new(format!("rd_session={}", args.cookie));

    // The page to measure: the given one, or the page N "Next page" links after it.
    let mut path = args.path.clone();
    if args.follow_next > 0 {
        let client = new_client(timeout)?;
        let started = Instant::now();
        for page in 1..=args.follow_next {
            let (_, html) = fetch_page(&client, &base, &path, &cookie).await?;
            path = next_link(&html)
                .ok_or_else(|| format!("page {page} ({path}) has no \"Next page\" link"))?;
        }
        eprintln!(
            "queuebench: followed {} \"Next page\" links in {:.1} s",
            args.follow_next,
            started.elapsed().as_secs_f64()
        );
    }
    // One checked fetch before anything is timed: a bad cookie or path fails here, clearly.
    let (rows, html) = fetch_page(&new_client(timeout)?, &base, &path, &cookie).await?;
    let has_next = next_link(&html).is_some();
    let url = Arc::new(format!("{base}{path}"));

    if args.warmup > 0 {
        run_workers(&args, timeout, &url, &cookie, args.warmup).await?;
    }
    let started = Instant::now();
    let reports = run_workers(&args, timeout, &url, &cookie, args.requests).await?;
    let elapsed = started.elapsed();

    let mut histogram = Histogram::<u64>::new_with_bounds(1, MAX_TRACKED_US, 3)
        .map_err(|e| format!("cannot create histogram: {e}"))?;
    let mut ok = 0u64;
    let (mut rows_min, mut rows_max) = (usize::MAX, 0usize);
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for report in reports {
        histogram
            .add(&report.histogram)
            .map_err(|e| format!("cannot merge histograms: {e}"))?;
        ok += report.ok;
        rows_min = rows_min.min(report.rows_min);
        rows_max = rows_max.max(report.rows_max);
        for (kind, count) in report.errors {
            *errors.entry(kind).or_insert(0) += count;
        }
    }
    if rows_min == usize::MAX {
        rows_min = 0;
    }
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

    println!("queuebench: GET {path}");
    println!("  label        {}", args.label);
    println!("  concurrency  {}", args.concurrency);
    println!("  requests     {total} ({ok} ok, {} warm-up)", args.warmup);
    println!("  errors       {error_count}");
    for (kind, count) in &errors {
        println!("    {kind:<10} {count}");
    }
    let rows_text = if rows_min == rows_max {
        rows_min.to_string()
    } else {
        format!("{rows_min}-{rows_max}")
    };
    println!(
        "  page         {rows} rows at first, {rows_text} while measured, next page: {}",
        if has_next { "yes" } else { "no" }
    );
    println!("  elapsed      {secs:.3} s");
    println!("  throughput   {rps:.1} req/s");
    println!("  latency p50  {p50:.3} ms");
    println!("  latency p90  {p90:.3} ms");
    println!("  latency p99  {p99:.3} ms");
    println!("  latency max  {max:.3} ms");
    println!(
        "RESULT label={} concurrency={} requests={ok} rps={rps:.1} p50_ms={p50:.3} p90_ms={p90:.3} p99_ms={p99:.3} max_ms={max:.3} rows={rows} errors={error_count}",
        args.label, args.concurrency
    );

    if error_count > 0 {
        return Err(format!("{error_count} of {total} requests failed"));
    }
    Ok(())
}

async fn run_workers(
    args: &Args,
    timeout: Duration,
    url: &Arc<String>,
    cookie: &Arc<String>,
    requests: u64,
) -> Result<Vec<WorkerReport>, String> {
    let tickets = Arc::new(Tickets {
        issued: AtomicU64::new(0),
        max: requests,
    });
    let mut handles = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        let client = new_client(timeout)?;
        let (tickets, url, cookie) = (Arc::clone(&tickets), Arc::clone(url), Arc::clone(cookie));
        handles.push(tokio::spawn(async move {
            worker_loop(client, url, cookie, tickets).await
        }));
    }
    let mut reports = Vec::with_capacity(handles.len());
    for handle in handles {
        reports.push(
            handle
                .await
                .map_err(|e| format!("worker task failed: {e}"))??,
        );
    }
    Ok(reports)
}

async fn worker_loop(
    client: Client,
    url: Arc<String>,
    cookie: Arc<String>,
    tickets: Arc<Tickets>,
) -> Result<WorkerReport, String> {
    let mut report = WorkerReport::new()?;
    while tickets.next() {
        let sent = Instant::now();
        let result = client
            .get(url.as_str())
            .header(COOKIE, cookie.as_str())
            .send()
            .await;
        match result {
            Ok(response) => {
                let status = response.status();
                let body = response.text().await;
                let latency_us = sent.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
                report.histogram.saturating_record(latency_us.max(1));
                match body {
                    Err(e) => report.error(error_kind(&e)),
                    Ok(html) if status == StatusCode::OK => {
                        let rows = html.matches(ROW_MARKER).count();
                        report.rows_min = report.rows_min.min(rows);
                        report.rows_max = report.rows_max.max(rows);
                        report.ok += 1;
                    }
                    Ok(_) => report.error(status.as_u16().to_string()),
                }
            }
            Err(e) => report.error(error_kind(&e)),
        }
    }
    Ok(report)
}

/// GETs a page once, insisting on `200 OK`; returns its row count and HTML.
async fn fetch_page(
    client: &Client,
    base: &str,
    path: &str,
    cookie: &str,
) -> Result<(usize, String), String> {
    let url = format!("{base}{path}");
    let response = client
        .get(&url)
        .header(COOKIE, cookie)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", with_sources(&e)))?;
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let html = response
        .text()
        .await
        .map_err(|e| format!("GET {url}: reading body: {e}"))?;
    if status != StatusCode::OK {
        let hint = match location {
            Some(to) => format!(" (redirected to {to}: is the session token right and live?)"),
            None => String::new(),
        };
        return Err(format!("GET {url}: status {status}{hint}"));
    }
    if !html.contains("<h1>Request queue</h1>") {
        return Err(format!(
            "GET {url}: the answer does not look like the queue"
        ));
    }
    Ok((html.matches(ROW_MARKER).count(), html))
}

/// The path of the "Next page" link (`<a href="/officer/queue?...after=..." rel="next">`).
fn next_link(html: &str) -> Option<String> {
    let rel = html.find("rel=\"next\"")?;
    let tag_start = html[..rel].rfind('<')?;
    let tag = &html[tag_start..rel];
    let href = tag.find("href=\"")? + "href=\"".len();
    let end = tag[href..].find('"')? + href;
    let link = html_unescape(&tag[href..end]);
    link.starts_with("/officer/queue").then_some(link)
}

fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&#38;", "&")
        .replace("&#x26;", "&")
        .replace("&#61;", "=")
        .replace("&#x3D;", "=")
        .replace("&#43;", "+")
        .replace("&#x2B;", "+")
        .replace("&#47;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// An error and its chain of causes on one line (reqwest hides the cause in its source).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link_and_unescapes_it() {
        let html = r#"<ul><li><a href="/officer/queue?kind=erasure&#38;regime=eu">First page</a></li>
<li><a href="/officer/queue?kind=erasure&#38;regime=eu&#38;after=MTIz" rel="next">Next page</a></li></ul>"#;
        assert_eq!(
            next_link(html).as_deref(),
            Some("/officer/queue?kind=erasure&regime=eu&after=MTIz")
        );
        assert_eq!(next_link("<a href=\"/officer/queue\">First page</a>"), None);
    }
}
