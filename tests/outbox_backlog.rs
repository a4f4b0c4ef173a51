//! A backlog of mail, several claims deep, goes out whole: each mail once, each recorded as
//! sent (the sender records a pass's deliveries together).

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{backends, TestApp};
use diesel::prelude::*;
use rightsdesk::app::clock;
use rightsdesk::app::requests::queue_mail;
use rightsdesk::mail::compose::OutgoingMail;
use rightsdesk::store::outbox::OutboxRow;
use rightsdesk::store::schema::mail_outbox;

/// More than two claims' worth (a pass claims 50).
const BACKLOG: usize = 130;

#[tokio::test]
async fn a_backlog_of_several_claims_is_sent_once_each_and_recorded() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let now = clock::now();
        // One transaction queues the whole backlog, as a burst of submissions would.
        app.ctx
            .write(|conn| {
                for n in 0..BACKLOG {
                    let mail = OutgoingMail {
                        to: format!("backlog{n}@example.org"),
                        subject: format!("Backlog mail {n}"),
                        body: format!("Body of mail {n}"),
                        template: "verification",
                    };
                    queue_mail(conn, &app.ctx.keyring, &mail, now)?;
                }
                Ok(())
            })
            .unwrap();
        app.ctx.wake_mailer();

        let started = Instant::now();
        let backlog: Vec<_> = loop {
            let mails: Vec<_> = app
                .mails()
                .into_iter()
                .filter(|m| m.subject.starts_with("Backlog mail "))
                .collect();
            let unrecorded: i64 = mail_outbox::table
                .filter(mail_outbox::sent_at.is_null())
                .count()
                .get_result(&mut *app.conn())
                .unwrap();
            if mails.len() >= BACKLOG && unrecorded == 0 {
                break mails;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "[{backend}] {} of {BACKLOG} written, {unrecorded} not recorded as sent",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };

        // Each mail once, to its own recipient.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for mail in &backlog {
            *seen.entry(mail.subject.clone()).or_default() += 1;
            let n = mail.subject.trim_start_matches("Backlog mail ");
            assert_eq!(mail.to, format!("backlog{n}@example.org"), "[{backend}]");
        }
        assert_eq!(seen.len(), BACKLOG, "[{backend}] every mail went out");
        assert!(
            seen.values().all(|&times| times == 1),
            "[{backend}] no mail went out twice: {seen:?}"
        );

        // Each row recorded once as sent: one attempt, no claim left, body dropped.
        let rows: Vec<OutboxRow> = mail_outbox::table
            .select(OutboxRow::as_select())
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(rows.len(), BACKLOG, "[{backend}]");
        for row in rows {
            assert!(row.sent_at.is_some(), "[{backend}] {}", row.id);
            assert_eq!(row.attempts, 1, "[{backend}] {}", row.id);
            assert!(row.claim_token.is_none(), "[{backend}] {}", row.id);
            assert!(row.claimed_until.is_none(), "[{backend}] {}", row.id);
            assert_eq!(row.body, "", "[{backend}] {}", row.id);
        }
    }
}
