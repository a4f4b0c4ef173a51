//! Stopping and restarting the binary as a service manager does: SIGTERM lets a request in
//! flight finish and takes no new ones, the process exits 0 in time, and mail that waited
//! through a restart is sent once, never twice.

mod common;

use std::time::{Duration, Instant};

use common::backends;
use common::journey::{browser, confirm_by_mail, submit_request, MailSource};
use common::site::{stop_cleanly, Site};
use common::smtp_sink::SmtpSink;
use common::{csrf_in, parse_mail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHUTDOWN_TIMEOUT_SECS: u64 = 5;

/// The `rd_csrf=...` pair the form's response set.
fn csrf_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rd_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("a CSRF cookie")
        .to_string()
}

/// Reads one HTTP/1.1 response whose body has a `content-length`, leaving the connection
/// open for the next request.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let text = String::from_utf8_lossy(&bytes).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse().ok())
                .expect("a content-length");
            if bytes.len() >= end + 4 + length {
                return text;
            }
        }
        let read = stream.read(&mut chunk).await.expect("read the response");
        assert!(read > 0, "the connection closed mid-response: {text}");
        bytes.extend_from_slice(&chunk[..read]);
    }
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_in_time() {
    let timeout = SHUTDOWN_TIMEOUT_SECS.to_string();
    for backend in backends() {
        let site = Site::new(&backend);
        let app = site
            .start(&[("RIGHTSDESK_SHUTDOWN_TIMEOUT_SECS", &timeout)])
            .await;
        let address = app.address;

        let form = reqwest::get(format!("{}/requests/new?kind=access", app.base_url()))
            .await
            .unwrap();
        let cookie = csrf_cookie(&form);
        let csrf = csrf_in(&form.text().await.unwrap()).unwrap();
        let body = serde_html_form::to_string([
            ("kind", "access"),
            ("full_name", "Asha Rao"),
            ("email", "in.flight@example.org"),
            ("region", "in"),
            ("details", "Sent while the server stops."),
            ("csrf_token", csrf.as_str()),
        ])
        .unwrap();
        let (first_half, second_half) = body.split_at(body.len() / 2);

        // A first request on the connection makes sure the server has taken it; then the
        // headers and half the body of the submission, and SIGTERM.
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let health = read_response(&mut stream).await;
        assert!(health.starts_with("HTTP/1.1 200"), "[{backend}] {health}");
        let head = format!(
            "POST /requests HTTP/1.1\r\nHost: {address}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(first_half.as_bytes()).await.unwrap();
        stream.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let signalled = Instant::now();
        app.send_signal(common::deployed::Signal::Terminate);
        app.wait_for_log("SIGTERM: stopping gracefully", Duration::from_secs(5))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;

        // No new connection is taken any more.
        let refused = TcpStream::connect(address).await;
        assert!(
            refused.is_err(),
            "[{backend}] a new connection was accepted"
        );

        // The rest of the body: the request is answered in full.
        stream.write_all(second_half.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let response = String::from_utf8_lossy(&response);
        assert!(
            response.starts_with("HTTP/1.1 303"),
            "[{backend}] answered: {response}"
        );
        assert!(
            response.contains("location: /requests/submitted"),
            "[{backend}] {response}"
        );

        let status = app
            .wait_for_exit(Duration::from_secs(SHUTDOWN_TIMEOUT_SECS + 2))
            .await;
        let stopping = signalled.elapsed();
        let log = app.log();
        assert_eq!(status.code(), Some(0), "[{backend}] {log}");
        assert!(!log.contains("panicked"), "[{backend}] {log}");
        assert!(
            stopping < Duration::from_secs(SHUTDOWN_TIMEOUT_SECS),
            "[{backend}] SIGTERM took {stopping:?}"
        );
        assert_eq!(
            site.count("requests"),
            1,
            "[{backend}] the request is stored"
        );
    }
}

#[tokio::test]
async fn mail_queued_while_the_smtp_server_was_down_is_sent_once_after_a_restart() {
    let requesters = [
        "first.waiting@example.org",
        "second.waiting@example.org",
        "third.waiting@example.org",
    ];
    for backend in backends() {
        let site = Site::new(&backend);
        // A port where no mail server listens yet.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("smtp://127.0.0.1:{port}");
        let env = [("RIGHTSDESK_SMTP_URL", url.as_str())];

        let app = site.start(&env).await;
        let client = browser();
        for email in requesters {
            submit_request(&client, &app.base_url(), email).await;
        }
        site.wait_for_outbox(
            "a failed attempt at each",
            Duration::from_secs(20),
            |rows| rows.len() == requesters.len() && rows.iter().all(|row| row.attempts >= 1),
        )
        .await;
        stop_cleanly(app, &backend).await;
        assert!(
            site.outbox()
                .iter()
                .all(|row| row.sent_at.is_none() && row.failed_at.is_none()),
            "[{backend}] still queued after the stop"
        );

        // The mail server is up; the restarted binary sends what waited.
        let sink = SmtpSink::start(
            tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap(),
        );
        site.make_mail_due();
        let app = site.start(&env).await;
        for email in requesters {
            confirm_by_mail(&client, &app.base_url(), &MailSource::Sink(&sink), email).await;
        }
        site.wait_for_outbox("every mail sent", Duration::from_secs(20), |rows| {
            rows.iter().all(|row| row.sent_at.is_some())
        })
        .await;
        stop_cleanly(app, &backend).await;

        // Another restart sends nothing again.
        let app = site.start(&env).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop_cleanly(app, &backend).await;

        let rows = site.outbox();
        assert_eq!(rows.len(), requesters.len() * 2, "[{backend}] {rows:#?}");
        let messages: Vec<_> = sink
            .messages
            .lock()
            .unwrap()
            .iter()
            .map(|raw| parse_mail(raw, "sink".into()))
            .collect();
        assert_eq!(
            messages.len(),
            rows.len(),
            "[{backend}] a mail was sent twice"
        );
        for row in &rows {
            let copies = messages
                .iter()
                .filter(|m| m.to == row.to_addr && m.subject == row.subject)
                .count();
            assert_eq!(copies, 1, "[{backend}] {} / {}", row.template, row.subject);
        }
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_holds_the_stop_only_until_the_timeout() {
    const TIMEOUT_SECS: u64 = 1;
    for backend in backends() {
        let site = Site::new(&backend);
        let timeout = TIMEOUT_SECS.to_string();
        let app = site
            .start(&[("RIGHTSDESK_SHUTDOWN_TIMEOUT_SECS", &timeout)])
            .await;
        let mut stream = TcpStream::connect(app.address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: rightsdesk.test\r\n\r\n")
            .await
            .unwrap();
        let health = read_response(&mut stream).await;
        assert!(health.starts_with("HTTP/1.1 200"), "[{backend}] {health}");
        stream
            .write_all(
                b"POST /requests HTTP/1.1\r\nHost: rightsdesk.test\r\n\
                  Content-Type: application/x-www-form-urlencoded\r\n\
                  Content-Length: 100\r\n\r\nkind=acc",
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;

        let signalled = Instant::now();
        app.send_signal(common::deployed::Signal::Terminate);
        let status = app.wait_for_exit(Duration::from_secs(10)).await;
        let stopping = signalled.elapsed();
        let log = app.log();
        assert_eq!(status.code(), Some(0), "[{backend}] {log}");
        assert!(!log.contains("panicked"), "[{backend}] {log}");
        assert!(
            stopping < Duration::from_secs(TIMEOUT_SECS + 2),
            "[{backend}] SIGTERM took {stopping:?}"
        );
        // The connection was closed, unanswered.
        let mut rest = Vec::new();
        let read = stream.read_to_end(&mut rest).await;
        assert!(
            read.is_err() || rest.is_empty(),
            "[{backend}] {:?}",
            String::from_utf8_lossy(&rest)
        );
        assert_eq!(site.count("requests"), 0, "[{backend}]");
    }
}

#[tokio::test]
async fn sigterm_sequences_the_audit_events_still_pending_before_exiting() {
    for backend in backends() {
        let site = Site::new(&backend);
        // The periodic sequencer passes once at start and then not for an hour: the events
        // of the submissions below are still pending when SIGTERM comes.
        let app = site
            .start(&[("RIGHTSDESK_AUDIT_SEQUENCE_INTERVAL_MS", "3600000")])
            .await;
        app.wait_for_log("rightsdesk listening", Duration::from_secs(5))
            .await;
        let client = browser();
        for n in 0..5 {
            submit_request(&client, &app.base_url(), &format!("pending{n}@example.org")).await;
        }
        let pending = site.count("audit_events WHERE seq IS NULL");
        assert!(pending >= 5, "[{backend}] {pending} events pending");

        app.send_signal(common::deployed::Signal::Terminate);
        let status = app.wait_for_exit(Duration::from_secs(15)).await;
        let log = app.log();
        assert_eq!(status.code(), Some(0), "[{backend}] {log}");
        assert!(log.contains("final pass done"), "[{backend}] {log}");
        assert_eq!(
            site.count("audit_events WHERE seq IS NULL"),
            0,
            "[{backend}] no event is left pending: {log}"
        );
        let verify = site.command(&[], &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "[{backend}] {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        assert!(
            String::from_utf8_lossy(&verify.stdout).contains("audit chain intact"),
            "[{backend}]"
        );
    }
}
