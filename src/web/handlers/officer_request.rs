//! A request's detail page and its workflow actions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, see_other, CsrfForm};
use crate::app::{self, clock};
use crate::domain::officer_action::{ActionRequest, RawAction};
use crate::domain::reference::Reference;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::request_page::request_page;
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

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
    officer: SignedIn,
    reference: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let reference = reference_from(&reference)?;
    let ctx = state.ctx.clone();
    let (viewer, wanted) = (officer.clone(), reference.to_string());
    let case = blocking(move || app::casework::view(&ctx, &viewer, &wanted)).await?;
    let csrf = issue_csrf(&state, &req)?;
    let page = request_page(
        &case,
        &state.ctx.settings.policy,
        view::officer_nav(&officer, &csrf.form_token),
        query.done.as_deref(),
        clock::now(),
    );
    render(&page, StatusCode::OK, Some(csrf))
}

pub async fn act(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    reference: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let reference = reference_from(&reference)?;
    let form: ActionForm = read_checked_form(&state, &req, payload).await?;
    let input = ActionRequest::parse(&form.raw()).map_err(|e| AppError::Invalid(vec![e]))?;
    let name = input.action.name();
    let ctx = state.ctx.clone();
    let target = reference.to_string();
    blocking(move || app::casework::act(&ctx, &officer, &target, input)).await?;
    Ok(see_other(&format!(
        "/officer/requests/{reference}?done={name}"
    )))
}
