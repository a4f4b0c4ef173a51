//! The monthly compliance report: what came in, what was answered and how fast, what was
//! open at the month's end and what the purge took, for the regions the caller reads.

use std::collections::BTreeMap;

use super::officer::CurrentOfficer;
use super::{clock, Context};
use crate::domain::regime::Regime;
use crate::domain::report::{
    ComplianceReport, PurgeCount, RejectionCount, ReportLine, ReportMonth, ReportZone, TrendPoint,
};
use crate::error::AppError;
use crate::files;
use crate::store::report::{self as counts, ClosedCount, LineKey};
use crate::store::time::to_db;
use crate::store::{self, DbConn};

/// The report as a CSV file for spreadsheets.
pub fn csv_file(report: &ComplianceReport) -> Result<Vec<u8>, AppError> {
    files::report::csv::report_csv(report)
        .map_err(|e| AppError::Internal(format!("report CSV: {e}")))
}

/// The report as a JSON document, its period in the organisation's time zone.
pub fn json_file(ctx: &Context, report: &ComplianceReport) -> Result<Vec<u8>, AppError> {
    let json = files::report::json::report_json(report, &ctx.settings.time_zone);
    serde_json::to_vec_pretty(&json).map_err(|e| AppError::Internal(format!("report JSON: {e}")))
}

/// The twelve-month trend as an inline SVG element for the report page.
pub fn trend_chart(report: &ComplianceReport) -> String {
    files::report::chart::trend_svg(&report.trend)
}

/// The month a report shows when none is asked for: the last whole month.
pub fn default_month(ctx: &Context) -> ReportMonth {
    ReportMonth::containing(clock::now(), &ctx.settings.time_zone).previous()
}

/// The report for `month` in the organisation's time zone. Every figure is an aggregate
/// query over one month's index range, read from one snapshot.
pub fn compliance(
    ctx: &Context,
    officer: &CurrentOfficer,
    month: ReportMonth,
) -> Result<ComplianceReport, AppError> {
    let readable = officer.readable_regime_codes();
    let reads = |regime: &str| readable.contains(&regime);
    let zone = &ctx.settings.time_zone;
    let mut conn = ctx.conn()?;
    store::read_snapshot(&mut conn, |conn| {
        let period = db_period(month, zone);
        let mut lines: BTreeMap<(String, String), ReportLine> = BTreeMap::new();
        for c in counts::received(conn, period)? {
            if let Some(l) = line(&mut lines, &reads, &c.line) {
                l.received += count(c.n);
            }
        }
        for c in counts::verified(conn, period)? {
            if let Some(l) = line(&mut lines, &reads, &c.line) {
                l.verified += count(c.n);
            }
        }
        let closed = counts::closed(conn, period)?;
        let mut rejections = Vec::new();
        for c in &closed {
            let Some(l) = line(&mut lines, &reads, &c.line) else {
                continue;
            };
            match c.status.as_str() {
                "fulfilled" => l.fulfilled += count(c.n),
                "rejected" => l.rejected += count(c.n),
                "withdrawn" => l.withdrawn += count(c.n),
                _ => continue,
            }
            if is_answer(c) {
                l.on_time += count(c.on_time);
            }
            if c.status == "rejected" {
                rejections.push(RejectionCount {
                    regime: c.line.regime.clone(),
                    kind: c.line.kind.clone(),
                    reason: c.reason.clone(),
                    count: count(c.n),
                });
            }
        }
        for c in counts::close_hours(conn, period)? {
            if let Some(l) = line(&mut lines, &reads, &c.line) {
                l.close_times.add(c.hours, count(c.n));
            }
        }
        for c in counts::extensions(conn, period)? {
            if let Some(l) = line(&mut lines, &reads, &c.line) {
                l.extensions += count(c.n);
            }
        }
        for c in counts::open_at(conn, period.end)? {
            if let Some(l) = line(&mut lines, &reads, &c.line) {
                l.open_at_end += count(c.n);
                l.overdue_at_end += count(c.overdue);
            }
        }
        rejections
            .sort_by(|a, b| (&a.regime, &a.kind, &a.reason).cmp(&(&b.regime, &b.kind, &b.reason)));
        let purges = counts::purged(conn, period)?
            .into_iter()
            .map(|c| PurgeCount {
                class: c.class,
                count: count(c.n),
            })
            .collect();
        let every_regime = readable.len() == Regime::ALL.len();
        let regimes = (!every_regime).then_some(readable.as_slice());
        // The months before this one; this month's point is the report's own total.
        let mut trend = month
            .last_twelve()
            .into_iter()
            .filter(|m| *m != month)
            .map(|m| trend_point(conn, ctx, m, regimes))
            .collect::<Result<Vec<_>, AppError>>()?;
        let mut report = ComplianceReport {
            month,
            zone: zone.name().to_string(),
            lines: lines.into_values().collect(),
            rejections,
            purges,
            trend: Vec::new(),
        };
        let total = report.total();
        trend.push(TrendPoint {
            month,
            received: total.received,
            answered: total.answered(),
            on_time: total.on_time,
        });
        report.trend = trend;
        Ok(report)
    })
}

/// The line of (regime, kind), made on first use; `None` for a regime the caller does not
/// read.
fn line<'a>(
    lines: &'a mut BTreeMap<(String, String), ReportLine>,
    reads: &dyn Fn(&str) -> bool,
    key: &LineKey,
) -> Option<&'a mut ReportLine> {
    let (regime, kind) = (key.regime.as_str(), key.kind.as_str());
    reads(regime).then(|| {
        lines
            .entry((regime.to_string(), kind.to_string()))
            .or_insert_with(|| ReportLine {
                regime: regime.to_string(),
                kind: kind.to_string(),
                ..ReportLine::default()
            })
    })
}

/// One month of the chart: requests received, answered, and answered on time.
fn trend_point(
    conn: &mut DbConn,
    ctx: &Context,
    month: ReportMonth,
    regimes: Option<&[&'static str]>,
) -> Result<TrendPoint, AppError> {
    let period = db_period(month, &ctx.settings.time_zone);
    let received = counts::received_total(conn, period, regimes)?;
    let answered = counts::answered_total(conn, period, regimes)?;
    Ok(TrendPoint {
        month,
        received: count(received),
        answered: count(answered.n),
        on_time: count(answered.on_time),
    })
}

/// Fulfilled or rejected: the requester got an answer, against a deadline. A withdrawal
/// ends the clock without one.
fn is_answer(c: &ClosedCount) -> bool {
    matches!(c.status.as_str(), "fulfilled" | "rejected")
}

/// The month's bounds in the organisation's time zone, as the store compares them.
fn db_period(month: ReportMonth, zone: &ReportZone) -> counts::Period {
    let (start, end) = month.bounds(zone);
    counts::Period {
        start: to_db(start),
        end: to_db(end),
    }
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}
