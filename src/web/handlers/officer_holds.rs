//! Admin pages for legal holds on people without a request: list, place, release.
//! The email travels only in the POST body; redirects carry a notice code, never it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render_officer_page, see_other, CsrfForm, OfficerPost, PlainForm};
use crate::app::officer::CurrentOfficer;
use crate::app::subject_holds::{self, Placed};
use crate::domain::subject_hold::RawSubjectHold;
use crate::domain::submission::FieldError;
use crate::web::error::WebError;
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
    officer: &CurrentOfficer,
    form: &RawSubjectHold,
    errors: &[FieldError],
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let holds = state.run_as(officer, subject_holds::list).await?;
    render_officer_page(state, req, officer, |nav| {
        admin_holds_page(nav, holds, form, errors, done)
    })
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    query: web::Query<HoldsQuery>,
) -> Result<HttpResponse, WebError> {
    let form = PlaceForm::default().raw();
    page(&state, &req, &officer, &form, &[], query.done.as_deref()).await
}

pub async fn place(
    state: web::Data<WebState>,
    req: HttpRequest,
    OfficerPost { officer, form }: OfficerPost<PlaceForm>,
) -> Result<HttpResponse, WebError> {
    let raw = form.raw();
    let placing = raw.clone();
    let outcome = state
        .run_as(&officer, move |ctx, admin| {
            subject_holds::place(ctx, admin, &placing)
        })
        .await;
    answer_form(
        outcome,
        async |placed| {
            Ok(see_other(match placed {
                Placed::OnKnownSubject => "/officer/admin/holds?done=placed",
                Placed::OnNewSubject => "/officer/admin/holds?done=placed_new",
            }))
        },
        async |errors| page(&state, &req, &officer, &raw, errors, None).await,
    )
    .await
}

pub async fn release(
    state: web::Data<WebState>,
    id: web::Path<String>,
    OfficerPost { officer, .. }: OfficerPost<PlainForm>,
) -> Result<HttpResponse, WebError> {
    let hold_id = id.into_inner();
    state
        .run(move |ctx| subject_holds::release(ctx, &officer, &hold_id))
        .await?;
    Ok(see_other("/officer/admin/holds?done=released"))
}
