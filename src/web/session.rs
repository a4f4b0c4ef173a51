//! The officer's session cookie and the extractors that make a handler signed-in only.
//! A handler that takes `SignedIn` cannot forget to check the session: without one it never
//! runs, and the browser is sent to sign in (or to the step it still owes).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};

use super::cookies::CookieRules;
use super::error::WebError;
use super::WebState;
use crate::app::auth::{self, NextStep, Session};
use crate::app::officer::CurrentOfficer;
use crate::error::AppError;

/// The session cookie's name over plain http; `__Host-rd_session` over https
/// (`web::cookies`).
pub const COOKIE: &str = "rd_session";

/// Over plain http the session cookie goes to the officer pages only.
const PLAIN_PATH: &str = "/officer";

/// The cookie that carries a new session token to the browser that signed in.
pub fn session_cookie(req: &HttpRequest, token: String) -> Cookie<'static> {
    CookieRules::of(req).cookie(COOKIE, token, PLAIN_PATH)
}

/// The cookie that makes the browser forget its session.
pub fn expired_cookie(req: &HttpRequest) -> Cookie<'static> {
    CookieRules::of(req).removal(COOKIE, PLAIN_PATH)
}

fn redirect(location: &'static str) -> actix_web::Error {
    InternalError::from_response(
        "",
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish(),
    )
    .into()
}

pub fn step_location(step: NextStep) -> &'static str {
    match step {
        NextStep::Code => "/officer/login/code",
        NextStep::Enrol => "/officer/mfa",
        NextStep::ChangePassword => "/officer/account/password",
        NextStep::Workspace => "/officer/queue",
    }
}

/// The session token from the cookie, if any.
pub fn token(req: &HttpRequest) -> Option<String> {
    CookieRules::of(req)
        .read(req, COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty())
}

async fn load(req: &HttpRequest) -> Result<Session, actix_web::Error> {
    let state = req
        .app_data::<web::Data<WebState>>()
        .cloned()
        .ok_or_else(|| WebError::from(AppError::Internal("no app state".into())))?;
    let token = token(req).ok_or(WebError::SignInRequired)?;
    let ctx = state.ctx.clone();
    match web::block(move || auth::session(&ctx, &token)).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err(AppError::SessionEnded)) => Err(WebError::SignInRequired.into()),
        Ok(Err(error)) => Err(WebError::from(error).into()),
        Err(error) => Err(WebError::from(error).into()),
    }
}

/// Any live session, even one that still owes its second step (the code and enrolment
/// pages take this).
pub struct AnySession(pub Session);

impl FromRequest for AnySession {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load(&req).await.map(AnySession) })
    }
}

/// A fully signed-in officer: password, code when enrolled, and enrolment where required.
pub struct SignedIn(pub CurrentOfficer);

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let session = load(&req).await?;
            match session.pending_step() {
                Some(step) => Err(redirect(step_location(step))),
                None => Ok(SignedIn(session.officer)),
            }
        })
    }
}
