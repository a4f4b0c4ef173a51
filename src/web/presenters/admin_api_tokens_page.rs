//! The admin page of API tokens from the tokens, the form's state and a just-made secret.

use time::OffsetDateTime;

use crate::app::api::tokens::{self, CreatedToken};
use crate::domain::api_token::{ApiToken, RawNewApiToken, TokenStanding};
use crate::domain::submission::FieldError;
use crate::web::api_token_page::{AdminApiTokensPage, ApiTokenRow, Choice, CreatedSecret};
use crate::web::officer_pages::OfficerNav;
use crate::web::view;

pub fn admin_api_tokens_page(
    nav: OfficerNav,
    list: Vec<ApiToken>,
    form: &RawNewApiToken,
    errors: &[FieldError],
    created: Option<CreatedToken>,
    done: Option<&str>,
    now: OffsetDateTime,
) -> AdminApiTokensPage {
    let (scopes, regions) = tokens::choices();
    AdminApiTokensPage {
        nav,
        tokens: list.iter().map(|token| row(token, now)).collect(),
        created: created.map(|c| CreatedSecret {
            name: c.token.name,
            secret: c.secret.as_str().to_string(),
        }),
        notice: done.and_then(notice_for).map(str::to_string),
        errors: view::field_errors(errors.to_vec()),
        name: form.name.clone(),
        expires: form.expires.clone(),
        scopes: scopes
            .into_iter()
            .map(|s| Choice {
                value: s.as_str().to_string(),
                label: s.as_str().to_string(),
                checked: form.scopes.iter().any(|f| f == s.as_str()),
            })
            .collect(),
        regions: regions
            .into_iter()
            .map(|r| Choice {
                value: r.as_str().to_string(),
                label: r.label().to_string(),
                checked: form.regions.iter().any(|f| f == r.as_str()),
            })
            .collect(),
    }
}

fn row(token: &ApiToken, now: OffsetDateTime) -> ApiTokenRow {
    let standing = token.standing(now);
    ApiTokenRow {
        id: token.id.to_string(),
        name: token.name.clone(),
        scopes: token
            .scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        regions: if token.regions.is_empty() {
            "Every region".to_string()
        } else {
            token
                .regions
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", ")
        },
        created: view::display_time(token.created_at),
        expires: token
            .expires_at
            .map(view::display_time)
            .unwrap_or_else(|| "Never".to_string()),
        last_used: token
            .last_used_at
            .map(view::display_time)
            .unwrap_or_else(|| "Never".to_string()),
        standing: standing.label().to_string(),
        live: standing == TokenStanding::Live,
    }
}

fn notice_for(done: &str) -> Option<&'static str> {
    match done {
        "revoked" => Some("The token is revoked: calls with it are refused from now on."),
        _ => None,
    }
}
