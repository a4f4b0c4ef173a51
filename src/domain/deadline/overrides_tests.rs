use time::macros::{date, datetime};

use super::*;
use crate::domain::kind::RequestKind;
use crate::domain::regime::Regime;

fn parse(text: &str) -> Result<PolicyOverrides, toml::de::Error> {
    toml::from_str(text)
}

fn policy(text: &str) -> Result<DeadlinePolicy, PolicyError> {
    DeadlinePolicy::with_overrides(parse(text).expect("valid TOML shape"))
}

#[test]
fn empty_overrides_give_the_built_in_policy() {
    assert_eq!(parse("").expect("parses"), PolicyOverrides::default());
    assert_eq!(policy(""), Ok(DeadlinePolicy::default()));
    assert_eq!(policy("[regimes.eu]"), Ok(DeadlinePolicy::default()));
}

#[test]
fn valid_overrides_are_applied() {
    let got = policy(
        r#"
        holidays = ["2026-12-25", 2026-12-26, " 2027-01-01 "]

        [regimes.in]
        respond = "45 days"
        extension = "45 days"

        [regimes.in_grievance]
        acknowledge = "12 hours"
        content_removal_respond = "36 hours"

        [regimes.eu]
        acknowledge = "3 business days"
        roll_to_business_day = false

        [regimes.us-ca]
        extension = "None"

        [regimes.other]
        acknowledge = "  On  Verification "
        respond = "1 month"
        extension = "2 months"
        roll_to_business_day = true
        "#,
    )
    .expect("valid overrides");

    let defaults = DeadlinePolicy::default();
    let holidays = [
        date!(2026 - 12 - 25),
        date!(2026 - 12 - 26),
        date!(2027 - 01 - 01),
    ];
    assert_eq!(got.calendar, BusinessCalendar::new(holidays));
    assert_eq!(got.india.respond, Span::Days(45));
    assert_eq!(got.india.extension, Some(Span::Days(45)));
    assert_eq!(got.india.acknowledge, defaults.india.acknowledge);
    assert_eq!(
        got.india_grievance.acknowledge,
        Acknowledge::Within(Span::Hours(12))
    );
    assert_eq!(got.india_grievance.respond, Span::Days(15));
    assert_eq!(got.india_content_removal_respond, Span::Hours(36));
    assert_eq!(
        got.eu,
        RegimeRule {
            acknowledge: Acknowledge::Within(Span::BusinessDays(3)),
            roll_to_business_day: false,
            ..defaults.eu
        }
    );
    assert_eq!(got.us_ca.extension, None);
    assert_eq!(got.us_ca.respond, Span::Days(45));
    assert_eq!(
        got.other,
        RegimeRule {
            acknowledge: Acknowledge::OnVerification,
            respond: Span::Months(1),
            extension: Some(Span::Months(2)),
            roll_to_business_day: true,
        }
    );

    // The overridden policy drives the computations: Thu Dec 24 + 3 business days skips
    // the Dec 25 holiday and the weekend: Mon 28, Tue 29, Wed 30.
    let access = RequestKind::Access;
    let received = datetime!(2026-12-24 09:00 UTC);
    let eu = got.deadlines_for(Regime::Eu, access, false, received);
    assert_eq!(eu.acknowledge_by, Some(datetime!(2026-12-30 09:00 UTC)));
    assert_eq!(
        got.extended_due(Regime::UsCa, access, false, received),
        None
    );
}

#[test]
fn invalid_values_name_the_field() {
    let cases = [
        (
            "[regimes.eu]\nacknowledge = \"soon\"",
            "policy.regimes.eu.acknowledge",
            "expected \"on verification\" or a span like \"10 business days\", got \"soon\"",
        ),
        (
            "[regimes.us-ca]\nacknowledge = \"0 days\"",
            "policy.regimes.us-ca.acknowledge",
            "expected \"on verification\" or a span like \"10 business days\", got \"0 days\"",
        ),
        (
            "[regimes.in]\ncontent_removal_respond = \"72 hours\"",
            "policy.regimes.in.content_removal_respond",
            "only allowed under policy.regimes.in_grievance",
        ),
        (
            "[regimes.in_grievance]\nacknowledge = \"verification\"",
            "policy.regimes.in_grievance.acknowledge",
            "expected \"on verification\" or a span like \"10 business days\", got \"verification\"",
        ),
    ];
    for (text, field, message) in cases {
        let err = policy(text).expect_err(text);
        assert_eq!(err.field, field);
        assert_eq!(err.message, message);
        assert_eq!(err.to_string(), format!("{field}: {message}"));
    }
}

#[test]
fn malformed_shapes_are_rejected_while_parsing() {
    let cases = [
        (
            "[regimes.eu]\nrespnd = \"1 month\"",
            "unknown field `respnd`",
        ),
        ("[regimes.uk]\nrespond = \"1 month\"", "unknown field `uk`"),
        ("retention = 5", "unknown field `retention`"),
        (
            "[regimes.eu]\nrespond = \"fortnight\"",
            "invalid span \"fortnight\"",
        ),
        ("[regimes.eu]\nrespond = 30", "invalid type"),
        (
            "[regimes.other]\nextension = \"never\"",
            "expected \"none\" or a span like \"2 months\"",
        ),
        (
            "[regimes.eu]\nroll_to_business_day = \"yes\"",
            "invalid type",
        ),
        (
            "holidays = [\"2026-13-01\"]",
            "invalid holiday \"2026-13-01\"",
        ),
        (
            "holidays = [\"25/12/2026\"]",
            "invalid holiday \"25/12/2026\"",
        ),
        ("holidays = [2026-12-25T10:00:00]", "invalid holiday"),
        ("holidays = \"2026-12-25\"", "invalid type"),
    ];
    for (text, needle) in cases {
        let err = parse(text).expect_err(text).to_string();
        assert!(err.contains(needle), "{text:?} gave {err}");
    }
}

/// The configuration loader flattens these overrides into its `[policy]` table next to
/// other keys; serde then buffers values, which must not break the custom deserialisers.
#[test]
fn works_when_flattened_into_a_parent_table() {
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PolicyFile {
        #[allow(dead_code)]
        consent_purposes: Option<Vec<String>>,
        #[serde(flatten)]
        deadlines: PolicyOverrides,
    }
    let file: PolicyFile = toml::from_str(
        r#"
        consent_purposes = ["marketing"]
        holidays = ["2026-12-25", 2026-12-26]
        [regimes.eu]
        acknowledge = "on verification"
        extension = "none"
        respond = "30 days"
        "#,
    )
    .expect("parses");
    let got = DeadlinePolicy::with_overrides(file.deadlines).expect("valid");
    let holidays = [date!(2026 - 12 - 25), date!(2026 - 12 - 26)];
    assert_eq!(got.calendar, BusinessCalendar::new(holidays));
    assert_eq!(got.eu.respond, Span::Days(30));
    assert_eq!(got.eu.extension, None);
    for (text, needle) in [
        ("retention = 1", "unknown field `retention`"),
        ("[regimes.uk]", "unknown field `uk`"),
        (
            "[regimes.eu]\nrespnd = \"1 month\"",
            "unknown field `respnd`",
        ),
        (
            "holidays = [\"2026-02-30\"]",
            "invalid holiday \"2026-02-30\"",
        ),
        (
            "[regimes.eu]\nrespond = \"1 week\"",
            "invalid span \"1 week\"",
        ),
        (
            "[regimes.eu]\nextension = \"never\"",
            "expected \"none\" or a span",
        ),
    ] {
        let err = toml::from_str::<PolicyFile>(text)
            .expect_err(text)
            .to_string();
        assert!(err.contains(needle), "{text:?} gave {err}");
    }
}
