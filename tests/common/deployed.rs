//! The real binary as an operator runs it: `rightsdesk serve` in a child process, configured
//! only through its environment and found through the address it logs. Nothing is shared
//! with the test process but the file system and the network.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the binary may take to log that it listens (a cold debug build on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a clean shutdown may take after SIGTERM.
const EXIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a one-shot command may run before it counts as hung.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);
const POLL: Duration = Duration::from_millis(20);

/// The `serve` process of one test; killed when dropped if it still runs.
pub struct Deployed {
    /// Where the binary said it listens.
    pub address: SocketAddr,
    pid: u32,
    child: Mutex<Child>,
    log: Arc<ChildLog>,
}

/// Signals an operator (or a service manager) sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Hangup,
    Interrupt,
    Quit,
    Terminate,
    Kill,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Hangup => "HUP",
            Signal::Interrupt => "INT",
            Signal::Quit => "QUIT",
            Signal::Terminate => "TERM",
            Signal::Kill => "KILL",
        }
    }
}

impl Deployed {
    /// Starts `rightsdesk serve` with the test environment (see [`command`]) plus `env`, and
    /// waits until it logs the address it listens on. Panics with the whole log if the
    /// binary exits first or does not get there within a minute.
    pub async fn start(dir: &Path, env: &[(&str, &str)]) -> Deployed {
        let mut child = command(dir, env)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rightsdesk serve");
        let log = Arc::new(ChildLog::default());
        let stderr = child.stderr.take().expect("piped stderr");
        read_lines_in_background(stderr, Arc::clone(&log));
        let mut deployed = Deployed {
            // Replaced below; the value exists so that Drop reaps the child if start panics.
            address: SocketAddr::from(([0, 0, 0, 0], 0)),
            pid: child.id(),
            child: Mutex::new(child),
            log,
        };
        deployed.address = deployed
            .wait_for_address("rightsdesk listening", START_TIMEOUT)
            .await;
        deployed
    }

    /// `http://IP:PORT` of the web server.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Everything the binary wrote to standard error so far, one line per log event.
    pub fn log(&self) -> String {
        self.log.text()
    }

    /// The first log line containing `needle`, waiting up to `timeout` for it. Panics with
    /// the whole log if the binary exits or time runs out first.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.log.find(needle) {
                return line;
            }
            if let Some(status) = self.exit_status() {
                self.wait_for_complete_log().await;
                if let Some(line) = self.log.find(needle) {
                    return line;
                }
                panic!(
                    "rightsdesk exited ({status}) before logging {needle:?}; its log:\n{}",
                    self.log()
                );
            }
            assert!(
                started.elapsed() < timeout,
                "rightsdesk logged no {needle:?} within {timeout:?}; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// The `address=IP:PORT` of the first log line containing `needle` (e.g. `"metrics
    /// listening"`), waiting as [`Deployed::wait_for_log`] does.
    pub async fn wait_for_address(&self, needle: &str, timeout: Duration) -> SocketAddr {
        let line = self.wait_for_log(needle, timeout).await;
        address_in(&line).unwrap_or_else(|| panic!("no address=IP:PORT in {line:?}"))
    }

    /// Sends `signal` to the running binary. Panics if it has already exited, since the
    /// process id may by now belong to another process.
    pub fn send_signal(&self, signal: Signal) {
        if let Some(status) = self.signal_if_running(signal) {
            panic!(
                "cannot send SIG{}: rightsdesk already exited ({status}); its log:\n{}",
                signal.name(),
                self.log()
            );
        }
    }

    /// The exit status once the binary has exited, `None` while it runs.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.child
            .lock()
            .unwrap()
            .try_wait()
            .expect("wait for rightsdesk")
    }

    /// Waits up to `timeout` for the binary to exit by itself and returns its status, once
    /// its log is complete. Panics with the log if it still runs.
    pub async fn wait_for_exit(&self, timeout: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.exit_status() {
                self.wait_for_complete_log().await;
                return status;
            }
            assert!(
                started.elapsed() < timeout,
                "rightsdesk still runs after {timeout:?}; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Shuts the binary down as a service manager does (SIGTERM) and returns its exit status
    /// and complete log. Panics with the log if it has not exited within 30 seconds.
    pub async fn terminate(self) -> (ExitStatus, String) {
        self.signal_if_running(Signal::Terminate);
        let status = self.wait_for_exit(EXIT_TIMEOUT).await;
        (status, self.log())
    }

    /// Sends `signal` unless the binary has exited; the lock keeps it from being reaped (and
    /// its id reused) in between.
    fn signal_if_running(&self, signal: Signal) -> Option<ExitStatus> {
        let mut child = self.child.lock().unwrap();
        if let Some(status) = child.try_wait().expect("wait for rightsdesk") {
            return Some(status);
        }
        let sent = Command::new("kill")
            .args(["-s", signal.name(), &self.pid.to_string()])
            .status()
            .expect("run kill");
        assert!(
            sent.success(),
            "kill -s {} {} failed",
            signal.name(),
            self.pid
        );
        None
    }

    /// After the exit, standard error reaches its end as soon as the pipe drains.
    async fn wait_for_complete_log(&self) {
        let started = Instant::now();
        while !self.log.is_complete() && started.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for Deployed {
    fn drop(&mut self) {
        let child = match self.child.get_mut() {
            Ok(child) => child,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Ok(None) = child.try_wait() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The `address=IP:PORT` field of a log line.
pub fn address_in(line: &str) -> Option<SocketAddr> {
    let start = line.find("address=")? + "address=".len();
    line[start..].split_whitespace().next()?.parse().ok()
}

/// The binary with the test environment: nothing from the caller's but `PATH`; `RUST_LOG=info`,
/// data under `<dir>/data`, port 0 on loopback, no rate limit and a fast mail sender; then
/// `env`, whose pairs override these.
pub fn command(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rightsdesk"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUST_LOG", "info")
        .env("RIGHTSDESK_DATA_DIR", dir.join("data"))
        .env("RIGHTSDESK_BIND", "127.0.0.1:0")
        .env("RIGHTSDESK_RATE_LIMIT", "0")
        .env("RIGHTSDESK_OUTBOX_INTERVAL_MS", "50")
        // As in `test_env`: officers sign in with a password alone unless a test says.
        .env("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs a one-shot command (`migrate`, `officer create`, `audit verify`, ...) with the test
/// environment plus `env`, and returns what it printed. Standard input is empty. Panics
/// (after killing it) if the command runs for minutes, so that a hang fails the test.
pub fn rightsdesk_command(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = command(dir, env);
    command.args(args);
    run_to_end(command, COMMAND_TIMEOUT, &format!("{args:?}"))
}

/// Runs `rightsdesk serve` with a setting it must refuse, and returns what it printed once
/// it exited. Panics (after killing it) if it is still running after the time a start may
/// take: it started serving after all.
pub fn serve_refusing_to_start(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = command(dir, env);
    command.arg("serve");
    run_to_end(
        command,
        START_TIMEOUT,
        "serve (expected to refuse to start)",
    )
}

fn run_to_end(mut command: Command, timeout: Duration, what: &str) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rightsdesk");
    let stdout = read_to_end_in_background(child.stdout.take().expect("piped stdout"));
    let stderr = read_to_end_in_background(child.stderr.take().expect("piped stderr"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for rightsdesk") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!(
                "rightsdesk {what} still ran after {timeout:?}; standard error:\n{}",
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(POLL);
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn read_to_end_in_background(
    mut stream: impl Read + Send + 'static,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        bytes
    })
}

/// Standard error of a child, line by line as it arrives; complete once the pipe closes.
#[derive(Default)]
struct ChildLog {
    lines: Mutex<Vec<String>>,
    complete: AtomicBool,
}

impl ChildLog {
    fn find(&self, needle: &str) -> Option<String> {
        let lines = self.lines.lock().unwrap();
        lines.iter().find(|line| line.contains(needle)).cloned()
    }

    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    fn is_complete(&self) -> bool {
        self.complete.load(Ordering::SeqCst)
    }
}

/// Reads to the end even past bytes that are not UTF-8, so that the child never blocks on
/// a full pipe.
fn read_lines_in_background(stream: impl Read + Send + 'static, log: Arc<ChildLog>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line);
                    let text = text.trim_end_matches(['\r', '\n']).to_string();
                    log.lines.lock().unwrap().push(text);
                }
            }
        }
        log.complete.store(true, Ordering::SeqCst);
    });
}
