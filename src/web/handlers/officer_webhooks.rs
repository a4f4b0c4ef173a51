//! Admin page of webhooks: the endpoints with their delivery logs, adding one (the answer
//! shows its secret once) and turning one on or off.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render_officer_page, see_other, CsrfForm, OfficerPost};
use crate::app::officer::CurrentOfficer;
use crate::app::webhooks::{self, NewEndpointInput};
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::admin_webhooks_page::admin_webhooks_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct WebhooksQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    csrf_token: String,
    url: String,
    event_types: Vec<String>,
    personal_data: Option<String>,
}

impl CsrfForm for AddForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ToggleForm {
    csrf_token: String,
    action: String,
}

impl CsrfForm for ToggleForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: &CurrentOfficer,
    form: &NewEndpointInput,
    errors: &[FieldError],
    new_secret: Option<String>,
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let endpoints = state.run_as(officer, webhooks::overview).await?;
    render_officer_page(state, req, officer, |nav| {
        admin_webhooks_page(nav, endpoints, form, errors, new_secret, done)
    })
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    query: web::Query<WebhooksQuery>,
) -> Result<HttpResponse, WebError> {
    let form = NewEndpointInput::default();
    page(
        &state,
        &req,
        &officer,
        &form,
        &[],
        None,
        query.done.as_deref(),
    )
    .await
}

/// Adds an endpoint; the answer is the page itself (not a redirect), the only one that
/// shows the new secret.
pub async fn create(
    state: web::Data<WebState>,
    req: HttpRequest,
    OfficerPost { officer, form }: OfficerPost<AddForm>,
) -> Result<HttpResponse, WebError> {
    let input = NewEndpointInput {
        url: form.url.clone(),
        event_types: form.event_types.clone(),
        personal_data: form.personal_data.is_some(),
    };
    let adding = input.clone();
    let outcome = state
        .run_as(&officer, move |ctx, admin| {
            webhooks::create(ctx, admin, &adding)
        })
        .await;
    answer_form(
        outcome,
        async |created| {
            let empty = NewEndpointInput::default();
            page(
                &state,
                &req,
                &officer,
                &empty,
                &[],
                Some(created.secret),
                None,
            )
            .await
        },
        async |errors| page(&state, &req, &officer, &input, errors, None, None).await,
    )
    .await
}

pub async fn toggle(
    state: web::Data<WebState>,
    id: web::Path<String>,
    OfficerPost { officer, form }: OfficerPost<ToggleForm>,
) -> Result<HttpResponse, WebError> {
    let enabled = match form.action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return Err(AppError::BadRequest("Unknown change.".to_string()).into()),
    };
    let id = id.into_inner();
    state
        .run(move |ctx| webhooks::set_enabled(ctx, &officer, &id, enabled))
        .await?;
    let done = if enabled { "enabled" } else { "disabled" };
    Ok(see_other(&format!("/officer/admin/webhooks?done={done}")))
}
