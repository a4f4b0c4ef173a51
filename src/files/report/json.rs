//! The compliance report's machine-readable form for the API and auditors' tooling. Its
//! shape is a documented contract (`docs/REPORT.md`), so field names must not drift.

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::domain::report::{ComplianceReport, ReportLine, ReportZone};

/// The machine-readable form. Its shape is a documented contract:
///
/// ```text
/// {"month":"2026-03","time_zone":"Asia/Kolkata",
///  "period":{"start":"<RFC 3339, UTC, Z>","end":"..."},
///  "total": LINE, "lines":[LINE...],
///  "rejections":[{"regime","kind","reason","count"}],
///  "purges":{"<class>": n, ...},
///  "trend":[{"month":"2025-04","received":n,"answered":n,"on_time":n,"on_time_rate":0.95|null}]}
/// LINE = {"regime","kind","received","verified","closed","fulfilled",
///  "rejected","withdrawn","on_time","on_time_rate","extensions",
///  "open_at_end","overdue_at_end","median_days_to_close","p90_days_to_close"}
/// ```
///
/// Rates are rounded to 4 decimals and days to 1, `null` when there is
/// nothing to measure. `zone` is the zone the report was counted in; it
/// supplies both "time_zone" and the period, so the two always agree.
pub fn report_json(report: &ComplianceReport, zone: &ReportZone) -> Value {
    let (start, end) = report.month.bounds(zone);
    // A class listed twice is summed rather than letting the last win.
    let mut purges = Map::new();
    for purge in &report.purges {
        let before = purges.get(&purge.class).and_then(Value::as_u64);
        let count = before.unwrap_or(0).saturating_add(purge.count);
        purges.insert(purge.class.clone(), Value::from(count));
    }
    json!({
        "month": report.month.to_string(),
        "time_zone": zone.name(),
        "period": { "start": rfc3339(start), "end": rfc3339(end) },
        "total": line_json(&report.total()),
        "lines": report.lines.iter().map(line_json).collect::<Vec<_>>(),
        "rejections": report.rejections.iter().map(|r| json!({
            "regime": r.regime,
            "kind": r.kind,
            "reason": r.reason,
            "count": r.count,
        })).collect::<Vec<_>>(),
        "purges": purges,
        "trend": report.trend.iter().map(|t| json!({
            "month": t.month.to_string(),
            "received": t.received,
            "answered": t.answered,
            "on_time": t.on_time,
            "on_time_rate": t.on_time_rate().map(|r| round(r, 4)),
        })).collect::<Vec<_>>(),
    })
}

/// One LINE of the JSON form.
fn line_json(line: &ReportLine) -> Value {
    json!({
        "regime": line.regime,
        "kind": line.kind,
        "received": line.received,
        "verified": line.verified,
        "closed": line.closed(),
        "fulfilled": line.fulfilled,
        "rejected": line.rejected,
        "withdrawn": line.withdrawn,
        "on_time": line.on_time,
        "on_time_rate": line.on_time_rate().map(|r| round(r, 4)),
        "extensions": line.extensions,
        "open_at_end": line.open_at_end,
        "overdue_at_end": line.overdue_at_end,
        "median_days_to_close": line.close_times.median_days().map(|d| round(d, 1)),
        "p90_days_to_close": line.close_times.p90_days().map(|d| round(d, 1)),
    })
}

/// `value` rounded half away from zero to `decimals` places.
fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10_f64.powi(decimals);
    (value * scale).round() / scale
}

/// An instant in RFC 3339, in UTC with a `Z`.
fn rfc3339(at: OffsetDateTime) -> Value {
    // Formatting fails only for years RFC 3339 cannot write (before 0000 or
    // after 9999), which month bounds never produce; null rather than a
    // panic keeps the rest of the report readable if that ever changes.
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_or(Value::Null, Value::String)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::report::{CloseTimes, PurgeCount, RejectionCount, ReportMonth, TrendPoint};

    pub(crate) fn report() -> ComplianceReport {
        let mut close_times = CloseTimes::default();
        close_times.add(24, 3);
        close_times.add(48, 1);
        close_times.add(240, 1);
        let erasure = ReportLine {
            regime: "eu".to_owned(),
            kind: "erasure".to_owned(),
            received: 7,
            verified: 6,
            fulfilled: 4,
            rejected: 1,
            withdrawn: 1,
            on_time: 4,
            extensions: 1,
            open_at_end: 3,
            overdue_at_end: 0,
            close_times,
        };
        let access = ReportLine {
            regime: "eu".to_owned(),
            kind: "access".to_owned(),
            received: 2,
            withdrawn: 1,
            ..ReportLine::default()
        };
        let month = ReportMonth::parse("2026-03").unwrap();
        ComplianceReport {
            month,
            zone: "Asia/Kolkata".to_owned(),
            lines: vec![access, erasure],
            rejections: vec![RejectionCount {
                regime: "eu".to_owned(),
                kind: "erasure".to_owned(),
                reason: "identity".to_owned(),
                count: 1,
            }],
            purges: vec![
                PurgeCount {
                    class: "closed-requests".to_owned(),
                    count: 12,
                },
                PurgeCount {
                    class: "evidence".to_owned(),
                    count: 3,
                },
            ],
            trend: month
                .last_twelve()
                .into_iter()
                .map(|month| TrendPoint {
                    month,
                    received: 7,
                    answered: 5,
                    on_time: 4,
                })
                .collect(),
        }
    }

    fn keys(value: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn json_has_the_documented_shape() {
        let zone = ReportZone::named("Asia/Kolkata").unwrap();
        let json = report_json(&report(), &zone);
        assert_eq!(
            keys(&json),
            [
                "lines",
                "month",
                "period",
                "purges",
                "rejections",
                "time_zone",
                "total",
                "trend"
            ]
        );
        assert_eq!(json["month"], "2026-03");
        assert_eq!(json["time_zone"], "Asia/Kolkata");
        assert_eq!(json["period"]["start"], "2026-02-28T18:30:00Z");
        assert_eq!(json["period"]["end"], "2026-03-31T18:30:00Z");
        assert_eq!(
            json["purges"],
            json!({"closed-requests": 12, "evidence": 3})
        );
        assert_eq!(
            json["rejections"],
            json!([{"regime": "eu", "kind": "erasure", "reason": "identity", "count": 1}])
        );
        let trend = json["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 12);
        assert_eq!(
            trend[0],
            json!({"month": "2025-04", "received": 7, "answered": 5, "on_time": 4, "on_time_rate": 0.8})
        );
    }

    #[test]
    fn json_lines_carry_every_figure() {
        let json = report_json(&report(), &ReportZone::utc());
        let line_keys = [
            "closed",
            "extensions",
            "fulfilled",
            "kind",
            "median_days_to_close",
            "on_time",
            "on_time_rate",
            "open_at_end",
            "overdue_at_end",
            "p90_days_to_close",
            "received",
            "regime",
            "rejected",
            "verified",
            "withdrawn",
        ];
        assert_eq!(keys(&json["total"]), line_keys);
        let lines = json["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 2);
        let access = &lines[0];
        assert_eq!(keys(access), line_keys);
        assert_eq!(access["on_time_rate"], Value::Null);
        assert_eq!(access["median_days_to_close"], Value::Null);
        let erasure = &lines[1];
        assert_eq!(erasure["closed"], 6);
        assert_eq!(erasure["on_time_rate"], 0.8);
        assert_eq!(erasure["median_days_to_close"], 1.0);
        assert_eq!(erasure["p90_days_to_close"], 10.0);
        assert_eq!(json["total"]["regime"], "all");
        assert_eq!(json["total"]["received"], 9);
        assert_eq!(json["period"]["start"], "2026-03-01T00:00:00Z");
    }

    #[test]
    fn json_rounds_rates_and_sums_repeated_purge_classes() {
        let mut report = report();
        // Two of three answered on time.
        report.lines[1].fulfilled = 2;
        report.lines[1].on_time = 2;
        report.purges.push(PurgeCount {
            class: "evidence".to_owned(),
            count: 2,
        });
        let json = report_json(&report, &ReportZone::utc());
        assert_eq!(json["lines"][1]["on_time_rate"], 0.6667);
        assert_eq!(json["purges"]["evidence"], 5);
    }
}
