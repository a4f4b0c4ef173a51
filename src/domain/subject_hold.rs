//! A legal hold an admin places on a person without a request: a court's or regulator's
//! order naming someone by their email address.

use time::Date;

use super::email::Email;
use super::officer_action::{parse_hold_expiry, parse_order_reference, parse_required_text};
use super::submission::FieldError;

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSubjectHold {
    pub email: String,
    pub order_reference: String,
    pub reason: String,
    pub expires_on: String,
}

/// A hold order that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectHoldOrder {
    pub email: Email,
    pub order_reference: String,
    pub reason: String,
    pub expires_on: Option<Date>,
}

impl SubjectHoldOrder {
    /// Checks every field and returns all problems at once. `today` refuses an expiry that
    /// has already passed (a hold that would protect nothing).
    pub fn parse(raw: &RawSubjectHold, today: Date) -> Result<SubjectHoldOrder, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(&raw.email)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "email",
                    key: "",
                    message: e.to_string(),
                })
            })
            .ok();
        let order_reference = parse_order_reference(&raw.order_reference)
            .map_err(|e| errors.push(e))
            .ok();
        let reason = parse_required_text("reason", &raw.reason, "what the order requires")
            .map_err(|e| errors.push(e))
            .ok();
        let expires_on = match parse_hold_expiry(&raw.expires_on) {
            Ok(Some(date)) if date < today => {
                errors.push(FieldError {
                    field: "expires_on",
                    key: "",
                    message: "the expiry date has already passed".to_string(),
                });
                None
            }
            Ok(date) => date,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match (email, order_reference, reason) {
            (Some(email), Some(order_reference), Some(reason)) if errors.is_empty() => {
                Ok(SubjectHoldOrder {
                    email,
                    order_reference,
                    reason,
                    expires_on,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn raw() -> RawSubjectHold {
        RawSubjectHold {
            email: " Asha.Rao@Example.IN ".into(),
            order_reference: " HC-2026-17 ".into(),
            reason: "Preserve everything".into(),
            expires_on: String::new(),
        }
    }

    #[test]
    fn a_complete_order_parses() {
        let order = SubjectHoldOrder::parse(&raw(), date!(2026 - 12 - 01)).unwrap();
        assert_eq!(order.order_reference, "HC-2026-17");
        assert_eq!(order.expires_on, None);
        assert_eq!(
            order.email,
            Email::parse("asha.rao@example.in").unwrap(),
            "normalised like every stored email"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = RawSubjectHold {
            email: "not an email".into(),
            order_reference: " ".into(),
            reason: String::new(),
            expires_on: "2026-11-30".into(),
        };
        let fields: Vec<&str> = SubjectHoldOrder::parse(&bad, date!(2026 - 12 - 01))
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["email", "order_reference", "reason", "expires_on"]);
        let mut typo = raw();
        typo.expires_on = "2027-13-01".into();
        let errors = SubjectHoldOrder::parse(&typo, date!(2026 - 12 - 01)).unwrap_err();
        assert_eq!(errors[0].field, "expires_on");
        let mut today = raw();
        today.expires_on = "2026-12-01".into();
        assert!(SubjectHoldOrder::parse(&today, date!(2026 - 12 - 01)).is_ok());
    }
}
