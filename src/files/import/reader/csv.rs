//! CSV (RFC 4180) with a required header row, parsed by the `csv` crate.

use std::io::{self, Read};

use ::csv::{ByteRecord, Reader, ReaderBuilder};
use serde_json::{Map, Value};

use super::{hard_limit_bytes, json_error_message, read_failure_reason, BomStripped};
use crate::files::import::{FatalError, RawItem, ReaderOptions};

/// Size of the csv crate's internal read buffer, set explicitly because
/// `CsvSource` must remember at least that many recent bytes.
const CSV_BUFFER_BYTES: usize = 64 * 1024;
const RECENT_BYTES: usize = CSV_BUFFER_BYTES + 1;

/// Sits between the csv crate and the input to answer two questions the csv
/// crate cannot: which byte ended the record just read (see
/// `CsvItems::line_of_record_just_read`) and whether the record being read
/// has grown past the hard limit.
struct CsvSource<R> {
    inner: BomStripped<R>,
    delivered: u64,
    /// The last `RECENT_BYTES` bytes handed to the csv crate, indexed by
    /// stream offset modulo its length. The csv crate buffers at most
    /// `CSV_BUFFER_BYTES` beyond what it has consumed, so every byte it has
    /// just consumed is still here.
    recent: Vec<u8>,
    delivered_before_record: u64,
    record_byte_limit: u64,
    record_limit_reached: bool,
}

impl<R: Read> CsvSource<R> {
    fn new(input: R, record_byte_limit: u64) -> Self {
        Self {
            inner: BomStripped::new(input),
            delivered: 0,
            recent: vec![0; RECENT_BYTES],
            delivered_before_record: 0,
            record_byte_limit,
            record_limit_reached: false,
        }
    }

    fn start_record(&mut self) {
        self.delivered_before_record = self.delivered;
    }

    fn byte_at(&self, offset: u64) -> Option<u8> {
        let recent_len = RECENT_BYTES as u64;
        if offset >= self.delivered || self.delivered - offset > recent_len {
            return None;
        }
        self.recent.get((offset % recent_len) as usize).copied()
    }

    fn remember(&mut self, bytes: &[u8]) {
        let mut copied = 0;
        while copied < bytes.len() {
            let slot = (self.delivered % RECENT_BYTES as u64) as usize;
            let count = (bytes.len() - copied).min(RECENT_BYTES - slot);
            self.recent[slot..slot + count].copy_from_slice(&bytes[copied..copied + count]);
            copied += count;
            self.delivered += count as u64;
        }
    }
}

impl<R: Read> Read for CsvSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The csv crate keeps up to one buffer of look-ahead, so only bytes
        // beyond that prove the record itself is over the limit.
        let read_for_record = self.delivered - self.delivered_before_record;
        if read_for_record > self.record_byte_limit + CSV_BUFFER_BYTES as u64 {
            self.record_limit_reached = true;
            return Err(io::Error::other("CSV record is too long"));
        }
        let count = self.inner.read(buf)?;
        self.remember(&buf[..count]);
        Ok(count)
    }
}

struct Column {
    name: String,
    holds_json: bool,
}

pub(crate) struct CsvItems<R: Read> {
    reader: Reader<CsvSource<R>>,
    record: ByteRecord,
    /// `None` until the header row has been read on the first `next_item`.
    columns: Option<Vec<Column>>,
    options: ReaderOptions,
}

impl<R: Read> CsvItems<R> {
    pub(crate) fn new(input: R, options: ReaderOptions) -> Self {
        let source = CsvSource::new(input, hard_limit_bytes(options.max_item_bytes));
        let reader = ReaderBuilder::new()
            // The header is read as an ordinary record so that it gets the
            // same UTF-8 and position handling as data rows.
            .has_headers(false)
            // Rows with the wrong field count must be row errors, not the
            // csv crate's own error.
            .flexible(true)
            .buffer_capacity(CSV_BUFFER_BYTES)
            .from_reader(source);
        Self {
            reader,
            record: ByteRecord::new(),
            columns: None,
            options,
        }
    }

    pub(crate) fn next_item(&mut self) -> Option<Result<RawItem, FatalError>> {
        if self.columns.is_none() {
            match self.read_header() {
                Ok(columns) => self.columns = Some(columns),
                Err(error) => return Some(Err(error)),
            }
        }
        let line = match self.read_record() {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(error) => return Some(Err(error)),
        };
        let columns = self.columns.as_deref().unwrap_or_default();
        Some(Ok(RawItem {
            line,
            fields: record_fields(&self.record, columns, &self.options),
        }))
    }

    fn read_header(&mut self) -> Result<Vec<Column>, FatalError> {
        let Some(line) = self.read_record()? else {
            return Err(FatalError {
                line: 1,
                reason: "the file is empty; expected a header row".to_owned(),
            });
        };
        let fatal = |reason: String| FatalError { line, reason };
        let mut columns: Vec<Column> = Vec::with_capacity(self.record.len());
        for (index, raw_name) in self.record.iter().enumerate() {
            let number = index + 1;
            let name = std::str::from_utf8(raw_name)
                .map_err(|_| fatal(format!("header column {number} is not valid UTF-8")))?
                .trim();
            if name.is_empty() {
                return Err(fatal(format!("header column {number} is empty")));
            }
            if !self
                .options
                .allowed_columns
                .iter()
                .any(|allowed| allowed == name)
            {
                return Err(fatal(format!(
                    "the header names an unknown column \"{name}\""
                )));
            }
            if columns.iter().any(|column| column.name == name) {
                return Err(fatal(format!(
                    "the header names the column \"{name}\" twice"
                )));
            }
            columns.push(Column {
                name: name.to_owned(),
                holds_json: self.options.json_columns.iter().any(|json| json == name),
            });
        }
        Ok(columns)
    }

    /// Reads the next record into `self.record` and returns its line.
    fn read_record(&mut self) -> Result<Option<u64>, FatalError> {
        let line_hint = self.line_after_previous_record();
        self.reader.get_mut().start_record();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => Ok(Some(self.line_of_record_just_read())),
            Ok(false) => Ok(None),
            // With byte records and `flexible(true)` the csv crate only
            // fails on I/O: its parser accepts any byte sequence, and it
            // stops for good after an I/O error, so every error is fatal.
            Err(error) => {
                let reason = if self.reader.get_ref().record_limit_reached {
                    format!(
                        "record is longer than {} bytes and too long to skip (is a quote left open?)",
                        hard_limit_bytes(self.options.max_item_bytes)
                    )
                } else if let ::csv::ErrorKind::Io(io_error) = error.kind() {
                    read_failure_reason(io_error)
                } else {
                    format!("the CSV could not be read: {error}")
                };
                Err(FatalError {
                    line: line_hint,
                    reason,
                })
            }
        }
    }

    /// The line on which the record just read starts.
    ///
    /// `ByteRecord::position().line()` is not used: the csv crate records
    /// it before skipping blank lines and before consuming the `\n` of a
    /// previous `\r\n`, so it is one or more lines early for CRLF files and
    /// records after blank lines. Counting back from the record's end is
    /// exact: the only `\n` bytes between a record's first byte and the
    /// reader's position are those inside quoted fields (still present in
    /// the field bytes) and the record's own `\n` terminator, if that was
    /// the byte that ended it (a `\r` ends the record first in CRLF files).
    fn line_of_record_just_read(&self) -> u64 {
        let end = self.reader.position();
        let quoted_newlines = self
            .record
            .as_slice()
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count() as u64;
        let ended_by_newline = self.byte_before(end.byte()) == Some(b'\n');
        end.line()
            .saturating_sub(quoted_newlines + u64::from(ended_by_newline))
            .max(1)
    }

    /// Best guess at where the next record starts, for errors raised before
    /// it has been read: blank lines in between are not accounted for.
    fn line_after_previous_record(&self) -> u64 {
        let position = self.reader.position();
        let ended_by_carriage_return = self.byte_before(position.byte()) == Some(b'\r');
        position.line() + u64::from(ended_by_carriage_return)
    }

    fn byte_before(&self, offset: u64) -> Option<u8> {
        let previous = offset.checked_sub(1)?;
        self.reader.get_ref().byte_at(previous)
    }
}

fn record_fields(
    record: &ByteRecord,
    columns: &[Column],
    options: &ReaderOptions,
) -> Result<Map<String, Value>, String> {
    if record.as_slice().len() > options.max_item_bytes {
        return Err(format!(
            "record is longer than {} bytes",
            options.max_item_bytes
        ));
    }
    if record.len() != columns.len() {
        return Err(format!(
            "record has {} but the header has {}",
            count_of(record.len(), "field", "fields"),
            count_of(columns.len(), "column", "columns")
        ));
    }
    let mut fields = Map::new();
    for (index, (cell, column)) in record.iter().zip(columns).enumerate() {
        if cell.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(cell)
            .map_err(|_| format!("field {} ({}) is not valid UTF-8", index + 1, column.name))?;
        let value = if column.holds_json {
            serde_json::from_str(text).map_err(|error| {
                format!(
                    "the {} column is not valid JSON: {}",
                    column.name,
                    describe_cell_json_error(&error)
                )
            })?
        } else {
            Value::String(text.to_owned())
        };
        fields.insert(column.name.clone(), value);
    }
    Ok(fields)
}

fn describe_cell_json_error(error: &serde_json::Error) -> String {
    let message = json_error_message(error);
    match error.line() {
        0 => message,
        1 => format!("{message} at column {}", error.column()),
        line => format!(
            "{message} at line {line} of the cell, column {}",
            error.column()
        ),
    }
}

fn count_of(count: usize, singular: &str, plural: &str) -> String {
    format!("{count} {}", if count == 1 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::import::reader::test_support::{
        failing_after, fatal, item, read_all, read_from, row_error, FailingReader, Generated,
        OneByteAtATime, DISK_ON_FIRE,
    };
    use crate::files::import::{Format, ItemReader};

    fn options() -> ReaderOptions {
        ReaderOptions {
            allowed_columns: ["email", "name", "payload"].map(str::to_owned).to_vec(),
            json_columns: vec!["payload".to_owned()],
            ..ReaderOptions::default()
        }
    }

    fn read(input: &[u8]) -> Vec<Result<RawItem, FatalError>> {
        read_all(Format::Csv, input, options())
    }

    #[test]
    fn reads_records_under_the_header() {
        assert_eq!(
            read(b"email,name\na@example.com,Ada\nb@example.com,Bob\n"),
            vec![
                item(2, r#"{"email":"a@example.com","name":"Ada"}"#),
                item(3, r#"{"email":"b@example.com","name":"Bob"}"#)
            ]
        );
    }

    #[test]
    fn header_names_are_trimmed() {
        assert_eq!(
            read(b" email ,\tname\na,b"),
            vec![item(2, r#"{"email":"a","name":"b"}"#)]
        );
    }

    #[test]
    fn empty_input_is_fatal() {
        assert_eq!(
            read(b""),
            vec![fatal(1, "the file is empty; expected a header row")]
        );
        assert_eq!(
            read(b"\xEF\xBB\xBF"),
            vec![fatal(1, "the file is empty; expected a header row")]
        );
    }

    #[test]
    fn header_only_yields_nothing() {
        assert!(read(b"email,name\n").is_empty());
    }

    #[test]
    fn bad_headers_are_fatal_at_line_one() {
        assert_eq!(
            read(b"email,phone\na,b\n"),
            vec![fatal(1, "the header names an unknown column \"phone\"")]
        );
        assert_eq!(
            read(b"email, email\na,b\n"),
            vec![fatal(1, "the header names the column \"email\" twice")]
        );
        assert_eq!(
            read(b"email,  ,name\n"),
            vec![fatal(1, "header column 2 is empty")]
        );
        assert_eq!(
            read(b"email,\xFF\n"),
            vec![fatal(1, "header column 2 is not valid UTF-8")]
        );
    }

    #[test]
    fn empty_cells_are_absent_fields() {
        assert_eq!(
            read(b"email,name,payload\n,Ada,\n,,\n"),
            vec![item(2, r#"{"name":"Ada"}"#), item(3, "{}")]
        );
    }

    #[test]
    fn json_columns_hold_parsed_values() {
        assert_eq!(
            read(b"email,payload\na,\"{\"\"x\"\": [1, true]}\"\nb,42\n"),
            vec![
                item(2, r#"{"email":"a","payload":{"x":[1,true]}}"#),
                item(3, r#"{"email":"b","payload":42}"#)
            ]
        );
    }

    #[test]
    fn invalid_json_in_a_json_column_is_a_row_error() {
        assert_eq!(
            read(b"email,payload\na,{x}\nb,{}\n"),
            vec![
                row_error(
                    2,
                    "the payload column is not valid JSON: key must be a string at column 2"
                ),
                item(3, r#"{"email":"b","payload":{}}"#)
            ]
        );
    }

    #[test]
    fn invalid_utf8_in_a_field_is_a_row_error() {
        assert_eq!(
            read(b"name,payload,email\nAda,,\xFF@example.com\nBob,,\n"),
            vec![
                row_error(2, "field 3 (email) is not valid UTF-8"),
                item(3, r#"{"name":"Bob"}"#)
            ]
        );
    }

    #[test]
    fn wrong_field_count_is_a_row_error() {
        assert_eq!(
            read(b"email,name\na\na,b,c\na,b\n"),
            vec![
                row_error(2, "record has 1 field but the header has 2 columns"),
                row_error(3, "record has 3 fields but the header has 2 columns"),
                item(4, r#"{"email":"a","name":"b"}"#)
            ]
        );
    }

    #[test]
    fn record_over_the_limit_is_a_row_error() {
        let options = ReaderOptions {
            max_item_bytes: 6,
            ..options()
        };
        assert_eq!(
            read_all(Format::Csv, b"email,name\nabc,def\nabc,defg\n", options),
            vec![
                item(2, r#"{"email":"abc","name":"def"}"#),
                row_error(3, "record is longer than 6 bytes")
            ]
        );
    }

    #[test]
    fn quoted_multi_line_fields_keep_line_numbers_right() {
        assert_eq!(
            read(b"email,name\n\"a\nb\",\"c\r\n\r\nd\"\ne,f\n\"g\",h"),
            vec![
                item(2, r#"{"email":"a\nb","name":"c\r\n\r\nd"}"#),
                item(6, r#"{"email":"e","name":"f"}"#),
                item(7, r#"{"email":"g","name":"h"}"#)
            ]
        );
    }

    #[test]
    fn crlf_and_blank_lines_keep_line_numbers_right() {
        assert_eq!(
            read(b"email,name\r\na,b\r\n\r\n\r\nc,d\r\n\"e\r\n\",f\r\n"),
            vec![
                item(2, r#"{"email":"a","name":"b"}"#),
                item(5, r#"{"email":"c","name":"d"}"#),
                item(6, r#"{"email":"e\r\n","name":"f"}"#)
            ]
        );
        assert_eq!(
            read(b"\n\nemail\n\n\na\n"),
            vec![item(6, r#"{"email":"a"}"#)]
        );
    }

    #[test]
    fn bom_is_skipped() {
        assert_eq!(
            read(b"\xEF\xBB\xBFemail,name\r\na,b\r\n"),
            vec![item(2, r#"{"email":"a","name":"b"}"#)]
        );
    }

    #[test]
    fn works_with_readers_that_return_one_byte_at_a_time() {
        let input = b"\xEF\xBB\xBFemail\r\n\r\na\r\n\"b\nc\"\r\n";
        let results: Vec<_> =
            ItemReader::new(Format::Csv, OneByteAtATime(input), options()).collect();
        assert_eq!(
            results,
            vec![item(3, r#"{"email":"a"}"#), item(4, r#"{"email":"b\nc"}"#)]
        );
    }

    #[test]
    fn line_numbers_stay_right_past_the_csv_buffer() {
        // Long records make the csv crate refill its buffer mid-record, which
        // is when the byte that ended a record is oldest in `CsvSource`.
        let long_cell = "x".repeat(CSV_BUFFER_BYTES - 3);
        let row = format!("{long_cell}\r\n");
        let input = Generated::new(b"email\r\n", row.as_bytes(), 40, b"\r\nlast\r\n");
        let results: Vec<_> = ItemReader::new(Format::Csv, input, options()).collect();
        assert_eq!(results.len(), 41);
        for (index, result) in results.iter().take(40).enumerate() {
            assert!(
                matches!(result, Ok(RawItem { line, fields: Ok(_) }) if *line == index as u64 + 2),
                "item {index}: {result:?}"
            );
        }
        assert_eq!(results[40], item(43, r#"{"email":"last"}"#));
    }

    #[test]
    fn unbalanced_quote_is_fatal_before_it_fills_memory() {
        let options = ReaderOptions {
            max_item_bytes: 1024,
            ..options()
        };
        let input = Generated::new(b"email\na\n\"b,", b"x\n", 1_000_000, b"");
        let results: Vec<_> = ItemReader::new(Format::Csv, input, options).collect();
        assert_eq!(
            results,
            vec![
                item(2, r#"{"email":"a"}"#),
                fatal(
                    3,
                    "record is longer than 16384 bytes and too long to skip (is a quote left open?)"
                )
            ]
        );
    }

    #[test]
    fn read_failure_mid_file_is_fatal() {
        assert_eq!(
            read_from(Format::Csv, failing_after(b"email\r\na\r\nb"), options()),
            vec![item(2, r#"{"email":"a"}"#), fatal(3, DISK_ON_FIRE)]
        );
    }

    #[test]
    fn read_failure_is_fatal() {
        assert_eq!(
            read_from(Format::Csv, FailingReader, options()),
            vec![fatal(1, DISK_ON_FIRE)]
        );
    }
}
