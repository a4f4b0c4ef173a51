//! `rightsdesk backup --out FILE [--recipient KEY]...`, `backup --verify FILE [--identity FILE]`
//! and `restore FILE [--force] [--identity FILE]`. A progress bar is drawn on a terminal.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::backup::{self, BackupError, Encryption, Progress};
use crate::app::restore;
use crate::app::Context;
use crate::config::Settings;
use crate::domain::backup::Manifest;

const READ_BUFFER: usize = 256 * 1024;

/// Drawn only when standard error is a terminal.
fn progress_bar(what: &str) -> ProgressBar {
    ProgressBar::new(0).with_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} {{pos}}/{{len}} rows {{wide_bar}} {{per_sec}} eta {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

fn report(bar: &ProgressBar) -> impl FnMut(Progress) + '_ {
    |p: Progress| {
        bar.set_length(p.total);
        bar.set_position(p.rows);
    }
}

fn rate(bytes: u64, started: Instant) -> String {
    let seconds = started.elapsed().as_secs_f64();
    let mb_per_s = bytes as f64 / 1e6 / seconds.max(1e-9);
    format!("{bytes} bytes in {seconds:.1} s ({mb_per_s:.1} MB/s)")
}

fn summary(manifest: &Manifest) -> String {
    format!(
        "{} rows in {} tables, schema {}",
        manifest.total_rows(),
        manifest.tables.len(),
        manifest.schema
    )
}

/// Writes a backup to `out` (`-`: standard output). A file is written under a temporary name
/// beside it and renamed when complete, so a failed backup never looks like one.
pub fn run(settings: Settings, out: &Path, recipients: &[String]) -> Result<(), String> {
    let encryption = if recipients.is_empty() {
        Encryption::SecretKey
    } else {
        Encryption::Recipients(
            recipients
                .iter()
                .map(|r| backup::parse_recipient(r))
                .collect::<Result<_, _>>()?,
        )
    };
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let bar = progress_bar("backed up");
    let started = Instant::now();
    if out == Path::new("-") {
        let stdout = CountingWriter::new(BufWriter::new(io::stdout().lock()));
        let (written, manifest) = backup::backup(&ctx, stdout, &encryption, &mut report(&bar))
            .map_err(|e| e.to_string())?;
        let bytes = written.count;
        drop(written.inner.into_inner().map_err(|e| e.to_string())?);
        bar.finish_and_clear();
        eprintln!(
            "backed up {} to standard output: {}",
            summary(&manifest),
            rate(bytes, started)
        );
        return Ok(());
    }
    let partial = partial_name(out);
    let result = (|| {
        // Only its owner reads a backup, encrypted as it is.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)
            .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
        let writer = CountingWriter::new(BufWriter::with_capacity(READ_BUFFER, file));
        let (written, manifest) = backup::backup(&ctx, writer, &encryption, &mut report(&bar))
            .map_err(|e| e.to_string())?;
        let bytes = written.count;
        let file = written.inner.into_inner().map_err(|e| e.to_string())?;
        file.sync_all()
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        std::fs::rename(&partial, out)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        Ok::<_, String>((bytes, manifest))
    })();
    bar.finish_and_clear();
    match result {
        Ok((bytes, manifest)) => {
            println!(
                "backed up {} to {}: {}",
                summary(&manifest),
                out.display(),
                rate(bytes, started)
            );
            Ok(())
        }
        Err(message) => {
            let _ = std::fs::remove_file(&partial);
            Err(message)
        }
    }
}

fn partial_name(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "backup".into());
    out.with_file_name(format!(".{name}.partial"))
}

fn open_input(path: &Path) -> Result<(Box<dyn Read>, u64), String> {
    if path == Path::new("-") {
        return Ok((Box::new(io::stdin().lock()), 0));
    }
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((Box::new(file), size))
}

/// Checks a backup without restoring it.
pub fn verify(settings: Settings, path: &Path, identity: Option<&Path>) -> Result<(), String> {
    let identities = backup::identities(&settings, identity).map_err(|e| e.to_string())?;
    let (input, size) = open_input(path)?;
    let bar = progress_bar("checked");
    let started = Instant::now();
    let input = BufReader::with_capacity(READ_BUFFER, input);
    let result = backup::verify_file(input, &settings, &identities, &mut report(&bar));
    bar.finish_and_clear();
    let manifest = result.map_err(|e| describe(path, e))?;
    println!(
        "backup intact: {} ({} from {}, audit head {}, checkpoint {}): {}",
        summary(&manifest),
        manifest.created_at,
        manifest.backend,
        manifest
            .audit_head
            .as_ref()
            .map_or("none".to_string(), |h| h.seq.to_string()),
        manifest
            .audit_checkpoint
            .as_ref()
            .map_or("none".to_string(), |h| h.seq.to_string()),
        rate(size, started)
    );
    Ok(())
}

/// Restores a backup into the configured database.
pub fn restore(
    settings: Settings,
    path: &Path,
    identity: Option<&Path>,
    force: bool,
) -> Result<(), String> {
    let identities = backup::identities(&settings, identity).map_err(|e| e.to_string())?;
    let (input, size) = open_input(path)?;
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let bar = progress_bar("restored");
    let started = Instant::now();
    let input = BufReader::with_capacity(READ_BUFFER, input);
    let result = restore::restore(&ctx, input, &identities, force, &mut report(&bar));
    bar.finish_and_clear();
    let restored = result.map_err(|e| describe(path, e))?;
    println!(
        "restored {}; audit chain intact: {} events verified: {}",
        summary(&restored.manifest),
        restored.audit_events,
        rate(size, started)
    );
    Ok(())
}

fn describe(path: &Path, error: BackupError) -> String {
    format!("{}: {error}", path.display())
}

/// Counts the bytes written through it, for the rate printed at the end.
struct CountingWriter<W: Write> {
    inner: W,
    count: u64,
}

impl<W: Write> CountingWriter<W> {
    fn new(inner: W) -> CountingWriter<W> {
        CountingWriter { inner, count: 0 }
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
