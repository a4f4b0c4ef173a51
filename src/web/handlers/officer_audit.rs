//! The audit trail viewer and the chain check.

use actix_web::{web, HttpRequest, HttpResponse};

use super::{render_officer_page, OfficerPost, PlainForm};
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
    let filter = query.clone();
    let rows = state
        .run_as(&officer, move |ctx, viewer| {
            app::audit::list_events(ctx, viewer, &filter)
        })
        .await?;
    let can_verify = officer.scope.can_verify_audit();
    render_officer_page(state, req, &officer, |nav| {
        audit_page(&rows, query, nav, can_verify, verify)
    })
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, WebError> {
    page(&state, &req, officer, query.into_inner(), None).await
}

pub async fn verify(
    state: web::Data<WebState>,
    req: HttpRequest,
    OfficerPost { officer, .. }: OfficerPost<PlainForm>,
) -> Result<HttpResponse, WebError> {
    if !officer.scope.can_verify_audit() {
        return Err(AppError::Forbidden(
            "Only admins and auditors verify the audit chain.".to_string(),
        )
        .into());
    }
    let outcome = state
        .run(|ctx| {
            Ok(match app::audit::verify_chain(ctx) {
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
