//! CSRF protection: every form carries a token that is a keyed hash (`crypto::HashKey`)
//! of something only the browser that loaded the page holds, and a POST is accepted only
//! with the token of what it came with.
//!
//! - On officer pages with a session, the token is bound to the session: a token from
//!   another session (another officer, or this browser before it signed in again) is
//!   refused.
//! - Elsewhere (public pages, the sign-in form) it is bound to a per-browser secret: a
//!   random value in a `SameSite=Strict`, `HttpOnly` cookie (`__Host-` over https, see
//!   `web::cookies`), so a token from one browser is refused in another.

use actix_web::cookie::Cookie;
use actix_web::HttpRequest;
use data_encoding::BASE64URL_NOPAD;

use super::cookies::CookieRules;
use super::error::WebError;
use super::session;
use crate::app::random_bytes;
use crate::crypto::HashKey;
use crate::error::AppError;

/// The per-browser secret's cookie name over plain http (`__Host-rd_csrf` over https).
pub const COOKIE: &str = "rd_csrf";

pub struct CsrfKey(HashKey);

/// The token for a page's forms, and the cookie to set when the browser had none.
pub struct Issued {
    pub form_token: String,
    pub cookie: Option<Cookie<'static>>,
}

/// What a token is bound to; the kind is hashed in too, so the two never match each other.
enum Binding {
    Session(String),
    Browser(String),
}

impl Binding {
    /// The officer session a request under `/officer` carries, if any.
    fn session_of(req: &HttpRequest) -> Option<Binding> {
        req.path()
            .starts_with("/officer")
            .then(|| session::token(req))
            .flatten()
            .map(Binding::Session)
    }

    fn parts(&self) -> [&[u8]; 3] {
        match self {
            Binding::Session(token) => [b"session", &[0], token.as_bytes()],
            Binding::Browser(secret) => [b"browser", &[0], secret.as_bytes()],
        }
    }
}

impl CsrfKey {
    pub fn new(key: HashKey) -> CsrfKey {
        CsrfKey(key)
    }

    fn sign(&self, binding: &Binding) -> String {
        BASE64URL_NOPAD.encode(&self.0.hash(&binding.parts()))
    }

    /// The form token for this session or browser, creating the browser's cookie if needed.
    pub fn issue(&self, req: &HttpRequest) -> Result<Issued, AppError> {
        if let Some(binding) = Binding::session_of(req) {
            return Ok(Issued {
                form_token: self.sign(&binding),
                cookie: None,
            });
        }
        let rules = CookieRules::of(req);
        if let Some(cookie) = rules
            .read(req, COOKIE)
            .filter(|c| is_well_formed(c.value()))
        {
            return Ok(Issued {
                form_token: self.sign(&Binding::Browser(cookie.value().to_string())),
                cookie: None,
            });
        }
        let secret = BASE64URL_NOPAD.encode(&random_bytes::<32>()?);
        let form_token = self.sign(&Binding::Browser(secret.clone()));
        Ok(Issued {
            form_token,
            cookie: Some(rules.cookie(COOKIE, secret, "/")),
        })
    }

    /// Accepts the POST only if `form_token` was issued to this session or browser.
    pub fn verify(&self, req: &HttpRequest, form_token: &str) -> Result<(), WebError> {
        let binding = match Binding::session_of(req) {
            Some(binding) => binding,
            None => {
                let cookie = CookieRules::of(req)
                    .read(req, COOKIE)
                    .ok_or(WebError::Csrf)?;
                Binding::Browser(cookie.value().to_string())
            }
        };
        let tag = BASE64URL_NOPAD
            .decode(form_token.as_bytes())
            .map_err(|_| WebError::Csrf)?;
        if !self.0.verify(&binding.parts(), &tag) {
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
