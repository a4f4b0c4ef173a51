//! Admin pages for legal holds on people without a request: list, place, release.
//! The email travels only in the POST body; redirects carry a notice code, never it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, officer_csrf, read_checked_form, render, see_other, CsrfForm, PlainForm};
use crate::app::officer::CurrentOfficer;
use crate::app::subject_holds::{self, Placed};
use crate::domain::subject_hold::RawSubjectHold;
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::error_response::form_with_errors;
use crate::web::presenters::admin_holds_page::admin_holds_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct HoldsQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    csrf_token: String,
    email: String,
    order_reference: String,
    reason: String,
    expires_on: String,
}

impl CsrfForm for PlaceForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl PlaceForm {
    fn raw(&self) -> RawSubjectHold {
        RawSubjectHold {
            email: self.email.clone(),
            order_reference: self.order_reference.clone(),
            reason: self.reason.clone(),
            expires_on: self.expires_on.clone(),
        }
    }
}

/// The page with the holds in force; `form` and `errors` come back after a failed place.
async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: CurrentOfficer,
    form: &RawSubjectHold,
    errors: &[FieldError],
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    let holds = blocking(move || subject_holds::list(&ctx, &admin)).await?;
    let (csrf, nav) = officer_csrf(state, req, &officer)?;
    let page = admin_holds_page(nav, holds, form, errors, done);
    render(&page, StatusCode::OK, Some(csrf))
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<HoldsQuery>,
) -> Result<HttpResponse, WebError> {
    let form = PlaceForm::default().raw();
    page(&state, &req, officer.0, &form, &[], query.done.as_deref()).await
}

pub async fn place(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let form: PlaceForm = read_checked_form(&state, &req, payload).await?;
    let raw = form.raw();
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    let placing = raw.clone();
    match blocking(move || subject_holds::place(&ctx, &admin, &placing)).await {
        Ok(Placed::OnKnownSubject) => Ok(see_other("/officer/admin/holds?done=placed")),
        Ok(Placed::OnNewSubject) => Ok(see_other("/officer/admin/holds?done=placed_new")),
        Err(error @ AppError::Invalid(_)) => {
            let page = page(&state, &req, officer, &raw, error.field_errors(), None).await?;
            Ok(form_with_errors(&error, page))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn release(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let _: PlainForm = read_checked_form(&state, &req, payload).await?;
    let ctx = state.ctx.clone();
    let hold_id = id.into_inner();
    blocking(move || subject_holds::release(&ctx, &officer.0, &hold_id)).await?;
    Ok(see_other("/officer/admin/holds?done=released"))
}
