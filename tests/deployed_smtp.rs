//! How the binary reaches the mail server, in every way an operator can configure it:
//! plain SMTP, STARTTLS and implicit TLS with a private CA, credentials in the URL, a long
//! timeout; each carries the whole requester's journey. Settings that cannot work stop the
//! start with one line.

mod common;

use std::time::Duration;

use common::backends;
use common::journey::{browser, requester_journey, MailSource};
use common::site::{assert_log_free_of, assert_refused_in_one_line, stop_cleanly, Site};
use common::smtp_sink::{SinkOptions, SinkTls, SmtpSink};

#[tokio::test]
async fn plain_smtp_delivers_the_requesters_mail_and_sigterm_exits_cleanly() {
    for backend in backends() {
        let site = Site::new(&backend);
        let sink = SmtpSink::bind(SinkOptions::default()).await;
        let url = format!("smtp://127.0.0.1:{}", sink.port());
        let app = site
            .start(&[
                ("RIGHTSDESK_SMTP_URL", &url),
                ("RIGHTSDESK_MAIL_FROM", "Privacy Team <privacy@example.org>"),
            ])
            .await;
        let listening = app
            .wait_for_log("rightsdesk listening", Duration::from_secs(1))
            .await;
        assert!(listening.contains("mail=SMTP"), "[{backend}] {listening}");

        let email = "plain.smtp@example.org";
        let journey =
            requester_journey(&browser(), &app.base_url(), &MailSource::Sink(&sink), email).await;
        assert!(journey.reference.starts_with("RD-"), "[{backend}]");
        let envelopes = sink.envelopes.lock().unwrap().clone();
        assert_eq!(
            envelopes.len(),
            2,
            "[{backend}] verification and confirmation"
        );
        for envelope in &envelopes {
            assert_eq!(envelope.to, vec![email.to_string()], "[{backend}]");
            assert!(!envelope.tls && envelope.user.is_none(), "[{backend}]");
            assert_eq!(
                envelope.from, "privacy@example.org",
                "[{backend}] the sender"
            );
        }
        for raw in sink.messages.lock().unwrap().iter() {
            let text = String::from_utf8_lossy(raw);
            assert!(
                text.contains("From: \"Privacy Team\" <privacy@example.org>"),
                "[{backend}] {text}"
            );
            // The Message-ID is the outbox row's id at the sender's domain.
            let message_id = text
                .lines()
                .find_map(|line| line.strip_prefix("Message-ID: "))
                .unwrap_or_default();
            assert!(
                message_id.ends_with("@example.org>")
                    && site
                        .outbox()
                        .iter()
                        .any(|row| message_id == format!("<{}@example.org>", row.id)),
                "[{backend}] {message_id}"
            );
        }
        assert!(
            site.outbox().iter().all(|row| row.sent_at.is_some()),
            "[{backend}] every queued mail is marked sent"
        );

        let log = stop_cleanly(app, &backend).await;
        assert_log_free_of(&log, email, &backend);
    }
}

#[tokio::test]
async fn a_long_smtp_timeout_still_delivers() {
    // Five minutes a step bounds a delivery at twenty, longer than a claim used to last; the
    // largest number is taken as an hour.
    for backend in backends() {
        for timeout in ["300", "18446744073709551615"] {
            let site = Site::new(&backend);
            let sink = SmtpSink::bind(SinkOptions::default()).await;
            let url = format!("smtp://127.0.0.1:{}", sink.port());
            let app = site
                .start(&[
                    ("RIGHTSDESK_SMTP_URL", &url),
                    ("RIGHTSDESK_SMTP_TIMEOUT_SECS", timeout),
                ])
                .await;
            let email = "patient.relay@example.org";
            requester_journey(&browser(), &app.base_url(), &MailSource::Sink(&sink), email).await;
            stop_cleanly(app, &backend).await;
        }
    }
}

#[tokio::test]
async fn starttls_with_a_private_ca_encrypts_every_delivery() {
    for backend in backends() {
        let site = Site::new(&backend);
        let sink = SmtpSink::bind(SinkOptions {
            tls: SinkTls::StartTls,
            ..SinkOptions::default()
        })
        .await;
        let ca = site.write_file("smtp-ca.pem", &sink.ca_pem);
        let url = format!("smtp://localhost:{}?tls=required", sink.port());
        let app = site
            .start(&[("RIGHTSDESK_SMTP_URL", &url), ("RIGHTSDESK_SMTP_CA", &ca)])
            .await;

        let email = "starttls@example.org";
        requester_journey(&browser(), &app.base_url(), &MailSource::Sink(&sink), email).await;
        assert!(sink.tls_sessions() > 0, "[{backend}] no TLS handshake");
        let envelopes = sink.envelopes.lock().unwrap().clone();
        assert_eq!(envelopes.len(), 2, "[{backend}]");
        assert!(
            envelopes.iter().all(|e| e.tls),
            "[{backend}] a message arrived in the clear: {envelopes:?}"
        );
        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn implicit_tls_with_a_private_ca_delivers() {
    for backend in backends() {
        let site = Site::new(&backend);
        let sink = SmtpSink::bind(SinkOptions {
            tls: SinkTls::Implicit,
            ..SinkOptions::default()
        })
        .await;
        let ca = site.write_file("smtp-ca.pem", &sink.ca_pem);
        let url = format!("smtps://localhost:{}", sink.port());
        let app = site
            .start(&[("RIGHTSDESK_SMTP_URL", &url), ("RIGHTSDESK_SMTP_CA", &ca)])
            .await;

        let email = "implicit.tls@example.org";
        requester_journey(&browser(), &app.base_url(), &MailSource::Sink(&sink), email).await;
        assert!(sink.tls_sessions() > 0, "[{backend}]");
        assert!(
            sink.envelopes.lock().unwrap().iter().all(|e| e.tls),
            "[{backend}]"
        );
        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn smtp_credentials_in_the_url_authenticate_over_starttls() {
    for backend in backends() {
        let site = Site::new(&backend);
        let sink = SmtpSink::bind(SinkOptions::submission("user", "secret")).await;
        let ca = site.write_file("smtp-ca.pem", &sink.ca_pem);
        let url = format!("smtp://user:secret@localhost:{}?tls=required", sink.port());
        let app = site
            .start(&[("RIGHTSDESK_SMTP_URL", &url), ("RIGHTSDESK_SMTP_CA", &ca)])
            .await;

        let email = "authenticated@example.org";
        requester_journey(&browser(), &app.base_url(), &MailSource::Sink(&sink), email).await;
        let envelopes = sink.envelopes.lock().unwrap().clone();
        assert_eq!(envelopes.len(), 2, "[{backend}]");
        for envelope in &envelopes {
            assert_eq!(envelope.user.as_deref(), Some("user"), "[{backend}]");
            assert!(envelope.tls, "[{backend}]");
        }
        let log = stop_cleanly(app, &backend).await;
        assert!(
            !log.contains("secret"),
            "[{backend}] the password is logged:\n{log}"
        );
    }
}

#[tokio::test]
async fn a_bad_smtp_setting_stops_the_start_with_one_line() {
    for backend in backends() {
        let site = Site::new(&backend);
        let missing_ca = site.path().join("no-such-ca.pem");
        let missing_ca = missing_ca.to_str().unwrap();
        // (RIGHTSDESK_SMTP_URL, RIGHTSDESK_SMTP_CA, the variable named, a detail)
        let cases = [
            ("smtp://", None, "RIGHTSDESK_SMTP_URL", "no host"),
            (
                "smtp://user:Hunter2-Secret@mail.example.org?tls=bogus",
                None,
                "RIGHTSDESK_SMTP_URL",
                "tls=bogus is not a TLS mode",
            ),
            (
                "smtp://user:Hunter2-Secret@mail.example.org:587",
                None,
                "RIGHTSDESK_SMTP_URL",
                "unencrypted",
            ),
            (
                "smtps://localhost:465",
                Some(missing_ca),
                "RIGHTSDESK_SMTP_CA",
                "no-such-ca.pem",
            ),
        ];
        for (url, ca, variable, detail) in cases {
            let mut env = vec![("RIGHTSDESK_SMTP_URL", url)];
            env.extend(ca.map(|ca| ("RIGHTSDESK_SMTP_CA", ca)));
            let output = site.refuse_to_start(&env);
            let line = assert_refused_in_one_line(&output, variable, &backend);
            assert!(line.contains(detail), "[{backend}] {line}");
            assert!(!line.contains("Hunter2-Secret"), "[{backend}] {line}");
        }
    }
}
