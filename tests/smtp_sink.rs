//! The test SMTP sink against a real client (lettre, as the app uses it): plain, STARTTLS,
//! implicit TLS and AUTH deliver; refusals, a dropped connection and a silent server fail the
//! way a client sees real servers fail.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::certs::TestCa;
use common::smtp_sink::{Behaviour, Envelope, SinkOptions, SinkTls, SmtpSink};
use lettre::message::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::Error;
use lettre::{AsyncSmtpTransport, AsyncTransport, SmtpTransport, Tokio1Executor, Transport};

const USER: &str = "mailer";
const PASSWORD: &str = "correct horse";

async fn start_sink(options: SinkOptions) -> SmtpSink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    SmtpSink::start_with(listener, options)
}

fn sink_options(tls: SinkTls, auth: bool, behaviour: Behaviour) -> SinkOptions {
    SinkOptions {
        tls,
        auth: auth.then(|| (USER.to_string(), PASSWORD.to_string())),
        behaviour,
    }
}

/// A mail whose body has a line starting with a dot, which the client must double on the
/// wire and the sink must undouble.
fn mail() -> Message {
    Message::builder()
        .from("rightsdesk <no-reply@rightsdesk.test>".parse().unwrap())
        .to("asha.rao@example.in".parse().unwrap())
        .subject("Your request")
        .body("First line.\r\n.hidden line\r\nLast line.\r\n".to_string())
        .unwrap()
}

/// Trusting `ca_pem` (and the public roots) for the name `localhost`.
fn trusting(ca_pem: &str) -> TlsParameters {
    TlsParameters::builder("localhost".into())
        .add_root_certificate(Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .build_rustls()
        .unwrap()
}

fn client(sink: &SmtpSink, tls: Tls) -> lettre::transport::smtp::AsyncSmtpTransportBuilder {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("localhost")
        .port(sink.port())
        .tls(tls)
        .timeout(Some(Duration::from_secs(5)))
}

/// Sends with a bound of its own: a client that hangs fails the test instead of stalling it.
async fn send(transport: AsyncSmtpTransport<Tokio1Executor>) -> Result<(), Error> {
    tokio::time::timeout(Duration::from_secs(20), transport.send(mail()))
        .await
        .expect("lettre neither delivered nor failed within 20 s")
        .map(|_| ())
}

fn status(error: &Error) -> Option<u16> {
    error.status().map(u16::from)
}

/// The I/O error underneath a lettre error, if there is one.
fn io_error(error: &Error) -> Option<&io::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}

fn envelope(tls: bool, user: Option<&str>) -> Envelope {
    Envelope {
        from: "no-reply@rightsdesk.test".to_string(),
        to: vec!["asha.rao@example.in".to_string()],
        tls,
        user: user.map(str::to_string),
    }
}

#[tokio::test]
async fn plain_delivery_keeps_the_message_undoubled_and_its_envelope() {
    let sink = start_sink(SinkOptions::default()).await;
    send(client(&sink, Tls::None).build()).await.unwrap();

    let messages = sink.wait_for_messages(1, Duration::from_secs(5)).await;
    assert_eq!(messages.len(), 1);
    let text = String::from_utf8(messages[0].clone()).unwrap();
    assert!(text.contains("Subject: Your request\r\n"), "{text}");
    assert!(text.contains("\r\n.hidden line\r\n"), "{text}");
    assert!(!text.contains("..hidden"), "dot-stuffing left in: {text}");
    assert!(!text.ends_with(".\r\n.\r\n"), "terminator kept: {text}");
    assert_eq!(*sink.envelopes.lock().unwrap(), vec![envelope(false, None)]);
    assert_eq!(sink.connections(), 1);
    assert_eq!(sink.tls_sessions(), 0);
}

#[tokio::test]
async fn starttls_upgrades_the_connection_before_the_mail_goes_out() {
    let sink = start_sink(sink_options(SinkTls::StartTls, false, Behaviour::Accept)).await;
    let tls = Tls::Required(trusting(&sink.ca_pem));
    send(client(&sink, tls).build()).await.unwrap();

    sink.wait_for_messages(1, Duration::from_secs(5)).await;
    assert_eq!(sink.tls_sessions(), 1);
    assert_eq!(*sink.envelopes.lock().unwrap(), vec![envelope(true, None)]);
}

#[tokio::test]
async fn starttls_fails_when_the_client_does_not_trust_the_sinks_ca() {
    let sink = start_sink(sink_options(SinkTls::StartTls, false, Behaviour::Accept)).await;
    let stranger = TestCa::new();
    let tls = Tls::Required(trusting(&stranger.pem()));
    let error = send(client(&sink, tls).build()).await.unwrap_err();

    // lettre reports the refused certificate as a connection error, not `is_tls()` (that
    // is for TLS parameters it cannot build).
    assert!(!error.is_tls(), "{error:?}");
    assert_eq!(
        io_error(&error)
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        Some(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer
        )),
        "{error:?}"
    );
    assert_eq!(sink.tls_sessions(), 0);
    assert!(sink.messages.lock().unwrap().is_empty());
}

#[tokio::test]
async fn implicit_tls_speaks_tls_from_the_first_byte() {
    let sink = start_sink(sink_options(SinkTls::Implicit, false, Behaviour::Accept)).await;
    let tls = Tls::Wrapper(trusting(&sink.ca_pem));
    send(client(&sink, tls).build()).await.unwrap();

    sink.wait_for_messages(1, Duration::from_secs(5)).await;
    assert_eq!(sink.tls_sessions(), 1);
    assert_eq!(*sink.envelopes.lock().unwrap(), vec![envelope(true, None)]);
}

#[tokio::test]
async fn auth_plain_and_login_with_the_right_password_deliver() {
    for mechanism in [Mechanism::Plain, Mechanism::Login] {
        let sink = start_sink(sink_options(SinkTls::StartTls, true, Behaviour::Accept)).await;
        let transport = client(&sink, Tls::Required(trusting(&sink.ca_pem)))
            .credentials(Credentials::new(USER.into(), PASSWORD.into()))
            .authentication(vec![mechanism])
            .build();
        send(transport).await.unwrap();

        sink.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(sink.auth_attempts(), 1, "{mechanism:?}");
        assert_eq!(
            *sink.envelopes.lock().unwrap(),
            vec![envelope(true, Some(USER))],
            "{mechanism:?}"
        );
    }
}

#[tokio::test]
async fn auth_with_a_wrong_password_fails_with_535() {
    for mechanism in [Mechanism::Plain, Mechanism::Login] {
        let sink = start_sink(sink_options(SinkTls::Implicit, true, Behaviour::Accept)).await;
        let transport = client(&sink, Tls::Wrapper(trusting(&sink.ca_pem)))
            .credentials(Credentials::new(USER.into(), "wrong".into()))
            .authentication(vec![mechanism])
            .build();
        let error = send(transport).await.unwrap_err();

        assert_eq!(status(&error), Some(535), "{mechanism:?}: {error:?}");
        assert!(error.is_permanent(), "{mechanism:?}: {error:?}");
        assert_eq!(sink.auth_attempts(), 1, "{mechanism:?}");
        assert!(sink.messages.lock().unwrap().is_empty(), "{mechanism:?}");
    }
}

#[tokio::test]
async fn mail_without_authentication_is_refused_with_530() {
    let sink = start_sink(sink_options(SinkTls::None, true, Behaviour::Accept)).await;
    let error = send(client(&sink, Tls::None).build()).await.unwrap_err();

    assert_eq!(status(&error), Some(530), "{error:?}");
    assert_eq!(sink.auth_attempts(), 0);
    assert!(sink.messages.lock().unwrap().is_empty());
}

#[tokio::test]
async fn auth_is_offered_only_after_starttls() {
    let sink = start_sink(sink_options(SinkTls::StartTls, true, Behaviour::Accept)).await;
    // A client that never upgrades finds no mechanism to use and so never tries.
    let transport = client(&sink, Tls::None)
        .credentials(Credentials::new(USER.into(), PASSWORD.into()))
        .build();
    let error = send(transport).await.unwrap_err();

    assert!(error.is_client(), "{error:?}");
    assert_eq!(sink.auth_attempts(), 0);
    assert_eq!(sink.tls_sessions(), 0);
    assert!(sink.messages.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_rejected_recipient_is_a_permanent_error() {
    let sink = start_sink(sink_options(
        SinkTls::None,
        false,
        Behaviour::RejectRecipient,
    ))
    .await;
    let error = send(client(&sink, Tls::None).build()).await.unwrap_err();

    assert!(error.is_permanent(), "{error:?}");
    assert_eq!(status(&error), Some(550), "{error:?}");
    assert!(sink.messages.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_temporarily_refused_recipient_is_a_transient_error() {
    let sink = start_sink(sink_options(
        SinkTls::None,
        false,
        Behaviour::TempFailRecipient,
    ))
    .await;
    let error = send(client(&sink, Tls::None).build()).await.unwrap_err();

    assert!(error.is_transient(), "{error:?}");
    assert!(!error.is_permanent(), "{error:?}");
    assert_eq!(status(&error), Some(451), "{error:?}");
    assert!(sink.messages.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_server_that_drops_the_connection_after_its_greeting_fails_the_send_at_once() {
    let sink = start_sink(sink_options(
        SinkTls::None,
        false,
        Behaviour::DropAfterGreeting,
    ))
    .await;
    let started = Instant::now();
    let error = send(client(&sink, Tls::None).build()).await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The end of the stream in place of the EHLO reply: "incomplete response".
    assert!(error.is_response(), "{error:?}");
    assert_eq!(status(&error), None, "no reply, so no status: {error:?}");
    assert_eq!(sink.connections(), 1);
    assert!(sink.messages.lock().unwrap().is_empty());
}

/// lettre's blocking client sets its timeout on every read, so a server that never greets
/// fails it in about that time.
#[tokio::test]
async fn a_silent_server_times_out_the_blocking_client() {
    let sink = start_sink(sink_options(SinkTls::None, false, Behaviour::Stall)).await;
    let port = sink.port();
    let started = Instant::now();
    let error = tokio::task::spawn_blocking(move || {
        SmtpTransport::builder_dangerous("127.0.0.1")
            .port(port)
            .timeout(Some(Duration::from_secs(1)))
            .build()
            .send(&mail())
            .unwrap_err()
    })
    .await
    .unwrap();

    // The read timeout surfaces as the socket's EAGAIN on Linux, so `is_timeout()` (which
    // looks for `TimedOut`) says no.
    let kind = io_error(&error).map(io::Error::kind);
    assert!(
        matches!(
            kind,
            Some(io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
        ),
        "{error:?}"
    );
    assert_eq!(status(&error), None, "{error:?}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
    assert_eq!(sink.connections(), 1);
}

/// lettre's async client (the app's) applies its timeout to connecting only: a server that
/// accepts and never greets holds `send` for as long as the caller waits. Whoever sends
/// through it must bound the send themselves.
#[tokio::test]
async fn a_silent_server_holds_the_async_client_past_its_own_timeout() {
    let sink = start_sink(sink_options(SinkTls::None, false, Behaviour::Stall)).await;
    let transport = client(&sink, Tls::None)
        .timeout(Some(Duration::from_secs(1)))
        .build();
    let outcome = tokio::time::timeout(Duration::from_secs(3), transport.send(mail())).await;

    assert!(
        outcome.is_err(),
        "send ended within 3 s despite the silent server: {outcome:?}"
    );
    assert_eq!(sink.connections(), 1);
    assert!(sink.messages.lock().unwrap().is_empty());
}
