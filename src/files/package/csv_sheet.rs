use std::collections::BTreeSet;

use serde_json::Value;

use crate::files::package::plan::CategoryGroup;
use crate::files::package::times::{rfc3339, rfc3339_opt};
use crate::files::package::{PackageConsent, PackageError, PackageObjection};

const FIXED_COLUMNS: [&str; 6] = [
    "source",
    "source_id",
    "state",
    "retention_class",
    "created_at",
    "updated_at",
];

/// Spreadsheet programs treat a cell starting with one of these as a formula (or, for
/// tab/CR, strip the character and then do so), which lets data we merely stored run
/// in the subject's spreadsheet. The apostrophe makes them display the text as-is.
fn neutralise(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

fn cell_text(value: &Value) -> Result<String, PackageError> {
    Ok(match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => serde_json::to_string(value)
            .map_err(|e| PackageError::context("encoding nested value for CSV", e))?,
    })
}

struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    fn new() -> Self {
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        Sheet { writer }
    }

    /// Every cell, headers included, goes through here so no path can skip
    /// neutralisation: payload keys become headers and are just as untrusted.
    fn row<I: IntoIterator<Item = String>>(&mut self, cells: I) -> Result<(), PackageError> {
        self.writer
            .write_record(cells.into_iter().map(neutralise))
            .map_err(|e| PackageError::context("writing CSV row", e))
    }

    fn finish(self) -> Result<Vec<u8>, PackageError> {
        self.writer
            .into_inner()
            .map_err(|e| PackageError::context("flushing CSV", e.error()))
    }
}

/// Header name for each payload key. A key that would shadow a fixed column (or an
/// earlier renamed key) is prefixed until unique, so every column name is distinct.
fn payload_columns(keys: BTreeSet<&str>) -> Vec<(String, &str)> {
    let mut used: BTreeSet<String> = FIXED_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    keys.into_iter()
        .map(|key| {
            let mut name = key.to_owned();
            while used.contains(&name) {
                name = format!("payload.{name}");
            }
            used.insert(name.clone());
            (name, key)
        })
        .collect()
}

pub(crate) fn records_csv(group: &CategoryGroup<'_>) -> Result<Vec<u8>, PackageError> {
    let keys: BTreeSet<&str> = group
        .records
        .iter()
        .flat_map(|r| r.payload.keys().map(String::as_str))
        .collect();
    let columns = payload_columns(keys);

    let mut sheet = Sheet::new();
    sheet.row(
        FIXED_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(columns.iter().map(|(name, _)| name.clone())),
    )?;
    for record in &group.records {
        let mut cells = vec![
            record.source.clone(),
            record.source_id.clone(),
            record.state.clone(),
            record.retention_class.clone(),
            rfc3339(record.created_at)?,
            rfc3339(record.updated_at)?,
        ];
        for (_, key) in &columns {
            cells.push(match record.payload.get(*key) {
                Some(value) => cell_text(value)?,
                None => String::new(),
            });
        }
        sheet.row(cells)?;
    }
    sheet.finish()
}

pub(crate) fn consents_csv(consents: &[&PackageConsent]) -> Result<Vec<u8>, PackageError> {
    let mut sheet = Sheet::new();
    sheet.row(["purpose", "granted_at", "withdrawn_at", "source"].map(str::to_owned))?;
    for consent in consents {
        sheet.row([
            consent.purpose.clone(),
            rfc3339(consent.granted_at)?,
            rfc3339_opt(consent.withdrawn_at)?.unwrap_or_default(),
            consent.source.clone(),
        ])?;
    }
    sheet.finish()
}

pub(crate) fn objections_csv(objections: &[&PackageObjection]) -> Result<Vec<u8>, PackageError> {
    let mut sheet = Sheet::new();
    sheet.row(["purpose", "recorded_at"].map(str::to_owned))?;
    for objection in objections {
        sheet.row([objection.purpose.clone(), rfc3339(objection.recorded_at)?])?;
    }
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn neutralises_formula_starts_only() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(risky.to_owned()), format!("'{risky}"));
        }
        for plain in ["", "hello", "1-1", " =x", "'quoted", "a=b"] {
            assert_eq!(neutralise(plain.to_owned()), plain);
        }
    }

    #[test]
    fn cell_text_forms() {
        assert_eq!(cell_text(&json!(null)).unwrap(), "");
        assert_eq!(cell_text(&json!("x, \"y\"")).unwrap(), "x, \"y\"");
        assert_eq!(cell_text(&json!(true)).unwrap(), "true");
        assert_eq!(cell_text(&json!(1.5)).unwrap(), "1.5");
        assert_eq!(cell_text(&json!(-7)).unwrap(), "-7");
        assert_eq!(cell_text(&json!({"a": [1, 2]})).unwrap(), r#"{"a":[1,2]}"#);
    }

    #[test]
    fn colliding_payload_keys_get_distinct_columns() {
        let keys: BTreeSet<&str> = ["state", "payload.state", "zeta", "source"].into();
        let names: Vec<String> = payload_columns(keys).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            vec![
                "payload.state",
                "payload.source",
                "payload.payload.state",
                "zeta"
            ]
        );
    }
}
