//! A request's detail page and its workflow actions.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{read_checked_form, render_officer_page, see_other, CsrfForm, PlainForm};
use crate::app::{self, clock};
use crate::domain::officer_action::{ActionRequest, RawAction};
use crate::domain::reference::Reference;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::request_page::request_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    csrf_token: String,
    action: String,
    version: String,
    assignee: String,
    message: String,
    reason: String,
    order_reference: String,
    expires_on: String,
    hold_id: String,
    hold_scope: String,
    record_id: Vec<String>,
    correction: String,
    purposes: Vec<String>,
}

impl CsrfForm for ActionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl ActionForm {
    fn raw(self) -> RawAction {
        RawAction {
            action: self.action,
            version: self.version,
            assignee: self.assignee,
            message: self.message,
            reason: self.reason,
            order_reference: self.order_reference,
            expires_on: self.expires_on,
            hold_id: self.hold_id,
            hold_scope: self.hold_scope,
            record_id: self.record_id,
            correction: self.correction,
            purposes: self.purposes,
        }
    }
}

fn reference_from(path: &str) -> Result<Reference, AppError> {
    Reference::parse(path).map_err(|_| AppError::NotFound)
}

pub async fn detail(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    reference: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, WebError> {
    let reference = reference_from(&reference)?;
    let wanted = reference.to_string();
    let case = state
        .run_as(&officer, move |ctx, viewer| {
            app::casework::view(ctx, viewer, &wanted)
        })
        .await?;
    render_officer_page(&state, &req, &officer, |nav| {
        let done = query.done.as_deref();
        request_page(&case, &state.ctx.settings.policy, nav, done, clock::now())
    })
}

pub async fn act(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    reference: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let reference = reference_from(&reference)?;
    let form: ActionForm = read_checked_form(&state, &req, payload).await?;
    let input = ActionRequest::parse(&form.raw()).map_err(|e| AppError::Invalid(vec![e]))?;
    let name = input.action.name();
    let target = reference.to_string();
    state
        .run(move |ctx| app::casework::act(ctx, &officer, &target, input))
        .await?;
    Ok(see_other(&format!(
        "/officer/requests/{reference}?done={name}"
    )))
}

/// Tells the requester the outcome while source systems' tasks are left, naming them.
pub async fn close_tasks(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    reference: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let reference = reference_from(&reference)?;
    let _form: PlainForm = read_checked_form(&state, &req, payload).await?;
    let target = reference.to_string();
    state
        .run(move |ctx| app::tasks::close_with_open_tasks(ctx, &officer, &target))
        .await?;
    Ok(see_other(&format!(
        "/officer/requests/{reference}?done=close_tasks"
    )))
}
