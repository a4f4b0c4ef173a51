//! `GET /downloads/{token}`: the requester's data package, as an attachment that no cache
//! keeps.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};

use crate::app;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::WebState;

pub async fn fetch(
    state: web::Data<WebState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let download = state
        .run(move |ctx| app::downloads::fetch(ctx, &token))
        .await?;
    // The file name holds only the reference, which is Crockford base32 and a prefix: no
    // quoting or encoding trouble.
    let disposition = format!("attachment; filename=\"{}\"", download.file_name);
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition)
                .map_err(|_| AppError::Internal("download file name".to_string()))?,
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(download.bytes))
}
