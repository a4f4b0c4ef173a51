//! `rightsdesk rekey [--dry-run] [--batch-size N]`.

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::audit::Rotation;
use crate::app::rekey::{self, RekeyProgress};
use crate::app::Context;
use crate::config::Settings;

struct Bar(ProgressBar);

impl RekeyProgress for Bar {
    fn started(&mut self, total: u64) {
        self.0.set_length(total);
    }
    fn resealed(&mut self, table: &str, rows: u64) {
        self.0.set_message(table.to_string());
        self.0.inc(rows);
    }
    fn vacuuming(&mut self, table: &str) {
        self.0.set_message(format!("vacuum {table}"));
        self.0.suspend(|| {
            eprintln!(
                "PostgreSQL: VACUUM (ANALYZE) {table}, outside any transaction, to reclaim the row versions the re-seal replaced"
            )
        });
    }
}

pub fn run(settings: Settings, dry_run: bool, batch_size: i64) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    if dry_run {
        let counts = rekey::count_stale(&ctx).map_err(|e| e.to_string())?;
        println!("still under an old key (or not sealed), per table:");
        for (table, n) in counts {
            println!("{table:<18} {n}");
        }
        return Ok(());
    }
    // Drawn only when standard error is a terminal.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:16} {wide_bar} {pos}/{len} ({percent}%) eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = Bar(bar);
    let result = rekey::run(&ctx, batch_size, &mut progress);
    progress.0.finish_and_clear();
    let done = result.map_err(|e| e.to_string())?;
    for (table, n) in &done.resealed {
        println!("{table:<18} {n} re-sealed");
    }
    for (table, secs) in &done.vacuumed {
        println!("{table:<18} vacuumed (VACUUM (ANALYZE), outside a transaction) in {secs:.1} s");
    }
    match &done.rotation {
        Some(Rotation::Sealed { upto_seq, retired }) => println!(
            "audit log: verified, and events up to {upto_seq} (made with key(s) {retired}) sealed under the current key"
        ),
        Some(Rotation::AlreadySealed { upto_seq }) => {
            println!("audit log: events up to {upto_seq} were already sealed under the current key")
        }
        Some(Rotation::Nothing) | None => {
            println!("audit log: every event is under the current key")
        }
    }
    println!(
        "every sealed value and keyed hash is under key {}; older keys can now leave \
         RIGHTSDESK_PREVIOUS_SECRET_KEYS once every instance runs with the current key",
        ctx.keyring.current_key_id()
    );
    Ok(())
}
