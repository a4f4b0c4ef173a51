//! Admin page of API tokens: list, create (the secret shown once, on the answer to the
//! form, never in a URL) and revoke.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render_officer_page, see_other, CsrfForm, OfficerPost, PlainForm};
use crate::app::api::tokens::{self, CreatedToken};
use crate::app::clock;
use crate::app::officer::CurrentOfficer;
use crate::app::officers::Requester;
use crate::domain::api_token::RawNewApiToken;
use crate::domain::submission::FieldError;
use crate::web::error::WebError;
use crate::web::presenters::admin_api_tokens_page::admin_api_tokens_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct TokensQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf_token: String,
    name: String,
    scopes: Vec<String>,
    regions: Vec<String>,
    expires: String,
}

impl CsrfForm for CreateForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl CreateForm {
    fn raw(&self) -> RawNewApiToken {
        RawNewApiToken {
            name: self.name.clone(),
            scopes: self.scopes.clone(),
            regions: self.regions.clone(),
            expires: self.expires.clone(),
        }
    }
}

async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: &CurrentOfficer,
    form: &RawNewApiToken,
    errors: &[FieldError],
    created: Option<CreatedToken>,
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let list = state.run_as(officer, tokens::list).await?;
    let mut response = render_officer_page(state, req, officer, |nav| {
        admin_api_tokens_page(nav, list, form, errors, created, done, clock::now())
    })?;
    // The page may carry a secret: no cache keeps it.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    query: web::Query<TokensQuery>,
) -> Result<HttpResponse, WebError> {
    let form = RawNewApiToken::default();
    page(
        &state,
        &req,
        &officer,
        &form,
        &[],
        None,
        query.done.as_deref(),
    )
    .await
}

pub async fn create(
    state: web::Data<WebState>,
    req: HttpRequest,
    OfficerPost { officer, form }: OfficerPost<CreateForm>,
) -> Result<HttpResponse, WebError> {
    let raw = form.raw();
    let creating = raw.clone();
    let outcome = state
        .run_as(&officer, move |ctx, admin| {
            tokens::create(ctx, Requester::Admin(admin), &creating)
        })
        .await;
    answer_form(
        outcome,
        async |created| {
            let blank = RawNewApiToken::default();
            page(&state, &req, &officer, &blank, &[], Some(created), None).await
        },
        async |errors| page(&state, &req, &officer, &raw, errors, None, None).await,
    )
    .await
}

pub async fn revoke(
    state: web::Data<WebState>,
    id: web::Path<String>,
    OfficerPost { officer, .. }: OfficerPost<PlainForm>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    state
        .run(move |ctx| tokens::revoke(ctx, Requester::Admin(&officer), &id))
        .await?;
    Ok(see_other("/officer/admin/api-tokens?done=revoked"))
}
