//! `GET /officer/retention`: what the purge will take, and the holds that keep data.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{blocking, officer_csrf, render};
use crate::app;
use crate::web::error::WebError;
use crate::web::presenters::retention_page::retention_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

pub async fn overview(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let ctx = state.ctx.clone();
    let viewer = officer.clone();
    let overview = blocking(move || app::retention::overview(&ctx, &viewer)).await?;
    let (csrf, nav) = officer_csrf(&state, &req, &officer)?;
    let page = retention_page(&overview, nav);
    render(&page, StatusCode::OK, Some(csrf))
}
