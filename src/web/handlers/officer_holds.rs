//! Admin pages for legal holds on people without a request: list, place, release.
//! The email travels only in the POST body; redirects carry a notice code, never it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, see_other, CsrfForm};
use crate::app::officer::CurrentOfficer;
use crate::app::subject_holds::{self, Placed};
use crate::domain::subject_hold::RawSubjectHold;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::error_response::form_with_errors;
use crate::web::handlers::officer_auth::PlainForm;
use crate::web::hold_pages::{AdminHoldsPage, SubjectHoldRow};
use crate::web::pages::FieldError;
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

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

async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: CurrentOfficer,
    form: &PlaceForm,
    errors: Vec<FieldError>,
    notice: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    let holds = blocking(move || subject_holds::list(&ctx, &admin)).await?;
    let csrf = issue_csrf(state, req)?;
    let page = AdminHoldsPage {
        nav: view::officer_nav(&officer, &csrf.form_token),
        holds: holds
            .into_iter()
            .map(|item| SubjectHoldRow {
                id: item.hold.id.to_string(),
                email: item.email,
                order_reference: item.hold.order_reference,
                reason: item.hold.reason,
                origin: match item.origin_reference {
                    Some(reference) => format!("from request {reference}"),
                    None => "without a request".to_string(),
                },
                placed_by: item.placed_by,
                placed_at: view::display_time(item.hold.placed_at),
                expires_on: item
                    .hold
                    .expires_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        errors,
        notice: notice.map(str::to_string),
        email: form.email.clone(),
        order_reference: form.order_reference.clone(),
        reason: form.reason.clone(),
        expires_on: form.expires_on.clone(),
    };
    render(&page, StatusCode::OK, Some(csrf))
}

fn notice_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "placed" => "The hold is placed: nothing held about this person is purged while it is in force.",
        "placed_new" => "The hold is placed. We hold no data about this person yet; whatever arrives under this email address is kept while the hold is in force.",
        "released" => "The hold is released. The person’s data follows its retention periods again.",
        _ => return None,
    })
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<HoldsQuery>,
) -> Result<HttpResponse, WebError> {
    let notice = query.done.as_deref().and_then(notice_for);
    let form = PlaceForm::default();
    page(&state, &req, officer.0, &form, Vec::new(), notice).await
}

pub async fn place(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let form: PlaceForm = read_checked_form(&state, &req, payload).await?;
    let raw = RawSubjectHold {
        email: form.email.clone(),
        order_reference: form.order_reference.clone(),
        reason: form.reason.clone(),
        expires_on: form.expires_on.clone(),
    };
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    match blocking(move || subject_holds::place(&ctx, &admin, &raw)).await {
        Ok(Placed::OnKnownSubject) => Ok(see_other("/officer/admin/holds?done=placed")),
        Ok(Placed::OnNewSubject) => Ok(see_other("/officer/admin/holds?done=placed_new")),
        Err(error @ AppError::Invalid(_)) => {
            let errors = view::field_errors(error.field_errors().to_vec());
            let page = page(&state, &req, officer, &form, errors, None).await?;
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
