//! Admin pages: the officers, their roles and regions, disabling and MFA resets.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{blocking, issue_csrf, read_checked_form, render, see_other, CsrfForm};
use crate::app::officer::CurrentOfficer;
use crate::app::officers::{self, NewOfficerInput, OfficerUpdate, Requester};
use crate::domain::regime::Regime;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::error_response::form_with_errors;
use crate::web::officer_pages::{AdminOfficersPage, FieldError, OfficerRow};
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

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

async fn page(
    state: &web::Data<WebState>,
    req: &HttpRequest,
    officer: CurrentOfficer,
    form: &CreateForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<HttpResponse, WebError> {
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    let rows = blocking(move || officers::list(&ctx, Requester::Admin(&admin))).await?;
    let csrf = issue_csrf(state, req)?;
    let page = AdminOfficersPage {
        nav: view::officer_nav(&officer, &csrf.form_token),
        officers: rows
            .into_iter()
            .map(|o| OfficerRow {
                id: o.id.to_string(),
                email: o.email,
                name: o.name,
                role: o.role.as_str().to_string(),
                regions: o.regions.to_string(),
                mfa: o.totp_enabled_at.is_some(),
                disabled: o.disabled_at.is_some(),
            })
            .collect(),
        roles: view::options(
            Role::ALL.into_iter().map(|r| (r.as_str(), r.label())),
            &form.role,
        ),
        regions: Regime::ALL
            .into_iter()
            .map(|r| crate::web::officer_pages::SelectOption {
                value: r.as_str().to_string(),
                label: r.label().to_string(),
                selected: form.regions.iter().any(|x| x == r.as_str()),
            })
            .collect(),
        errors,
        notice,
        email: form.email.clone(),
        name: form.name.clone(),
    };
    render(&page, StatusCode::OK, Some(csrf))
}

fn notice_for(done: &str) -> Option<String> {
    Some(
        match done {
            "created" => "The officer is created. They can sign in now.",
            "update" => "The role and regions are saved; the officer signs in again.",
            "disable" => "The officer is disabled and signed out.",
            "enable" => "The officer can sign in again.",
            "reset_mfa" => {
                "Two-step sign-in is reset; the officer sets it up again at the next sign-in."
            }
            _ => return None,
        }
        .to_string(),
    )
}

pub async fn list(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<AdminQuery>,
) -> Result<HttpResponse, WebError> {
    let notice = query.done.as_deref().and_then(notice_for);
    page(
        &state,
        &req,
        officer.0,
        &CreateForm::default(),
        Vec::new(),
        notice,
    )
    .await
}

pub async fn create(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let form: CreateForm = read_checked_form(&state, &req, payload).await?;
    let input = NewOfficerInput {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        regions: form.regions.clone(),
        password: form.password.clone(),
    };
    let ctx = state.ctx.clone();
    let admin = officer.clone();
    match blocking(move || officers::create(&ctx, Requester::Admin(&admin), &input)).await {
        Ok(_) => Ok(see_other("/officer/admin/officers?done=created")),
        Err(error @ AppError::Invalid(_)) => {
            let errors = view::field_errors(error.field_errors().to_vec())
                .into_iter()
                .map(|e| FieldError {
                    field: e.field,
                    message: e.message,
                })
                .collect();
            let page = page(&state, &req, officer, &form, errors, None).await?;
            Ok(form_with_errors(&error, page))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn update(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let form: UpdateForm = read_checked_form(&state, &req, payload).await?;
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
    let ctx = state.ctx.clone();
    let target = id.into_inner();
    blocking(move || officers::update(&ctx, Requester::Admin(&officer), &target, &change)).await?;
    Ok(see_other(&format!(
        "/officer/admin/officers?done={}",
        form.action
    )))
}
