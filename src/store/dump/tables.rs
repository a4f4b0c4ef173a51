//! Which tables a backup holds and how their columns are typed: read from `schema.rs` itself,
//! so that a column or table added there is in every backup from then on, with no second
//! list to forget. Tests compare this with the tables the migrations create on both
//! backends, and check that each table comes after the tables its foreign keys name.

use crate::domain::backup::{Column, ColumnType, TableSpec};

/// The schema as compiled into this binary.
const SCHEMA: &str = include_str!("../schema.rs");

/// Tables whose rows the migrations themselves insert (the audit head at sequence 0, a zero
/// count per regime and status): a freshly migrated database has these and is still empty.
pub const SEEDED_BY_MIGRATIONS: &[&str] = &["audit_head", "request_counts"];

/// Every table in `schema.rs` order, which is the order rows are restored in: a table is
/// declared after the tables its foreign keys point to.
pub fn backup_tables() -> Vec<TableSpec> {
    // The schema is part of the binary and checked by the unit tests below: a table that does
    // not parse cannot ship.
    parse_schema(SCHEMA).expect("src/store/schema.rs parses as diesel table! blocks")
}

/// Parses diesel's `table!` blocks: `name (key, ...) { column -> Type, ... }`.
pub fn parse_schema(source: &str) -> Result<Vec<TableSpec>, String> {
    let mut tables = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("diesel::table! {") {
        rest = &rest[start + "diesel::table! {".len()..];
        let open = rest.find('{').ok_or("a table! without columns")?;
        let close = rest.find('}').ok_or("a table! without an end")?;
        let head = rest[..open].trim();
        let (name, key) = head
            .split_once('(')
            .ok_or_else(|| format!("no primary key in `{head}`"))?;
        let key: Vec<String> = key
            .trim_end_matches(')')
            .split(',')
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
        let mut columns = Vec::new();
        for line in rest[open + 1..close].lines() {
            let line = line.trim().trim_end_matches(',');
            if line.is_empty() || line.starts_with("//") || line.starts_with('#') {
                continue;
            }
            let (column, ty) = line
                .split_once("->")
                .ok_or_else(|| format!("cannot read the column `{line}`"))?;
            let ty = ty.trim();
            let (inner, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            let ty = ColumnType::from_diesel_name(inner)
                .ok_or_else(|| format!("the column type `{ty}` has no backup form"))?;
            columns.push(Column {
                name: column.trim().to_string(),
                ty,
                nullable,
            });
        }
        let spec = TableSpec {
            name: name.trim().to_string(),
            key,
            columns,
        };
        if spec.key.is_empty() || spec.key_positions().len() != spec.key.len() {
            return Err(format!("the key of {} is not among its columns", spec.name));
        }
        tables.push(spec);
        rest = &rest[close + 1..];
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_schema_parses_with_every_type() {
        let tables = parse_schema(SCHEMA).unwrap();
        assert!(tables.len() >= 18, "{}", tables.len());
        let requests = tables.iter().find(|t| t.name == "requests").unwrap();
        assert_eq!(requests.key, ["id"]);
        let counts = tables.iter().find(|t| t.name == "request_counts").unwrap();
        assert_eq!(counts.key, ["regime", "status", "shard"]);
        for seeded in SEEDED_BY_MIGRATIONS {
            assert!(tables.iter().any(|t| t.name == *seeded), "{seeded}");
        }
        let mut names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), tables.len(), "a table twice");
    }

    #[test]
    fn a_block_is_read_with_nullable_and_composite_keys() {
        let source = "diesel::table! {\n    pairs (a, b) {\n        a -> Text,\n        b -> Integer,\n        c -> Nullable<Timestamp>,\n    }\n}\n";
        let tables = parse_schema(source).unwrap();
        assert_eq!(tables[0].key, ["a", "b"]);
        assert_eq!(tables[0].columns[2].ty, ColumnType::Timestamp);
        assert!(tables[0].columns[2].nullable);
        assert!(!tables[0].columns[1].nullable);
    }

    #[test]
    fn an_unknown_type_is_an_error() {
        let source = "diesel::table! {\n    t (a) {\n        a -> Uuid,\n    }\n}\n";
        assert!(parse_schema(source).is_err());
    }
}
