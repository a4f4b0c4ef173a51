//! `rightsdesk export requests`: the queue's filters, every region, to standard output or a
//! file, with a progress bar on a terminal.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::export::{self, ExportProgress, Exporter};
use crate::app::Context;
use crate::config::Settings;
use crate::domain::export::{ExportColumns, ExportFormat};
use crate::domain::queue::{QueueFilter, RawQueueQuery};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
    Ndjson,
}

impl From<FormatArg> for ExportFormat {
    fn from(arg: FormatArg) -> ExportFormat {
        match arg {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Json => ExportFormat::Json,
            FormatArg::Ndjson => ExportFormat::Ndjson,
        }
    }
}

/// The queue's filters, named as in its URL.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// A status (open, in_progress, awaiting_requester, fulfilled, rejected, withdrawn), or
    /// all; without it, the open work.
    #[arg(long)]
    status: Option<String>,
    /// A kind of request (access, rectification, erasure, ...).
    #[arg(long)]
    kind: Option<String>,
    /// A region: in, eu, us-ca or other.
    #[arg(long)]
    regime: Option<String>,
    /// unassigned, or an officer's id.
    #[arg(long)]
    assignee: Option<String>,
    /// Only requests past their due date.
    #[arg(long)]
    overdue: bool,
    /// A reference (RD-7K3M-9QXA) or a requester's exact email address.
    #[arg(long = "q", visible_alias = "search")]
    q: Option<String>,
}

impl FilterArgs {
    fn parse(&self) -> Result<QueueFilter, String> {
        let raw = RawQueueQuery {
            status: self.status.clone(),
            kind: self.kind.clone(),
            regime: self.regime.clone(),
            assignee: self.assignee.clone(),
            overdue: self.overdue.then(|| "1".to_string()),
            q: self.q.clone(),
            after: None,
        };
        QueueFilter::parse(&raw).map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("--{}: {e}", e.field()))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

struct Bar(ProgressBar);

impl ExportProgress for Bar {
    fn wants_total(&self) -> bool {
        !self.0.is_hidden()
    }

    fn started(&mut self, total: u64) {
        self.0.set_length(total);
    }

    fn exported(&mut self, rows: u64) {
        self.0.inc(rows);
    }
}

pub fn run(
    settings: Settings,
    format: FormatArg,
    filters: &FilterArgs,
    out: Option<&Path>,
    include_personal: bool,
) -> Result<(), String> {
    let columns = if include_personal {
        ExportColumns::WithPersonal
    } else {
        ExportColumns::Standard
    };
    let filter = filters.parse()?;
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    export::check(&ctx, Exporter::Operator, &filter).map_err(|e| e.to_string())?;
    export::check_columns(Exporter::Operator, columns).map_err(|e| e.to_string())?;
    // Drawn only when standard error is a terminal.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{wide_bar} {pos}/{len} ({percent}%) eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = Bar(bar);
    let format = ExportFormat::from(format);
    let rows = match out {
        None => {
            let stdout = io::stdout().lock();
            let result = export::export_requests_with(
                &ctx,
                Exporter::Operator,
                &filter,
                (format, columns),
                BufWriter::with_capacity(64 * 1024, stdout),
                &mut progress,
            );
            progress.0.finish_and_clear();
            result.map_err(|e| e.to_string())?
        }
        Some(path) => {
            // Written beside the target and renamed at the end: the named file is either a
            // whole export or not there.
            let partial = partial_path(path);
            let file = File::create(&partial)
                .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
            let result = export::export_requests_with(
                &ctx,
                Exporter::Operator,
                &filter,
                (format, columns),
                BufWriter::with_capacity(64 * 1024, file),
                &mut progress,
            )
            .map_err(|e| e.to_string())
            .and_then(|rows| {
                fs::rename(&partial, path)
                    .map(|()| rows)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            });
            progress.0.finish_and_clear();
            if result.is_err() {
                let _ = fs::remove_file(&partial);
            }
            result?
        }
    };
    let target = out.map_or("standard output".to_string(), |p| p.display().to_string());
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "exported {rows} requests to {target}");
    Ok(())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
