//! The audit trail viewer and the chain check.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{blocking, officer_csrf, read_checked_form, render, PlainForm};
use crate::app;
use crate::app::audit::AuditQuery;
use crate::app::officer::CurrentOfficer;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::audit_page::audit_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: CurrentOfficer,
    query: AuditQuery,
    verify: Option<(bool, String)>,
) -> Result<HttpResponse, WebError> {
    let ctx = state.ctx.clone();
    let (viewer, filter) = (officer.clone(), query.clone());
    let rows = blocking(move || app::audit::list_events(&ctx, &viewer, &filter)).await?;
    let (csrf, nav) = officer_csrf(state, req, &officer)?;
    let page = audit_page(&rows, query, nav, officer.scope.can_verify_audit(), verify);
    render(&page, StatusCode::OK, Some(csrf))
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, WebError> {
    page(&state, &req, officer.0, query.into_inner(), None).await
}

pub async fn verify(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let _: PlainForm = read_checked_form(&state, &req, payload).await?;
    if !officer.scope.can_verify_audit() {
        return Err(AppError::Forbidden(
            "Only admins and auditors verify the audit chain.".to_string(),
        )
        .into());
    }
    let ctx = state.ctx.clone();
    let outcome = blocking(move || {
        Ok(match app::audit::verify_chain(&ctx) {
            Ok(count) => (
                true,
                format!("The audit chain is intact: {count} events verified."),
            ),
            Err(app::audit::VerifyError::Broken(broken)) => {
                (false, format!("The audit chain is broken: {broken}."))
            }
            Err(app::audit::VerifyError::App(error)) => return Err(error),
        })
    })
    .await?;
    page(&state, &req, officer, AuditQuery::default(), Some(outcome)).await
}
