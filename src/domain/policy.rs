//! The organisation's policy: deadline rules per regime and the consent purposes it asks for.

use serde::Deserialize;

use super::deadline::DeadlinePolicy;
use super::retention::RetentionPolicy;

/// A purpose the organisation asks consent for; a requester may withdraw it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPurpose {
    pub slug: String,
    pub label: String,
}

/// Everything the rules read from `[policy]`, with the built-in defaults filled in.
#[derive(Debug, Clone)]
pub struct Policy {
    pub deadlines: DeadlinePolicy,
    pub consent_purposes: Vec<ConsentPurpose>,
    pub retention: RetentionPolicy,
}

impl Policy {
    pub fn default_consent_purposes() -> Vec<ConsentPurpose> {
        [
            ("marketing", "Marketing messages"),
            ("analytics", "Analytics and product improvement"),
            (
                "personalisation",
                "Personalised content and recommendations",
            ),
            ("third_party_sharing", "Sharing with partners"),
        ]
        .into_iter()
        .map(|(slug, label)| ConsentPurpose {
            slug: slug.to_string(),
            label: label.to_string(),
        })
        .collect()
    }

    pub fn purpose_slugs(&self) -> Vec<&str> {
        self.consent_purposes
            .iter()
            .map(|p| p.slug.as_str())
            .collect()
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            deadlines: DeadlinePolicy::default(),
            consent_purposes: Policy::default_consent_purposes(),
            retention: RetentionPolicy::default(),
        }
    }
}
