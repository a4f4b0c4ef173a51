//! Mail over SMTP to a real SMTP sink, with retries and backoff while the server is down.

mod common;

use std::time::{Duration, Instant};

use common::smtp_sink::{Behaviour, SinkOptions, SmtpSink};
use common::{backends, link_token, location, parse_mail, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::store::outbox::OutboxRow;
use rightsdesk::store::schema::mail_outbox;
use rightsdesk::store::time::from_db;

/// The outbox, recipients and unsent bodies opened.
fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    mail_outbox::table
        .select(OutboxRow::as_select())
        .load(&mut *app.conn())
        .unwrap()
        .into_iter()
        .map(|row| row.open(&app.ctx.keyring).unwrap())
        .collect()
}

fn mail(app: &TestApp, id: &str) -> OutboxRow {
    mail_outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(&mut *app.conn())
        .unwrap()
        .open(&app.ctx.keyring)
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

#[tokio::test]
async fn admins_list_undeliverable_mail_and_retry_it_others_cannot() {
    for backend in backends() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink::start_with(
            listener,
            SinkOptions {
                behaviour: Behaviour::RejectRecipient,
                ..SinkOptions::default()
            },
        );
        let smtp_url = format!("smtp://127.0.0.1:{}", sink.port());
        let app = TestApp::spawn_with(&backend, &[("RIGHTSDESK_SMTP_URL", &smtp_url)], true).await;
        let response = app
            .submit("access", &[("email", "bounced@example.org")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        wait_until("the mail given up", || {
            outbox(&app)
                .first()
                .is_some_and(|row| row.failed_at.is_some())
        })
        .await;
        let id = outbox(&app)[0].id.clone();
        assert_eq!(mail(&app, &id).to_addr, "bounced@example.org");
        let retry = format!("/officer/admin/mail/{id}/retry");
        // A later mail that is still being retried (the sink refuses every address, so its
        // state is set by hand): it is listed after the one given up, with no retry button.
        let response = app
            .submit("access", &[("email", "still.trying@example.org")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        wait_until("the second mail given up", || {
            outbox(&app).iter().all(|row| row.failed_at.is_some())
        })
        .await;
        let still_trying = outbox(&app)
            .into_iter()
            .find(|row| row.to_addr == "still.trying@example.org")
            .expect("the mail to still.trying")
            .id;
        app.execute(&format!(
            "UPDATE mail_outbox SET failed_at = NULL, next_attempt_at = '2999-01-01 00:00:00' \
             WHERE id = '{still_trying}'"
        ));

        let admin = app.signed_in_admin("admin@example.org").await;
        let page = admin.get("/officer/admin/mail").await;
        assert_eq!(page.status(), StatusCode::OK, "[{backend}]");
        let html = page.text().await.unwrap();
        assert!(html.contains("bounced@example.org") && html.contains(&retry));
        assert!(
            html.contains("<dt>Failing, will retry</dt><dd>1</dd>"),
            "[{backend}]"
        );
        assert!(
            html.contains("<dt>Undeliverable</dt><dd>1</dd>"),
            "[{backend}]"
        );
        assert_eq!(html.matches("/retry\"").count(), 1, "[{backend}]");
        let given_up = html.find("bounced@example.org").unwrap();
        let failing = html
            .find("still.trying@example.org")
            .expect("the failing mail");
        assert!(
            given_up < failing,
            "[{backend}] mail given up is listed first"
        );
        let nav = admin.get("/officer/queue").await.text().await.unwrap();
        assert!(nav.contains(r#"<a href="/officer/admin/mail">Mail delivery</a>"#));

        // Only admins, only with the page's CSRF token, only mail that exists.
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
        let csrf = officer.csrf("/officer/queue").await;
        let response = officer.post_form(&retry, &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{backend}]");
        assert!(!officer
            .get("/officer/queue")
            .await
            .text()
            .await
            .unwrap()
            .contains("Mail delivery"));
        let response = admin.post_form(&retry, &[("csrf_token", "forged")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{backend}]");
        let csrf = admin.csrf("/officer/admin/mail").await;
        let response = admin
            .post_form(
                "/officer/admin/mail/no-such-mail/retry",
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "[{backend}]");
        assert_eq!(mail(&app, &id).attempts, 1, "[{backend}] untouched");
        let audited_before = app.audit_count();

        let response = admin.post_form(&retry, &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(location(&response), "/officer/admin/mail?done=requeued");
        assert_eq!(app.audit_count(), audited_before + 1, "[{backend}] audited");
        // The server still refuses the address: tried once more, given up again.
        wait_until("the second attempt", || {
            let row = mail(&app, &id);
            row.attempts == 2 && row.failed_at.is_some()
        })
        .await;
        let page = admin.get("/officer/admin/mail?done=requeued").await;
        let html = page.text().await.unwrap();
        assert!(html.contains("back in the queue"), "[{backend}]");
        app.assert_no_server_errors();
    }
}
