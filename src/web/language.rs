//! Which language a public page speaks, chosen without JavaScript: a `?lang=` link (the
//! language switch on every page) sets a `lang` cookie, which is strictly functional
//! (`SameSite=Lax`, nothing but the tag, a year); without either, `Accept-Language`
//! decides; without that, English. A request stores the language it was made in, so its
//! mail and status page keep it whatever browser opens them later.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};

use super::cookies::CookieRules;
use super::error::WebError;
use crate::domain::locale::{negotiate, supported_locale, Locale};
use crate::i18n::{self, Messages};

/// The cookie that keeps a chosen language.
pub const LANG_COOKIE: &str = "lang";
/// A year: the choice outlives a visit, and holds nothing but the language's tag.
const LANG_COOKIE_DAYS: i64 = 365;

/// A link to the same page in another language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageLink {
    /// The language's tag, for `hreflang` and `lang`.
    pub lang: String,
    /// The language's name in itself ("हिन्दी").
    pub name: String,
    pub href: String,
}

/// The language a page speaks, and the links that switch it.
#[derive(Debug, Clone)]
pub struct PageLang {
    pub messages: Messages,
    pub switches: Vec<LanguageLink>,
    /// This visit chose the language with a `?lang=` link.
    pub explicit: bool,
    /// Where the switch links point (a path and query of our own).
    path: String,
}

impl Default for PageLang {
    fn default() -> PageLang {
        PageLang::new(Messages::english(), "/")
    }
}

impl PageLang {
    /// `messages`' language, with switch links to `path` (a path and query of our own).
    pub fn new(messages: Messages, path: &str) -> PageLang {
        let switches = i18n::supported()
            .into_iter()
            .filter(|l| l != messages.locale())
            .map(|other| LanguageLink {
                href: with_lang(path, other.as_str()),
                name: Messages::for_locale(&other).t("language-name"),
                lang: other.as_str().to_string(),
            })
            .collect();
        PageLang {
            messages,
            switches,
            explicit: false,
            path: path.to_string(),
        }
    }

    /// The same page in `locale` (a request's own language), same switch links' target.
    pub fn in_locale(&self, locale: &Locale) -> PageLang {
        PageLang::new(Messages::for_locale(locale), &self.path)
    }

    /// The same language, with switch links to `path` (a form shown again after a POST
    /// links to its GET page).
    pub fn at(&self, path: &str) -> PageLang {
        PageLang {
            explicit: self.explicit,
            ..PageLang::new(self.messages.clone(), path)
        }
    }

    pub fn lang(&self) -> &str {
        self.messages.lang()
    }

    pub fn locale(&self) -> &Locale {
        self.messages.locale()
    }

    /// The message `key` (for templates).
    pub fn t(&self, key: &str) -> String {
        self.messages.t(key)
    }

    /// The message `key` with one value (for templates).
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.messages.t1(key, name, value)
    }
}

/// `path` with its `lang` parameter set to `tag`, other parameters kept.
fn with_lang(path: &str, tag: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang=") && *p != "lang")
        .collect();
    let lang = format!("lang={tag}");
    pairs.push(&lang);
    format!("{base}?{}", pairs.join("&"))
}

/// The language chosen for this request, kept in its extensions by [`choose_language`].
#[derive(Debug, Clone)]
struct Chosen {
    locale: Locale,
    from_link: bool,
}

/// The `lang` parameter of a query string, when it names a supported language.
fn lang_parameter(query: &str, supported: &[Locale]) -> Option<Locale> {
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(|tag| supported_locale(tag, supported))
}

/// Picks the request's language; sets the cookie when a `?lang=` link chose it; shows an
/// error page in the language of a public page.
pub async fn choose_language(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let supported = i18n::supported();
    let from_link = lang_parameter(req.query_string(), &supported);
    let rules = CookieRules::of(req.request());
    let chosen = from_link
        .clone()
        .or_else(|| {
            rules
                .read(req.request(), LANG_COOKIE)
                .and_then(|c| supported_locale(c.value(), &supported))
        })
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| negotiate(v, &supported))
        })
        .unwrap_or_default();
    req.extensions_mut().insert(Chosen {
        locale: chosen.clone(),
        from_link: from_link.is_some(),
    });
    let public = !req.path().starts_with("/officer");
    let mut response = next.call(req).await?.map_into_boxed_body();
    if public && !chosen.is_english() {
        let localised = response
            .response()
            .error()
            .and_then(|e| e.as_error::<WebError>())
            .map(|error| {
                let incident = response
                    .response()
                    .extensions()
                    .get::<super::error_response::Incident>()
                    .cloned();
                super::error_response::localised(error, &Messages::for_locale(&chosen), incident)
            });
        if let Some(page) = localised {
            response = response.into_response(page);
        }
    }
    if let Some(locale) = from_link {
        let cookie = Cookie::build(rules.name(LANG_COOKIE), locale.as_str().to_string())
            .path("/")
            .same_site(SameSite::Lax)
            .secure(rules.is_secure())
            .http_only(true)
            .max_age(Duration::days(LANG_COOKIE_DAYS))
            .finish();
        response.response_mut().add_cookie(&cookie)?;
    }
    response.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    Ok(response)
}

impl FromRequest for PageLang {
    type Error = actix_web::Error;
    type Future = Ready<Result<PageLang, actix_web::Error>>;

    /// The chosen language, with switch links back to this same GET page (a POST's
    /// switch links go to the site's home until the handler names its GET page).
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (locale, from_link) = req
            .extensions()
            .get::<Chosen>()
            .map(|c| (c.locale.clone(), c.from_link))
            .unwrap_or_default();
        let path = if req.method() == actix_web::http::Method::GET {
            req.uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".to_string())
        } else {
            "/".to_string()
        };
        ready(Ok(PageLang {
            explicit: from_link,
            ..PageLang::new(Messages::for_locale(&locale), &path)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_links_keep_the_page_and_its_query() {
        assert_eq!(with_lang("/", "hi"), "/?lang=hi");
        assert_eq!(
            with_lang("/requests/new?kind=access", "hi"),
            "/requests/new?kind=access&lang=hi"
        );
        assert_eq!(
            with_lang("/requests/new?lang=en&kind=access", "hi"),
            "/requests/new?kind=access&lang=hi"
        );
        let page = PageLang::new(Messages::english(), "/status/lookup");
        assert_eq!(page.lang(), "en");
        assert_eq!(
            page.switches,
            vec![LanguageLink {
                lang: "hi".into(),
                name: "हिन्दी".into(),
                href: "/status/lookup?lang=hi".into(),
            }]
        );
    }

    #[test]
    fn the_lang_parameter_names_a_supported_language() {
        let supported = i18n::supported();
        assert_eq!(
            lang_parameter("kind=access&lang=hi", &supported).map(|l| l.to_string()),
            Some("hi".into())
        );
        assert_eq!(lang_parameter("lang=xx", &supported), None);
        assert_eq!(lang_parameter("", &supported), None);
    }
}
