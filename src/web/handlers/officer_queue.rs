//! The officer queue.

use actix_web::{web, HttpRequest, HttpResponse};

use super::render_officer_page;
use crate::app::{self, clock};
use crate::domain::queue::{QueueFilter, RawQueueQuery};
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::presenters::queue_page::{queue_page, QueueRequest};
use crate::web::session::SignedIn;
use crate::web::WebState;

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
    SignedIn(officer): SignedIn,
    query: web::Query<RawQueueQuery>,
) -> Result<HttpResponse, WebError> {
    let raw = query.into_inner();
    let filter = parse_filter(&raw)?;
    let cursor = raw.cursor();
    let (listing_filter, listing_cursor) = (filter.clone(), cursor.clone());
    let listing = state
        .run_as(&officer, move |ctx, viewer| {
            app::queue::list(ctx, viewer, &listing_filter, listing_cursor.as_ref())
        })
        .await?;
    let request = QueueRequest {
        officer: &officer,
        filter: &filter,
        raw: &raw,
        first_page: cursor.is_none(),
    };
    render_officer_page(&state, &req, &officer, |nav| {
        queue_page(&listing, &request, nav, clock::now())
    })
}
