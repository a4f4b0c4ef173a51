//! The compliance report as CSV for spreadsheets: one record per regime and kind, then the
//! total. The columns are a documented contract (`docs/REPORT.md`): their names and order
//! must not drift.

use std::io;

use crate::domain::report::{ComplianceReport, ReportLine};

/// The CSV columns, in order.
const CSV_HEADER: [&str; 16] = [
    "month",
    "regime",
    "kind",
    "received",
    "verified",
    "closed",
    "fulfilled",
    "rejected",
    "withdrawn",
    "on_time",
    "on_time_rate",
    "extensions",
    "open_at_end",
    "overdue_at_end",
    "median_days_to_close",
    "p90_days_to_close",
];

/// The CSV form as records: the header
/// row, one record per line, then the "all", "all" total. Missing values
/// are empty; rates have 4 decimals ("0.9500") and days 1 ("12.5").
pub fn report_records(report: &ComplianceReport) -> Vec<Vec<String>> {
    let mut records = Vec::with_capacity(report.lines.len() + 2);
    records.push(CSV_HEADER.iter().map(|&name| name.to_owned()).collect());
    let month = report.month.to_string();
    for line in &report.lines {
        records.push(line_csv(&month, line));
    }
    records.push(line_csv(&month, &report.total()));
    records
}

/// The CSV file: [`report_records`] written per RFC 4180, CRLF after every record.
pub fn report_csv(report: &ComplianceReport) -> io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in report_records(report) {
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

/// One CSV record, columns as in [`CSV_HEADER`].
fn line_csv(month: &str, line: &ReportLine) -> Vec<String> {
    let optional = |value: Option<f64>, decimals: usize| {
        value.map_or_else(String::new, |v| format!("{v:.decimals$}"))
    };
    vec![
        month.to_owned(),
        line.regime.clone(),
        line.kind.clone(),
        line.received.to_string(),
        line.verified.to_string(),
        line.closed().to_string(),
        line.fulfilled.to_string(),
        line.rejected.to_string(),
        line.withdrawn.to_string(),
        line.on_time.to_string(),
        optional(line.on_time_rate(), 4),
        line.extensions.to_string(),
        line.open_at_end.to_string(),
        line.overdue_at_end.to_string(),
        optional(line.close_times.median_days(), 1),
        optional(line.close_times.p90_days(), 1),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::report::json::tests::report;

    #[test]
    fn csv_has_header_lines_and_total() {
        let records = report_records(&report());
        assert_eq!(records.len(), 4);
        assert_eq!(
            records[0].join(","),
            "month,regime,kind,received,verified,closed,fulfilled,rejected,withdrawn,\
             on_time,on_time_rate,extensions,open_at_end,overdue_at_end,\
             median_days_to_close,p90_days_to_close"
        );
        assert_eq!(
            records[1].join(","),
            "2026-03,eu,access,2,0,1,0,0,1,0,,0,0,0,,"
        );
        assert_eq!(
            records[2].join(","),
            "2026-03,eu,erasure,7,6,6,4,1,1,4,0.8000,1,3,0,1.0,10.0"
        );
        assert_eq!(
            records[3].join(","),
            "2026-03,all,all,9,6,7,4,1,2,4,0.8000,1,3,0,1.0,10.0"
        );
        assert!(records.iter().all(|r| r.len() == records[0].len()));
    }

    #[test]
    fn csv_file_ends_every_record_with_crlf() {
        let file = String::from_utf8(report_csv(&report()).unwrap()).unwrap();
        assert_eq!(file.matches("\r\n").count(), 4);
        assert!(file.starts_with("month,regime,kind,"));
    }
}
