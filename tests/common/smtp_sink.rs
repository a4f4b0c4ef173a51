//! A small SMTP server for tests: it speaks enough of RFC 5321 (with STARTTLS, implicit TLS
//! and AUTH PLAIN/LOGIN) for a real client (lettre) to deliver, keeps each message with its
//! envelope, and can misbehave the ways real servers do.

mod session;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::certs::{self, TestCa};

/// How the sink is reached and what it does.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    pub tls: SinkTls,
    /// The only user and password accepted; `None` offers no AUTH and needs none.
    pub auth: Option<(String, String)>,
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SinkTls {
    /// Plain text throughout.
    #[default]
    None,
    /// Plain text until the client upgrades with STARTTLS (port 587 style).
    StartTls,
    /// TLS from the first byte (port 465 style).
    Implicit,
}

/// How the sink answers, for tests of a client's error handling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Behaviour {
    /// Takes every message.
    #[default]
    Accept,
    /// Refuses every recipient for good (550).
    RejectRecipient,
    /// Refuses every recipient for now (451).
    TempFailRecipient,
    /// Greets, reads one line and closes the connection.
    DropAfterGreeting,
    /// Accepts the connection and never says a word; holds it open until the test ends.
    Stall,
}

/// Who sent a message to whom, and how it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub from: String,
    pub to: Vec<String>,
    /// Whether the message came over TLS.
    pub tls: bool,
    /// The user the client authenticated as, if it did.
    pub user: Option<String>,
}

/// A running sink; clones share what it recorded.
#[derive(Clone)]
pub struct SmtpSink {
    pub address: SocketAddr,
    /// The CA that signed the sink's certificate (for `localhost` and `127.0.0.1`), PEM.
    pub ca_pem: String,
    /// Each message's data as the client meant it (dot-stuffing undone), in arrival order.
    pub messages: Arc<Mutex<Vec<Vec<u8>>>>,
    /// The envelope of each message in `messages`, at the same index.
    pub envelopes: Arc<Mutex<Vec<Envelope>>>,
    state: Arc<SinkState>,
}

/// What every connection of one sink shares.
struct SinkState {
    options: SinkOptions,
    acceptor: TlsAcceptor,
    messages: Arc<Mutex<Vec<Vec<u8>>>>,
    envelopes: Arc<Mutex<Vec<Envelope>>>,
    connections: AtomicUsize,
    tls_sessions: AtomicUsize,
    auth_attempts: AtomicUsize,
}

impl SinkState {
    fn record(&self, envelope: Envelope, data: Vec<u8>) {
        // The envelope first, so that whoever sees message n also finds envelope n.
        self.envelopes.lock().unwrap().push(envelope);
        self.messages.lock().unwrap().push(data);
    }
}

impl SinkOptions {
    /// A submission server: STARTTLS, then AUTH as `user` with `password` before any mail.
    pub fn submission(user: &str, password: &str) -> SinkOptions {
        SinkOptions {
            tls: SinkTls::StartTls,
            auth: Some((user.to_string(), password.to_string())),
            ..SinkOptions::default()
        }
    }
}

impl SmtpSink {
    /// A sink with `options` on a free loopback port.
    pub async fn bind(options: SinkOptions) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the sink");
        SmtpSink::start_with(listener, options)
    }

    /// A plain sink that takes every message, serving on `listener` until the test ends.
    pub fn start(listener: TcpListener) -> SmtpSink {
        SmtpSink::start_with(listener, SinkOptions::default())
    }

    /// A sink with `options`, serving on `listener` until the test ends (its tasks live on
    /// the test's runtime).
    pub fn start_with(listener: TcpListener, options: SinkOptions) -> SmtpSink {
        let address = listener.local_addr().expect("sink address");
        let ca = TestCa::new();
        let (cert_pem, key_pem) = ca.issue(&["localhost", "127.0.0.1"]);
        let messages = Arc::new(Mutex::new(Vec::new()));
        let envelopes = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(SinkState {
            options,
            acceptor: TlsAcceptor::from(certs::server_config(&cert_pem, &key_pem)),
            messages: Arc::clone(&messages),
            envelopes: Arc::clone(&envelopes),
            connections: AtomicUsize::new(0),
            tls_sessions: AtomicUsize::new(0),
            auth_attempts: AtomicUsize::new(0),
        });
        let accepting = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(session::serve(stream, Arc::clone(&accepting)));
            }
        });
        SmtpSink {
            address,
            ca_pem: ca.pem(),
            messages,
            envelopes,
            state,
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Connections that completed a TLS handshake (by STARTTLS or from the first byte).
    pub fn tls_sessions(&self) -> usize {
        self.state.tls_sessions.load(Ordering::SeqCst)
    }

    /// AUTH commands received, whatever their outcome.
    pub fn auth_attempts(&self) -> usize {
        self.state.auth_attempts.load(Ordering::SeqCst)
    }

    /// Waits until at least `count` messages arrived and returns them all; panics after
    /// `timeout`.
    pub async fn wait_for_messages(&self, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let started = Instant::now();
        loop {
            let messages = self.messages.lock().unwrap().clone();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                started.elapsed() < timeout,
                "the SMTP sink got {} of {count} messages within {timeout:?} ({} connections)",
                messages.len(),
                self.connections()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
