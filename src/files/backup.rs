//! The backup file: one age file (https://age-encryption.org/v1) whose payload, once
//! decrypted, is gzip-compressed NDJSON:
//!
//! ```text
//! {"format":"rightsdesk-backup","version":1,"schema":"...","tables":[...],...}   the manifest
//! {"table":"requests"}                                                          each table...
//! ["0193...","RD-7K3M-9QXA",...]                                                ...its rows
//! {"end":true}                                                                  the trailer
//! ```
//!
//! age encrypts and authenticates the payload in 64 KiB chunks (ChaCha20-Poly1305, each
//! chunk's nonce carrying its counter and a last-chunk flag), so a flipped byte, a reordered
//! or missing chunk and a cut file are each found. The manifest's row counts and the trailer
//! are checked on top. Everything streams: nothing holds more than one line.

use std::io::{self, BufRead, BufReader, Read, Write};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};

use crate::domain::backup::{Cell, Manifest, TableSpec, FORMAT_NAME, FORMAT_VERSION};

/// Why a backup cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BackupFileError {
    #[error("the backup is encrypted to {0}")]
    WrongKey(String),
    #[error("the backup is damaged or cut short ({0})")]
    Damaged(String),
    #[error("not a rightsdesk backup ({0})")]
    NotABackup(String),
    #[error("the backup's format version {0} is newer than this program reads ({FORMAT_VERSION}); use a newer rightsdesk")]
    NewerFormat(u32),
}

#[derive(Serialize, Deserialize)]
struct TableLine {
    table: String,
}

#[derive(Serialize, Deserialize)]
struct EndLine {
    end: bool,
}

/// Writes a backup as it is read from the database.
pub struct BackupWriter<W: Write> {
    out: GzEncoder<age::stream::StreamWriter<W>>,
    line: Vec<u8>,
}

impl<W: Write> BackupWriter<W> {
    /// Starts the file: the age header for `recipients`, then the manifest.
    pub fn create(
        out: W,
        recipients: &[&dyn age::Recipient],
        manifest: &Manifest,
    ) -> io::Result<BackupWriter<W>> {
        let encryptor = age::Encryptor::with_recipients(recipients.iter().copied())
            .map_err(|e| io::Error::other(e.to_string()))?;
        let stream = encryptor.wrap_output(out)?;
        // The fastest level: rows are mostly sealed bytes that do not compress, and the
        // text around them compresses well even so.
        let mut writer = BackupWriter {
            out: GzEncoder::new(stream, Compression::fast()),
            line: Vec::with_capacity(4096),
        };
        writer.write_json(manifest)?;
        Ok(writer)
    }

    fn write_json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    /// Starts the rows of `table`.
    pub fn table(&mut self, table: &str) -> io::Result<()> {
        self.write_json(&TableLine {
            table: table.to_string(),
        })
    }

    pub fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        let values: Vec<serde_json::Value> = cells.iter().map(Cell::to_json).collect();
        self.write_json(&values)
    }

    /// Writes the trailer and the last, flagged chunk; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.write_json(&EndLine { end: true })?;
        self.out.finish()?.finish()
    }
}

/// Reads a backup in the order it was written, checking each part.
pub struct BackupReader<R: Read> {
    lines: BufReader<GzDecoder<age::stream::StreamReader<R>>>,
    manifest: Manifest,
    line: String,
}

fn damaged(error: impl std::fmt::Display) -> BackupFileError {
    BackupFileError::Damaged(error.to_string())
}

impl<R: BufRead> BackupReader<R> {
    /// Opens the file with the first of `identities` that it is encrypted to, and reads the
    /// manifest. `key_hint` names what the file needs when none matches.
    pub fn open(
        input: R,
        identities: &[&dyn age::Identity],
        key_hint: impl FnOnce() -> String,
    ) -> Result<BackupReader<R>, BackupFileError> {
        let mut input = input;
        let is_age = input
            .fill_buf()
            .map_err(damaged)?
            .starts_with(b"age-encryption.org/");
        let decryptor = age::Decryptor::new_buffered(input).map_err(|e| match e {
            age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat if is_age => {
                damaged("its header does not parse")
            }
            age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat => {
                BackupFileError::NotABackup("no age header".into())
            }
            other => damaged(other),
        })?;
        let stream = decryptor
            .decrypt(identities.iter().copied())
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => BackupFileError::WrongKey(key_hint()),
                // A stanza of ours that does not open, or a header whose MAC fails: the
                // file key or the header was changed.
                other => damaged(other),
            })?;
        let mut reader = BackupReader {
            lines: BufReader::with_capacity(256 * 1024, GzDecoder::new(stream)),
            manifest: empty_manifest(),
            line: String::new(),
        };
        reader.next_line()?;
        let manifest: Manifest = serde_json::from_str(&reader.line)
            .map_err(|e| BackupFileError::NotABackup(format!("no manifest: {e}")))?;
        if manifest.format != FORMAT_NAME {
            return Err(BackupFileError::NotABackup(manifest.format));
        }
        if manifest.version > FORMAT_VERSION {
            return Err(BackupFileError::NewerFormat(manifest.version));
        }
        reader.manifest = manifest;
        Ok(reader)
    }
}

impl<R: Read> BackupReader<R> {
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn next_line(&mut self) -> Result<(), BackupFileError> {
        self.line.clear();
        let read = self.lines.read_line(&mut self.line).map_err(damaged)?;
        if read == 0 || !self.line.ends_with('\n') {
            return Err(damaged("it ends early"));
        }
        Ok(())
    }

    /// Reads the line that starts `table`'s rows.
    pub fn table(&mut self, table: &str) -> Result<(), BackupFileError> {
        self.next_line()?;
        match serde_json::from_str::<TableLine>(&self.line) {
            Ok(line) if line.table == table => Ok(()),
            _ => Err(damaged(format!(
                "the rows of {table} are not where they belong"
            ))),
        }
    }

    /// Reads one row of `spec`.
    pub fn row(&mut self, spec: &TableSpec) -> Result<Vec<Cell>, BackupFileError> {
        self.next_line()?;
        let values: Vec<serde_json::Value> = serde_json::from_str(&self.line)
            .map_err(|_| damaged(format!("{} has fewer rows than its count", spec.name)))?;
        if values.len() != spec.columns.len() {
            return Err(damaged(format!(
                "a row of {} has the wrong width",
                spec.name
            )));
        }
        values
            .iter()
            .zip(&spec.columns)
            .map(|(value, column)| Cell::from_json(value, column))
            .collect::<Result<Vec<Cell>, String>>()
            .map_err(|e| damaged(format!("{}: {e}", spec.name)))
    }

    /// Reads the trailer and checks that nothing follows it, up to age's last chunk.
    pub fn finish(mut self) -> Result<(), BackupFileError> {
        self.next_line()
            .map_err(|_| damaged("a table has more rows than its count"))?;
        match serde_json::from_str::<EndLine>(&self.line) {
            Ok(EndLine { end: true }) => {}
            _ => return Err(damaged("a table has more rows than its count")),
        }
        // The compressed stream ends with the trailer; what matters is that age's stream ends
        // too, with its flagged last chunk, so it is read to its end: a file cut at a chunk
        // boundary fails here.
        if !self.lines.buffer().is_empty() {
            return Err(damaged("data after the trailer"));
        }
        let mut rest = Vec::new();
        let mut gzip = self.lines.into_inner();
        gzip.read_to_end(&mut rest).map_err(damaged)?;
        gzip.into_inner().read_to_end(&mut rest).map_err(damaged)?;
        if rest.is_empty() {
            Ok(())
        } else {
            Err(damaged("data after the trailer"))
        }
    }
}

fn empty_manifest() -> Manifest {
    Manifest {
        format: String::new(),
        version: 0,
        schema: String::new(),
        created_at: String::new(),
        backend: String::new(),
        tables: Vec::new(),
        audit_head: None,
        audit_checkpoint: None,
    }
}
