//! Streaming reader for rightsdesk import files (CSV, a JSON array, or NDJSON).
//!
//! Items are produced one at a time so that a multi-GB upload is read in
//! bounded memory. This module refuses what is not well-formed (syntax, encoding, length,
//! CSV columns); what each item must hold is `domain::import_row`. `docs/IMPORT.md`
//! ("Reasons") lists the reasons of both.

use std::fmt;
use std::io::Read;

mod reader;

/// The syntax of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Ndjson,
}

/// Limits and column rules for reading an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Longest accepted item in bytes (NDJSON line, CSV record, JSON array element). Default 1 MiB.
    pub max_item_bytes: usize,
    /// CSV only: the columns a header may name. A header naming any other column, naming one twice, or empty, is a fatal error at line 1.
    pub allowed_columns: Vec<String>,
    /// CSV only: columns whose cell holds JSON text (e.g. "payload"); the cell is parsed and the parsed Value is stored (not the string). Invalid JSON there is a row error naming the column.
    pub json_columns: Vec<String>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            max_item_bytes: 1024 * 1024,
            allowed_columns: Vec::new(),
            json_columns: Vec::new(),
        }
    }
}

/// One item read from the input.
#[derive(Debug, Clone, PartialEq)]
pub struct RawItem {
    /// 1-based line on which the item starts.
    pub line: u64,
    /// `Err` holds the reason the row is bad.
    pub fields: Result<serde_json::Map<String, serde_json::Value>, String>,
}

/// An error after which the input cannot be read any further (e.g. JSON array syntax error, bad CSV header, I/O error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FatalError {
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for FatalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for FatalError {}

/// Iterator over the items of an import file.
///
/// After a [`FatalError`] has been yielded the iterator only returns `None`.
pub struct ItemReader<R: Read> {
    source: Source<R>,
}

// Boxed because the CSV reader carries parser tables several KiB large, and
// the variants would otherwise differ wildly in size.
enum Source<R: Read> {
    Csv(Box<reader::CsvItems<R>>),
    Json(Box<reader::JsonItems<R>>),
    Ndjson(Box<reader::NdjsonItems<R>>),
    Finished,
}

impl<R: Read> ItemReader<R> {
    /// Prepares to read `input`; nothing is read until the first call to `next`.
    pub fn new(format: Format, input: R, options: ReaderOptions) -> Self {
        let source = match format {
            Format::Csv => Source::Csv(Box::new(reader::CsvItems::new(input, options))),
            Format::Json => Source::Json(Box::new(reader::JsonItems::new(input, options))),
            Format::Ndjson => Source::Ndjson(Box::new(reader::NdjsonItems::new(input, options))),
        };
        Self { source }
    }
}

impl<R: Read> Iterator for ItemReader<R> {
    type Item = Result<RawItem, FatalError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = match &mut self.source {
            Source::Csv(items) => items.next_item(),
            Source::Json(items) => items.next_item(),
            Source::Ndjson(items) => items.next_item(),
            Source::Finished => return None,
        };
        // Dropping the format reader also releases its buffers early.
        if matches!(next, None | Some(Err(_))) {
            self.source = Source::Finished;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_limit_is_one_mebibyte() {
        assert_eq!(ReaderOptions::default().max_item_bytes, 1_048_576);
    }

    #[test]
    fn iterator_ends_after_a_fatal_error() {
        let mut items = ItemReader::new(Format::Json, &b"{} [] {}"[..], ReaderOptions::default());
        assert!(matches!(items.next(), Some(Err(_))));
        assert!(items.next().is_none());
        assert!(items.next().is_none());
    }

    #[test]
    fn fatal_error_displays_line_and_reason() {
        let error = FatalError {
            line: 4,
            reason: "the file is not a JSON array".to_owned(),
        };
        assert_eq!(error.to_string(), "line 4: the file is not a JSON array");
    }
}
