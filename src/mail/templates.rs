//! Plain-text mail bodies, in the requester's language (`locales/*/mail.ftl`). They carry no personal data beyond the request's
//! reference and the link: no name, no email address, no request details.

use askama::Template;

use crate::i18n::{Arg, Messages};

/// Sent after `POST /requests`: confirm the request.
#[derive(Template)]
#[template(path = "mail/verification.txt")]
pub struct VerificationMail {
    pub messages: Messages,
    pub reference: String,
    pub link: String,
    pub expires_days: u32,
}

impl VerificationMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        self.messages
            .t1("mail-verification-subject", "reference", &self.reference)
    }

    /// The text above the signature, in the requester's language.
    pub fn body(&self) -> String {
        self.messages.t_with(
            "mail-verification-body",
            &[
                ("reference", Arg::from(self.reference.as_str())),
                ("link", Arg::from(self.link.as_str())),
                ("days", Arg::Number(i64::from(self.expires_days))),
            ],
        )
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
    pub messages: Messages,
    pub reference: String,
    pub link: String,
    pub due_date: String,
    /// The requester's open request of the same kind this one was linked to.
    pub linked_to: Option<String>,
}

impl ConfirmationMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        self.messages
            .t1("mail-confirmation-subject", "reference", &self.reference)
    }

    pub fn body(&self) -> String {
        let body = self.messages.t_with(
            "mail-confirmation-body",
            &[
                ("reference", Arg::from(self.reference.as_str())),
                ("link", Arg::from(self.link.as_str())),
                ("due", Arg::from(self.due_date.as_str())),
            ],
        );
        match &self.linked_to {
            Some(open) => format!(
                "{body}\n\n{}",
                self.messages
                    .t1("mail-confirmation-linked", "reference", open)
            ),
            None => body,
        }
    }
}

/// Sent when a request received by post, phone, in person, by email or through an agent is
/// recorded: how and when it arrived, the due date counted from then, and the status link.
#[derive(Template)]
#[template(path = "mail/recorded.txt")]
pub struct RecordedMail {
    pub messages: Messages,
    pub reference: String,
    /// How it arrived, in the requester's language (`mail-recorded-channel`).
    pub channel: String,
    pub received: String,
    pub link: String,
    pub due_date: String,
}

impl RecordedMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        self.messages
            .t1("mail-recorded-subject", "reference", &self.reference)
    }

    pub fn body(&self) -> String {
        self.messages.t_with(
            "mail-recorded-body",
            &[
                ("reference", Arg::from(self.reference.as_str())),
                ("channel", Arg::from(self.channel.as_str())),
                ("received", Arg::from(self.received.as_str())),
                ("due", Arg::from(self.due_date.as_str())),
                ("link", Arg::from(self.link.as_str())),
            ],
        )
    }
}

/// Sent when the request's status changes.
#[derive(Template)]
#[template(path = "mail/status_changed.txt")]
pub struct StatusChangedMail {
    pub messages: Messages,
    pub reference: String,
    pub status_label: String,
    pub link: String,
}

impl StatusChangedMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        self.messages
            .t1("mail-status-subject", "reference", &self.reference)
    }

    pub fn body(&self) -> String {
        self.messages.t_with(
            "mail-status-body",
            &[
                ("reference", Arg::from(self.reference.as_str())),
                ("link", Arg::from(self.link.as_str())),
                ("status", Arg::from(self.status_label.as_str())),
            ],
        )
    }
}

/// The outcome of a fulfilled request whose source systems have not all confirmed their
/// part: the ones still to act, by name.
#[derive(Template)]
#[template(path = "mail/status_changed.txt")]
pub struct TasksLeftMail {
    pub messages: Messages,
    pub reference: String,
    /// The source systems still to act, joined for reading.
    pub sources: String,
    pub link: String,
}

impl TasksLeftMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        self.messages
            .t1("mail-status-subject", "reference", &self.reference)
    }

    pub fn body(&self) -> String {
        self.messages.t_with(
            "mail-tasks-left-body",
            &[
                ("reference", Arg::from(self.reference.as_str())),
                ("link", Arg::from(self.link.as_str())),
                ("sources", Arg::from(self.sources.as_str())),
            ],
        )
    }
}

/// Sent after a matching `POST /status/lookup`: a fresh status link.
#[derive(Template)]
#[template(path = "mail/lookup_link.txt")]
pub struct LookupLinkMail {
    pub messages: Messages,
    pub reference: String,
    pub link: String,
}

impl LookupLinkMail {
    /// The mail's subject line (the reference only, no personal data).
    pub fn subject(&self) -> String {
        self.messages
            .t1("mail-lookup-subject", "reference", &self.reference)
    }

    pub fn body(&self) -> String {
        self.messages.t_with(
            "mail-lookup-body",
            &[
                ("reference", Arg::from(self.reference.as_str())),
                ("link", Arg::from(self.link.as_str())),
            ],
        )
    }
}

/// Sent before a retention purge erases an Indian subject's records (DPDP Rules r.8(2)):
/// what kinds of data go and when, and where to reach the Grievance Officer. No content of
/// the data, no name.
#[derive(Template)]
#[template(path = "mail/erasure_notice.txt")]
pub struct ErasureNoticeMail {
    pub messages: Messages,
    /// One line per kind of data, e.g. "- registration data from a cancelled account (2 items)".
    pub items: String,
    pub erase_from: String,
    pub grievance_link: String,
}

impl ErasureNoticeMail {
    pub fn subject(&self) -> String {
        self.messages.t("mail-erasure-subject")
    }

    pub fn body(&self) -> String {
        self.messages.t_with(
            "mail-erasure-body",
            &[
                ("items", Arg::from(self.items.as_str())),
                ("from", Arg::from(self.erase_from.as_str())),
                ("link", Arg::from(self.grievance_link.as_str())),
            ],
        )
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
            messages: Messages::english(),
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
            messages: Messages::english(),
            reference: REF.into(),
            link: LINK.into(),
            due_date: "Wednesday, 30 September 2026 (UTC)".into(),
            linked_to: None,
        };
        let body = mail.render().unwrap();
        check(&body);
        assert!(body.contains("Wednesday, 30 September 2026 (UTC)"));
        assert!(mail.subject().contains(REF));
    }

    #[test]
    fn status_changed_mail() {
        let mail = StatusChangedMail {
            messages: Messages::english(),
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
            messages: Messages::english(),
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
            messages: Messages::english(),
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

    #[test]
    fn recorded_mail_in_english_and_hindi() {
        for (messages, channel, received, needle) in [
            (
                Messages::english(),
                "through your agent",
                "28 November 2026, 15:00 UTC",
                "which reached us\nthrough your agent on 28 November 2026, 15:00 UTC.",
            ),
            (
                hindi(),
                "आपका अधिकृत प्रतिनिधि",
                "28 नवंबर 2026, 20:30 भारतीय मानक समय",
                "अनुरोध प्राप्त होने का समय: 28 नवंबर 2026, 20:30 भारतीय मानक समय",
            ),
        ] {
            let mail = RecordedMail {
                messages,
                reference: REF.into(),
                channel: channel.into(),
                received: received.into(),
                link: LINK.into(),
                due_date: received.into(),
            };
            let body = mail.render().unwrap();
            check(&body);
            assert!(body.contains(needle), "{body}");
            assert!(mail.subject().contains(REF));
        }
    }

    fn hindi() -> Messages {
        Messages::for_locale(&crate::domain::locale::Locale::parse("hi").unwrap())
    }

    #[test]
    fn requester_mail_in_hindi() {
        let verification = VerificationMail {
            messages: hindi(),
            reference: REF.into(),
            link: LINK.into(),
            expires_days: 7,
        };
        let body = verification.render().unwrap();
        check(&body);
        assert!(body.starts_with("नमस्कार,"));
        assert!(body.contains("7 दिन में समाप्त"));
        assert!(verification.subject().contains(REF));
        let confirmation = ConfirmationMail {
            messages: hindi(),
            reference: REF.into(),
            link: LINK.into(),
            due_date: "31 दिसंबर 2026, 13:40 भारतीय मानक समय".into(),

            linked_to: None,
        };
        let body = confirmation.render().unwrap();
        check(&body);
        assert!(body.contains("हम 31 दिसंबर 2026, 13:40 भारतीय मानक समय तक उत्तर देंगे।"));
        let status = StatusChangedMail {
            messages: hindi(),
            reference: REF.into(),
            status_label: "पूरा हुआ".into(),
            link: LINK.into(),
        };
        check(&status.render().unwrap());
        let lookup = LookupLinkMail {
            messages: hindi(),
            reference: REF.into(),
            link: LINK.into(),
        };
        check(&lookup.render().unwrap());
        let erasure = ErasureNoticeMail {
            messages: hindi(),
            items: "- रद्द किए गए खाते का पंजीकरण डेटा (2 मद)".into(),
            erase_from: "14 दिसंबर 2026, 05:30 भारतीय मानक समय".into(),
            grievance_link: LINK.into(),
        };
        let body = erasure.render().unwrap();
        for line in body.lines().filter(|l| *l != LINK) {
            assert!(line.chars().count() < 76, "too long: {line:?}");
        }
        assert!(body.contains("शिकायत"));
        assert!(body.ends_with("-- \nrightsdesk") || body.ends_with("-- \nrightsdesk\n"));
    }
}
