//! NDJSON: one JSON object per line.

use std::io::{self, BufRead, BufReader, Read};

use serde_json::Value;

use super::{json_error_message, read_failure_reason, BomStripped};
use crate::files::import::{FatalError, RawItem, ReaderOptions};

enum LineRead {
    EndOfInput,
    /// The line, without its terminator, is in `line_buffer`.
    Complete,
    /// The line was longer than the limit and has been skipped.
    TooLong,
}

pub(crate) struct NdjsonItems<R: Read> {
    input: BufReader<BomStripped<R>>,
    max_item_bytes: usize,
    /// Reused for every line; never grows past `max_item_bytes + 1` bytes of
    /// content because over-long lines are discarded chunk by chunk.
    line_buffer: Vec<u8>,
    next_line_number: u64,
}

impl<R: Read> NdjsonItems<R> {
    pub(crate) fn new(input: R, options: ReaderOptions) -> Self {
        Self {
            input: BufReader::new(BomStripped::new(input)),
            max_item_bytes: options.max_item_bytes,
            line_buffer: Vec::new(),
            next_line_number: 1,
        }
    }

    pub(crate) fn next_item(&mut self) -> Option<Result<RawItem, FatalError>> {
        loop {
            let line = self.next_line_number;
            let outcome = match self.read_line() {
                Ok(outcome) => outcome,
                Err(error) => {
                    return Some(Err(FatalError {
                        line,
                        reason: read_failure_reason(&error),
                    }))
                }
            };
            self.next_line_number += 1;
            let fields = match outcome {
                LineRead::EndOfInput => return None,
                LineRead::TooLong => Err(self.too_long_reason()),
                LineRead::Complete => {
                    if self.line_buffer.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.parse_line()
                }
            };
            return Some(Ok(RawItem { line, fields }));
        }
    }

    fn too_long_reason(&self) -> String {
        format!("line is longer than {} bytes", self.max_item_bytes)
    }

    fn parse_line(&self) -> Result<serde_json::Map<String, Value>, String> {
        let text = std::str::from_utf8(&self.line_buffer)
            .map_err(|_| "line is not valid UTF-8".to_owned())?;
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(fields)) => Ok(fields),
            Ok(_) => Err("item is not a JSON object".to_owned()),
            Err(error) => Err(format!(
                "invalid JSON: {} at column {}",
                json_error_message(&error),
                error.column()
            )),
        }
    }

    /// Reads one line into `line_buffer`, holding at most
    /// `max_item_bytes + 1` bytes of it (the extra byte leaves room for the
    /// `\r` of a CRLF line end) so a multi-GB line costs no more memory than a
    /// short one.
    fn read_line(&mut self) -> io::Result<LineRead> {
        self.line_buffer.clear();
        let kept_bytes_limit = self.max_item_bytes.saturating_add(1);
        let mut saw_any_byte = false;
        let mut too_long = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                if !saw_any_byte {
                    return Ok(LineRead::EndOfInput);
                }
                break;
            }
            saw_any_byte = true;
            let newline = available.iter().position(|&byte| byte == b'\n');
            let content = &available[..newline.unwrap_or(available.len())];
            if !too_long {
                if self.line_buffer.len() + content.len() > kept_bytes_limit {
                    too_long = true;
                    self.line_buffer.clear();
                } else {
                    self.line_buffer.extend_from_slice(content);
                }
            }
            let consumed = newline.map_or(available.len(), |index| index + 1);
            self.input.consume(consumed);
            if newline.is_some() {
                break;
            }
        }
        if self.line_buffer.last() == Some(&b'\r') {
            self.line_buffer.pop();
        }
        if too_long || self.line_buffer.len() > self.max_item_bytes {
            self.line_buffer.clear();
            return Ok(LineRead::TooLong);
        }
        Ok(LineRead::Complete)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Read};

    use super::*;
    use crate::files::import::reader::test_support::{
        failing_after, fatal, item, read_all, read_from, row_error, FailingReader, Generated,
        OneByteAtATime, DISK_ON_FIRE,
    };
    use crate::files::import::{Format, ItemReader};

    fn read(input: &[u8]) -> Vec<Result<RawItem, FatalError>> {
        read_all(Format::Ndjson, input, ReaderOptions::default())
    }

    fn with_limit(max_item_bytes: usize) -> ReaderOptions {
        ReaderOptions {
            max_item_bytes,
            ..ReaderOptions::default()
        }
    }

    #[test]
    fn reads_one_object_per_line_with_line_numbers() {
        assert_eq!(
            read(b"{\"a\":1}\n{\"b\":2}\n"),
            vec![item(1, r#"{"a":1}"#), item(2, r#"{"b":2}"#)]
        );
    }

    #[test]
    fn last_line_needs_no_line_end() {
        assert_eq!(read(b"{\"a\":1}"), vec![item(1, r#"{"a":1}"#)]);
    }

    #[test]
    fn crlf_line_ends_are_accepted() {
        assert_eq!(
            read(b"{\"a\":1}\r\n\r\n{\"b\":2}\r\n"),
            vec![item(1, r#"{"a":1}"#), item(3, r#"{"b":2}"#)]
        );
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        assert_eq!(
            read(b"\n   \n\t\r\n{\"a\":1}\n\n"),
            vec![item(4, r#"{"a":1}"#)]
        );
    }

    #[test]
    fn empty_input_yields_nothing() {
        assert!(read(b"").is_empty());
    }

    #[test]
    fn bom_is_skipped() {
        assert_eq!(
            read(b"\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}"),
            vec![item(1, r#"{"a":1}"#), item(2, r#"{"b":2}"#)]
        );
    }

    #[test]
    fn invalid_utf8_is_a_row_error() {
        assert_eq!(
            read(b"{\"a\":\"\xFF\"}\n{\"b\":2}\n"),
            vec![
                row_error(1, "line is not valid UTF-8"),
                item(2, r#"{"b":2}"#)
            ]
        );
    }

    #[test]
    fn invalid_json_is_a_row_error_with_its_column() {
        assert_eq!(
            read(b"{\"name\":\"Ada\" \"x\":1}\n{\"b\":2}\n"),
            vec![
                row_error(1, "invalid JSON: expected `,` or `}` at column 15"),
                item(2, r#"{"b":2}"#)
            ]
        );
    }

    #[test]
    fn json_that_is_not_an_object_is_a_row_error() {
        assert_eq!(
            read(b"[1,2]\n42\n\"text\"\n{\"b\":2}\n"),
            vec![
                row_error(1, "item is not a JSON object"),
                row_error(2, "item is not a JSON object"),
                row_error(3, "item is not a JSON object"),
                item(4, r#"{"b":2}"#)
            ]
        );
    }

    #[test]
    fn line_at_the_limit_is_accepted_and_one_byte_more_is_not() {
        let at_limit = b"{\"a\":\"xx\"}"; // 10 bytes
        let mut input = at_limit.to_vec();
        input.extend_from_slice(b"\r\n{\"a\":\"xxx\"}\r\n");
        assert_eq!(
            read_all(Format::Ndjson, &input, with_limit(10)),
            vec![
                item(1, r#"{"a":"xx"}"#),
                row_error(2, "line is longer than 10 bytes")
            ]
        );
    }

    #[test]
    fn over_long_line_is_skipped_without_being_buffered() {
        let five_megabytes = 5 * 1024 * 1024;
        let input = Generated::new(b"{\"a\":\"", b"x", five_megabytes, b"\"}\n{\"b\":2}\n");
        let mut items = NdjsonItems::new(input, with_limit(1024));
        assert_eq!(
            items.next_item(),
            Some(row_error(1, "line is longer than 1024 bytes"))
        );
        assert!(items.line_buffer.capacity() <= 2 * 1025);
        assert_eq!(items.next_item(), Some(item(2, r#"{"b":2}"#)));
        assert_eq!(items.next_item(), None);
    }

    #[test]
    fn over_long_last_line_without_line_end_is_a_row_error() {
        assert_eq!(
            read_all(
                Format::Ndjson,
                b"{\"a\":1}\n{\"a\":\"long\"}",
                with_limit(8)
            ),
            vec![
                item(1, r#"{"a":1}"#),
                row_error(2, "line is longer than 8 bytes")
            ]
        );
    }

    #[test]
    fn works_with_readers_that_return_one_byte_at_a_time() {
        let input = b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n{\"b\":2}";
        let items: Vec<_> =
            ItemReader::new(Format::Ndjson, OneByteAtATime(input), with_limit(7)).collect();
        assert_eq!(items, vec![item(1, r#"{"a":1}"#), item(3, r#"{"b":2}"#)]);
    }

    #[test]
    fn read_failure_mid_file_is_fatal() {
        assert_eq!(
            read_from(
                Format::Ndjson,
                failing_after(b"{\"a\":1}\n{\"b\""),
                ReaderOptions::default()
            ),
            vec![item(1, r#"{"a":1}"#), fatal(2, DISK_ON_FIRE)]
        );
    }

    #[test]
    fn read_failure_is_fatal() {
        assert_eq!(
            read_from(Format::Ndjson, FailingReader, ReaderOptions::default()),
            vec![fatal(1, DISK_ON_FIRE)]
        );
    }

    /// Writes `{"id":N}\n` lines on demand, so the input never exists in full.
    struct NumberedLines {
        next_id: u64,
        line_count: u64,
        pending: Vec<u8>,
        pending_start: usize,
    }

    impl Read for NumberedLines {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pending_start == self.pending.len() {
                if self.next_id > self.line_count {
                    return Ok(0);
                }
                self.pending = format!("{{\"id\":{}}}\n", self.next_id).into_bytes();
                self.pending_start = 0;
                self.next_id += 1;
            }
            let pending = &self.pending[self.pending_start..];
            let count = pending.len().min(buf.len());
            buf[..count].copy_from_slice(&pending[..count]);
            self.pending_start += count;
            Ok(count)
        }
    }

    #[test]
    fn streams_two_hundred_thousand_lines() {
        let line_count = 200_000;
        let input = NumberedLines {
            next_id: 1,
            line_count,
            pending: Vec::new(),
            pending_start: 0,
        };
        let mut seen = 0u64;
        for result in ItemReader::new(Format::Ndjson, input, ReaderOptions::default()) {
            seen += 1;
            let Ok(RawItem {
                line,
                fields: Ok(fields),
            }) = result
            else {
                panic!("unexpected {result:?}");
            };
            assert_eq!(line, seen);
            assert_eq!(fields.get("id"), Some(&Value::from(seen)));
        }
        assert_eq!(seen, line_count);
    }
}
