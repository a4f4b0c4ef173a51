//! Thin handlers: parse, call one use case, render.

pub mod downloads;
pub mod health;
pub mod lookup;
pub mod metrics;
pub mod officer_account;
pub mod officer_admin;
pub mod officer_api_tokens;
pub mod officer_audit;
pub mod officer_auth;
pub mod officer_exports;
pub mod officer_holds;
pub mod officer_intake;
pub mod officer_mail;
pub mod officer_queue;
pub mod officer_reports;
pub mod officer_request;
pub mod officer_retention;
pub mod officer_webhooks;
mod posted;
pub mod public;
pub mod requests;
pub mod status;
pub mod verify;

pub use posted::{CheckedForm, LimitedPost, OfficerPost};

use std::ops::AsyncFnOnce;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::csrf::Issued;
use super::form::read_form;
use super::officer_pages::OfficerNav;
use super::WebState;
use crate::app::officer::CurrentOfficer;
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::error_response::form_with_errors;

/// Renders a page with its status; sets the CSRF cookie when the page issued a new one.
pub fn render(
    page: &impl Template,
    status: StatusCode,
    csrf: Option<Issued>,
) -> Result<HttpResponse, WebError> {
    let body = page
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(cookie) = csrf.and_then(|issued| issued.cookie) {
        response.cookie(cookie);
    }
    Ok(response.body(body))
}

/// A 303 to `location`, the answer to every successful form POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A state-changing form: it carries the CSRF token of the page it came from.
pub trait CsrfForm: DeserializeOwned {
    fn csrf_token(&self) -> &str;
}

/// A form that carries nothing but its CSRF token: a button that changes something.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlainForm {
    csrf_token: String,
}

impl CsrfForm for PlainForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Reads a posted form and accepts it only with a valid CSRF token.
pub async fn read_checked_form<T: CsrfForm>(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, WebError> {
    let form: T = read_form(req, payload).await?;
    state.csrf.verify(req, form.csrf_token())?;
    Ok(form)
}

/// Issues the CSRF token for a page's forms.
pub fn issue_csrf(state: &web::Data<WebState>, req: &HttpRequest) -> Result<Issued, AppError> {
    state.csrf.issue(req)
}

/// Issues an officer page's CSRF token and the workspace header that carries it.
pub fn officer_csrf(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: &CurrentOfficer,
) -> Result<(Issued, OfficerNav), AppError> {
    let csrf = issue_csrf(state, req)?;
    let nav = super::view::officer_nav(officer, &csrf.form_token);
    Ok((csrf, nav))
}

/// Renders a page whose forms carry a fresh CSRF token: `fill` builds it around the token.
pub fn render_with_csrf<P: Template>(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    fill: impl FnOnce(String) -> P,
) -> Result<HttpResponse, WebError> {
    let csrf = issue_csrf(state, req)?;
    let page = fill(csrf.form_token.clone());
    render(&page, StatusCode::OK, Some(csrf))
}

/// Renders an officer page: `fill` builds it around the workspace header, which carries
/// the page's CSRF token.
pub fn render_officer_page<P: Template>(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: &CurrentOfficer,
    fill: impl FnOnce(OfficerNav) -> P,
) -> Result<HttpResponse, WebError> {
    let (csrf, nav) = officer_csrf(state, req, officer)?;
    render(&fill(nav), StatusCode::OK, Some(csrf))
}

/// The answer to a posted form, from what its use case returned: `done` on success; when
/// the use case found the form invalid, the form page again (`again` builds it around the
/// field errors) with the error's status; any other error as it is.
pub async fn answer_form<T>(
    outcome: Result<T, AppError>,
    done: impl AsyncFnOnce(T) -> Result<HttpResponse, WebError>,
    again: impl AsyncFnOnce(&[FieldError]) -> Result<HttpResponse, WebError>,
) -> Result<HttpResponse, WebError> {
    match outcome {
        Ok(value) => done(value).await,
        Err(error @ AppError::Invalid(_)) => {
            let page = again(error.field_errors()).await?;
            Ok(form_with_errors(&error, page))
        }
        Err(error) => Err(error.into()),
    }
}

/// Runs a blocking use case off the async executor.
pub async fn blocking<T, F>(work: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    web::block(work)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}
