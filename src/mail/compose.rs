//! Mail as the outbox stores it. Bodies carry the reference and a link, never the request's
//! details or the requester's name.

use askama::Template;
use time::macros::format_description;
use time::OffsetDateTime;

use super::templates::{
    ConfirmationMail, LookupLinkMail, RecordedMail, StatusChangedMail, VerificationMail,
};
use crate::domain::email::Email;
use crate::domain::intake::Channel;
use crate::domain::reference::Reference;
use crate::domain::token::TokenPurpose;
use crate::error::AppError;

/// A mail ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Which template made it (kept in the outbox for operators; no personal data).
    pub template: &'static str,
}

fn render(template: &impl Template) -> Result<String, AppError> {
    template
        .render()
        .map_err(|e| AppError::Internal(format!("mail template: {e}")))
}

/// A date as mail shows it, e.g. "9 March 2026, 14:00 UTC".
pub fn mail_date(at: OffsetDateTime) -> String {
    let format =
        format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    at.format(&format).unwrap_or_else(|_| at.to_string())
}

pub fn verification(
    to: &Email,
    reference: &Reference,
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let mail = VerificationMail {
        reference: reference.to_string(),
        link: link.to_string(),
        expires_days: TokenPurpose::Verify.lifetime().whole_days() as u32,
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "verification",
    })
}

pub fn confirmation(
    to: &str,
    reference: &str,
    link: &str,
    due: OffsetDateTime,
) -> Result<OutgoingMail, AppError> {
    let mail = ConfirmationMail {
        reference: reference.to_string(),
        link: link.to_string(),
        due_date: mail_date(due),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "confirmation",
    })
}

/// The mail to the requester of a recorded request: how and when it reached us, the due
/// date and the status link.
pub fn recorded(
    to: &str,
    reference: &str,
    channel: Channel,
    received: OffsetDateTime,
    link: &str,
    due: OffsetDateTime,
) -> Result<OutgoingMail, AppError> {
    let mail = RecordedMail {
        reference: reference.to_string(),
        channel: match channel {
            Channel::Post => "by post",
            Channel::Phone => "by phone",
            Channel::InPerson => "in person",
            Channel::Email => "by email",
            Channel::Agent => "through your agent",
        }
        .to_string(),
        received: mail_date(received),
        link: link.to_string(),
        due_date: mail_date(due),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "recorded",
    })
}

pub fn status_changed(
    to: &str,
    reference: &str,
    status_label: &str,
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let mail = StatusChangedMail {
        reference: reference.to_string(),
        status_label: status_label.to_string(),
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "status_changed",
    })
}

pub fn lookup_link(to: &str, reference: &str, link: &str) -> Result<OutgoingMail, AppError> {
    let mail = LookupLinkMail {
        reference: reference.to_string(),
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "lookup_link",
    })
}

/// Tells an admin that the audit trail recorded a security anomaly; nothing else.
pub fn security_alert(to: &str, link: &str) -> Result<OutgoingMail, AppError> {
    let mail = super::templates::SecurityAlertMail {
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "security_alert",
    })
}

/// Tells an admin that an officer's exports passed the export-spike thresholds; the audit
/// trail, behind the link, says who and how much.
pub fn export_spike_alert(to: &str, link: &str) -> Result<OutgoingMail, AppError> {
    let mail = super::templates::ExportSpikeAlertMail {
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "export_spike_alert",
    })
}

/// The notice before erasure: `items` are `(what, how many)`, `erase_from` the first moment
/// they may go. The body names kinds of data and counts, never the data.
pub fn erasure_notice(
    to: &str,
    items: &[(&str, i64)],
    erase_from: OffsetDateTime,
    grievance_link: &str,
) -> Result<OutgoingMail, AppError> {
    let lines: Vec<String> = items
        .iter()
        .map(|(what, n)| format!("- {what} ({n} {})", if *n == 1 { "item" } else { "items" }))
        .collect();
    let mail = super::templates::ErasureNoticeMail {
        items: lines.join("\n"),
        erase_from: mail_date(erase_from),
        grievance_link: grievance_link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "erasure_notice",
    })
}
