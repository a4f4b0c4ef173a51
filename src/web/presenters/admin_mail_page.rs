//! The admin page of mail delivery from the outbox's health and its troubled mail.

use crate::app::outbox::{OutboxHealth, TroubledMail};
use crate::web::mail_page::{AdminMailPage, TroubledMailRow};
use crate::web::officer_pages::OfficerNav;
use crate::web::view;

/// Fills the page; `limit` is how many troubled mails the use case lists at most.
pub fn admin_mail_page(
    nav: OfficerNav,
    health: OutboxHealth,
    mails: Vec<TroubledMail>,
    limit: usize,
    notice: Option<String>,
) -> AdminMailPage {
    AdminMailPage {
        nav,
        pending: health.pending,
        failing: health.failing,
        undeliverable: health.undeliverable,
        mails: mails.into_iter().map(row).collect(),
        limit,
        notice,
    }
}

fn row(mail: TroubledMail) -> TroubledMailRow {
    let next = match (mail.failed_at, mail.next_attempt_at) {
        (Some(at), _) => format!("Given up at {}", view::display_time(at)),
        (None, Some(at)) => format!("Next attempt {}", view::display_time(at)),
        (None, None) => "Waiting".to_string(),
    };
    TroubledMailRow {
        undeliverable: mail.failed_at.is_some(),
        queued: view::display_time(mail.queued_at),
        template: mail.template,
        subject: mail.subject,
        to: mail.to,
        attempts: mail.attempts,
        next,
        last_error: mail.last_error,
        id: mail.id,
    }
}

/// What the admin is told after a change (its name comes back in the URL).
pub fn notice_for(done: &str) -> Option<String> {
    match done {
        "requeued" => Some(
            "The mail is back in the queue: it is sent at the next attempt, and given up again \
             if the server still refuses it."
                .to_string(),
        ),
        _ => None,
    }
}
