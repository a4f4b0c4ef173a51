//! Admin pages: the officers, their roles and regions, disabling and MFA resets.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{answer_form, render_officer_page, see_other, CsrfForm, OfficerPost};
use crate::app::officer::CurrentOfficer;
use crate::app::officers::{self, NewOfficerInput, OfficerUpdate, Requester};
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::admin_officers_page::admin_officers_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Deserialize)]
pub struct AdminQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf_token: String,
    email: String,
    name: String,
    role: String,
    regions: Vec<String>,
    password: String,
}

impl CsrfForm for CreateForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    csrf_token: String,
    action: String,
    role: String,
    regions: Vec<String>,
}

impl CsrfForm for UpdateForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl CreateForm {
    fn input(&self) -> NewOfficerInput {
        NewOfficerInput {
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role.clone(),
            regions: self.regions.clone(),
            password: self.password.clone(),
        }
    }
}

/// The page with every officer; `form` and `errors` come back after a failed create.
async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: &CurrentOfficer,
    form: &NewOfficerInput,
    errors: &[FieldError],
    done: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let officers = state
        .run_as(officer, |ctx, admin| {
            officers::list(ctx, Requester::Admin(admin))
        })
        .await?;
    render_officer_page(state, req, officer, |nav| {
        admin_officers_page(nav, officers, form, errors, done)
    })
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    query: web::Query<AdminQuery>,
) -> Result<HttpResponse, WebError> {
    let form = NewOfficerInput::default();
    page(&state, &req, &officer, &form, &[], query.done.as_deref()).await
}

pub async fn create(
    state: web::Data<WebState>,
    req: HttpRequest,
    OfficerPost { officer, form }: OfficerPost<CreateForm>,
) -> Result<HttpResponse, WebError> {
    let input = form.input();
    let creating = input.clone();
    let outcome = state
        .run_as(&officer, move |ctx, admin| {
            officers::create(ctx, Requester::Admin(admin), &creating)
        })
        .await;
    answer_form(
        outcome,
        async |_| Ok(see_other("/officer/admin/officers?done=created")),
        async |errors| page(&state, &req, &officer, &input, errors, None).await,
    )
    .await
}

pub async fn update(
    state: web::Data<WebState>,
    id: web::Path<String>,
    OfficerPost { officer, form }: OfficerPost<UpdateForm>,
) -> Result<HttpResponse, WebError> {
    let change = match form.action.as_str() {
        "update" => OfficerUpdate::RoleAndRegions {
            role: form.role.clone(),
            regions: form.regions.clone(),
        },
        "disable" => OfficerUpdate::Disable,
        "enable" => OfficerUpdate::Enable,
        "reset_mfa" => OfficerUpdate::ResetMfa,
        _ => return Err(AppError::BadRequest("Unknown change.".to_string()).into()),
    };
    let target = id.into_inner();
    state
        .run(move |ctx| officers::update(ctx, Requester::Admin(&officer), &target, &change))
        .await?;
    Ok(see_other(&format!(
        "/officer/admin/officers?done={}",
        form.action
    )))
}
