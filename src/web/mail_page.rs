//! `GET /officer/admin/mail`: the outbox at a glance, and the mail that is failing or was
//! given up, for admins to see and to put back in the queue.

use askama::Template;

use super::officer_pages::OfficerNav;

/// The admin page of mail delivery.
#[derive(Template)]
#[template(path = "officer/admin_mail.html")]
pub struct AdminMailPage {
    pub nav: OfficerNav,
    pub pending: i64,
    pub failing: i64,
    pub undeliverable: i64,
    /// Newest trouble first.
    pub mails: Vec<TroubledMailRow>,
    /// How many rows the page lists at most (more exist when `mails` is that long).
    pub limit: usize,
    pub notice: Option<String>,
}

/// One failing or undeliverable mail, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TroubledMailRow {
    pub id: String,
    pub queued: String,
    pub template: String,
    pub subject: String,
    pub to: String,
    pub attempts: i32,
    /// "Next attempt 9 March 2026, 14:00 UTC" or "Given up at 9 March 2026, 14:00 UTC".
    pub next: String,
    /// Given up: the row offers a retry.
    pub undeliverable: bool,
    /// `""` when none was recorded.
    pub last_error: String,
}

impl AdminMailPage {
    /// Whether the list stops at its limit (older trouble is not shown).
    pub fn is_truncated(&self) -> bool {
        self.mails.len() >= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::outbox::{OutboxHealth, TroubledMail};
    use crate::web::presenters::admin_mail_page::{admin_mail_page, notice_for};
    use time::macros::datetime;

    fn nav() -> OfficerNav {
        OfficerNav {
            name: "Asha Rao".into(),
            role_label: "Admin".into(),
            is_admin: true,
            sees_retention: true,
            can_record: true,
            csrf_token: "csrf-nav".into(),
        }
    }

    fn mail(id: &str, given_up: bool) -> TroubledMail {
        TroubledMail {
            id: id.into(),
            to: "ravi@example.org".into(),
            subject: "Confirm your request RD-7K3M-9QXA".into(),
            template: "verification".into(),
            queued_at: datetime!(2026-03-09 14:00 UTC),
            attempts: if given_up { 1 } else { 3 },
            next_attempt_at: (!given_up).then_some(datetime!(2026-03-09 14:04 UTC)),
            failed_at: given_up.then_some(datetime!(2026-03-09 14:01 UTC)),
            last_error: "SMTP: permanent error (550): mailbox <unavailable>".into(),
        }
    }

    fn page(mails: Vec<TroubledMail>, notice: Option<String>) -> AdminMailPage {
        admin_mail_page(
            nav(),
            OutboxHealth {
                pending: 4,
                failing: 1,
                undeliverable: 1,
            },
            mails,
            200,
            notice,
        )
    }

    #[test]
    fn lists_counts_and_each_troubled_mail_with_a_retry_for_the_undeliverable() {
        let html = page(
            vec![mail("m-given-up", true), mail("m-failing", false)],
            notice_for("requeued"),
        )
        .render()
        .unwrap();
        assert!(html.contains("<h1>Mail delivery</h1>"), "{html}");
        assert!(
            html.contains("<dt>Waiting to be sent</dt><dd>4</dd>"),
            "{html}"
        );
        assert!(html.contains("<dt>Failing, will retry</dt><dd>1</dd>"));
        assert!(html.contains("<dt>Undeliverable</dt><dd>1</dd>"));
        assert!(html.contains(r#"role="status""#) && html.contains("back in the queue"));
        assert!(html.contains("<caption id=\"mail-caption\">"));
        assert!(html.contains("Given up at 9 March 2026, 14:01 UTC"));
        assert!(html.contains("Next attempt 9 March 2026, 14:04 UTC"));
        assert!(html.contains("Confirm your request RD-7K3M-9QXA"));
        assert!(html.contains("ravi@example.org"));
        assert!(html.contains("mailbox &#60;unavailable&#62;"), "escaped");
        // One retry form, for the mail given up, carrying the page's CSRF token.
        assert_eq!(html.matches("<form").count(), 2, "retry + sign out");
        let retry = &html[html
            .find(r#"action="/officer/admin/mail/m-given-up/retry""#)
            .unwrap()..];
        let retry = &retry[..retry.find("</form>").unwrap()];
        assert!(retry.contains(r#"name="csrf_token" value="csrf-nav""#));
        assert!(retry.contains("Retry"));
        assert!(!html.contains("/officer/admin/mail/m-failing/retry"));
        assert!(!html.contains("<script") && !html.contains("style="));
        assert!(html.contains(r#"<a href="/officer/admin/mail">Mail delivery</a>"#));
    }

    #[test]
    fn an_empty_outbox_says_so() {
        let html = page(Vec::new(), notice_for("unknown")).render().unwrap();
        assert!(html.contains("No mail is failing"), "{html}");
        assert!(!html.contains("<table") && !html.contains(r#"role="status""#));
    }
}
