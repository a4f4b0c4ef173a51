//! The request form and its submission.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render, render_with_csrf, see_other, CsrfForm, LimitedPost};
use crate::app;
use crate::domain::kind::RequestKind;
use crate::domain::submission::RawSubmission;
use crate::web::error::WebError;
use crate::web::pages::{FieldError, PurposeOption, RequestFormPage, SubmittedPage};
use crate::web::{view, WebState};

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
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, WebError> {
    let form = SubmitForm {
        kind: query.into_inner().kind.unwrap_or_default(),
        ..SubmitForm::default()
    };
    form_page(&state, &req, &form, Vec::new())
}

pub async fn submit(
    state: web::Data<WebState>,
    req: HttpRequest,
    LimitedPost(form): LimitedPost<SubmitForm>,
) -> Result<HttpResponse, WebError> {
    let raw = form.raw();
    let outcome = state.run(move |ctx| app::submit::submit(ctx, &raw)).await;
    answer_form(
        outcome,
        async |_| Ok(see_other("/requests/submitted")),
        async |errors| form_page(&state, &req, &form, view::field_errors(errors.to_vec())),
    )
    .await
}

pub async fn submitted() -> Result<HttpResponse, WebError> {
    render(&SubmittedPage {}, StatusCode::OK, None)
}

/// The form for the chosen kind (or the list of kinds), with what was entered and its errors.
fn form_page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    form: &SubmitForm,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, WebError> {
    let chosen = form.kind.parse::<RequestKind>().ok().map(view::kind_option);
    let policy = &state.ctx.settings.policy;
    render_with_csrf(state, req, |csrf_token| RequestFormPage {
        csrf_token,
        kinds: view::kind_options(),
        chosen,
        regimes: view::regime_options(&policy.deadlines),
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
        errors,
    })
}
