//! The lost-link page. Whether or not the email and reference matched, the answer is the
//! same page with the same status, sent no sooner than [`ANSWER_FLOOR`] after the form
//! arrived (see `app::lookup` for the equal work behind it).

use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, read_checked_form, render_with_csrf, CsrfForm};
use crate::app;
use crate::web::client_addr::ClientAddr;
use crate::web::error::WebError;
use crate::web::language::PageLang;
use crate::web::pages::{FieldError, LookupPage};
use crate::web::{requester_view, WebState};

/// The least time an accepted lookup takes to answer. The matched path's extra work (a
/// token and a mail stored) takes a few milliseconds; under this floor both answers take
/// the same time, and the wait holds no thread or connection.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(150);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupForm {
    email: String,
    reference: String,
    csrf_token: String,
}

impl CsrfForm for LookupForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

pub async fn show(
    state: web::Data<WebState>,
    req: HttpRequest,
    lang: PageLang,
) -> Result<HttpResponse, WebError> {
    page(
        &state,
        &req,
        lang,
        &LookupForm::default(),
        false,
        Vec::new(),
    )
}

pub async fn submit(
    state: web::Data<WebState>,
    req: HttpRequest,
    lang: PageLang,
    client: ClientAddr,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let lang = lang.at("/status/lookup");
    let started = Instant::now();
    state.limiter.check(&client)?;
    let form: LookupForm = read_checked_form(&state, &req, payload).await?;
    let (email, reference) = (form.email.clone(), form.reference.clone());
    let outcome = state
        .run(move |ctx| app::lookup::request_link(ctx, &email, &reference))
        .await;
    answer_form(
        outcome,
        async |()| {
            actix_web::rt::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
            page(
                &state,
                &req,
                lang.clone(),
                &LookupForm::default(),
                true,
                Vec::new(),
            )
        },
        async |errors| {
            let errors = requester_view::field_errors(errors, &lang.messages);
            page(&state, &req, lang.clone(), &form, false, errors)
        },
    )
    .await
}

fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    lang: PageLang,
    form: &LookupForm,
    sent: bool,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, WebError> {
    render_with_csrf(state, req, |csrf_token| LookupPage {
        lang,
        csrf_token,
        email: form.email.clone(),
        reference: form.reference.clone(),
        sent,
        errors,
    })
}
