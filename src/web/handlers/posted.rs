//! Extractors for posted forms: a handler that takes one runs only for a form whose CSRF
//! token checked out, read as [`read_checked_form`] reads it.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev, web, FromRequest, HttpRequest};

use super::{read_checked_form, CsrfForm};
use crate::app::officer::CurrentOfficer;
use crate::error::AppError;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::session::SignedIn;
use crate::web::WebState;

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

/// A form accepted only with a valid CSRF token.
pub struct CheckedForm<T>(pub T);

impl<T: CsrfForm + 'static> FromRequest for CheckedForm<T> {
    type Error = actix_web::Error;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let body = web::Payload::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let form = read_checked_form(&state, &req, body.await?).await?;
            Ok(CheckedForm(form))
        })
    }
}

/// A signed-in officer's form. The session is checked first, as [`SignedIn`] does (a
/// browser without one is sent to sign in before its body is read).
pub struct OfficerPost<T> {
    pub officer: CurrentOfficer,
    pub form: T,
}

impl<T: CsrfForm + 'static> FromRequest for OfficerPost<T> {
    type Error = actix_web::Error;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        let form = CheckedForm::<T>::from_request(req, payload);
        Box::pin(async move {
            let SignedIn(officer) = signed_in.await?;
            let CheckedForm(form) = form.await?;
            Ok(OfficerPost { officer, form })
        })
    }
}

/// A public form from a client within the public POST limit. The limit is checked (and
/// the attempt counted) before the body is read.
pub struct LimitedPost<T>(pub T);

impl<T: CsrfForm + 'static> FromRequest for LimitedPost<T> {
    type Error = actix_web::Error;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let client = ClientAddr::from_request(req, payload).into_inner();
        let state = app_state(req);
        let form = CheckedForm::<T>::from_request(req, payload);
        Box::pin(async move {
            state?.limiter.check(&client?)?;
            let CheckedForm(form) = form.await?;
            Ok(LimitedPost(form))
        })
    }
}

fn app_state(req: &HttpRequest) -> Result<web::Data<WebState>, WebError> {
    req.app_data::<web::Data<WebState>>()
        .cloned()
        .ok_or_else(|| WebError::from(AppError::Internal("no app state".into())))
}
