//! The "Record a request received offline" page from the form's state and the policy.

use time::OffsetDateTime;

use crate::domain::intake::{Channel, RawIntake};
use crate::domain::kind::RequestKind;
use crate::domain::locale::Locale;
use crate::domain::policy::Policy;
use crate::domain::regime::Regime;
use crate::domain::submission::FieldError;
use crate::i18n::{self, Messages};
use crate::web::intake_page::{Choice, IntakePage, LanguageChoice};
use crate::web::officer_pages::OfficerNav;
use crate::web::view;

pub fn intake_page(
    nav: OfficerNav,
    policy: &Policy,
    max_age_days: u64,
    form: &RawIntake,
    errors: &[FieldError],
    now: OffsetDateTime,
) -> IntakePage {
    let raw = &form.submission;
    let choice = |value: &str, label: &str, chosen: bool| Choice {
        value: value.to_string(),
        label: label.to_string(),
        chosen,
    };
    let stamp = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    IntakePage {
        nav,
        errors: view::field_errors(errors.to_vec()),
        kinds: RequestKind::ALL
            .iter()
            .map(|k| choice(k.as_str(), k.label(), raw.kind == k.as_str()))
            .collect(),
        regions: Regime::ALL
            .iter()
            .map(|r| choice(r.as_str(), r.label(), raw.region == r.as_str()))
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| choice(c.as_str(), c.label(), form.channel == c.as_str()))
            .collect(),
        languages: languages(&form.locale),
        purposes: policy
            .consent_purposes
            .iter()
            .map(|p| choice(&p.slug, &p.label, raw.purposes.contains(&p.slug)))
            .collect(),
        full_name: raw.full_name.clone(),
        email: raw.email.clone(),
        account_ref: raw.account_ref.clone(),
        details: raw.details.clone(),
        correction: raw.correction.clone(),
        received_at: form.received_at.clone(),
        content_removal: raw.content_removal,
        max_received_at: now.format(&stamp).unwrap_or_default(),
        max_age_days,
    }
}

/// Every language the program speaks; the one typed, or English, chosen.
fn languages(typed: &str) -> Vec<LanguageChoice> {
    let chosen = Locale::parse(typed).unwrap_or_default();
    i18n::supported()
        .into_iter()
        .map(|locale| LanguageChoice {
            tag: locale.as_str().to_string(),
            name: Messages::for_locale(&locale).t("language-name"),
            chosen: locale == chosen,
        })
        .collect()
}
