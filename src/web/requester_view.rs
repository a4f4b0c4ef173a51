//! Turning domain values into the words requester pages show, in the requester's
//! language (`locales/`). The officer workspace's words stay in `view.rs`.

use time::OffsetDateTime;

use super::pages::{FieldError, KindOption, RegimeOption, RetentionRow};
use crate::domain::deadline::{Acknowledge, DeadlinePolicy, DueRuleFacts};
use crate::domain::kind::RequestKind;
use crate::domain::regime::Regime;
use crate::domain::retention::{PurgeClass, RetentionPolicy};
use crate::domain::submission::{self, MAX_ACCOUNT_REF_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::i18n::{self, Arg, Messages};

pub fn kind_label(kind: RequestKind, messages: &Messages) -> String {
    messages.t(&format!("kind-{}", kind.as_str()))
}

pub fn kind_option(kind: RequestKind, messages: &Messages) -> KindOption {
    KindOption {
        slug: kind.as_str().to_string(),
        label: kind_label(kind, messages),
        description: messages.t(&format!("kind-{}-description", kind.as_str())),
        details_required: kind.needs_details(),
    }
}

pub fn kind_options(messages: &Messages) -> Vec<KindOption> {
    RequestKind::ALL
        .into_iter()
        .map(|kind| kind_option(kind, messages))
        .collect()
}

pub fn regime_label(regime: Regime, messages: &Messages) -> String {
    messages.t(&format!("regime-{}", regime.as_str()))
}

pub fn regime_law(regime: Regime, messages: &Messages) -> String {
    messages.t(&format!("regime-{}-law", regime.as_str()))
}

/// Each regime's clocks for an ordinary request; India's grievance clock is added in words.
pub fn regime_options(policy: &DeadlinePolicy, messages: &Messages) -> Vec<RegimeOption> {
    let span = |s| i18n::span(messages, s);
    let oblique = |s| i18n::span_oblique(messages, s);
    Regime::ALL
        .into_iter()
        .map(|regime| {
            let rule = policy.rule_for(regime, RequestKind::Access);
            let acknowledge = match rule.acknowledge {
                Acknowledge::Within(s) => {
                    messages.t1("deadline-acknowledge-within", "span", &oblique(s))
                }
                Acknowledge::OnVerification => messages.t("deadline-acknowledge-on-verification"),
            };
            let respond = if regime == Regime::In {
                messages.t_with(
                    "deadline-respond-india",
                    &[
                        ("respond", Arg::from(span(rule.respond))),
                        ("grievance", Arg::from(span(policy.india_grievance.respond))),
                        (
                            "removal",
                            Arg::from(span(policy.india_content_removal_respond)),
                        ),
                    ],
                )
            } else {
                span(rule.respond)
            };
            let extension = match rule.extension {
                Some(s) => messages.t1("deadline-extension-once", "span", &oblique(s)),
                None => messages.t("deadline-extension-none"),
            };
            RegimeOption {
                slug: regime.as_str().to_string(),
                label: regime_label(regime, messages),
                law: regime_law(regime, messages),
                acknowledge,
                respond,
                extension,
            }
        })
        .collect()
}

/// How a request's due date was worked out, in words.
pub fn due_rule(facts: &DueRuleFacts, messages: &Messages) -> String {
    let yes_no = |b: bool| Arg::from(if b { "yes" } else { "no" });
    messages.t_with(
        "deadline-rule",
        &[
            ("law", Arg::from(regime_law(facts.regime, messages))),
            (
                "respond",
                Arg::from(i18n::span_oblique(messages, facts.respond)),
            ),
            ("business", yes_no(facts.business_days)),
            ("removal", yes_no(facts.content_removal)),
            ("rolls", yes_no(facts.rolls)),
            ("extendable", yes_no(facts.extension.is_some())),
            (
                "extension",
                Arg::from(
                    facts
                        .extension
                        .map(|s| i18n::span_oblique(messages, s))
                        .unwrap_or_default(),
                ),
            ),
        ],
    )
}

/// "12 days left", "Due within 5 hours", "Overdue by 3 days": in words, never only in colour.
pub fn due_note(
    due: OffsetDateTime,
    now: OffsetDateTime,
    closed: bool,
    messages: &Messages,
) -> String {
    if closed {
        return messages.t("due-closed");
    }
    match (due - now).whole_hours() {
        h if h < 0 => messages.count("due-overdue", "days", (-h + 23) / 24),
        h if h < 24 => messages.count("due-within-hours", "hours", h.max(1)),
        h => messages.count("due-days-left", "days", h / 24),
    }
}

/// The retention rules in the requester's words, with the periods the policy sets.
pub fn retention_rows(policy: &RetentionPolicy, messages: &Messages) -> Vec<RetentionRow> {
    let period = |class: PurgeClass| i18n::span_oblique(messages, policy.period(class));
    let deleted_after =
        |class: PurgeClass| messages.t1("retention-deleted-after", "period", &period(class));
    vec![
        (
            "retention-registration",
            deleted_after(PurgeClass::Registration),
        ),
        (
            "retention-removed-content",
            deleted_after(PurgeClass::RemovedContent),
        ),
        (
            "retention-erased-records",
            deleted_after(PurgeClass::ErasedRecords),
        ),
        (
            "retention-unverified",
            deleted_after(PurgeClass::UnverifiedRequests),
        ),
        (
            "retention-closed-files",
            messages.t1(
                "retention-closed-files-period",
                "period",
                &period(PurgeClass::ClosedCaseFiles),
            ),
        ),
        ("retention-package", messages.t("retention-package-period")),
        ("retention-held", messages.t("retention-held-period")),
    ]
    .into_iter()
    .map(|(what, period)| RetentionRow {
        what: messages.t(what),
        period,
    })
    .collect()
}

/// A form's problems in the requester's language (their English words where a message has
/// no id).
pub fn field_errors(errors: &[submission::FieldError], messages: &Messages) -> Vec<FieldError> {
    errors
        .iter()
        .map(|e| {
            let max = match e.field {
                "full_name" => MAX_NAME_CHARS,
                "account_ref" => MAX_ACCOUNT_REF_CHARS,
                _ => MAX_TEXT_CHARS,
            };
            let message = if e.key.is_empty() {
                super::view::field_errors(vec![e.clone()])
                    .pop()
                    .map(|f| f.message)
                    .unwrap_or_default()
            } else {
                messages.t1(e.key, "max", &max.to_string())
            };
            FieldError {
                field: e.field.to_string(),
                message,
            }
        })
        .collect()
}

/// A size in bytes for people: "512 bytes", "14 KB", "2.5 MB".
pub fn display_size(bytes: i64, messages: &Messages) -> String {
    const KB: f64 = 1000.0;
    let b = bytes.max(0) as f64;
    if b < KB {
        messages.count("size-bytes", "count", bytes.max(0))
    } else if b < KB * KB {
        messages.t1(
            "size-kb",
            "size",
            &i18n::number(messages, (b / KB).round() as i64),
        )
    } else {
        messages.t1("size-mb", "size", &format!("{:.1}", b / (KB * KB)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::locale::Locale;
    use time::macros::datetime;
    use time::Duration;

    fn hindi() -> Messages {
        Messages::for_locale(&Locale::parse("hi").unwrap())
    }

    #[test]
    fn due_notes_say_the_time_left_in_words() {
        let en = Messages::english();
        let now = datetime!(2026-03-10 12:00 UTC);
        assert_eq!(
            due_note(now + Duration::days(12), now, false, &en),
            "12 days left"
        );
        assert_eq!(
            due_note(now + Duration::days(1), now, false, &en),
            "1 day left"
        );
        assert_eq!(
            due_note(now + Duration::hours(5), now, false, &en),
            "Due within 5 hours"
        );
        assert_eq!(
            due_note(now - Duration::hours(30), now, false, &en),
            "Overdue by 2 days"
        );
        assert_eq!(due_note(now, now, true, &en), "This request is closed.");
        assert_eq!(
            due_note(now + Duration::days(12), now, false, &hindi()),
            "12 दिन शेष"
        );
    }

    #[test]
    fn sizes_group_digits_by_language() {
        assert_eq!(display_size(512, &Messages::english()), "512 bytes");
        assert_eq!(display_size(123_456_000, &Messages::english()), "123.5 MB");
        assert_eq!(display_size(999_000, &hindi()), "999 KB");
        assert_eq!(display_size(14_000, &Messages::english()), "14 KB");
    }

    #[test]
    fn every_kind_regime_and_status_has_words_in_every_language() {
        use crate::domain::status::RequestStatus;
        let statuses = [
            RequestStatus::Unverified,
            RequestStatus::Open,
            RequestStatus::InProgress,
            RequestStatus::AwaitingRequester,
            RequestStatus::Fulfilled,
            RequestStatus::Rejected,
            RequestStatus::Withdrawn,
        ];
        for locale in i18n::supported() {
            let messages = Messages::for_locale(&locale);
            let mut ids = Vec::new();
            for kind in RequestKind::ALL {
                ids.push(format!("kind-{}", kind.as_str()));
                ids.push(format!("kind-{}-description", kind.as_str()));
            }
            for regime in Regime::ALL {
                ids.push(format!("regime-{}", regime.as_str()));
                ids.push(format!("regime-{}-law", regime.as_str()));
            }
            for status in statuses {
                ids.push(format!("status-{}", status.as_str()));
                ids.push(format!("status-{}-explanation", status.as_str()));
            }
            for id in ids {
                assert!(messages.has(&id), "{locale}: {id}");
            }
        }
    }

    #[test]
    fn hindi_puts_spans_before_postpositions_in_the_oblique_case() {
        use crate::domain::span::Span;
        let facts = DueRuleFacts {
            regime: Regime::Eu,
            respond: Span::Months(1),
            business_days: false,
            content_removal: false,
            rolls: true,
            extension: Some(Span::Months(2)),
        };
        assert_eq!(
            due_rule(&facts, &Messages::english()),
            "GDPR: 1 month from receipt, moved to the next business day when it falls on a \
             weekend or holiday; extendable once by 2 months."
        );
        assert_eq!(
            due_rule(&facts, &hindi()),
            "जीडीपीआर: अनुरोध प्राप्त होने के 1 महीने के भीतर; अंतिम तिथि सप्ताहांत या अवकाश \
             पर पड़े, तो अगला कार्य दिवस; इसे एक बार 2 महीने तक बढ़ाया जा सकता है।"
        );
        let facts = DueRuleFacts {
            regime: Regime::In,
            respond: Span::Hours(72),
            business_days: false,
            content_removal: true,
            rolls: false,
            extension: None,
        };
        assert_eq!(
            due_rule(&facts, &hindi()),
            "डीपीडीपी अधिनियम 2023 और आईटी नियम 2021: अनुरोध प्राप्त होने के 72 घंटे के भीतर \
             (सामग्री हटाने से जुड़ी शिकायत के लिए); इसे बढ़ाया नहीं जा सकता।"
        );
    }
}
