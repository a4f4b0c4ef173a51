//! One reader per import format, plus the pieces they share.

use std::io::{self, Read};

mod csv;
mod json;
mod ndjson;

pub(crate) use self::csv::CsvItems;
pub(crate) use self::json::JsonItems;
pub(crate) use self::ndjson::NdjsonItems;

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// How many times `max_item_bytes` a CSV record or JSON element may grow to
/// before reading stops with a fatal error.
///
/// Both the csv crate and serde_json hold a whole record/element in memory
/// before we can measure it, and neither can skip the rest of one without
/// parsing it. Without this cap an unbalanced quote or bracket early in a
/// multi-GB file would make the parser buffer the entire remaining file.
const HARD_LIMIT_FACTOR: u64 = 16;

pub(crate) fn hard_limit_bytes(max_item_bytes: usize) -> u64 {
    u64::try_from(max_item_bytes)
        .unwrap_or(u64::MAX)
        .saturating_mul(HARD_LIMIT_FACTOR)
}

/// Hides a UTF-8 byte order mark at the very start of the input.
///
/// Spreadsheet programs commonly prepend one; it is not part of the data in
/// any of the three formats.
pub(crate) struct BomStripped<R> {
    inner: R,
    prefix: [u8; 3],
    prefix_start: usize,
    prefix_end: usize,
    prefix_checked: bool,
}

impl<R: Read> BomStripped<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            prefix: [0; 3],
            prefix_start: 0,
            prefix_end: 0,
            prefix_checked: false,
        }
    }

    fn check_prefix(&mut self) -> io::Result<()> {
        // A reader may hand out fewer bytes than asked (stdin, pipes), so keep
        // reading until the three bytes are in or the input ends.
        while self.prefix_end < self.prefix.len() {
            match self.inner.read(&mut self.prefix[self.prefix_end..]) {
                Ok(0) => break,
                Ok(count) => self.prefix_end += count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        self.prefix_checked = true;
        if self.prefix[..self.prefix_end] == UTF8_BOM {
            self.prefix_start = self.prefix_end;
        }
        Ok(())
    }
}

impl<R: Read> Read for BomStripped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.prefix_checked {
            self.check_prefix()?;
        }
        if self.prefix_start < self.prefix_end {
            let pending = &self.prefix[self.prefix_start..self.prefix_end];
            let count = pending.len().min(buf.len());
            buf[..count].copy_from_slice(&pending[..count]);
            self.prefix_start += count;
            return Ok(count);
        }
        self.inner.read(buf)
    }
}

/// serde_json's message without its " at line L column C" suffix, so callers
/// can report a position that is meaningful in the whole file.
pub(crate) fn json_error_message(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match full.strip_suffix(&position) {
        Some(message) => message.to_owned(),
        None => full,
    }
}

pub(crate) fn read_failure_reason(error: impl std::fmt::Display) -> String {
    format!("the input could not be read: {error}")
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::io::{self, Read};

    use crate::files::import::{FatalError, Format, ItemReader, RawItem, ReaderOptions};

    pub(crate) fn read_all(
        format: Format,
        input: &[u8],
        options: ReaderOptions,
    ) -> Vec<Result<RawItem, FatalError>> {
        ItemReader::new(format, input, options).collect()
    }

    pub(crate) fn object(json: &str) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::from_str(json) {
            Ok(serde_json::Value::Object(map)) => map,
            other => panic!("test fixture is not an object: {other:?}"),
        }
    }

    pub(crate) fn item(line: u64, json: &str) -> Result<RawItem, FatalError> {
        Ok(RawItem {
            line,
            fields: Ok(object(json)),
        })
    }

    pub(crate) fn row_error(line: u64, reason: &str) -> Result<RawItem, FatalError> {
        Ok(RawItem {
            line,
            fields: Err(reason.to_owned()),
        })
    }

    pub(crate) fn fatal(line: u64, reason: &str) -> Result<RawItem, FatalError> {
        Err(FatalError {
            line,
            reason: reason.to_owned(),
        })
    }

    /// Hands out at most one byte per `read`, like a slow pipe, to prove that
    /// nothing depends on reads returning full buffers.
    pub(crate) struct OneByteAtATime<'a>(pub(crate) &'a [u8]);

    impl Read for OneByteAtATime<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&byte, rest)), Some(slot)) => {
                    *slot = byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Produces `head`, then `filler` repeated `filler_count` times, then
    /// `tail`, without ever holding the repeated part in memory.
    pub(crate) struct Generated {
        parts: Vec<u8>,
        filler_count: u64,
        head_len: usize,
        filler_len: usize,
        filler_done: u64,
        /// Index into `parts` of the next byte to hand out.
        cursor: usize,
    }

    impl Generated {
        pub(crate) fn new(head: &[u8], filler: &[u8], filler_count: u64, tail: &[u8]) -> Self {
            Self {
                parts: [head, filler, tail].concat(),
                filler_count,
                head_len: head.len(),
                filler_len: filler.len(),
                filler_done: 0,
                cursor: 0,
            }
        }
    }

    impl Read for Generated {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let filler_end = self.head_len + self.filler_len;
            let mut written = 0;
            while written < buf.len() {
                if self.cursor == self.head_len && self.filler_done == self.filler_count {
                    self.cursor = filler_end;
                }
                let Some(&byte) = self.parts.get(self.cursor) else {
                    break;
                };
                buf[written] = byte;
                written += 1;
                self.cursor += 1;
                if self.cursor == filler_end && self.filler_done < self.filler_count {
                    self.filler_done += 1;
                    if self.filler_done < self.filler_count {
                        self.cursor = self.head_len;
                    }
                }
            }
            Ok(written)
        }
    }

    pub(crate) struct FailingReader;

    impl Read for FailingReader {
        fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    /// Hands out `bytes`, then fails like a dropped connection.
    pub(crate) fn failing_after(bytes: &[u8]) -> impl Read + '_ {
        bytes.chain(FailingReader)
    }

    /// What every reader says when its input fails under it.
    pub(crate) const DISK_ON_FIRE: &str = "the input could not be read: disk on fire";

    /// Everything read from `input`, which may fail part way.
    pub(crate) fn read_from(
        format: Format,
        input: impl Read,
        options: ReaderOptions,
    ) -> Vec<Result<RawItem, FatalError>> {
        ItemReader::new(format, input, options).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::OneByteAtATime;
    use super::*;

    fn strip(input: &[u8]) -> Vec<u8> {
        let mut output = Vec::new();
        let read = BomStripped::new(OneByteAtATime(input)).read_to_end(&mut output);
        assert!(read.is_ok());
        output
    }

    #[test]
    fn bom_is_removed_even_when_it_arrives_byte_by_byte() {
        assert_eq!(strip(b"\xEF\xBB\xBFabc"), b"abc");
    }

    #[test]
    fn input_without_bom_is_untouched() {
        assert_eq!(strip(b"ab"), b"ab");
        assert_eq!(strip(b""), b"");
        assert_eq!(strip(b"\xEF\xBBx"), b"\xEF\xBBx");
    }

    #[test]
    fn only_a_leading_bom_is_removed() {
        assert_eq!(strip(b"a\xEF\xBB\xBF"), b"a\xEF\xBB\xBF");
    }

    #[test]
    fn json_error_message_drops_the_position() {
        let error = serde_json::from_str::<serde_json::Value>("{\"a\" 1}").err();
        let message = error.as_ref().map(json_error_message);
        assert_eq!(message.as_deref(), Some("expected `:`"));
    }
}
