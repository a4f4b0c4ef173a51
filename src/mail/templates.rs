//! Plain-text mail bodies. They carry no personal data beyond the request's
//! reference and the link: no name, no email address, no request details.

use askama::Template;

/// Sent after `POST /requests`: confirm the request.
#[derive(Template)]
#[template(path = "mail/verification.txt")]
pub struct VerificationMail {
    pub reference: String,
    pub link: String,
    pub expires_days: u32,
}

impl VerificationMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        format!("Confirm your request {}", self.reference)
    }
}

/// Sent to admins when the audit trail records a security anomaly.
#[derive(Template)]
#[template(path = "mail/security_alert.txt")]
pub struct SecurityAlertMail {
    pub link: String,
}

impl SecurityAlertMail {
    pub fn subject(&self) -> String {
        "rightsdesk security alert: repeated failed sign-ins".to_string()
    }
}

/// Sent to admins when an officer's exports pass the export-spike thresholds.
#[derive(Template)]
#[template(path = "mail/export_spike_alert.txt")]
pub struct ExportSpikeAlertMail {
    pub link: String,
}

impl ExportSpikeAlertMail {
    pub fn subject(&self) -> String {
        "rightsdesk security alert: an export spike".to_string()
    }
}

/// Sent after verification: the status link and the due date.
#[derive(Template)]
#[template(path = "mail/confirmation.txt")]
pub struct ConfirmationMail {
    pub reference: String,
    pub link: String,
    pub due_date: String,
}

impl ConfirmationMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        format!("Your request {} is confirmed", self.reference)
    }
}

/// Sent when a request received by post, phone, in person, by email or through an agent is
/// recorded: how and when it arrived, the due date counted from then, and the status link.
#[derive(Template)]
#[template(path = "mail/recorded.txt")]
pub struct RecordedMail {
    pub reference: String,
    /// How it arrived, in words that follow "reached us" ("by post").
    pub channel: String,
    pub received: String,
    pub link: String,
    pub due_date: String,
}

impl RecordedMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        format!("We have recorded your request {}", self.reference)
    }
}

/// Sent when the request's status changes.
#[derive(Template)]
#[template(path = "mail/status_changed.txt")]
pub struct StatusChangedMail {
    pub reference: String,
    pub status_label: String,
    pub link: String,
}

impl StatusChangedMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        format!("News about your request {}", self.reference)
    }
}

/// Sent after a matching `POST /status/lookup`: a fresh status link.
#[derive(Template)]
#[template(path = "mail/lookup_link.txt")]
pub struct LookupLinkMail {
    pub reference: String,
    pub link: String,
}

impl LookupLinkMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        format!("A new link to your request {}", self.reference)
    }
}

/// Sent before a retention purge erases an Indian subject's records (DPDP Rules r.8(2)):
/// what kinds of data go and when, and where to reach the Grievance Officer. No content of
/// the data, no name.
#[derive(Template)]
#[template(path = "mail/erasure_notice.txt")]
pub struct ErasureNoticeMail {
    /// One line per kind of data, e.g. "- registration data from a cancelled account (2 items)".
    pub items: String,
    pub erase_from: String,
    pub grievance_link: String,
}

impl ErasureNoticeMail {
    pub fn subject(&self) -> String {
        "Notice: we will erase personal data we hold about you".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REF: &str = "RD-7K3M-9QXA";
    const LINK: &str = "https://privacy.example.com/status/Zm9vYmFyYmF6cXV4?a=1&b=2";

    /// Every line but the link fits in 76 characters; the link is intact
    /// (not HTML-escaped) and on a line of its own.
    fn check(body: &str) {
        assert!(body.contains(REF), "{body}");
        assert!(body.lines().any(|l| l == LINK), "{body}");
        for line in body.lines().filter(|l| *l != LINK) {
            assert!(line.chars().count() < 76, "too long: {line:?}");
        }
        assert!(!body.contains("&amp;") && !body.contains("&#"));
        assert!(!body.contains('<'));
    }

    #[test]
    fn verification_mail() {
        let mail = VerificationMail {
            reference: REF.into(),
            link: LINK.into(),
            expires_days: 7,
        };
        let body = mail.render().unwrap();
        check(&body);
        assert!(body.contains("expires in 7 days"));
        assert!(body.contains("Confirm my request"));
        assert!(mail.subject().contains(REF));
        let one = VerificationMail {
            expires_days: 1,
            ..mail
        };
        assert!(one.render().unwrap().contains("expires in 1 day."));
    }

    #[test]
    fn confirmation_mail() {
        let mail = ConfirmationMail {
            reference: REF.into(),
            link: LINK.into(),
            due_date: "Wednesday, 30 September 2026 (UTC)".into(),
        };
        let body = mail.render().unwrap();
        check(&body);
        assert!(body.contains("Wednesday, 30 September 2026 (UTC)"));
        assert!(mail.subject().contains(REF));
    }

    #[test]
    fn status_changed_mail() {
        let mail = StatusChangedMail {
            reference: REF.into(),
            status_label: "Waiting for your answer to our question".into(),
            link: LINK.into(),
        };
        let body = mail.render().unwrap();
        check(&body);
        assert!(body.contains("Waiting for your answer to our question"));
        assert!(mail.subject().contains(REF));
    }

    #[test]
    fn lookup_link_mail() {
        let mail = LookupLinkMail {
            reference: REF.into(),
            link: LINK.into(),
        };
        let body = mail.render().unwrap();
        check(&body);
        assert!(mail.subject().contains(REF));
    }

    #[test]
    fn erasure_notice_mail() {
        let mail = ErasureNoticeMail {
            items: "- registration data from a cancelled account (2 items)".into(),
            erase_from: "12 July 2026, 00:00 UTC".into(),
            grievance_link: LINK.into(),
        };
        let body = mail.render().unwrap();
        assert!(body.lines().any(|l| l == LINK), "{body}");
        for line in body.lines().filter(|l| *l != LINK) {
            assert!(line.chars().count() < 76, "too long: {line:?}");
        }
        assert!(!body.contains("&amp;") && !body.contains("&#"));
        assert!(body.contains("On or after 12 July 2026, 00:00 UTC, we will erase:"));
        assert!(body.contains("\n- registration data from a cancelled account (2 items)\n"));
        assert!(body.contains("Grievance Officer"));
    }
}
