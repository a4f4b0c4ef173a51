//! Sign-in (password, then code), sign-out and TOTP enrolment.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use qrcode::render::svg;
use qrcode::QrCode;
use serde::Deserialize;

use super::{
    issue_csrf, read_checked_form, render, render_with_csrf, see_other, CheckedForm, CsrfForm,
    PlainForm,
};
use crate::app::auth;
use crate::error::AppError;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::error_response::form_with_errors;
use crate::web::officer_pages::{LoginCodePage, LoginPage, MfaEnrolPage};
use crate::web::session::{self, step_location, AnySession, SignedIn};
use crate::web::{view, WebState};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
}

impl CsrfForm for LoginForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    csrf_token: String,
}

impl CsrfForm for CodeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

fn login_page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    email: &str,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    render_with_csrf(state, req, |csrf_token| LoginPage {
        csrf_token,
        email: email.to_string(),
        error,
    })
}

pub async fn login_form(
    state: web::Data<WebState>,
    req: HttpRequest,
) -> Result<HttpResponse, WebError> {
    login_page(&state, &req, "", None)
}

pub async fn login(
    state: web::Data<WebState>,
    req: HttpRequest,
    client: ClientAddr,
    CheckedForm(form): CheckedForm<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let client = Some(client.key());
    let (email, password) = (form.email.clone(), form.password);
    let outcome = state
        .run(move |ctx| auth::sign_in(ctx, &email, &password, client))
        .await
        .map(|signed_in| (signed_in.session_token, step_location(signed_in.next)));
    answer_sign_in(&req, outcome, |message| {
        login_page(&state, &req, &form.email, Some(message))
    })
}

/// The answer to a sign-in step: on success the session's new cookie and a 303 to the
/// next step; a wrong password or code (or too many of them) shows the form again with
/// the message, under the error's status.
fn answer_sign_in(
    req: &HttpRequest,
    outcome: Result<(String, &'static str), AppError>,
    again: impl FnOnce(String) -> Result<HttpResponse, WebError>,
) -> Result<HttpResponse, WebError> {
    match outcome {
        Ok((session_token, location)) => {
            let mut response = see_other(location);
            response
                .add_cookie(&session::session_cookie(req, session_token))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(response)
        }
        Err(error @ (AppError::BadCredentials(_) | AppError::TooManyAttempts { .. })) => {
            Ok(form_with_errors(&error, again(error.to_string())?))
        }
        Err(error) => Err(error.into()),
    }
}

fn code_page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    render_with_csrf(state, req, |csrf_token| LoginCodePage { csrf_token, error })
}

pub async fn code_form(
    state: web::Data<WebState>,
    req: HttpRequest,
    _session: AnySession,
) -> Result<HttpResponse, WebError> {
    code_page(&state, &req, None)
}

pub async fn code(
    state: web::Data<WebState>,
    req: HttpRequest,
    client: ClientAddr,
    CheckedForm(form): CheckedForm<CodeForm>,
) -> Result<HttpResponse, WebError> {
    let token = session::token(&req).ok_or(WebError::SignInRequired)?;
    let client = Some(client.key());
    let outcome = state
        .run(move |ctx| auth::confirm_code(ctx, &token, &form.code, client))
        .await
        .map(|fresh| (fresh, "/officer/queue"));
    answer_sign_in(&req, outcome, |message| {
        code_page(&state, &req, Some(message))
    })
}

pub async fn logout(
    state: web::Data<WebState>,
    req: HttpRequest,
    _: CheckedForm<PlainForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(token) = session::token(&req) {
        state.run(move |ctx| auth::sign_out(ctx, &token)).await?;
    }
    let mut response = see_other("/officer/login");
    response
        .add_removal_cookie(&session::expired_cookie(&req))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}

fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = QrCode::new(uri.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The page embeds the drawing; an XML declaration has no place inside HTML.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_string(),
        None => svg,
    })
}

pub async fn mfa_form(
    state: web::Data<WebState>,
    req: HttpRequest,
    session: AnySession,
) -> Result<HttpResponse, WebError> {
    let session = session.0;
    if session.mfa_enrolled && !session.mfa_passed {
        return Ok(see_other("/officer/login/code"));
    }
    if session.pending_step() == Some(auth::NextStep::ChangePassword) {
        return Ok(see_other(step_location(auth::NextStep::ChangePassword)));
    }
    let required = session.pending_step().is_some();
    let enrolment = state
        .run_as(&session.officer, auth::start_enrolment)
        .await?;
    let csrf = issue_csrf(&state, &req)?;
    let nav = (!required).then(|| view::officer_nav(&session.officer, &csrf.form_token));
    let page = MfaEnrolPage {
        nav,
        csrf_token: csrf.form_token.clone(),
        secret: enrolment.secret.to_base32(),
        qr_svg: qr_svg(&enrolment.otpauth_uri)?,
        otpauth_uri: enrolment.otpauth_uri,
        required,
        error: None,
    };
    render(&page, StatusCode::OK, Some(csrf))
}

pub async fn mfa_confirm(
    state: web::Data<WebState>,
    req: HttpRequest,
    session: AnySession,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let form: CodeForm = read_checked_form(&state, &req, payload).await?;
    let officer = session.0.officer;
    state
        .run(move |ctx| auth::confirm_enrolment(ctx, &officer, &form.code))
        .await?;
    Ok(see_other("/officer/queue?notice=mfa"))
}

/// Used by routes that need a signed-in officer but render nothing themselves.
pub async fn officer_home(_officer: SignedIn) -> HttpResponse {
    see_other("/officer/queue")
}
