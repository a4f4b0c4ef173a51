//! `rightsdesk audit ...`: sequence pending events, export the newest checkpoint, verify
//! the log, and stream sequenced events for a log shipper.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::audit::{self, DEFAULT_BATCH};
use crate::app::Context;
use crate::config::Settings;
use crate::domain::audit::Checkpoint;

/// How long `audit sequence` waits while another instance's sequencer has the turn.
const PATIENCE: Duration = Duration::from_secs(60);

pub fn sequence(settings: Settings, batch_size: i64) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let run = audit::sequence_pending(&ctx, batch_size, PATIENCE, || false)
        .map_err(|e| format!("audit sequence failed: {e}"))?;
    if run.busy {
        return Err(format!(
            "audit sequence: sequenced {} events; another sequencer has held the turn for {} s",
            run.sequenced,
            PATIENCE.as_secs()
        ));
    }
    println!(
        "audit events sequenced: {} in {} batches",
        run.sequenced, run.batches
    );
    Ok(())
}

pub fn checkpoint(settings: Settings, out: Option<&Path>) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let checkpoint = audit::newest_checkpoint(&ctx)
        .map_err(|e| format!("audit checkpoint failed: {e}"))?
        .ok_or("audit checkpoint: no checkpoint yet; run `rightsdesk audit sequence` first")?;
    let line = format!("{}\n", checkpoint.to_json_line());
    match out {
        Some(path) => std::fs::write(path, line)
            .map_err(|e| format!("audit checkpoint: cannot write {}: {e}", path.display())),
        None => io::stdout()
            .write_all(line.as_bytes())
            .map_err(|e| format!("audit checkpoint: {e}")),
    }
}

pub fn verify(settings: Settings, exported: Option<PathBuf>) -> Result<(), String> {
    let exported = exported
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "audit verify: cannot read the checkpoint {}: {e}",
                    path.display()
                )
            })?;
            Checkpoint::parse_json(&text).map_err(|e| format!("audit verify: {e}"))
        })
        .transpose()?;
    let against = exported.as_ref().map(|c| c.seq);
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let checked =
        audit::verify_log(&ctx, exported).map_err(|e| format!("audit verify failed: {e}"))?;
    match against {
        Some(seq) => println!(
            "audit chain intact: {checked} events verified; it still contains the exported checkpoint at {seq}"
        ),
        None => println!("audit chain intact: {checked} events verified"),
    }
    Ok(())
}

/// Sequenced events after `since`, one JSON object a line; with `follow`, waits for more
/// until SIGTERM or SIGINT. A reader that goes away (a closed pipe) ends it quietly.
pub fn tail(settings: Settings, since: i64, follow: bool) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let every = Duration::from_millis(ctx.settings.audit_sequence_interval_ms);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let mut after = since;
        let mut out = io::stdout().lock();
        loop {
            let lines = audit::events_after(&ctx, after, DEFAULT_BATCH)
                .map_err(|e| format!("audit tail failed: {e}"))?;
            let caught_up = (lines.len() as i64) < DEFAULT_BATCH;
            for (seq, line) in lines {
                if let Err(error) = writeln!(out, "{line}") {
                    return closed_pipe(error);
                }
                after = seq;
            }
            if let Err(error) = out.flush() {
                return closed_pipe(error);
            }
            if !caught_up {
                continue;
            }
            if !follow {
                return Ok(());
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = terminate.recv() => return Ok(()),
                _ = interrupt.recv() => return Ok(()),
            }
        }
    })
}

/// A reader that stopped reading is the end of the feed, not a failure.
fn closed_pipe(error: io::Error) -> Result<(), String> {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(format!("audit tail: {error}"))
    }
}
