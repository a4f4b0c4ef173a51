//! Mail over SMTP to a real SMTP sink, with retries and backoff while the server is down.

mod common;

use std::time::{Duration, Instant};

use common::smtp_sink::SmtpSink;
use common::{backends, link_token, parse_mail, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::store::outbox::OutboxRow;
use rightsdesk::store::schema::mail_outbox;
use rightsdesk::store::time::from_db;

fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    mail_outbox::table
        .select(OutboxRow::as_select())
        .load(&mut *app.conn())
        .unwrap()
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn mail_is_retried_with_backoff_until_the_smtp_server_takes_it() {
    for backend in backends() {
        // A port with nothing listening yet.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let app = TestApp::spawn_with(&backend, &[("RIGHTSDESK_SMTP_URL", &smtp_url)], true).await;

        let response = app
            .submit("portability", &[("email", "smtp@example.org")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");

        // The first attempt fails; the mail stays queued with the error and a later retry time.
        wait_until("a failed attempt", || {
            outbox(&app).first().is_some_and(|row| row.attempts == 1)
        })
        .await;
        let row = outbox(&app).pop().unwrap();
        assert!(row.sent_at.is_none(), "[{backend}]");
        assert!(row.last_error.is_some(), "[{backend}]");
        let delay = from_db(row.next_attempt_at) - from_db(row.created_at);
        assert!(
            delay >= time::Duration::seconds(29),
            "[{backend}] backoff {delay}"
        );
        assert!(
            app.mails().is_empty(),
            "no file is written when SMTP is configured"
        );

        // The server comes up; once the retry time has come the mail goes out.
        let sink = SmtpSink::start(
            tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap(),
        );
        app.execute("UPDATE mail_outbox SET next_attempt_at = '2000-01-01 00:00:00'");
        wait_until("delivery", || !sink.messages.lock().unwrap().is_empty()).await;
        let raw = sink.messages.lock().unwrap()[0].clone();
        let mail = parse_mail(&raw, "sink".into());
        assert_eq!(mail.to, "smtp@example.org", "[{backend}]");
        assert!(
            link_token(&mail.body, "/verify/").is_some(),
            "[{backend}] {}",
            mail.body
        );
        wait_until("sent_at", || outbox(&app)[0].sent_at.is_some()).await;
        assert_eq!(outbox(&app)[0].attempts, 2, "[{backend}]");
        app.assert_no_server_errors();
    }
}
