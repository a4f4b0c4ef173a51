//! The request form and its submission.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render, render_with_csrf, see_other, CsrfForm, LimitedPost};
use crate::app;
use crate::domain::kind::RequestKind;
use crate::domain::locale::supported_locale;
use crate::domain::submission::{self, RawSubmission};
use crate::i18n;
use crate::web::error::WebError;
use crate::web::language::PageLang;
use crate::web::pages::{PurposeOption, RequestFormPage, SubmittedPage};
use crate::web::requester_view as words;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubmitForm {
    kind: String,
    full_name: String,
    email: String,
    region: String,
    account_ref: String,
    details: String,
    correction: String,
    purposes: Vec<String>,
    content_removal: Option<String>,
    /// The language the form was shown in: the request keeps it.
    lang: String,
    csrf_token: String,
}

impl CsrfForm for SubmitForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl SubmitForm {
    fn raw(&self) -> RawSubmission {
        RawSubmission {
            kind: self.kind.clone(),
            full_name: self.full_name.clone(),
            email: self.email.clone(),
            region: self.region.clone(),
            account_ref: self.account_ref.clone(),
            details: self.details.clone(),
            correction: self.correction.clone(),
            purposes: self.purposes.clone(),
            content_removal: self.content_removal.is_some(),
        }
    }
}

pub async fn new_form(
    state: web::Data<WebState>,
    req: HttpRequest,
    lang: PageLang,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, WebError> {
    let form = SubmitForm {
        kind: query.into_inner().kind.unwrap_or_default(),
        ..SubmitForm::default()
    };
    form_page(&state, &req, lang, &form, &[])
}

pub async fn submit(
    state: web::Data<WebState>,
    req: HttpRequest,
    lang: PageLang,
    LimitedPost(form): LimitedPost<SubmitForm>,
) -> Result<HttpResponse, WebError> {
    // The form's own language field wins over the browser's: it is what the requester read.
    let lang = match supported_locale(&form.lang, &i18n::supported()) {
        Some(locale) if !lang.explicit => lang.in_locale(&locale),
        _ => lang,
    };
    let raw = form.raw();
    let locale = lang.locale().clone();
    let outcome = state
        .run(move |ctx| app::submit::submit(ctx, &raw, &locale))
        .await;
    answer_form(
        outcome,
        async |_| Ok(see_other("/requests/submitted")),
        async |errors| form_page(&state, &req, lang, &form, errors),
    )
    .await
}

pub async fn submitted(lang: PageLang) -> Result<HttpResponse, WebError> {
    render(&SubmittedPage { lang }, StatusCode::OK, None)
}

/// The form for the chosen kind (or the list of kinds), with what was entered and its errors.
fn form_page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    lang: PageLang,
    form: &SubmitForm,
    errors: &[submission::FieldError],
) -> Result<HttpResponse, WebError> {
    let messages = lang.messages.clone();
    let chosen = form
        .kind
        .parse::<RequestKind>()
        .ok()
        .map(|kind| words::kind_option(kind, &messages));
    // A form shown again after its POST switches language on its own GET page.
    let lang = match &chosen {
        Some(kind) => lang.at(&format!("/requests/new?kind={}", kind.slug)),
        None if req.method() == actix_web::http::Method::POST => lang.at("/requests/new"),
        None => lang,
    };
    let policy = &state.ctx.settings.policy;
    render_with_csrf(state, req, |csrf_token| RequestFormPage {
        lang,
        csrf_token,
        kinds: words::kind_options(&messages),
        chosen,
        regimes: words::regime_options(&policy.deadlines, &messages),
        purposes: policy
            .consent_purposes
            .iter()
            .map(|p| PurposeOption {
                slug: p.slug.clone(),
                label: p.label.clone(),
                checked: form.purposes.contains(&p.slug),
            })
            .collect(),
        entered: form.raw(),
        errors: words::field_errors(errors, &messages),
    })
}
