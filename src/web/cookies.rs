//! Names and attributes of the portal's cookies. A request that arrived over https (TLS
//! here, or a trusted proxy says so; see `client_addr`) on a portal configured for https
//! gets `__Host-` cookies: the browser then keeps them only when set over https, for this
//! host alone (no `Domain`) and for every path, so a sibling subdomain or a plain-http
//! page cannot plant one. Plain http keeps the plain names.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest};

use super::client_addr::ClientAddr;
use super::WebState;

const HOST_PREFIX: &str = "__Host-";

/// How this request's cookies are named and flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieRules {
    host_only: bool,
    secure: bool,
}

impl CookieRules {
    pub fn of(req: &HttpRequest) -> CookieRules {
        let Some(state) = req.app_data::<web::Data<WebState>>() else {
            return CookieRules::new(false, false);
        };
        let over_https = ClientAddr::of_request(req, &state.trusted_proxies).is_https();
        CookieRules::new(state.ctx.settings.is_https(), over_https)
    }

    /// `configured_https`: the portal's public URL is https or it serves TLS itself;
    /// `over_https`: this request arrived over https.
    pub fn new(configured_https: bool, over_https: bool) -> CookieRules {
        CookieRules {
            host_only: configured_https && over_https,
            secure: configured_https || over_https,
        }
    }

    /// Whether cookies set on this request carry `Secure`.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The name the cookie called `base` has on this request.
    pub fn name(&self, base: &str) -> String {
        if self.host_only {
            format!("{HOST_PREFIX}{base}")
        } else {
            base.to_string()
        }
    }

    /// The cookie `base` as this request sent it, if it did.
    pub fn read(&self, req: &HttpRequest, base: &str) -> Option<Cookie<'static>> {
        req.cookie(&self.name(base))
    }

    /// A `SameSite=Strict`, `HttpOnly` cookie; `plain_path` is its path without the prefix
    /// (a `__Host-` cookie is always for `/`).
    pub fn cookie(&self, base: &str, value: String, plain_path: &'static str) -> Cookie<'static> {
        Cookie::build(self.name(base), value)
            .path(if self.host_only { "/" } else { plain_path })
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .finish()
    }

    /// What tells the browser to forget the cookie `base`.
    pub fn removal(&self, base: &str, plain_path: &'static str) -> Cookie<'static> {
        let mut cookie = self.cookie(base, String::new(), plain_path);
        cookie.make_removal();
        cookie
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_requests_on_an_https_portal_get_host_only_cookies() {
        let rules = CookieRules::new(true, true);
        let cookie = rules.cookie("rd_session", "v".into(), "/officer");
        assert_eq!(cookie.name(), "__Host-rd_session");
        assert_eq!(cookie.path(), Some("/"));
        assert_eq!(cookie.domain(), None);
        assert_eq!(cookie.secure(), Some(true));

        let plain = CookieRules::new(false, false).cookie("rd_session", "v".into(), "/officer");
        assert_eq!(plain.name(), "rd_session");
        assert_eq!(plain.path(), Some("/officer"));
        assert_eq!(plain.secure(), Some(false));

        // A public https URL reached over plain http (no trusted proxy): today's names, Secure.
        let behind = CookieRules::new(true, false).cookie("rd_csrf", "v".into(), "/");
        assert_eq!(behind.name(), "rd_csrf");
        assert_eq!(behind.secure(), Some(true));
        assert_eq!(CookieRules::new(false, true).name("rd_csrf"), "rd_csrf");
    }
}
