//! `rightsdesk import`: loads subjects, records or consents from a file or standard input,
//! with a progress bar on a terminal and a summary at the end.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::import::{self, Format, ImportError, ImportOptions, ImportSummary};
use crate::app::Context;
use crate::config::Settings;
use crate::domain::import_row::ImportKind;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
    Ndjson,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Ndjson => Format::Ndjson,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Records,
    Subjects,
    Consents,
}

impl From<KindArg> for ImportKind {
    fn from(arg: KindArg) -> ImportKind {
        match arg {
            KindArg::Records => ImportKind::Records,
            KindArg::Subjects => ImportKind::Subjects,
            KindArg::Consents => ImportKind::Consents,
        }
    }
}

pub fn run(settings: Settings, options: ImportOptions, path: &str) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    let (input, size): (Box<dyn Read>, Option<u64>) = if path == "-" {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    // Drawn only when standard error is a terminal.
    let progress = match size {
        Some(bytes) => ProgressBar::new(bytes).with_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    let input = BufReader::with_capacity(256 * 1024, progress.wrap_read(input));
    let started = Instant::now();
    let mut report_rejected = |bad: &import::Rejected| {
        progress.suspend(|| eprintln!("line {}: {}", bad.line, bad.reason));
    };
    let result = import::run(&ctx, input, &options, &mut report_rejected);
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(summary) => {
            println!("{}", describe(&summary, &options, seconds));
            Ok(())
        }
        Err(ImportError::Unreadable {
            fatal,
            summary,
            rolled_back,
        }) => {
            if !rolled_back && !options.dry_run {
                println!("{}", describe(&summary, &options, seconds));
            }
            Err(format!(
                "line {}: {}; the file cannot be read past this point{}",
                fatal.line,
                fatal.reason,
                if rolled_back || options.dry_run {
                    " and nothing was imported"
                } else {
                    " (the items before it were imported)"
                }
            ))
        }
        Err(error) => Err(error.to_string()),
    }
}

fn describe(summary: &ImportSummary, options: &ImportOptions, seconds: f64) -> String {
    let rate = if seconds > 0.0 {
        summary.read as f64 / seconds
    } else {
        0.0
    };
    if options.dry_run {
        format!(
            "dry run of {}: read {}, valid {}, rejected {}; nothing was stored",
            options.kind, summary.read, summary.valid, summary.rejected
        )
    } else {
        format!(
            "imported {}: read {}, inserted {}, updated {}, unchanged {}, rejected {} in {seconds:.1} s ({rate:.0} items/s)",
            options.kind,
            summary.read,
            summary.inserted,
            summary.updated,
            summary.unchanged,
            summary.rejected
        )
    }
}
