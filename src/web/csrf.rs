//! CSRF protection by signed double submit: a random value in a `SameSite=Strict` cookie,
//! and in every form its HMAC under a server key. A POST is accepted only when the form's
//! token is the HMAC of the cookie it came with.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use data_encoding::BASE64URL_NOPAD;

use super::error::WebError;
use crate::app::random_bytes;
use crate::crypto::HashKey;
use crate::error::AppError;

pub const COOKIE: &str = "rd_csrf";

pub struct CsrfKey(HashKey);

/// The token for a page's forms, and the cookie to set when the browser had none.
pub struct Issued {
    pub form_token: String,
    pub cookie: Option<Cookie<'static>>,
}

impl CsrfKey {
    pub fn new(key: HashKey) -> CsrfKey {
        CsrfKey(key)
    }

    fn sign(&self, cookie_value: &str) -> String {
        BASE64URL_NOPAD.encode(&self.0.hash(&[cookie_value.as_bytes()]))
    }

    /// The form token for this browser, creating its cookie if needed.
    pub fn issue(&self, req: &HttpRequest, secure: bool) -> Result<Issued, AppError> {
        if let Some(cookie) = req.cookie(COOKIE).filter(|c| is_well_formed(c.value())) {
            return Ok(Issued {
                form_token: self.sign(cookie.value()),
                cookie: None,
            });
        }
        let value = BASE64URL_NOPAD.encode(&random_bytes::<32>()?);
        let form_token = self.sign(&value);
        let cookie = Cookie::build(COOKIE, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .finish();
        Ok(Issued {
            form_token,
            cookie: Some(cookie),
        })
    }

    /// Accepts the POST only if `form_token` matches the browser's cookie.
    pub fn verify(&self, req: &HttpRequest, form_token: &str) -> Result<(), WebError> {
        let cookie = req.cookie(COOKIE).ok_or(WebError::Csrf)?;
        let tag = BASE64URL_NOPAD
            .decode(form_token.as_bytes())
            .map_err(|_| WebError::Csrf)?;
        if !self.0.verify(&[cookie.value().as_bytes()], &tag) {
            return Err(WebError::Csrf);
        }
        Ok(())
    }
}

fn is_well_formed(value: &str) -> bool {
    BASE64URL_NOPAD
        .decode(value.as_bytes())
        .is_ok_and(|bytes| bytes.len() == 32)
}
