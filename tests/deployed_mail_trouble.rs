//! The binary against mail servers that do not take the mail: refused credentials, a
//! refused recipient (given up, listed for admins, retried), a server that never answers
//! and one that hangs up. Mail waits or is retried; the log names no requester.

mod common;

use std::time::{Duration, Instant};

use common::journey::{browser, confirm_by_mail, submit_request, MailSource};
use common::site::{assert_log_free_of, stop_cleanly, Site};
use common::smtp_sink::{Behaviour, SinkOptions, SmtpSink};
use common::{backends, Backend};
use rightsdesk::store::outbox::OutboxRow;

#[tokio::test]
async fn refused_smtp_credentials_keep_mail_queued_until_a_restart_with_the_right_ones() {
    const WRONG: &str = "Wr0ng-Passw0rd-7731";
    for backend in backends() {
        let site = Site::new(&backend);
        let sink = SmtpSink::bind(SinkOptions::submission("user", "secret")).await;
        let ca = site.write_file("smtp-ca.pem", &sink.ca_pem);
        let ca = ca.as_str();
        let wrong = format!("smtp://user:{WRONG}@localhost:{}?tls=required", sink.port());
        let app = site
            .start(&[("RIGHTSDESK_SMTP_URL", &wrong), ("RIGHTSDESK_SMTP_CA", ca)])
            .await;

        // The requester is not told about the mail server: the submission succeeds.
        let email = "refused.credentials@example.org";
        let requester = browser();
        submit_request(&requester, &app.base_url(), email).await;
        let rows = site
            .wait_for_outbox("a failed attempt", Duration::from_secs(20), |rows| {
                rows.len() == 1 && rows[0].attempts >= 1
            })
            .await;
        let row = &rows[0];
        assert!(
            row.sent_at.is_none() && row.failed_at.is_none(),
            "[{backend}] {row:?}"
        );
        let error = row.last_error.as_deref().expect("the last error is kept");
        assert!(!error.contains(WRONG), "[{backend}] {error}");
        assert!(
            sink.auth_attempts() >= 1,
            "[{backend}] the server was asked"
        );
        assert!(sink.messages.lock().unwrap().is_empty(), "[{backend}]");
        let refused = app
            .wait_for_log("the server refused the credentials", Duration::from_secs(5))
            .await;
        assert!(
            refused.contains("RIGHTSDESK_SMTP_URL"),
            "[{backend}] {refused}"
        );
        let log = stop_cleanly(app, &backend).await;
        assert_log_free_of(&log, email, &backend);
        assert!(
            !log.contains(WRONG),
            "[{backend}] the password is logged:\n{log}"
        );

        // The operator fixes the password and restarts; the queued mail goes out.
        site.make_mail_due();
        let right = format!("smtp://user:secret@localhost:{}?tls=required", sink.port());
        let app = site
            .start(&[("RIGHTSDESK_SMTP_URL", &right), ("RIGHTSDESK_SMTP_CA", ca)])
            .await;
        confirm_by_mail(&requester, &app.base_url(), &MailSource::Sink(&sink), email).await;
        let envelopes = sink.envelopes.lock().unwrap().clone();
        assert_eq!(envelopes.len(), 2, "[{backend}]");
        assert!(envelopes.iter().all(|e| e.user.as_deref() == Some("user")));
        assert!(site.outbox().iter().all(|row| row.sent_at.is_some()));
        stop_cleanly(app, &backend).await;
    }
}

#[tokio::test]
async fn a_refused_recipient_is_given_up_listed_for_admins_and_sent_after_a_retry() {
    const ADMIN: &str = "postmaster.admin@example.org";
    const PASSWORD: &str = "a long admin passphrase";
    for backend in backends() {
        let site = Site::new(&backend);
        let refusing = SmtpSink::bind(SinkOptions {
            behaviour: Behaviour::RejectRecipient,
            ..SinkOptions::default()
        })
        .await;
        let url = format!("smtp://127.0.0.1:{}", refusing.port());
        let app = site.start(&[("RIGHTSDESK_SMTP_URL", &url)]).await;

        let email = "no.such.mailbox@example.org";
        let requester = browser();
        submit_request(&requester, &app.base_url(), email).await;
        let rows = site
            .wait_for_outbox("the mail given up", Duration::from_secs(20), |rows| {
                rows.len() == 1 && rows[0].failed_at.is_some()
            })
            .await;
        assert_eq!(rows[0].attempts, 1, "[{backend}]");
        assert!(rows[0].last_error.is_some(), "[{backend}]");
        // Never tried again by itself, however often the sender looks (every 50 ms).
        tokio::time::sleep(Duration::from_millis(400)).await;
        let row = site.outbox().remove(0);
        assert_eq!(row.attempts, 1, "[{backend}] retried: {row:?}");
        assert_eq!(refusing.connections(), 1, "[{backend}]");
        app.wait_for_log("mail undeliverable", Duration::from_secs(5))
            .await;

        // An admin signed in through the real forms finds it on the mail page.
        site.create_officer(ADMIN, "admin", PASSWORD);
        let admin = common::officer::sign_in_new_admin(&app.base_url(), ADMIN, PASSWORD).await;
        let page = admin.get("/officer/admin/mail").await;
        assert_eq!(page.status(), reqwest::StatusCode::OK, "[{backend}]");
        let html = page.text().await.unwrap();
        assert!(html.contains(email), "[{backend}] {html}");
        assert!(html.contains(&row.subject), "[{backend}]");
        assert!(html.contains("Given up at"), "[{backend}]");
        assert!(
            html.contains("<dt>Undeliverable</dt><dd>1</dd>"),
            "[{backend}]"
        );
        let retry = format!("/officer/admin/mail/{}/retry", row.id);
        assert!(html.contains(&retry), "[{backend}]");
        let log = stop_cleanly(app, &backend).await;
        assert_log_free_of(&log, email, &backend);

        // The operator moves to a mail server that takes the address and restarts; the
        // admin (still signed in: sessions live in the database) retries the mail.
        let accepting = SmtpSink::bind(SinkOptions::default()).await;
        let url = format!("smtp://127.0.0.1:{}", accepting.port());
        let app = site.start(&[("RIGHTSDESK_SMTP_URL", &url)]).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            accepting.messages.lock().unwrap().is_empty(),
            "[{backend}] undeliverable mail waits for an admin"
        );
        let admin = common::officer::OfficerBrowser {
            base: app.base_url(),
            ..admin
        };
        let csrf = admin.csrf("/officer/admin/mail").await;
        let response = admin.post_form(&retry, &[("csrf_token", &csrf)]).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::SEE_OTHER,
            "[{backend}]"
        );
        assert_eq!(
            common::location(&response),
            "/officer/admin/mail?done=requeued"
        );
        assert_eq!(
            site.count("audit_events WHERE action = 'mail.requeued'"),
            1,
            "[{backend}] the retry is audited"
        );
        let journey = confirm_by_mail(
            &requester,
            &app.base_url(),
            &MailSource::Sink(&accepting),
            email,
        )
        .await;
        assert!(journey.reference.starts_with("RD-"));
        let row = site.outbox().into_iter().find(|r| r.id == row.id).unwrap();
        assert!(
            row.sent_at.is_some() && row.failed_at.is_none(),
            "[{backend}] {row:?}"
        );
        assert_eq!(row.attempts, 2, "[{backend}]");
        let page = admin.get("/officer/admin/mail?done=requeued").await;
        let html = page.text().await.unwrap();
        assert!(!html.contains(email), "[{backend}] no longer in trouble");
        let log = stop_cleanly(app, &backend).await;
        assert_log_free_of(&log, email, &backend);
    }
}

/// The mail is queued for another try later: not sent, not given up, due in the future.
fn assert_queued_for_retry(row: &OutboxRow, backend: &Backend) {
    assert!(
        row.sent_at.is_none() && row.failed_at.is_none(),
        "[{backend}] {row:?}"
    );
    assert!(row.last_error.is_some(), "[{backend}] {row:?}");
    let now = time::OffsetDateTime::now_utc();
    let next = row.next_attempt_at.assume_utc();
    assert!(
        next > now,
        "[{backend}] next attempt {next} is not in the future"
    );
}

#[tokio::test]
async fn a_stalling_smtp_server_costs_a_bounded_time_and_does_not_hold_up_sigterm() {
    const TIMEOUT_SECS: u64 = 1;
    // The mailer bounds a whole delivery at four times the per-step timeout.
    let bound = Duration::from_secs(4 * TIMEOUT_SECS);
    let slack = Duration::from_secs(2);
    for backend in backends() {
        let site = Site::new(&backend);
        let stalling = SmtpSink::bind(SinkOptions {
            behaviour: Behaviour::Stall,
            ..SinkOptions::default()
        })
        .await;
        let url = format!("smtp://127.0.0.1:{}", stalling.port());
        let timeout = TIMEOUT_SECS.to_string();
        let app = site
            .start(&[
                ("RIGHTSDESK_SMTP_URL", &url),
                ("RIGHTSDESK_SMTP_TIMEOUT_SECS", &timeout),
            ])
            .await;

        // SIGTERM while the first delivery hangs on a server that never answers: the
        // delivery ends at its bound, is recorded, and the process exits.
        let submitted = Instant::now();
        submit_request(&browser(), &app.base_url(), "stalled@example.org").await;
        let started = Instant::now();
        while stalling.connections() == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "[{backend}] no attempt"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let signalled = Instant::now();
        let log = stop_cleanly(app, &backend).await;
        let stopping = signalled.elapsed();
        assert!(
            stopping < bound + slack,
            "[{backend}] SIGTERM took {stopping:?}"
        );
        let took = submitted.elapsed();
        assert!(
            took < bound + slack * 2,
            "[{backend}] the attempt took {took:?}"
        );
        let rows = site.outbox();
        assert_eq!(rows.len(), 1, "[{backend}]");
        assert_eq!(rows[0].attempts, 1, "[{backend}] {rows:?}");
        assert_queued_for_retry(&rows[0], &backend);
        assert!(
            log.contains("no answer from the SMTP server within 4 s") && log.contains("will retry"),
            "[{backend}] {log}"
        );
    }
}

#[tokio::test]
async fn a_server_that_hangs_up_after_its_greeting_is_retried() {
    for backend in backends() {
        let site = Site::new(&backend);
        let hanging_up = SmtpSink::bind(SinkOptions {
            behaviour: Behaviour::DropAfterGreeting,
            ..SinkOptions::default()
        })
        .await;
        let url = format!("smtp://127.0.0.1:{}", hanging_up.port());
        let app = site
            .start(&[
                ("RIGHTSDESK_SMTP_URL", &url),
                ("RIGHTSDESK_SMTP_TIMEOUT_SECS", "1"),
            ])
            .await;

        submit_request(&browser(), &app.base_url(), "hung.up@example.org").await;
        let rows = site
            .wait_for_outbox("a failed attempt", Duration::from_secs(20), |rows| {
                rows.len() == 1 && rows[0].attempts == 1
            })
            .await;
        assert_queued_for_retry(&rows[0], &backend);
        site.make_mail_due();
        let rows = site
            .wait_for_outbox("the retry", Duration::from_secs(20), |rows| {
                rows[0].attempts == 2
            })
            .await;
        assert_queued_for_retry(&rows[0], &backend);
        assert!(hanging_up.connections() >= 2, "[{backend}]");
        let log = stop_cleanly(app, &backend).await;
        assert!(log.contains("will retry"), "[{backend}] {log}");
        assert_log_free_of(&log, "hung.up@example.org", &backend);
    }
}
