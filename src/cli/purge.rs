//! `rightsdesk purge`: deletes what is past its retention period and not under a legal hold,
//! class by class in batches, with a progress bar on a terminal and a summary per class.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use time::macros::format_description;
use time::Date;

use crate::app::purge::{self, PurgeOptions, PurgeProgress, PurgeReport};
use crate::app::{clock, Context};
use crate::config::Settings;
use crate::domain::retention::{as_of_date, PurgeClass};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// A `YYYY-MM-DD` date for `--as-of`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("expected a date like 2026-07-01, got {text:?}"))
}

struct Bars {
    multi: MultiProgress,
    bars: HashMap<PurgeClass, ProgressBar>,
}

impl PurgeProgress for Bars {
    fn class_started(&mut self, class: PurgeClass, to_purge: i64) {
        let bar = self.multi.add(ProgressBar::new(to_purge.max(0) as u64));
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>20} {wide_bar} {pos}/{len} ({percent}%) eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(class.as_str());
        self.bars.insert(class, bar);
    }

    fn purged(&mut self, class: PurgeClass, count: i64) {
        if let Some(bar) = self.bars.get(&class) {
            bar.inc(count.max(0) as u64);
        }
    }
}

pub fn run(
    settings: Settings,
    dry_run: bool,
    as_of: Option<Date>,
    format: OutputFormat,
    batch_size: i64,
) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    let options = PurgeOptions {
        as_of: as_of.map(as_of_date).unwrap_or_else(clock::now),
        dry_run,
        batch_size,
    };
    // Drawn only when standard error is a terminal.
    let mut bars = Bars {
        multi: MultiProgress::new(),
        bars: HashMap::new(),
    };
    let report = purge::run(&ctx, options, &mut bars).map_err(|e| e.to_string())?;
    for bar in bars.bars.values() {
        bar.finish_and_clear();
    }
    match format {
        OutputFormat::Json => println!("{}", report.to_json()),
        OutputFormat::Text => print!("{}", describe(&report)),
    }
    Ok(())
}

fn describe(report: &PurgeReport) -> String {
    let mut out = format!(
        "{} as of {}\n{:<20} {:>10} {:>10} {:>10}\n",
        if report.dry_run {
            "dry run: nothing was changed"
        } else {
            "purge"
        },
        report.as_of.date(),
        "class",
        "due",
        if report.dry_run { "would go" } else { "purged" },
        "held"
    );
    for (class, summary) in &report.classes {
        let gone = if report.dry_run {
            summary.due - summary.held - report.notices.waiting(*class)
        } else {
            summary.purged
        };
        out.push_str(&format!(
            "{:<20} {:>10} {:>10} {:>10}\n",
            class.as_str(),
            summary.due,
            gone,
            summary.held
        ));
    }
    // Counts only: who is told stays in the outbox and the audit trail.
    out.push_str(&format!(
        "notices before erasure (DPDP Rules r.8(2), 48 hours ahead)\n{:<20} {:>10} {:>10} {:>10}\n",
        "class",
        "due",
        if report.dry_run {
            "would mail"
        } else {
            "mailed"
        },
        "waiting"
    ));
    for (class, notices) in &report.notices.classes {
        out.push_str(&format!(
            "{:<20} {:>10} {:>10} {:>10}\n",
            class.as_str(),
            notices.due,
            if report.dry_run {
                notices.due
            } else {
                notices.sent
            },
            notices.waiting
        ));
    }
    out
}
