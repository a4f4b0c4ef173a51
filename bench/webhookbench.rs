//! Webhook delivery benchmark for rightsdesk (`bench/webhooks.sh`).
//!
//! Runs a local receiver (HTTP/1.1 on loopback, answering 204), adds one endpoint to the
//! (migrated) database, then measures the real sender inside `rightsdesk serve`:
//!
//! 1. backlog: `--events` events are queued before the instances start; throughput is the
//!    events delivered per second from the first arrival to the last;
//! 2. lag: with the instances running, `--lag-events` events are queued one transaction
//!    each at `--rate` per second (as state changes queue them); lag is the time from the
//!    commit to the arrival at the receiver (it includes the sender's polling interval).
//!
//! Every event must arrive exactly once, else the run fails.
//!
//! ```text
//! webhookbench --bin target/release/rightsdesk --database-url sqlite:///tmp/w.db \
//!              --events 2000 --lag-events 200 --rate 50 --instances 2
//! ```
//!
//! Output ends with one machine-readable line
//! `RESULT instances=.. events=.. events_per_sec=.. lag_events=.. lag_p50_ms=.. lag_p99_ms=.. lag_max_ms=..`.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use data_encoding::HEXLOWER;
use hdrhistogram::Histogram;
use rightsdesk::app::webhooks::enqueue::enqueue;
use rightsdesk::app::{random_bytes, Context};
use rightsdesk::config::Settings;
use rightsdesk::domain::ids::WebhookEndpointId;
use rightsdesk::domain::webhook::{
    EndpointUrl, EventType, EventTypes, SigningSecret, WebhookEvent, SECRET_BYTES,
};
use rightsdesk::store::webhook_endpoints::{self, Endpoint};
use serde_json::Map;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Parser, Debug)]
#[command(
    name = "webhookbench",
    about = "Measure webhook delivery throughput and lag"
)]
struct Args {
    /// The `rightsdesk` binary to run `serve` from.
    #[arg(long)]
    bin: String,
    /// A migrated, empty database.
    #[arg(long)]
    database_url: String,
    /// Events queued before the instances start (the backlog phase).
    #[arg(long, default_value_t = 2000)]
    events: u64,
    /// Events queued one at a time while the instances run (the lag phase).
    #[arg(long, default_value_t = 200)]
    lag_events: u64,
    /// Events per second in the lag phase.
    #[arg(long, default_value_t = 50)]
    rate: u64,
    /// How many `serve` instances deliver.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// The senders' polling interval (RIGHTSDESK_WEBHOOK_INTERVAL_MS; the default is 1000).
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
}

type Arrivals = Arc<Mutex<HashMap<String, (u64, Instant)>>>;

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    if let Err(message) = runtime.block_on(run(args)) {
        eprintln!("webhookbench: {message}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("webhookbench-{}", std::process::id()));
    let key = HEXLOWER.encode(&random_bytes::<32>().map_err(|e| e.to_string())?);
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("DATABASE_URL".into(), args.database_url.clone());
    env.insert("RIGHTSDESK_SECRET_KEY".into(), key.clone());
    env.insert("RIGHTSDESK_DATA_DIR".into(), dir.display().to_string());
    let settings = Settings::from_env(&env).map_err(|e| e.to_string())?;
    let ctx = Context::open(settings).map_err(|e| format!("cannot open the database: {e}"))?;
    if rightsdesk::store::has_pending_migrations(&mut *ctx.conn().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?
    {
        return Err("the database is not migrated: run `rightsdesk migrate` first".into());
    }

    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let duplicates = Arc::new(Mutex::new(0u64));
    let port = receiver(Arc::clone(&arrivals), Arc::clone(&duplicates)).await?;
    add_endpoint(&ctx, &format!("http://127.0.0.1:{port}/hooks"))?;

    println!("==> backlog: queueing {} events", args.events);
    for chunk in (0..args.events).collect::<Vec<_>>().chunks(200) {
        ctx.write(|conn| {
            for n in chunk {
                enqueue(conn, &ctx.keyring, &event(*n))?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    println!("==> starting {} instance(s)", args.instances);
    let mut children = Vec::new();
    for i in 0..args.instances {
        children.push(start(&args, &env, &dir, i)?);
    }
    wait_for(&arrivals, args.events, Duration::from_secs(600)).await?;
    let (first, last) = {
        let seen = arrivals.lock().unwrap();
        let times = seen.values().map(|(_, at)| *at);
        (times.clone().min().unwrap(), times.max().unwrap())
    };
    let span = (last - first).as_secs_f64().max(0.001);
    let throughput = args.events as f64 / span;
    println!(
        "backlog: {} events in {:.2}s from first to last arrival: {:.0} events/s",
        args.events, span, throughput
    );

    println!(
        "==> lag: {} events at {}/s, one transaction each",
        args.lag_events, args.rate
    );
    let pause = Duration::from_secs_f64(1.0 / args.rate.max(1) as f64);
    let mut queued_at = HashMap::new();
    for n in args.events..args.events + args.lag_events {
        ctx.write(|conn| enqueue(conn, &ctx.keyring, &event(n)).map(|_| ()))
            .map_err(|e| e.to_string())?;
        queued_at.insert(n, Instant::now());
        tokio::time::sleep(pause).await;
    }
    wait_for(
        &arrivals,
        args.events + args.lag_events,
        Duration::from_secs(600),
    )
    .await?;
    let mut lag = Histogram::<u64>::new_with_max(600_000, 3).map_err(|e| e.to_string())?;
    for (n, at) in arrivals.lock().unwrap().values() {
        if let Some(queued) = queued_at.get(n) {
            let ms = at.saturating_duration_since(*queued).as_millis() as u64;
            lag.record(ms.max(1)).map_err(|e| e.to_string())?;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    for child in &mut children {
        stop(child);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let repeats = *duplicates.lock().unwrap();
    if repeats > 0 {
        return Err(format!("{repeats} events arrived more than once"));
    }
    println!(
        "lag: p50 {} ms, p99 {} ms, max {} ms (polling interval {} ms)",
        lag.value_at_quantile(0.5),
        lag.value_at_quantile(0.99),
        lag.max(),
        args.interval_ms
    );
    println!(
        "RESULT instances={} events={} events_per_sec={:.0} lag_events={} lag_p50_ms={} lag_p99_ms={} lag_max_ms={}",
        args.instances,
        args.events,
        throughput,
        args.lag_events,
        lag.value_at_quantile(0.5),
        lag.value_at_quantile(0.99),
        lag.max()
    );
    Ok(())
}

fn event(n: u64) -> WebhookEvent {
    let mut data = Map::new();
    data.insert("reference".into(), format!("RD-BENCH-{n:06}").into());
    data.insert("n".into(), n.into());
    WebhookEvent {
        event_type: EventType::RequestCreated,
        at: time::OffsetDateTime::now_utc(),
        data,
        personal: Map::new(),
    }
}

fn add_endpoint(ctx: &Context, url: &str) -> Result<(), String> {
    let endpoint = Endpoint {
        id: WebhookEndpointId::new(),
        url: EndpointUrl::parse(url).map_err(|e| e.to_string())?,
        event_types: EventTypes::parse(["request.created"]).expect("a known type"),
        personal_data: false,
        enabled: true,
        created_at: time::OffsetDateTime::now_utc(),
    };
    let secret =
        SigningSecret::from_random(random_bytes::<SECRET_BYTES>().map_err(|e| e.to_string())?);
    ctx.write(|conn| {
        Ok(webhook_endpoints::insert(
            conn,
            &ctx.keyring,
            &endpoint,
            &secret,
        )?)
    })
    .map_err(|e| e.to_string())
}

fn start(
    args: &Args,
    env: &HashMap<String, String>,
    dir: &std::path::Path,
    i: usize,
) -> Result<Child, String> {
    Command::new(&args.bin)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env)
        .env("RIGHTSDESK_DATA_DIR", dir.join(format!("instance-{i}")))
        .env("RIGHTSDESK_BIND", "127.0.0.1:0")
        .env(
            "RIGHTSDESK_WEBHOOK_INTERVAL_MS",
            args.interval_ms.to_string(),
        )
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", args.bin))
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

async fn wait_for(arrivals: &Arrivals, count: u64, timeout: Duration) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let seen = arrivals.lock().unwrap().len() as u64;
        if seen >= count {
            return Ok(());
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "only {seen} of {count} events arrived in {timeout:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A keep-alive HTTP/1.1 receiver that records each message id once (with its `n`), and
/// counts repeats.
async fn receiver(arrivals: Arrivals, duplicates: Arc<Mutex<u64>>) -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (arrivals, duplicates) = (Arc::clone(&arrivals), Arc::clone(&duplicates));
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                    let header = |name: &str| {
                        head.lines()
                            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                    };
                    let length: usize = header("content-length:")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let id = header("webhook-id:").unwrap_or_default();
                    while buffer.len() < end + 4 + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body: serde_json::Value =
                        serde_json::from_slice(&buffer[end + 4..end + 4 + length])
                            .unwrap_or_default();
                    buffer.drain(..end + 4 + length);
                    let n = body["data"]["n"].as_u64().unwrap_or(u64::MAX);
                    let repeated = arrivals
                        .lock()
                        .unwrap()
                        .insert(id, (n, Instant::now()))
                        .is_some();
                    if repeated {
                        *duplicates.lock().unwrap() += 1;
                    }
                    if stream
                        .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Ok(port)
}
