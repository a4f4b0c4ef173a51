//! Builds the downloadable data package (a zip archive) for a subject access request.
//!
//! The archive is a pure function of [`PackageInput`]: entry order, record order and
//! zip timestamps are all fixed, so rebuilding a package for the same request yields
//! the same bytes and can be compared or re-served without surprises.

mod csv_sheet;
mod data_json;
mod manifest;
mod naming;
mod plan;
mod times;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io::{Cursor, Write};

use serde_json::{Map, Value};
use time::OffsetDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, System, ZipWriter};

use crate::files::package::plan::{EntryKind, Plan};

/// One personal record about the subject, already decrypted.
#[derive(Debug, Clone)]
pub struct PackageRecord {
    /// Internal id (UUID text).
    pub id: String,
    /// Source system name, e.g. "crm".
    pub source: String,
    /// The id in that system.
    pub source_id: String,
    /// Expected to be lowercase `[a-z0-9_-]+`, but anything is handled safely.
    pub category: String,
    /// "active" | "restricted" | "erased".
    pub state: String,
    pub retention_class: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub payload: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct PackageConsent {
    pub purpose: String,
    pub granted_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct PackageObjection {
    pub purpose: String,
    pub recorded_at: OffsetDateTime,
}

/// How long one retention class keeps data, in plain words (given by the caller).
#[derive(Debug, Clone)]
pub struct RetentionNote {
    pub class: String,
    pub rule: String,
}

#[derive(Debug, Clone, Copy)]
pub struct PackageInput<'a> {
    /// The request reference, e.g. "RD-7K3M-9QXA".
    pub reference: &'a str,
    /// Who holds the data, e.g. "rightsdesk".
    pub organisation: &'a str,
    pub generated_at: OffsetDateTime,
    /// The subject's normalised email.
    pub email: &'a str,
    pub account_ref: Option<&'a str>,
    pub records: &'a [PackageRecord],
    pub consents: &'a [PackageConsent],
    pub objections: &'a [PackageObjection],
    pub retention: &'a [RetentionNote],
}

/// Why a package could not be built. Messages never contain personal data, so they
/// are safe to log.
#[derive(Debug)]
pub struct PackageError(pub String);

impl fmt::Display for PackageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data package: {}", self.0)
    }
}

impl std::error::Error for PackageError {}

impl PackageError {
    /// The wrapped errors come from zip/csv/serde_json/time, whose messages describe
    /// positions and kinds rather than the values being written, so no personal data
    /// leaks into logs through here.
    pub(crate) fn context(context: &str, err: impl fmt::Display) -> Self {
        PackageError(format!("{context}: {err}"))
    }
}

/// Builds the zip archive (bytes) of a data package.
pub fn build_package(input: &PackageInput<'_>) -> Result<Vec<u8>, PackageError> {
    let plan = Plan::new(input);
    let modified = times::zip_timestamp(input.generated_at)?;

    let mut entries = Vec::new();
    for entry in plan.entries() {
        let bytes = match entry {
            EntryKind::Manifest => manifest::render_manifest(&plan)?,
            EntryKind::Data => data_json::render(&plan)?,
            EntryKind::Records(group) => csv_sheet::records_csv(group)?,
            EntryKind::Consents => csv_sheet::consents_csv(&plan.consents)?,
            EntryKind::Objections => csv_sheet::objections_csv(&plan.objections)?,
            EntryKind::Readme => manifest::render_readme(&plan)?.into_bytes(),
        };
        entries.push((entry.path(), bytes));
    }
    write_zip(&entries, modified)
}

fn write_zip(
    entries: &[(String, Vec<u8>)],
    modified: zip::DateTime,
) -> Result<Vec<u8>, PackageError> {
    // Everything that zip would otherwise take from the host (clock, OS, umask) is
    // pinned so the archive bytes depend only on the input.
    let base = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(modified)
        .unix_permissions(0o644)
        .system(System::Unix);

    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes) in entries {
        // Zip64 must be chosen before the entry is written; only pay for it when needed.
        let large = u64::try_from(bytes.len()).map_or(true, |len| len >= zip::ZIP64_BYTES_THR);
        writer
            .start_file(path.as_str(), base.large_file(large))
            .map_err(|e| PackageError::context("starting zip entry", e))?;
        writer
            .write_all(bytes)
            .map_err(|e| PackageError::context("writing zip entry", e))?;
    }
    let cursor = writer
        .finish()
        .map_err(|e| PackageError::context("finishing zip", e))?;
    Ok(cursor.into_inner())
}
