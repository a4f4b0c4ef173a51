//! `GET /officer/admin/api-tokens`: tokens for other systems on the JSON API, made and
//! revoked by admins. A new token's secret is shown on the page that answers its creation,
//! once.

use askama::Template;

use super::officer_pages::OfficerNav;
use super::pages::FieldError;

#[derive(Template)]
#[template(path = "officer/admin_api_tokens.html")]
pub struct AdminApiTokensPage {
    pub nav: OfficerNav,
    pub tokens: Vec<ApiTokenRow>,
    /// The secret of the token just made, shown only on this answer.
    pub created: Option<CreatedSecret>,
    pub notice: Option<String>,
    /// Errors of the create form (`name`, `scope`, `region`, `expires`).
    pub errors: Vec<FieldError>,
    pub name: String,
    pub expires: String,
    pub scopes: Vec<Choice>,
    pub regions: Vec<Choice>,
}

impl AdminApiTokensPage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// A token just made: its name and secret.
pub struct CreatedSecret {
    pub name: String,
    pub secret: String,
}

/// A checkbox of the create form.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One token as listed.
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub scopes: String,
    /// "Every region" or the regions' names.
    pub regions: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub standing: String,
    pub live: bool,
}
