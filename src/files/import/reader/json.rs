//! JSON: a single top-level array of objects, streamed element by element.
//!
//! Design choice: the iterator drives the parse itself. The array's own
//! punctuation (`[`, `,`, `]` and whitespace between elements) is read here
//! byte by byte, and each element is handed to a fresh serde_json
//! `StreamDeserializer` that reads exactly one value. This keeps
//! `ItemReader<R>` generic over any `R: Read` (no thread, no `Send + 'static`)
//! and makes element line numbers exact, because we see the element's first
//! byte before serde_json does.
//!
//! serde_json may read one byte past a value whose end it cannot otherwise
//! see (a number, `true`, ...). `StreamDeserializer::byte_offset` tells us
//! whether it did, and `JsonSource` then takes that byte back so the array
//! punctuation after the element is not lost.
//!
//! Memory: serde_json builds the whole element before we can measure it, so
//! an element over `max_item_bytes` is a row error found after reading it;
//! memory is bounded by the element's size, and `HARD_LIMIT_FACTOR` turns an
//! element that keeps growing into a fatal error instead.

use std::io::{self, BufRead, BufReader, Read};

use serde_json::Value;

use super::{hard_limit_bytes, json_error_message, read_failure_reason, BomStripped};
use crate::files::import::{FatalError, RawItem, ReaderOptions};

/// A byte source that knows the line and column of the next byte and can
/// take back the last byte it handed out.
struct JsonSource<R: Read> {
    input: BufReader<BomStripped<R>>,
    taken_back: Option<u8>,
    last_byte: Option<u8>,
    offset: u64,
    /// 1-based line of the next byte.
    line: u64,
    /// Bytes already read on the current line, so the next byte is at `column + 1`.
    column: u64,
    /// `column` as it was just before the last `\n`, for taking that `\n` back.
    column_before_last_newline: u64,
    /// Reads fail once `offset` reaches this, to stop runaway elements.
    read_limit: Option<u64>,
    read_limit_reached: bool,
}

impl<R: Read> JsonSource<R> {
    fn new(input: R) -> Self {
        Self {
            input: BufReader::new(BomStripped::new(input)),
            taken_back: None,
            last_byte: None,
            offset: 0,
            line: 1,
            column: 0,
            column_before_last_newline: 0,
            read_limit: None,
            read_limit_reached: false,
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        if let Some(byte) = self.taken_back {
            return Ok(Some(byte));
        }
        loop {
            match self.input.fill_buf() {
                Ok(available) => return Ok(available.first().copied()),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// Consumes the byte that `peek` just returned.
    fn advance(&mut self, byte: u8) {
        if self.taken_back.take().is_none() {
            self.input.consume(1);
        }
        self.last_byte = Some(byte);
        self.offset += 1;
        if byte == b'\n' {
            self.line += 1;
            self.column_before_last_newline = self.column;
            self.column = 0;
        } else {
            self.column += 1;
        }
    }

    fn take_back_last_byte(&mut self) {
        let Some(byte) = self.last_byte.take() else {
            return;
        };
        self.taken_back = Some(byte);
        self.offset -= 1;
        if byte == b'\n' {
            self.line -= 1;
            self.column = self.column_before_last_newline;
        } else {
            self.column -= 1;
        }
    }

    /// Skips JSON whitespace and returns the next byte without consuming it.
    fn peek_past_whitespace(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(byte @ (b' ' | b'\t' | b'\r' | b'\n')) => self.advance(byte),
                other => return Ok(other),
            }
        }
    }
}

impl<R: Read> Read for JsonSource<R> {
    // One byte per call: serde_json reads byte by byte anyway, and it keeps
    // `last_byte` exact for `take_back_last_byte`.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(slot) = buf.first_mut() else {
            return Ok(0);
        };
        if self.read_limit.is_some_and(|limit| self.offset >= limit) {
            self.read_limit_reached = true;
            return Err(io::Error::other("array element is too long"));
        }
        let Some(byte) = self.peek()? else {
            return Ok(0);
        };
        self.advance(byte);
        *slot = byte;
        Ok(1)
    }
}

#[derive(Clone, Copy)]
enum State {
    BeforeArray,
    BeforeFirstElement,
    AfterElement,
    AfterArray,
}

pub(crate) struct JsonItems<R: Read> {
    source: JsonSource<R>,
    state: State,
    max_item_bytes: usize,
}

impl<R: Read> JsonItems<R> {
    pub(crate) fn new(input: R, options: ReaderOptions) -> Self {
        Self {
            source: JsonSource::new(input),
            state: State::BeforeArray,
            max_item_bytes: options.max_item_bytes,
        }
    }

    pub(crate) fn next_item(&mut self) -> Option<Result<RawItem, FatalError>> {
        match self.move_to_next_element() {
            Ok(true) => Some(self.read_element()),
            Ok(false) => None,
            Err(error) => Some(Err(error)),
        }
    }

    /// Reads array punctuation up to the first byte of the next element.
    /// Returns `false` once the array and the input have ended cleanly.
    fn move_to_next_element(&mut self) -> Result<bool, FatalError> {
        loop {
            let next = self.peek_past_whitespace()?;
            match (self.state, next) {
                (State::BeforeArray, Some(b'[')) => {
                    self.source.advance(b'[');
                    self.state = State::BeforeFirstElement;
                }
                (State::BeforeArray, Some(_)) => {
                    return Err(self.fatal_here("the file is not a JSON array: expected `[`"))
                }
                (State::BeforeArray, None) => {
                    return Err(FatalError {
                        line: self.source.line,
                        reason: "the file is empty; expected a JSON array".to_owned(),
                    })
                }
                (State::BeforeFirstElement | State::AfterElement, Some(b']')) => {
                    self.source.advance(b']');
                    self.state = State::AfterArray;
                }
                (State::BeforeFirstElement, Some(_)) => return Ok(true),
                (State::AfterElement, Some(b',')) => {
                    self.source.advance(b',');
                    match self.peek_past_whitespace()? {
                        Some(b']') => return Err(self.fatal_here("invalid JSON: trailing comma")),
                        Some(_) => return Ok(true),
                        None => return Err(self.unclosed_array()),
                    }
                }
                (State::AfterElement, Some(_)) => {
                    return Err(self.fatal_here("invalid JSON: expected `,` or `]`"))
                }
                (State::BeforeFirstElement | State::AfterElement, None) => {
                    return Err(self.unclosed_array())
                }
                (State::AfterArray, Some(_)) => {
                    return Err(self.fatal_here("invalid JSON: unexpected data after the array"))
                }
                (State::AfterArray, None) => return Ok(false),
            }
        }
    }

    fn read_element(&mut self) -> Result<RawItem, FatalError> {
        self.state = State::AfterElement;
        let start_line = self.source.line;
        let start_column = self.source.column;
        let start_offset = self.source.offset;
        self.source.read_limit =
            Some(start_offset.saturating_add(hard_limit_bytes(self.max_item_bytes)));

        let mut values =
            serde_json::Deserializer::from_reader(&mut self.source).into_iter::<Value>();
        let parsed = values.next();
        let parsed_bytes = values.byte_offset() as u64;
        drop(values);
        self.source.read_limit = None;

        let parsed = match parsed {
            Some(Ok(value)) => value,
            Some(Err(error)) => return Err(self.element_failure(&error, start_line, start_column)),
            // Unreachable in practice: we only get here after peeking a byte.
            None => return Err(self.unclosed_array()),
        };
        if self.source.offset > start_offset + parsed_bytes {
            self.source.take_back_last_byte();
        }
        let fields = if parsed_bytes > self.max_item_bytes as u64 {
            Err(format!(
                "array element is longer than {} bytes",
                self.max_item_bytes
            ))
        } else if let Value::Object(fields) = parsed {
            Ok(fields)
        } else {
            Err("item is not a JSON object".to_owned())
        };
        Ok(RawItem {
            line: start_line,
            fields,
        })
    }

    /// Translates a failure inside an element into a fatal error whose
    /// position counts from the start of the file, not of the element.
    fn element_failure(
        &self,
        error: &serde_json::Error,
        start_line: u64,
        start_column: u64,
    ) -> FatalError {
        if self.source.read_limit_reached {
            return FatalError {
                line: start_line,
                reason: format!(
                    "array element is longer than {} bytes and too long to skip (is a bracket or quote left open?)",
                    hard_limit_bytes(self.max_item_bytes)
                ),
            };
        }
        if error.is_io() {
            return FatalError {
                line: self.source.line,
                reason: read_failure_reason(json_error_message(error)),
            };
        }
        let relative_line = error.line() as u64;
        if relative_line == 0 {
            return self.fatal_here(&format!("invalid JSON: {}", json_error_message(error)));
        }
        let column = if relative_line == 1 {
            start_column + error.column() as u64
        } else {
            error.column() as u64
        };
        FatalError {
            line: start_line + relative_line - 1,
            reason: format!(
                "invalid JSON: {} at column {column}",
                json_error_message(error)
            ),
        }
    }

    fn peek_past_whitespace(&mut self) -> Result<Option<u8>, FatalError> {
        self.source
            .peek_past_whitespace()
            .map_err(|error| FatalError {
                line: self.source.line,
                reason: read_failure_reason(&error),
            })
    }

    /// A fatal error at the byte that is about to be read.
    fn fatal_here(&self, message: &str) -> FatalError {
        FatalError {
            line: self.source.line,
            reason: format!("{message} at column {}", self.source.column + 1),
        }
    }

    fn unclosed_array(&self) -> FatalError {
        FatalError {
            line: self.source.line,
            reason: "the file ends before the JSON array is closed".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::import::reader::test_support::{
        failing_after, fatal, item, read_all, read_from, row_error, FailingReader, Generated,
        OneByteAtATime, DISK_ON_FIRE,
    };
    use crate::files::import::{Format, ItemReader};

    fn read(input: &[u8]) -> Vec<Result<RawItem, FatalError>> {
        read_all(Format::Json, input, ReaderOptions::default())
    }

    #[test]
    fn pretty_printed_array_reports_the_line_of_each_opening_brace() {
        let input = b"[\n  {\n    \"a\": 1\n  },\n  {\"b\": 2},\n  {\n    \"c\": 3\n  }\n]\n";
        assert_eq!(
            read(input),
            vec![
                item(2, r#"{"a":1}"#),
                item(5, r#"{"b":2}"#),
                item(6, r#"{"c":3}"#)
            ]
        );
    }

    #[test]
    fn single_line_array_puts_every_element_on_line_one() {
        assert_eq!(
            read(b"[{\"a\":1},{\"b\":2}]"),
            vec![item(1, r#"{"a":1}"#), item(1, r#"{"b":2}"#)]
        );
    }

    #[test]
    fn blank_lines_between_elements_are_counted() {
        assert_eq!(
            read(b"[\n\n{\"a\":1}\n\n\n,\n\n{\"b\":2}\n\n]"),
            vec![item(3, r#"{"a":1}"#), item(8, r#"{"b":2}"#)]
        );
    }

    #[test]
    fn crlf_line_ends_are_counted() {
        assert_eq!(
            read(b"[\r\n{\"a\":1},\r\n\r\n{\"b\":\r\n2}\r\n]\r\n"),
            vec![item(2, r#"{"a":1}"#), item(4, r#"{"b":2}"#)]
        );
    }

    #[test]
    fn bom_is_skipped() {
        assert_eq!(
            read(b"\xEF\xBB\xBF[\n{\"a\":1}]"),
            vec![item(2, r#"{"a":1}"#)]
        );
    }

    #[test]
    fn empty_array_yields_nothing() {
        assert!(read(b"[]").is_empty());
        assert!(read(b" \n[ \n ] \n").is_empty());
    }

    #[test]
    fn elements_that_are_not_objects_are_row_errors() {
        assert_eq!(
            read(b"[1,\n true\n,\"x\",[],null\n,2.5 ,{\"a\":1}]"),
            vec![
                row_error(1, "item is not a JSON object"),
                row_error(2, "item is not a JSON object"),
                row_error(3, "item is not a JSON object"),
                row_error(3, "item is not a JSON object"),
                row_error(3, "item is not a JSON object"),
                row_error(4, "item is not a JSON object"),
                item(4, r#"{"a":1}"#)
            ]
        );
    }

    #[test]
    fn number_directly_before_the_closing_bracket_keeps_the_bracket() {
        assert_eq!(
            read(b"[{\"a\":1},7]"),
            vec![
                item(1, r#"{"a":1}"#),
                row_error(1, "item is not a JSON object")
            ]
        );
    }

    #[test]
    fn syntax_error_inside_an_element_is_fatal_with_file_position() {
        assert_eq!(
            read(b"[\n  {\"a\":1},\n  {\"b\" 2}\n]"),
            vec![
                item(2, r#"{"a":1}"#),
                fatal(3, "invalid JSON: expected `:` at column 8")
            ]
        );
        assert_eq!(
            read(b"[{\"a\":\n1\n x}]"),
            vec![fatal(3, "invalid JSON: expected `,` or `}` at column 2")]
        );
    }

    #[test]
    fn element_error_positions_match_serde_json_on_the_whole_file() {
        let broken: [&[u8]; 5] = [
            b"[\n  {\"a\":1},\n  {\"b\" 2}\n]",
            b"[{\"a\":1}, {\"a\":\n [1,\n  2 3]}]",
            b"[\r\n\t{\"a\": tru}]",
            b"[1, {\"a\":\"\\q\"}]",
            b"[{\"a\":1},\n\n  {\"b\":\n}]",
        ];
        for input in broken {
            let Err(whole) = serde_json::from_slice::<Value>(input) else {
                panic!("fixture should be invalid");
            };
            let expected = FatalError {
                line: whole.line() as u64,
                reason: format!(
                    "invalid JSON: {} at column {}",
                    json_error_message(&whole),
                    whole.column()
                ),
            };
            let last = read(input).pop();
            assert_eq!(
                last,
                Some(Err(expected)),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn syntax_errors_in_the_array_structure_are_fatal() {
        assert_eq!(
            read(b"[{\"a\":1} {\"b\":2}]"),
            vec![
                item(1, r#"{"a":1}"#),
                fatal(1, "invalid JSON: expected `,` or `]` at column 10")
            ]
        );
        assert_eq!(
            read(b"[{\"a\":1},\n]"),
            vec![
                item(1, r#"{"a":1}"#),
                fatal(2, "invalid JSON: trailing comma at column 1")
            ]
        );
        assert_eq!(
            read(b"[{\"a\":1},"),
            vec![
                item(1, r#"{"a":1}"#),
                fatal(1, "the file ends before the JSON array is closed")
            ]
        );
        assert_eq!(
            read(b"[\n{\"a\":1}\n"),
            vec![
                item(2, r#"{"a":1}"#),
                fatal(3, "the file ends before the JSON array is closed")
            ]
        );
        assert_eq!(
            read(b"[{\"a\":1"),
            vec![fatal(
                1,
                "invalid JSON: EOF while parsing an object at column 7"
            )]
        );
    }

    #[test]
    fn input_that_is_not_an_array_is_fatal() {
        assert_eq!(
            read(b"\n {\"a\":1}"),
            vec![fatal(
                2,
                "the file is not a JSON array: expected `[` at column 2"
            )]
        );
        assert_eq!(
            read(b"  \n"),
            vec![fatal(2, "the file is empty; expected a JSON array")]
        );
    }

    #[test]
    fn trailing_data_after_the_array_is_fatal() {
        assert_eq!(
            read(b"[{\"a\":1}]\n\n x"),
            vec![
                item(1, r#"{"a":1}"#),
                fatal(
                    3,
                    "invalid JSON: unexpected data after the array at column 2"
                )
            ]
        );
        assert_eq!(read(b"[]\r\n  \r\n"), vec![]);
    }

    #[test]
    fn invalid_utf8_in_a_string_is_fatal() {
        let results = read(b"[\n{\"a\":\"\xFF\"}]");
        assert_eq!(results.len(), 1);
        assert!(
            matches!(&results[0], Err(FatalError { line: 2, reason }) if reason.starts_with("invalid JSON: invalid unicode code point")),
            "{results:?}"
        );
    }

    #[test]
    fn element_over_the_limit_is_a_row_error_and_reading_continues() {
        let options = ReaderOptions {
            max_item_bytes: 10,
            ..ReaderOptions::default()
        };
        assert_eq!(
            read_all(
                Format::Json,
                b"[{\"a\":\"xx\"},\n{\"a\":\"xxx\"},{\"b\":1}]",
                options
            ),
            vec![
                item(1, r#"{"a":"xx"}"#),
                row_error(2, "array element is longer than 10 bytes"),
                item(2, r#"{"b":1}"#)
            ]
        );
    }

    #[test]
    fn runaway_element_is_fatal_before_it_fills_memory() {
        let input = Generated::new(b"[{\"a\":1},\n{\"a\":\"", b"x", 1_000_000, b"\"}]");
        let options = ReaderOptions {
            max_item_bytes: 1024,
            ..ReaderOptions::default()
        };
        let results: Vec<_> = ItemReader::new(Format::Json, input, options).collect();
        assert_eq!(
            results,
            vec![
                item(1, r#"{"a":1}"#),
                fatal(
                    2,
                    "array element is longer than 16384 bytes and too long to skip (is a bracket or quote left open?)"
                )
            ]
        );
    }

    #[test]
    fn works_with_readers_that_return_one_byte_at_a_time() {
        let input = b"\xEF\xBB\xBF[\r\n 12,{\"a\":1}\r\n]";
        let results: Vec<_> = ItemReader::new(
            Format::Json,
            OneByteAtATime(input),
            ReaderOptions::default(),
        )
        .collect();
        assert_eq!(
            results,
            vec![
                row_error(2, "item is not a JSON object"),
                item(2, r#"{"a":1}"#)
            ]
        );
    }

    #[test]
    fn read_failure_inside_an_element_is_fatal() {
        assert_eq!(
            read_from(
                Format::Json,
                failing_after(b"[{\"a\":1},\n{\"b\":"),
                ReaderOptions::default()
            ),
            vec![item(1, r#"{"a":1}"#), fatal(2, DISK_ON_FIRE)]
        );
    }

    #[test]
    fn read_failure_is_fatal() {
        assert_eq!(
            read_from(Format::Json, FailingReader, ReaderOptions::default()),
            vec![fatal(1, DISK_ON_FIRE)]
        );
    }

    #[test]
    fn many_elements_stream_through() {
        let count = 50_000u64;
        let input = Generated::new(b"[\n", b"{\"id\":1},\n", count, b"{\"id\":2}]");
        let mut last_line = 0;
        let mut seen = 0u64;
        for result in ItemReader::new(Format::Json, input, ReaderOptions::default()) {
            let Ok(RawItem {
                line,
                fields: Ok(_),
            }) = result
            else {
                panic!("unexpected {result:?}");
            };
            seen += 1;
            last_line = line;
        }
        assert_eq!(seen, count + 1);
        assert_eq!(last_line, count + 2);
    }
}
