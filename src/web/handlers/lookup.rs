//! The lost-link page. Whether or not the email and reference matched, the answer is the
//! same page with the same status, sent no sooner than [`ANSWER_FLOOR`] after the form
//! arrived (see `app::lookup` for the equal work behind it).

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, CsrfForm};
use crate::app;
use crate::error::AppError;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::error_response::form_with_errors;
use crate::web::pages::{FieldError, LookupPage};
use crate::web::{view, WebState};

/// The least time an accepted lookup takes to answer. The matched path's extra work (a
/// token and a mail stored) takes a few milliseconds; under this floor both answers take
/// the same time, and the wait holds no thread or connection.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(150);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupForm {
    email: String,
    reference: String,
    csrf_token: String,
}

impl CsrfForm for LookupForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn show(state: web::Data<WebState>, req: HttpRequest) -> Result<HttpResponse, WebError> {
    page(&state, &req, &LookupForm::default(), false, Vec::new())
}

pub async fn submit(
    state: web::Data<WebState>,
    req: HttpRequest,
    client: ClientAddr,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let started = Instant::now();
    state.limiter.check(&client)?;
    let form: LookupForm = read_checked_form(&state, &req, payload).await?;
    let ctx = state.ctx.clone();
    let (email, reference) = (form.email.clone(), form.reference.clone());
    match blocking(move || app::lookup::request_link(&ctx, &email, &reference)).await {
        Ok(()) => {
            actix_web::rt::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
            page(&state, &req, &LookupForm::default(), true, Vec::new())
        }
        Err(error @ AppError::Invalid(_)) => {
            let errors = view::field_errors(error.field_errors().to_vec());
            Ok(form_with_errors(
                &error,
                page(&state, &req, &form, false, errors)?,
            ))
        }
        Err(error) => Err(error.into()),
    }
}

fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    form: &LookupForm,
    sent: bool,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, WebError> {
    let csrf = issue_csrf(state, req)?;
    let page = LookupPage {
        csrf_token: csrf.form_token.clone(),
        email: form.email.clone(),
        reference: form.reference.clone(),
        sent,
        errors,
    };
    render(&page, StatusCode::OK, Some(csrf))
}
