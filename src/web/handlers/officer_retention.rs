//! `GET /officer/retention`: what the purge will take, and the holds that keep data.

use actix_web::{web, HttpRequest, HttpResponse};

use super::render_officer_page;
use crate::app;
use crate::web::error::WebError;
use crate::web::presenters::retention_page::retention_page;
use crate::web::session::SignedIn;
use crate::web::WebState;

pub async fn overview(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
) -> Result<HttpResponse, WebError> {
    let overview = state.run_as(&officer, app::retention::overview).await?;
    render_officer_page(&state, &req, &officer, |nav| retention_page(&overview, nav))
}
