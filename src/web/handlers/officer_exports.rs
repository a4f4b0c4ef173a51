//! `GET /officer/exports/requests.{csv,json,ndjson}`: the queue's filters, every page, as a
//! download that streams while the export is read.

use std::io::{self, Write};

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::stream;
use tokio::sync::mpsc;

use super::officer_queue::parse_filter;
use crate::app::export::{self, Exporter, Quiet};
use crate::app::{clock, Context};
use crate::domain::export::{ExportColumns, ExportFormat};
use crate::domain::queue::RawQueueQuery;
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::session::SignedIn;
use crate::web::WebState;

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks waiting for a slow reader before the export pauses: at most 8 × 64 KiB in memory.
const CHUNKS_IN_FLIGHT: usize = 8;

/// The export's own parameter beside the queue's filters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ColumnsQuery {
    /// `1`: add the requesters' names, emails and details (admins only).
    include_personal: Option<String>,
}

pub async fn requests(
    state: web::Data<WebState>,
    SignedIn(officer): SignedIn,
    format: web::Path<String>,
    query: web::Query<RawQueueQuery>,
    columns: web::Query<ColumnsQuery>,
) -> Result<HttpResponse, WebError> {
    let format: ExportFormat = format.parse().map_err(|()| AppError::NotFound)?;
    let columns = ExportColumns::from_query(columns.include_personal.as_deref())
        .map_err(|e| AppError::BadRequest(format!("{e}.")))?;
    let raw = query.into_inner();
    let filter = parse_filter(&raw)?;
    export::check(&state.ctx, Exporter::Officer(&officer), &filter)?;
    export::check_columns(Exporter::Officer(&officer), columns)?;

    let (sender, receiver) = mpsc::channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let ctx: Context = state.ctx.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            sender,
            buffer: Vec::with_capacity(CHUNK_BYTES),
        };
        let result = export::export_requests_with(
            &ctx,
            Exporter::Officer(&officer),
            &filter,
            (format, columns),
            &mut out,
            &mut Quiet,
        );
        if let Err(error) = result {
            // The status line has gone out: ending the body with an error makes the
            // server close the connection without the last chunk, so no reader takes a
            // cut-short export for a whole one.
            tracing::warn!(%error, "request export stopped");
            let _ = out
                .sender
                .blocking_send(Err(io::Error::other("export stopped")));
        }
    });
    let body = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });

    let file_name = format!("requests-{}.{}", clock::now().date(), format.as_str());
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
                .map_err(|_| AppError::Internal("export file name".to_string()))?,
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

/// Gathers written bytes into chunks for the response body; a chunk waits while the reader
/// is behind. Writing fails once the reader has gone away, which stops the export.
struct ChunkWriter {
    sender: mpsc::Sender<io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
