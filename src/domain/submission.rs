//! A request as the requester submitted it, parsed from the form's raw text.

use super::email::Email;
use super::kind::RequestKind;
use super::regime::Regime;

/// The form's fields as text, before anything is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSubmission {
    pub kind: String,
    pub full_name: String,
    pub email: String,
    pub region: String,
    pub account_ref: String,
    pub details: String,
    pub correction: String,
    pub purposes: Vec<String>,
    pub content_removal: bool,
}

/// A checked submission: every value that exists is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub kind: RequestKind,
    pub full_name: String,
    pub email: Email,
    pub regime: Regime,
    pub account_ref: Option<String>,
    pub details: String,
    /// What the data should say instead (rectification only).
    pub correction: Option<String>,
    /// The consent purposes to withdraw (consent withdrawal only).
    pub purposes: Vec<String>,
    /// A grievance about content that should come down (India's 72-hour clock).
    pub content_removal: bool,
}

/// One problem with one field, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    /// The id of the message in the requester's language (`locales/*/errors.ftl`), with
    /// `{ $max }` for a length limit; empty where only the English `message` exists.
    pub key: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, key: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field,
            key,
            message: message.into(),
        }
    }

    /// A problem only officers and API clients read, in English: no requester page shows
    /// it, so it has no message id.
    pub fn untranslated(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError::new(field, "", message)
    }
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_ACCOUNT_REF_CHARS: usize = 100;
pub const MAX_TEXT_CHARS: usize = 5000;

impl Submission {
    /// Checks every field and returns all problems at once, so the form can show them
    /// together. `known_purposes` are the consent purposes the policy defines.
    pub fn parse(
        raw: &RawSubmission,
        known_purposes: &[&str],
    ) -> Result<Submission, Vec<FieldError>> {
        let mut errors = Vec::new();

        let kind = raw.kind.trim().parse::<RequestKind>().map_err(|_| {
            errors.push(FieldError::new(
                "kind",
                "error-kind-missing",
                "choose which right you want to use",
            ));
        });
        let regime = raw.region.trim().parse::<Regime>().map_err(|_| {
            errors.push(FieldError::new(
                "region",
                "error-region-missing",
                "choose where you live",
            ));
        });
        let email = Email::parse(&raw.email).map_err(|e| {
            errors.push(FieldError::new("email", e.key(), e.to_string()));
        });

        let full_name = clean_line(&raw.full_name);
        if full_name.is_empty() {
            errors.push(FieldError::new(
                "full_name",
                "error-full-name-missing",
                "enter your full name",
            ));
        } else if full_name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new(
                "full_name",
                "error-full-name-too-long",
                format!("a name has at most {MAX_NAME_CHARS} characters"),
            ));
        }

        let account_ref = clean_line(&raw.account_ref);
        if account_ref.chars().count() > MAX_ACCOUNT_REF_CHARS {
            errors.push(FieldError::new(
                "account_ref",
                "error-account-ref-too-long",
                format!("an account reference has at most {MAX_ACCOUNT_REF_CHARS} characters"),
            ));
        }

        let details = clean_text(&raw.details);
        check_length(&mut errors, "details", &details);
        let needs_details = kind.is_ok_and(RequestKind::needs_details);
        if needs_details && details.is_empty() {
            errors.push(FieldError::new(
                "details",
                "error-details-missing",
                "tell us what your request is about",
            ));
        }

        let correction = clean_text(&raw.correction);
        check_length(&mut errors, "correction", &correction);
        if kind == Ok(RequestKind::Rectification) && correction.is_empty() {
            errors.push(FieldError::new(
                "correction",
                "error-correction-missing",
                "tell us what the correct data is",
            ));
        }

        let mut purposes: Vec<String> = raw.purposes.iter().map(|p| p.trim().to_string()).collect();
        purposes.sort();
        purposes.dedup();
        if kind == Ok(RequestKind::ConsentWithdrawal) {
            if purposes.is_empty() {
                errors.push(FieldError::new(
                    "purposes",
                    "error-purposes-missing",
                    "choose at least one purpose to withdraw your consent from",
                ));
            } else if purposes
                .iter()
                .any(|p| !known_purposes.contains(&p.as_str()))
            {
                errors.push(FieldError::new(
                    "purposes",
                    "error-purposes-unknown",
                    "choose purposes from the list",
                ));
            }
        }

        match (kind, regime, email) {
            (Ok(kind), Ok(regime), Ok(email)) if errors.is_empty() => Ok(Submission {
                kind,
                full_name,
                email,
                regime,
                account_ref: (!account_ref.is_empty()).then_some(account_ref),
                details,
                correction: (kind == RequestKind::Rectification).then_some(correction),
                purposes: if kind == RequestKind::ConsentWithdrawal {
                    purposes
                } else {
                    Vec::new()
                },
                content_removal: kind == RequestKind::Grievance && raw.content_removal,
            }),
            _ => Err(errors),
        }
    }
}

fn check_length(errors: &mut Vec<FieldError>, field: &'static str, text: &str) {
    if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError::new(
            field,
            "error-text-too-long",
            format!("this field has at most {MAX_TEXT_CHARS} characters"),
        ));
    }
}

/// One line of text: trimmed, inner runs of white space folded, control characters dropped.
fn clean_line(input: &str) -> String {
    input
        .split_whitespace()
        .map(|word| word.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Free text: trimmed, line breaks kept, other control characters dropped.
fn clean_text(input: &str) -> String {
    input
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PURPOSES: &[&str] = &["marketing", "analytics"];

    fn raw(kind: &str) -> RawSubmission {
        RawSubmission {
            kind: kind.into(),
            full_name: "  Asha   Rao ".into(),
            email: "Asha@Example.in".into(),
            region: "in".into(),
            details: "Please help.".into(),
            ..RawSubmission::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<&'static str> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_access_request_parses_and_is_normalised() {
        let submission = Submission::parse(&raw("access"), PURPOSES).unwrap();
        assert_eq!(submission.kind, RequestKind::Access);
        assert_eq!(submission.full_name, "Asha Rao");
        assert_eq!(submission.email.as_str(), "asha@example.in");
        assert_eq!(submission.regime, Regime::In);
        assert_eq!(submission.account_ref, None);
        assert_eq!(submission.correction, None);
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = Submission::parse(&RawSubmission::default(), PURPOSES).unwrap_err();
        assert_eq!(fields(errors), vec!["kind", "region", "email", "full_name"]);
    }

    #[test]
    fn unknown_kind_and_region_are_refused() {
        let mut input = raw("delete_everything");
        input.region = "mars".into();
        assert_eq!(
            fields(Submission::parse(&input, PURPOSES).unwrap_err()),
            vec!["kind", "region"]
        );
    }

    #[test]
    fn kind_specific_fields_are_required_where_they_matter() {
        let errors = Submission::parse(&raw("rectification"), PURPOSES).unwrap_err();
        assert_eq!(fields(errors), vec!["correction"]);

        let errors = Submission::parse(&raw("consent_withdrawal"), PURPOSES).unwrap_err();
        assert_eq!(fields(errors), vec!["purposes"]);

        let mut unknown = raw("consent_withdrawal");
        unknown.purposes = vec!["selling".into()];
        assert_eq!(
            fields(Submission::parse(&unknown, PURPOSES).unwrap_err()),
            vec!["purposes"]
        );

        let mut good = raw("consent_withdrawal");
        good.purposes = vec!["marketing".into(), "marketing".into()];
        assert_eq!(
            Submission::parse(&good, PURPOSES).unwrap().purposes,
            vec!["marketing"]
        );

        let mut grievance = raw("grievance");
        grievance.details.clear();
        assert_eq!(
            fields(Submission::parse(&grievance, PURPOSES).unwrap_err()),
            vec!["details"]
        );
    }

    #[test]
    fn fields_of_other_kinds_are_dropped() {
        let mut input = raw("access");
        input.correction = "new address".into();
        input.purposes = vec!["marketing".into()];
        input.content_removal = true;
        let submission = Submission::parse(&input, PURPOSES).unwrap();
        assert_eq!(submission.correction, None);
        assert!(submission.purposes.is_empty());
        assert!(!submission.content_removal);
    }

    #[test]
    fn over_long_text_is_refused() {
        let mut input = raw("access");
        input.details = "x".repeat(MAX_TEXT_CHARS + 1);
        input.full_name = "n".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            fields(Submission::parse(&input, PURPOSES).unwrap_err()),
            vec!["full_name", "details"]
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        let mut input = raw("access");
        input.full_name = "Asha\u{0}\u{7} Rao".into();
        input.details = "line one\r\nline two\u{1b}".into();
        let submission = Submission::parse(&input, PURPOSES).unwrap();
        assert_eq!(submission.full_name, "Asha Rao");
        assert_eq!(submission.details, "line one\nline two");
    }
}
