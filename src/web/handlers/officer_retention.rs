//! `GET /officer/retention`: what the purge will take, and the holds that keep data.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{blocking, issue_csrf, render};
use crate::app;
use crate::store::time::from_db;
use crate::web::error::WebError;
use crate::web::officer_pages::{RetentionClassRow, RetentionHoldRow, RetentionPage};
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

pub async fn overview(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let ctx = state.ctx.clone();
    let viewer = officer.clone();
    let overview = blocking(move || app::retention::overview(&ctx, &viewer)).await?;
    let csrf = issue_csrf(&state, &req)?;
    let page = RetentionPage {
        nav: view::officer_nav(&officer, &csrf.form_token),
        as_of: view::display_time(overview.as_of),
        lookahead_days: app::retention::LOOKAHEAD_DAYS,
        classes: overview
            .classes
            .iter()
            .map(|c| RetentionClassRow {
                class: c.class.as_str().replace('_', " "),
                rule: c.rule.clone(),
                due_now: c.due_now,
                held: c.held,
                due_soon: c.due_soon,
            })
            .collect(),
        holds: overview
            .holds
            .iter()
            .map(|item| RetentionHoldRow {
                covers: match (item.hold.scope.as_str(), &item.reference) {
                    ("request", Some(reference)) => format!("Request {reference}"),
                    ("subject", _) => "All data about one person".to_string(),
                    ("record", _) => "One personal record".to_string(),
                    _ => "A request no longer held".to_string(),
                },
                link: item
                    .reference
                    .as_ref()
                    .map(|reference| format!("/officer/requests/{reference}")),
                order_reference: item.hold.order_reference.clone(),
                placed_by: item.placed_by.clone(),
                placed_at: view::display_time(from_db(item.hold.placed_at)),
                expires_on: item
                    .hold
                    .expires_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
    };
    render(&page, StatusCode::OK, Some(csrf))
}
