//! What a backup holds, independent of the database it came from: the tables with their typed
//! columns, one value per cell, and the manifest that opens the file. A SQLite backup
//! restores into PostgreSQL and back because nothing here is a backend's own encoding.

use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime};

/// The name every backup's manifest carries, so that another file is told apart at once.
pub const FORMAT_NAME: &str = "rightsdesk-backup";
/// The layout of the stream inside the encryption; a reader refuses a newer one.
pub const FORMAT_VERSION: u32 = 1;

/// The column types both backends share (see the store's schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Text,
    Integer,
    BigInt,
    Bool,
    Binary,
    Timestamp,
    Date,
}

impl ColumnType {
    /// The type named as in diesel's `table!` (`Text`, `BigInt`, ...).
    pub fn from_diesel_name(name: &str) -> Option<ColumnType> {
        Some(match name {
            "Text" => ColumnType::Text,
            "Integer" => ColumnType::Integer,
            "BigInt" => ColumnType::BigInt,
            "Bool" => ColumnType::Bool,
            "Binary" => ColumnType::Binary,
            "Timestamp" => ColumnType::Timestamp,
            "Date" => ColumnType::Date,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    pub nullable: bool,
}

/// One table as a backup sees it: its name, its primary key (the keyset order rows are read
/// in) and its columns in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSpec {
    pub name: String,
    pub key: Vec<String>,
    pub columns: Vec<Column>,
}

impl TableSpec {
    /// The positions of the key's columns among the columns.
    pub fn key_positions(&self) -> Vec<usize> {
        self.key
            .iter()
            .filter_map(|k| self.columns.iter().position(|c| &c.name == k))
            .collect()
    }
}

/// One value of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Bytes(Vec<u8>),
    Timestamp(PrimitiveDateTime),
    Date(Date),
}

const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

impl Cell {
    /// Roughly the bytes the value holds, to keep batches of large rows small.
    pub fn approximate_size(&self) -> usize {
        match self {
            Cell::Text(s) => s.len(),
            Cell::Bytes(b) => b.len(),
            _ => 8,
        }
    }

    /// The cell as written in a backup: text, numbers and booleans as JSON's own, bytes as
    /// lower-case hex, times as `YYYY-MM-DDTHH:MM:SS.f` (UTC) and dates as `YYYY-MM-DD`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Cell::Null => Value::Null,
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Bytes(b) => Value::String(HEXLOWER.encode(b)),
            Cell::Timestamp(t) => Value::String(t.format(TIMESTAMP).unwrap_or_default()),
            Cell::Date(d) => Value::String(d.format(DATE).unwrap_or_default()),
        }
    }

    /// Reads a cell of `column` from JSON: the backup's form, and also what the databases'
    /// JSON functions give (SQLite's booleans as 0/1, its times with a space for the `T`).
    pub fn from_json(value: &serde_json::Value, column: &Column) -> Result<Cell, String> {
        use serde_json::Value;
        let wrong = || {
            format!(
                "column {} holds {value} where a {:?} belongs",
                column.name, column.ty
            )
        };
        if value.is_null() {
            return if column.nullable {
                Ok(Cell::Null)
            } else {
                Err(format!("column {} is null but may not be", column.name))
            };
        }
        Ok(match (column.ty, value) {
            (ColumnType::Text, Value::String(s)) => Cell::Text(s.clone()),
            (ColumnType::Integer | ColumnType::BigInt, Value::Number(n)) => {
                Cell::Int(n.as_i64().ok_or_else(wrong)?)
            }
            (ColumnType::Bool, Value::Bool(b)) => Cell::Bool(*b),
            (ColumnType::Bool, Value::Number(n)) => match n.as_i64() {
                Some(0) => Cell::Bool(false),
                Some(1) => Cell::Bool(true),
                _ => return Err(wrong()),
            },
            (ColumnType::Binary, Value::String(s)) => Cell::Bytes(
                HEXLOWER
                    .decode(s.to_ascii_lowercase().as_bytes())
                    .map_err(|_| wrong())?,
            ),
            (ColumnType::Timestamp, Value::String(s)) => Cell::Timestamp(
                PrimitiveDateTime::parse(&s.replacen(' ', "T", 1), TIMESTAMP)
                    .map_err(|_| wrong())?,
            ),
            (ColumnType::Date, Value::String(s)) => {
                Cell::Date(Date::parse(s, DATE).map_err(|_| wrong())?)
            }
            _ => return Err(wrong()),
        })
    }
}

/// The newest audit event at the moment of the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// One table in the manifest: its spec as the backup wrote it, and how many rows follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestTable {
    #[serde(flatten)]
    pub spec: TableSpec,
    pub rows: u64,
}

/// The first line of a backup's plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// The newest migration applied to the database backed up.
    pub schema: String,
    /// When the snapshot was taken, RFC 3339 UTC.
    pub created_at: String,
    /// `sqlite` or `postgres`: where it came from (for the operator; restores ignore it).
    pub backend: String,
    pub tables: Vec<ManifestTable>,
    pub audit_head: Option<AuditHead>,
    /// The newest keyed checkpoint of the audit log: its number and the chain's hash there.
    #[serde(default)]
    pub audit_checkpoint: Option<AuditHead>,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn column(ty: ColumnType, nullable: bool) -> Column {
        Column {
            name: "c".into(),
            ty,
            nullable,
        }
    }

    #[test]
    fn every_cell_reads_back_as_written() {
        let cases = [
            (Cell::Text("a \"b\"\n".into()), ColumnType::Text),
            (Cell::Int(-5), ColumnType::Integer),
            (Cell::Int(i64::MAX), ColumnType::BigInt),
            (Cell::Bool(true), ColumnType::Bool),
            (Cell::Bytes(vec![0, 1, 254, 255]), ColumnType::Binary),
            (
                Cell::Timestamp(datetime!(2026-12-01 15:47:04.123456)),
                ColumnType::Timestamp,
            ),
            (
                Cell::Timestamp(datetime!(2026-12-01 15:47:04)),
                ColumnType::Timestamp,
            ),
            (Cell::Date(date!(2026 - 02 - 28)), ColumnType::Date),
            (Cell::Null, ColumnType::Text),
        ];
        for (cell, ty) in cases {
            let json = cell.to_json();
            assert_eq!(Cell::from_json(&json, &column(ty, true)), Ok(cell));
        }
    }

    #[test]
    fn database_forms_are_read_too() {
        let ts = Cell::from_json(
            &serde_json::json!("2026-12-01 15:47:04.5"),
            &column(ColumnType::Timestamp, false),
        );
        assert_eq!(ts, Ok(Cell::Timestamp(datetime!(2026-12-01 15:47:04.5))));
        let b = Cell::from_json(&serde_json::json!(1), &column(ColumnType::Bool, false));
        assert_eq!(b, Ok(Cell::Bool(true)));
        let hex = Cell::from_json(
            &serde_json::json!("0AFF"),
            &column(ColumnType::Binary, false),
        );
        assert_eq!(hex, Ok(Cell::Bytes(vec![10, 255])));
    }

    #[test]
    fn a_wrong_or_missing_value_is_refused() {
        assert!(
            Cell::from_json(&serde_json::json!(null), &column(ColumnType::Text, false)).is_err()
        );
        assert!(
            Cell::from_json(&serde_json::json!("x"), &column(ColumnType::BigInt, true)).is_err()
        );
        assert!(Cell::from_json(&serde_json::json!(2), &column(ColumnType::Bool, true)).is_err());
        assert!(Cell::from_json(
            &serde_json::json!("2026-13-01"),
            &column(ColumnType::Date, true)
        )
        .is_err());
    }
}
