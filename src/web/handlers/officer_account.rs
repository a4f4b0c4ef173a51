//! The officer's own account: changing the password (also the step owed after an admin's
//! reset), and the admin's password reset of another officer.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{
    answer_form, read_checked_form, render_officer_page, render_with_csrf, see_other, CsrfForm,
    OfficerPost, PlainForm,
};
use crate::app::auth::{NextStep, Session};
use crate::app::officers::Requester;
use crate::app::password_change::{self, PasswordChangeInput};
use crate::app::password_reset;
use crate::domain::submission::FieldError;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::presenters::account_pages::{password_change_page, password_reset_page};
use crate::web::session::{step_location, AnySession};
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct PasswordQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
    confirmation: String,
}

impl CsrfForm for PasswordForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// The page is for a session past its code step: the password change may be the step
/// owed, and enrolment may still follow it.
fn code_step_owed(session: &Session) -> Option<HttpResponse> {
    (session.pending_step() == Some(NextStep::Code))
        .then(|| see_other(step_location(NextStep::Code)))
}

fn password_page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    session: &Session,
    errors: &[FieldError],
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    render_with_csrf(state, req, |csrf_token| {
        password_change_page(session, &csrf_token, errors, done)
    })
}

pub async fn password_form(
    state: web::Data<WebState>,
    req: HttpRequest,
    session: AnySession,
    query: web::Query<PasswordQuery>,
) -> Result<HttpResponse, WebError> {
    let session = session.0;
    if let Some(redirect) = code_step_owed(&session) {
        return Ok(redirect);
    }
    password_page(&state, &req, &session, &[], query.done.as_deref())
}

pub async fn change_password(
    state: web::Data<WebState>,
    req: HttpRequest,
    client: ClientAddr,
    session: AnySession,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let session = session.0;
    if let Some(redirect) = code_step_owed(&session) {
        return Ok(redirect);
    }
    let form: PasswordForm = read_checked_form(&state, &req, payload).await?;
    let input = PasswordChangeInput {
        current_password: form.current_password,
        new_password: form.new_password,
        confirmation: form.confirmation,
    };
    let client = Some(client.key());
    let outcome = state
        .run_as(&session.officer, move |ctx, officer| {
            password_change::change_own(ctx, officer, &input, client)
        })
        .await;
    answer_form(
        outcome,
        async |()| {
            Ok(see_other(if session.password_change_required {
                // After a reset, on to the workspace (or to enrolment, if the role still owes it).
                "/officer/queue"
            } else {
                "/officer/account/password?done=changed"
            }))
        },
        async |errors| password_page(&state, &req, &session, errors, None),
    )
    .await
}

/// `POST /officer/admin/officers/{id}/password`: the temporary password is the answer to
/// the POST itself (never in a URL, never stored), shown once.
pub async fn reset_password(
    state: web::Data<WebState>,
    req: HttpRequest,
    id: web::Path<String>,
    OfficerPost { officer: admin, .. }: OfficerPost<PlainForm>,
) -> Result<HttpResponse, WebError> {
    let target = id.into_inner();
    let reset = state
        .run_as(&admin, move |ctx, by| {
            password_reset::reset(ctx, Requester::Admin(by), &target)
        })
        .await?;
    render_officer_page(&state, &req, &admin, |nav| password_reset_page(nav, reset))
}
