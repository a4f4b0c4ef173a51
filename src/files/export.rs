//! Writes export rows as CSV, a JSON array or NDJSON, one row at a time, into any writer:
//! nothing is held beyond the row being written and the writer's own buffer.

use std::io::{self, Write};

use crate::domain::export::{Cell, ExportColumns, ExportFormat, ExportRow};

/// An export being written in one format, with its columns.
pub struct Encoder<W: Write> {
    columns: ExportColumns,
    out: Output<W>,
}

enum Output<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json { out: W, rows: u64 },
    Ndjson(W),
}

impl<W: Write> Encoder<W> {
    /// Starts an export: the CSV header row, or the JSON array's opening bracket.
    pub fn begin(format: ExportFormat, columns: ExportColumns, out: W) -> io::Result<Encoder<W>> {
        let out = match format {
            ExportFormat::Csv => {
                // RFC 4180: CRLF after every record, fields quoted only when they must be.
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                writer.write_record(columns.names())?;
                Output::Csv(Box::new(writer))
            }
            ExportFormat::Json => {
                let mut out = out;
                out.write_all(b"[")?;
                Output::Json { out, rows: 0 }
            }
            ExportFormat::Ndjson => Output::Ndjson(out),
        };
        Ok(Encoder { columns, out })
    }

    /// Writes one row. With personal columns, a row without them (it cannot happen: the
    /// export reads them for every row) is written with empty cells rather than short.
    pub fn row(&mut self, row: &ExportRow) -> io::Result<()> {
        let cells = row.cells();
        let personal = match self.columns {
            ExportColumns::Standard => None,
            ExportColumns::WithPersonal => {
                Some(
                    row.personal_cells()
                        .unwrap_or([Cell::Empty, Cell::Empty, Cell::Empty]),
                )
            }
        };
        let all = cells.iter().chain(personal.iter().flatten());
        match &mut self.out {
            Output::Csv(writer) => {
                for cell in all {
                    writer.write_field(cell.csv().as_bytes())?;
                }
                writer.write_record(None::<&[u8]>)?;
            }
            Output::Json { out, rows } => {
                out.write_all(if *rows == 0 { b"\n" } else { b",\n" })?;
                write_object(out, self.columns, all)?;
                *rows += 1;
            }
            Output::Ndjson(out) => {
                write_object(out, self.columns, all)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    /// Sends what is buffered on to the writer (and the writer's buffer on).
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Output::Csv(writer) => writer.flush(),
            Output::Json { out, .. } | Output::Ndjson(out) => out.flush(),
        }
    }

    /// Ends the export (the JSON array's closing bracket) and flushes it.
    pub fn finish(self) -> io::Result<W> {
        match self.out {
            Output::Csv(writer) => writer.into_inner().map_err(|e| e.into_error()),
            Output::Json { mut out, .. } => {
                out.write_all(b"\n]\n")?;
                out.flush()?;
                Ok(out)
            }
            Output::Ndjson(mut out) => {
                out.flush()?;
                Ok(out)
            }
        }
    }
}

/// One request as a JSON object, its keys in column order.
fn write_object<'c, W: Write>(
    out: &mut W,
    columns: ExportColumns,
    cells: impl Iterator<Item = &'c Cell<'c>>,
) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (name, cell)) in columns.names().zip(cells).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        // Column names are plain lowercase words: nothing to escape.
        out.write_all(b"\"")?;
        out.write_all(name.as_bytes())?;
        out.write_all(b"\":")?;
        match cell {
            Cell::Empty => out.write_all(b"null")?,
            Cell::Bool(true) => out.write_all(b"true")?,
            Cell::Bool(false) => out.write_all(b"false")?,
            Cell::Text(text) => serde_json::to_writer(&mut *out, text.as_ref())?,
        }
    }
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::{PersonalFields, COLUMNS, PERSONAL_COLUMNS};
    use time::macros::datetime;

    fn row(reference: &str, assignee: Option<&str>) -> ExportRow {
        ExportRow {
            reference: reference.into(),
            kind: "access".into(),
            regime: "in".into(),
            status: "open".into(),
            received_at: datetime!(2026-03-01 10:00 UTC),
            verified_at: None,
            due_at: datetime!(2026-03-31 10:00 UTC),
            extended_due_at: None,
            closed_at: None,
            assignee: assignee.map(str::to_string),
            outcome: None,
            rejection_reason: None,
            personal: None,
        }
    }

    fn encode(format: ExportFormat, rows: &[ExportRow]) -> String {
        encode_columns(format, ExportColumns::Standard, rows)
    }

    fn encode_columns(format: ExportFormat, columns: ExportColumns, rows: &[ExportRow]) -> String {
        let mut encoder = Encoder::begin(format, columns, Vec::new()).unwrap();
        for r in rows {
            encoder.row(r).unwrap();
        }
        String::from_utf8(encoder.finish().unwrap()).unwrap()
    }

    #[test]
    fn csv_is_rfc_4180_with_neutralised_formulas() {
        let text = encode(
            ExportFormat::Csv,
            &[
                row("RD-1", Some("=cmd|' /C calc'!A0")),
                row("RD-2", Some("A, \"B\"")),
            ],
        );
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert!(lines[1].contains(",'=cmd|' /C calc'!A0,"), "{}", lines[1]);
        assert!(lines[2].contains(",\"A, \"\"B\"\"\","), "{}", lines[2]);
        assert_eq!(lines[3], "", "every record ends in CRLF");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn json_and_ndjson_hold_the_same_objects() {
        let rows = [row("RD-1", Some("=1+1")), row("RD-\"2\"", None)];
        let array: serde_json::Value =
            serde_json::from_str(&encode(ExportFormat::Json, &rows)).unwrap();
        let lines: Vec<serde_json::Value> = encode(ExportFormat::Ndjson, &rows)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(array.as_array().unwrap(), &lines);
        assert_eq!(lines[0]["assignee"], "=1+1", "JSON keeps exact values");
        assert_eq!(lines[1]["reference"], "RD-\"2\"");
        assert_eq!(lines[1]["assignee"], serde_json::Value::Null);
        let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), COLUMNS.len());
    }

    #[test]
    fn empty_exports_are_still_valid() {
        assert_eq!(
            encode(ExportFormat::Csv, &[]),
            format!("{}\r\n", COLUMNS.join(","))
        );
        let empty: serde_json::Value =
            serde_json::from_str(&encode(ExportFormat::Json, &[])).unwrap();
        assert_eq!(empty, serde_json::json!([]));
        assert_eq!(encode(ExportFormat::Ndjson, &[]), "");
    }

    #[test]
    fn personal_columns_follow_the_standard_ones_in_every_format() {
        let mut asha = row("RD-1", None);
        asha.personal = Some(PersonalFields {
            full_name: "Asha Rao".into(),
            email: "asha@example.in".into(),
            details: "-delete, \"all\"".into(),
        });
        let rows = [asha];
        let columns = ExportColumns::WithPersonal;
        let csv = encode_columns(ExportFormat::Csv, columns, &rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        let header: Vec<&str> = COLUMNS.iter().chain(&PERSONAL_COLUMNS).copied().collect();
        assert_eq!(lines[0], header.join(","));
        assert!(
            lines[1].ends_with(",Asha Rao,asha@example.in,\"'-delete, \"\"all\"\"\""),
            "{}",
            lines[1]
        );
        let object: serde_json::Value =
            serde_json::from_str(encode_columns(ExportFormat::Ndjson, columns, &rows).trim())
                .unwrap();
        assert_eq!(object["full_name"], "Asha Rao");
        assert_eq!(object["email"], "asha@example.in");
        assert_eq!(object["details"], "-delete, \"all\"");
        assert_eq!(object.as_object().unwrap().len(), header.len());
        let array: serde_json::Value =
            serde_json::from_str(&encode_columns(ExportFormat::Json, columns, &rows)).unwrap();
        assert_eq!(array[0], object);
    }
}
