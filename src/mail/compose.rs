//! Mail as the outbox stores it. Bodies carry the reference and a link, never the request's
//! details or the requester's name.

use askama::Template;
use time::OffsetDateTime;

use super::templates::{
    ConfirmationMail, LookupLinkMail, RecordedMail, StatusChangedMail, TasksLeftMail,
    VerificationMail,
};
use crate::domain::email::Email;
use crate::domain::intake::Channel;
use crate::domain::reference::Reference;
use crate::domain::report::ReportZone;
use crate::domain::retention::PurgeClass;
use crate::domain::status::RequestStatus;
use crate::domain::token::TokenPurpose;
use crate::error::AppError;
use crate::i18n::{self, Arg, Messages};

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

/// A time as a requester's mail shows it, on `zone`'s clock and named in their language,
/// e.g. "9 March 2026, 14:00 UTC" or "9 मार्च 2026, 19:30 भारतीय मानक समय".
pub fn mail_date(messages: &Messages, at: OffsetDateTime, zone: &ReportZone) -> String {
    i18n::datetime(messages, at, zone)
}

pub fn verification(
    messages: &Messages,
    to: &Email,
    reference: &Reference,
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let mail = VerificationMail {
        messages: messages.clone(),
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

/// Where a requester's mail is addressed and in which language and zone it speaks.
pub struct Reader<'a> {
    pub to: &'a str,
    pub messages: &'a Messages,
    pub zone: &'a ReportZone,
}

pub fn confirmation(
    reader: &Reader<'_>,
    reference: &str,
    link: &str,
    due: OffsetDateTime,
    linked_to: Option<&str>,
) -> Result<OutgoingMail, AppError> {
    let mail = ConfirmationMail {
        messages: reader.messages.clone(),
        reference: reference.to_string(),
        link: link.to_string(),
        due_date: mail_date(reader.messages, due, reader.zone),
        linked_to: linked_to.map(str::to_string),
    };
    Ok(OutgoingMail {
        to: reader.to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "confirmation",
    })
}

/// The mail to the requester of a recorded request: how and when it reached us, the due
/// date and the status link, in their language and on their clock.
pub fn recorded(
    reader: &Reader<'_>,
    reference: &str,
    channel: Channel,
    received: OffsetDateTime,
    link: &str,
    due: OffsetDateTime,
) -> Result<OutgoingMail, AppError> {
    let messages = reader.messages;
    let mail = RecordedMail {
        messages: messages.clone(),
        reference: reference.to_string(),
        channel: messages.t1("mail-recorded-channel", "channel", channel.as_str()),
        received: mail_date(messages, received, reader.zone),
        link: link.to_string(),
        due_date: mail_date(messages, due, reader.zone),
    };
    Ok(OutgoingMail {
        to: reader.to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "recorded",
    })
}

/// The news of a new status; `extended` says that the deadline moved with it.
pub fn status_changed(
    messages: &Messages,
    to: &str,
    reference: &str,
    status: RequestStatus,
    extended: bool,
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let status_key = format!("status-{}", status.as_str());
    let status_label = if extended {
        messages.t1("mail-status-extended", "status", &messages.t(&status_key))
    } else {
        messages.t(&status_key)
    };
    let mail = StatusChangedMail {
        messages: messages.clone(),
        reference: reference.to_string(),
        status_label,
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "status_changed",
    })
}

/// The outcome of a fulfilled request closed while the source systems `open_sources` have
/// not confirmed their part.
pub fn closed_with_open_tasks(
    messages: &Messages,
    to: &str,
    reference: &str,
    open_sources: &[String],
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let mail = TasksLeftMail {
        messages: messages.clone(),
        reference: reference.to_string(),
        sources: open_sources.join(", "),
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "closed_with_open_tasks",
    })
}

/// The news that a duplicate was merged into the requester's open request `original`.
pub fn merged(
    messages: &Messages,
    to: &str,
    reference: &str,
    original: &str,
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let mail = StatusChangedMail {
        messages: messages.clone(),
        reference: reference.to_string(),
        status_label: messages.t1("mail-status-merged", "reference", original),
        link: link.to_string(),
    };
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "status_changed",
    })
}

pub fn lookup_link(
    messages: &Messages,
    to: &str,
    reference: &str,
    link: &str,
) -> Result<OutgoingMail, AppError> {
    let mail = LookupLinkMail {
        messages: messages.clone(),
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
    reader: &Reader<'_>,
    items: &[(PurgeClass, i64)],
    erase_from: OffsetDateTime,
    grievance_link: &str,
) -> Result<OutgoingMail, AppError> {
    let messages = reader.messages;
    let lines: Vec<String> = items
        .iter()
        .map(|(class, n)| {
            messages.t_with(
                "mail-erasure-item",
                &[
                    (
                        "what",
                        Arg::from(messages.t1("mail-erasure-class", "class", class.as_str())),
                    ),
                    ("count", Arg::Number(*n)),
                ],
            )
        })
        .collect();
    let mail = super::templates::ErasureNoticeMail {
        messages: messages.clone(),
        items: lines.join("\n"),
        erase_from: mail_date(messages, erase_from, reader.zone),
        grievance_link: grievance_link.to_string(),
    };
    Ok(OutgoingMail {
        to: reader.to.to_string(),
        subject: mail.subject(),
        body: render(&mail)?,
        template: "erasure_notice",
    })
}
