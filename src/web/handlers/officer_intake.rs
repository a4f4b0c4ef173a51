//! "Record a request received offline": the form, and its answer (the new request's page).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render_officer_page, see_other, CsrfForm, OfficerPost};
use crate::app::clock;
use crate::app::intake::{self, Recorder};
use crate::app::officer::CurrentOfficer;
use crate::domain::intake::RawIntake;
use crate::domain::submission::{FieldError, RawSubmission};
use crate::web::error::WebError;
use crate::web::presenters::intake_page::intake_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    csrf_token: String,
    kind: String,
    region: String,
    full_name: String,
    email: String,
    account_ref: String,
    details: String,
    correction: String,
    purposes: Vec<String>,
    content_removal: Option<String>,
    received_at: String,
    channel: String,
    #[serde(alias = "locale")]
    language: String,
}

impl CsrfForm for IntakeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl IntakeForm {
    fn raw(&self) -> RawIntake {
        RawIntake {
            submission: RawSubmission {
                kind: self.kind.clone(),
                full_name: self.full_name.clone(),
                email: self.email.clone(),
                region: self.region.clone(),
                account_ref: self.account_ref.clone(),
                details: self.details.clone(),
                correction: self.correction.clone(),
                purposes: self.purposes.clone(),
                content_removal: self.content_removal.is_some(),
            },
            received_at: self.received_at.clone(),
            channel: self.channel.clone(),
            locale: self.language.clone(),
        }
    }
}

fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: &CurrentOfficer,
    form: &RawIntake,
    errors: &[FieldError],
) -> Result<HttpResponse, WebError> {
    let settings = &state.ctx.settings;
    render_officer_page(state, req, officer, |nav| {
        intake_page(
            nav,
            &settings.policy,
            settings.intake_max_age_days,
            form,
            errors,
            clock::now(),
        )
    })
}

pub async fn form(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
) -> Result<HttpResponse, WebError> {
    page(&state, &req, &officer, &RawIntake::default(), &[])
}

pub async fn record(
    state: web::Data<WebState>,
    req: HttpRequest,
    OfficerPost { officer, form }: OfficerPost<IntakeForm>,
) -> Result<HttpResponse, WebError> {
    let raw = form.raw();
    let recording = raw.clone();
    let outcome = state
        .run_as(&officer, move |ctx, officer| {
            intake::record(ctx, Recorder::Officer(officer), &recording)
        })
        .await;
    answer_form(
        outcome,
        async |recorded| {
            Ok(see_other(&format!(
                "/officer/requests/{}",
                recorded.reference.as_str()
            )))
        },
        async |errors| page(&state, &req, &officer, &raw, errors),
    )
    .await
}
