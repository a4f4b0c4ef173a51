//! A workflow action an officer posts on a request, parsed from the form's text.

use std::fmt;
use std::str::FromStr;

use time::Date;

use super::day;
use super::fulfilment::Correction;
use super::lifecycle::Action;
use super::submission::{FieldError, MAX_TEXT_CHARS};

/// Why a request is refused; the requester is told the reason in these words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionReason {
    IdentityNotVerified,
    NoDataHeld,
    ManifestlyUnfounded,
    Excessive,
    LegalObligation,
    Other,
}

impl RejectionReason {
    pub const ALL: [RejectionReason; 6] = [
        RejectionReason::IdentityNotVerified,
        RejectionReason::NoDataHeld,
        RejectionReason::ManifestlyUnfounded,
        RejectionReason::Excessive,
        RejectionReason::LegalObligation,
        RejectionReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::IdentityNotVerified => "identity_not_verified",
            RejectionReason::NoDataHeld => "no_data_held",
            RejectionReason::ManifestlyUnfounded => "manifestly_unfounded",
            RejectionReason::Excessive => "excessive",
            RejectionReason::LegalObligation => "legal_obligation",
            RejectionReason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RejectionReason::IdentityNotVerified => "We could not verify your identity",
            RejectionReason::NoDataHeld => "We hold no data about you",
            RejectionReason::ManifestlyUnfounded => "The request is manifestly unfounded",
            RejectionReason::Excessive => "The request is excessive or repetitive",
            RejectionReason::LegalObligation => {
                "A legal obligation requires us to keep or use the data"
            }
            RejectionReason::Other => "Another reason, explained below",
        }
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RejectionReason {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RejectionReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

/// What an officer asked for, with its own fields checked.
#[derive(Debug, Clone, PartialEq)]
pub enum OfficerAction {
    Assign {
        assignee: String,
    },
    Start,
    AskRequester {
        message: String,
    },
    Extend {
        reason: String,
    },
    Reject {
        reason: RejectionReason,
        message: String,
    },
    Fulfil {
        message: String,
        /// The records a rectification or restriction applies to (none: restriction takes
        /// every record in use).
        records: Vec<String>,
        /// A rectification's change.
        correction: Option<Correction>,
        /// The purposes an objection or consent withdrawal covers (none: the request's own).
        purposes: Vec<String>,
    },
    Note {
        message: String,
    },
    Hold {
        target: HoldTarget,
        order_reference: String,
        expires_on: Option<Date>,
        reason: String,
    },
    ReleaseHold {
        hold_id: String,
    },
    /// Closes this request as a duplicate of the open request it was linked to.
    Merge,
}

impl OfficerAction {
    /// The lifecycle transition behind this action; holds change no status.
    pub fn lifecycle(&self) -> Option<Action> {
        match self {
            OfficerAction::Assign { .. } => Some(Action::Assign),
            OfficerAction::Start => Some(Action::Start),
            OfficerAction::AskRequester { .. } => Some(Action::AskRequester),
            OfficerAction::Extend { .. } => Some(Action::Extend),
            OfficerAction::Reject { .. } => Some(Action::Reject),
            OfficerAction::Fulfil { .. } => Some(Action::Fulfil),
            OfficerAction::Note { .. } => Some(Action::Note),
            OfficerAction::Merge => Some(Action::Merge),
            OfficerAction::Hold { .. } | OfficerAction::ReleaseHold { .. } => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            OfficerAction::Assign { .. } => "assign",
            OfficerAction::Start => "start",
            OfficerAction::AskRequester { .. } => "ask_requester",
            OfficerAction::Extend { .. } => "extend",
            OfficerAction::Reject { .. } => "reject",
            OfficerAction::Fulfil { .. } => "fulfil",
            OfficerAction::Note { .. } => "note",
            OfficerAction::Hold { .. } => "hold",
            OfficerAction::ReleaseHold { .. } => "release_hold",
            OfficerAction::Merge => "merge",
        }
    }
}

/// What a legal hold placed from a request covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldTarget {
    /// The request itself (its case file).
    Request,
    /// Everything held about the requester.
    Subject,
    /// One of the requester's records.
    Record(String),
}

impl HoldTarget {
    /// The scope stored with the hold.
    pub fn scope(&self) -> &'static str {
        match self {
            HoldTarget::Request => "request",
            HoldTarget::Subject => "subject",
            HoldTarget::Record(_) => "record",
        }
    }
}

/// The action form's fields as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct RawAction {
    pub action: String,
    pub version: String,
    pub assignee: String,
    pub message: String,
    pub reason: String,
    pub order_reference: String,
    pub expires_on: String,
    pub hold_id: String,
    pub hold_scope: String,
    pub record_id: Vec<String>,
    pub correction: String,
    pub purposes: Vec<String>,
}

/// A legal hold's order reference (the court's or regulator's), as typed.
pub fn parse_order_reference(text: &str) -> Result<String, FieldError> {
    let order_reference = text.trim().to_string();
    if order_reference.is_empty() || order_reference.chars().count() > 200 {
        return Err(error(
            "order_reference",
            "enter the order's reference (at most 200 characters)",
        ));
    }
    Ok(order_reference)
}

/// A legal hold's optional expiry date; empty means the hold stands until released.
pub fn parse_hold_expiry(text: &str) -> Result<Option<Date>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        text => day::parse(text)
            .map(Some)
            .map_err(|_| error("expires_on", "enter the expiry as a date like 2027-03-31")),
    }
}

/// The text of a required free-text field (a hold's reason, a message).
pub fn parse_required_text(
    field: &'static str,
    text: &str,
    what: &str,
) -> Result<String, FieldError> {
    required_text(field, text, what)
}

/// A parsed action and the request version the officer saw.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRequest {
    pub action: OfficerAction,
    pub version: i64,
}

fn error(field: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        key: "",
        message: message.to_string(),
    }
}

fn required_text(field: &'static str, text: &str, what: &str) -> Result<String, FieldError> {
    let text = text.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(error(field, &format!("write {what}")));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(error(
            field,
            &format!("this field has at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(text)
}

/// Trimmed, non-empty values, each once, in the order given.
fn distinct(values: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !seen.iter().any(|s: &String| s == value) {
            seen.push(value.to_string());
        }
    }
    seen
}

impl ActionRequest {
    pub fn parse(raw: &RawAction) -> Result<ActionRequest, FieldError> {
        let version = raw.version.trim().parse::<i64>().map_err(|_| {
            error(
                "version",
                "the form is missing the request's version; reload the page",
            )
        })?;
        let action = match raw.action.trim() {
            "assign" => {
                let assignee = raw.assignee.trim().to_string();
                if assignee.is_empty() {
                    return Err(error("assignee", "choose an officer"));
                }
                OfficerAction::Assign { assignee }
            }
            "start" => OfficerAction::Start,
            "merge" => OfficerAction::Merge,
            "ask_requester" => OfficerAction::AskRequester {
                message: required_text("message", &raw.message, "your question to the requester")?,
            },
            "extend" => OfficerAction::Extend {
                reason: required_text(
                    "reason",
                    &raw.reason,
                    "why more time is needed (the requester is told)",
                )?,
            },
            "reject" => OfficerAction::Reject {
                reason: raw
                    .reason
                    .trim()
                    .parse()
                    .map_err(|_| error("reason", "choose a reason from the list"))?,
                message: required_text(
                    "message",
                    &raw.message,
                    "an explanation for the requester",
                )?,
            },
            "fulfil" => OfficerAction::Fulfil {
                message: required_text("message", &raw.message, "the response to the requester")?,
                records: distinct(&raw.record_id),
                correction: match raw.correction.trim() {
                    "" => None,
                    text => Some(Correction::parse(text).map_err(|e| error("correction", &e))?),
                },
                purposes: distinct(&raw.purposes),
            },
            "note" => OfficerAction::Note {
                message: required_text("message", &raw.message, "the note")?,
            },
            "hold" => {
                let order_reference = parse_order_reference(&raw.order_reference)?;
                let expires_on = parse_hold_expiry(&raw.expires_on)?;
                let target = match raw.hold_scope.trim() {
                    "" | "request" => HoldTarget::Request,
                    "subject" => HoldTarget::Subject,
                    "record" => match distinct(&raw.record_id).as_slice() {
                        [one] => HoldTarget::Record(one.clone()),
                        _ => {
                            return Err(error("record_id", "choose the one record the hold covers"))
                        }
                    },
                    _ => return Err(error("hold_scope", "choose what the hold covers")),
                };
                OfficerAction::Hold {
                    target,
                    order_reference,
                    expires_on,
                    reason: required_text("reason", &raw.reason, "what the order requires")?,
                }
            }
            "release_hold" => {
                let hold_id = raw.hold_id.trim().to_string();
                if hold_id.is_empty() {
                    return Err(error("hold_id", "choose the hold to release"));
                }
                OfficerAction::ReleaseHold { hold_id }
            }
            _ => return Err(error("action", "unknown action")),
        };
        Ok(ActionRequest { action, version })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(action: &str) -> RawAction {
        RawAction {
            action: action.into(),
            version: "3".into(),
            ..RawAction::default()
        }
    }

    #[test]
    fn each_action_needs_its_own_fields() {
        assert_eq!(
            ActionRequest::parse(&raw("start")).unwrap().action,
            OfficerAction::Start
        );
        for (action, field) in [
            ("assign", "assignee"),
            ("ask_requester", "message"),
            ("extend", "reason"),
            ("reject", "reason"),
            ("fulfil", "message"),
            ("note", "message"),
            ("hold", "order_reference"),
            ("release_hold", "hold_id"),
            ("explode", "action"),
        ] {
            assert_eq!(
                ActionRequest::parse(&raw(action)).unwrap_err().field,
                field,
                "{action}"
            );
        }
    }

    #[test]
    fn a_missing_or_bad_version_is_refused() {
        let mut input = raw("start");
        input.version = "x".into();
        assert_eq!(ActionRequest::parse(&input).unwrap_err().field, "version");
    }

    #[test]
    fn reject_and_hold_parse_their_fields() {
        let mut input = raw("reject");
        input.reason = "no_data_held".into();
        input.message = " We searched every system. ".into();
        let parsed = ActionRequest::parse(&input).unwrap();
        assert_eq!(
            parsed.action,
            OfficerAction::Reject {
                reason: RejectionReason::NoDataHeld,
                message: "We searched every system.".into()
            }
        );
        assert_eq!(parsed.version, 3);

        let mut hold = raw("hold");
        hold.order_reference = "HC-2026-17".into();
        hold.reason = "Court order".into();
        hold.expires_on = "2027-13-01".into();
        assert_eq!(ActionRequest::parse(&hold).unwrap_err().field, "expires_on");
        for bad in [
            "-9999-01-01",
            "0000-01-01",
            "+2027-03-31",
            "２０２７-03-31",
            "NaN",
        ] {
            hold.expires_on = bad.into();
            assert_eq!(
                ActionRequest::parse(&hold).unwrap_err().field,
                "expires_on",
                "{bad}"
            );
        }
        hold.expires_on = "9999-12-31".into();
        assert!(ActionRequest::parse(&hold).is_ok());
        hold.expires_on = "2027-03-31".into();
        assert!(matches!(
            ActionRequest::parse(&hold).unwrap().action,
            OfficerAction::Hold {
                expires_on: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn reasons_round_trip() {
        for reason in RejectionReason::ALL {
            assert_eq!(reason.as_str().parse::<RejectionReason>(), Ok(reason));
        }
    }
}
