//! Inventory items pushed by a connected system as NDJSON: the same import as
//! `rightsdesk import --format ndjson` (per-line errors; nothing stored under `strict`),
//! its audit events naming the token.

use std::io::Read;

use crate::app::import::{self, Format, ImportError, ImportOptions, ImportSummary, Rejected};
use crate::app::Context;
use crate::domain::api_token::ApiAccess;
use crate::domain::audit::Actor;
use crate::domain::import_row::ImportKind;

/// How an ingest runs.
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    pub kind: ImportKind,
    pub strict: bool,
    pub dry_run: bool,
}

pub fn run<R: Read>(
    ctx: &Context,
    access: &ApiAccess,
    input: R,
    options: IngestOptions,
    rejected: &mut dyn FnMut(&Rejected),
) -> Result<ImportSummary, ImportError> {
    let options = ImportOptions {
        kind: options.kind,
        format: Format::Ndjson,
        strict: options.strict,
        dry_run: options.dry_run,
        batch_size: import::DEFAULT_BATCH_SIZE,
        actor: Actor::ApiToken(access.token_id),
    };
    import::run(ctx, input, &options, rejected)
}
