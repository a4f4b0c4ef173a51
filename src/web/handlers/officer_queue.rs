//! The officer queue.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{blocking, issue_csrf, render};
use crate::app::{self, clock};
use crate::domain::queue::{QueueFilter, RawQueueQuery};
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::queue_page::{queue_page, QueueRequest};
use crate::web::session::SignedIn;
use crate::web::{view, WebState};

/// The queue's filters from the query string; unusable ones are a 400 naming each field.
/// The export reads the same filters.
pub fn parse_filter(raw: &RawQueueQuery) -> Result<QueueFilter, AppError> {
    QueueFilter::parse(raw).map_err(|errors| {
        AppError::BadRequest(format!(
            "These filters could not be used: {}.",
            errors
                .iter()
                .map(|e| e.field())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

pub async fn queue(
    state: web::Data<WebState>,
    req: HttpRequest,
    officer: SignedIn,
    query: web::Query<RawQueueQuery>,
) -> Result<HttpResponse, WebError> {
    let officer = officer.0;
    let raw = query.into_inner();
    let filter = parse_filter(&raw)?;
    let cursor = raw.cursor();
    let ctx = state.ctx.clone();
    let (listing_officer, listing_filter, listing_cursor) =
        (officer.clone(), filter.clone(), cursor.clone());
    let listing = blocking(move || {
        app::queue::list(
            &ctx,
            &listing_officer,
            &listing_filter,
            listing_cursor.as_ref(),
        )
    })
    .await?;
    let csrf = issue_csrf(&state, &req)?;
    let page = queue_page(
        &listing,
        &QueueRequest {
            officer: &officer,
            filter: &filter,
            raw: &raw,
            first_page: cursor.is_none(),
        },
        view::officer_nav(&officer, &csrf.form_token),
        clock::now(),
    );
    render(&page, StatusCode::OK, Some(csrf))
}
