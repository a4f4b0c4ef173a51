//! `POST /api/v1/inventory/{subjects,records,consents}`: NDJSON bodies streamed into the
//! same import as `rightsdesk import --format ndjson`, with per-line errors.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::bearer::authorize;
use super::body_reader::{self, Pumped};
use super::json::{IngestSummaryJson, RejectedLineJson};
use super::problem::{ApiError, Problem};
use crate::app::api::ingest::{self, IngestOptions};
use crate::app::import::{ImportError, Rejected};
use crate::domain::api_token::ApiScope;
use crate::domain::import_row::ImportKind;
use crate::error::AppError;
use crate::web::WebState;

/// The largest NDJSON body one push may send.
pub const MAX_INGEST_BYTES: usize = 256 * 1024 * 1024;
/// How many refused lines the answer lists.
const MAX_LISTED_ERRORS: usize = 1000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IngestParams {
    /// `true`: the first bad line refuses the whole body and nothing is stored.
    strict: Option<String>,
    /// `true`: check every line, store nothing.
    dry_run: Option<String>,
}

/// Push subjects, personal records or consents as NDJSON (one object per line, the fields
/// of docs/IMPORT.md).
#[utoipa::path(
    post,
    path = "/api/v1/inventory/{kind}",
    operation_id = "pushInventory",
    tag = "inventory",
    params(
        ("kind" = String, Path, description = "`subjects`, `records` or `consents`", pattern = "^(subjects|records|consents)$"),
        IngestParams,
    ),
    request_body(content = String, content_type = "application/x-ndjson", description = "One JSON object per line"),
    responses(
        (status = 200, description = "Imported (or checked); refused lines listed", body = IngestSummaryJson),
        (status = 400, description = "The body cannot be read past a line", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks inventory:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/x-ndjson", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A line was refused under strict, or a parameter cannot be used", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token's rate is spent", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn push(
    state: web::Data<WebState>,
    req: HttpRequest,
    kind: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let kind: ImportKind = kind
        .parse()
        .map_err(|_| ApiError::App(AppError::NotFound))?;
    let access = authorize(&state, &req, ApiScope::InventoryWrite).await?;
    if !is_ndjson(&req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let params = web::Query::<IngestParams>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|error| ApiError::BadQuery {
            parameter: String::new(),
            detail: error.to_string(),
        })?;
    let options = IngestOptions {
        kind,
        strict: flag(&params.strict, "strict")?,
        dry_run: flag(&params.dry_run, "dry_run")?,
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_INGEST_BYTES) {
        return Err(ApiError::PayloadTooLarge(MAX_INGEST_BYTES));
    }
    let (pump, reader) = body_reader::channel();
    let ctx = state.ctx.clone();
    let import = web::block(move || {
        let mut refused: Vec<Rejected> = Vec::new();
        let result = ingest::run(&ctx, &access, reader, options, &mut |bad| {
            if refused.len() < MAX_LISTED_ERRORS {
                refused.push(bad.clone());
            }
        });
        (result, refused)
    });
    let (pumped, imported) = futures_util::join!(pump.pump(payload, MAX_INGEST_BYTES), import);
    let (result, refused) = imported?;
    if pumped == Pumped::TooLarge {
        return Err(ApiError::PayloadTooLarge(MAX_INGEST_BYTES));
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(ImportError::Strict(bad)) => {
            return Err(ApiError::StrictLine {
                line: bad.line,
                detail: bad.reason,
            })
        }
        Err(ImportError::Unreadable {
            fatal, rolled_back, ..
        }) => {
            let kept = if rolled_back || options.dry_run {
                "nothing was imported"
            } else {
                "the lines before it were imported"
            };
            return Err(ApiError::UnreadableBody {
                line: fatal.line,
                detail: format!("{}; {kept}", fatal.reason),
            });
        }
        Err(ImportError::App(error)) => return Err(error.into()),
    };
    Ok(HttpResponse::Ok().json(IngestSummaryJson {
        read: summary.read,
        valid: summary.valid,
        inserted: summary.inserted,
        updated: summary.updated,
        unchanged: summary.unchanged,
        rejected: summary.rejected,
        dry_run: options.dry_run,
        errors: refused
            .into_iter()
            .map(|bad| RejectedLineJson {
                line: bad.line,
                detail: bad.reason,
            })
            .collect(),
    }))
}

fn is_ndjson(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<actix_web::mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == actix_web::mime::APPLICATION
                && matches!(m.subtype().as_str(), "x-ndjson" | "ndjson" | "jsonl")
        })
}

fn flag(value: &Option<String>, name: &str) -> Result<bool, ApiError> {
    match value.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::BadQuery {
            parameter: name.to_string(),
            detail: "true or false".to_string(),
        }),
    }
}
