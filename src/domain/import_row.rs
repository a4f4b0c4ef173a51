//! One item of an import file, checked against the documented schema (DESIGN.md §3
//! "Import schema"): the fields of its kind, of the right types, and nothing else.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::email::{Email, InvalidEmail};
use super::inventory::{Category, RetentionClass, SourceName};

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Subjects,
    Records,
    Consents,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Subjects => "subjects",
            ImportKind::Records => "records",
            ImportKind::Consents => "consents",
        }
    }

    /// Every field the kind knows, required ones first.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            ImportKind::Subjects => &["email", "account_ref", "cancelled_at"],
            ImportKind::Records => &[
                "email",
                "source",
                "source_id",
                "category",
                "payload",
                "retention_class",
                "removed_at",
            ],
            ImportKind::Consents => &["email", "purpose", "granted_at", "source", "withdrawn_at"],
        }
    }

    /// Fields whose CSV cell holds JSON text.
    pub fn json_fields(self) -> &'static [&'static str] {
        match self {
            ImportKind::Records => &["payload"],
            _ => &[],
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "subjects" => Ok(ImportKind::Subjects),
            "records" => Ok(ImportKind::Records),
            "consents" => Ok(ImportKind::Consents),
            _ => Err(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubjectItem {
    pub email: Email,
    pub account_ref: Option<String>,
    pub cancelled_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordItem {
    pub email: Email,
    pub source: SourceName,
    pub source_id: String,
    pub category: Category,
    pub retention_class: RetentionClass,
    pub removed_at: Option<OffsetDateTime>,
    pub payload: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsentItem {
    pub email: Email,
    pub purpose: String,
    pub granted_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportItem {
    Subject(SubjectItem),
    Record(RecordItem),
    Consent(ConsentItem),
}

impl ImportItem {
    pub fn email(&self) -> &Email {
        match self {
            ImportItem::Subject(item) => &item.email,
            ImportItem::Record(item) => &item.email,
            ImportItem::Consent(item) => &item.email,
        }
    }
}

/// The longest source id and account reference accepted.
pub const MAX_ID_CHARS: usize = 200;

/// Checks one item; the error is the reason, in words for the operator.
pub fn parse_item(
    kind: ImportKind,
    fields: Map<String, Value>,
    purposes: &[&str],
) -> Result<ImportItem, String> {
    let mut fields = Fields(fields);
    fields.refuse_unknown(kind.fields())?;
    let email = Email::parse(&fields.required_text("email")?).map_err(|e| match e {
        InvalidEmail::Missing => "missing field \"email\"".to_string(),
        InvalidEmail::Malformed => "email is not a valid address".to_string(),
        InvalidEmail::TooLong => format!("email has more than {} characters", Email::MAX_LEN),
    })?;
    let item = match kind {
        ImportKind::Subjects => ImportItem::Subject(SubjectItem {
            email,
            account_ref: fields.optional_id("account_ref")?,
            cancelled_at: fields.optional_time("cancelled_at")?,
        }),
        ImportKind::Records => {
            let category = Category::parse(&fields.required_text("category")?)?;
            let retention_class = match fields.optional_text("retention_class")? {
                Some(text) => text.parse().map_err(|_| {
                    format!(
                        "retention_class must be one of {}",
                        RetentionClass::ALL.map(RetentionClass::as_str).join(", ")
                    )
                })?,
                None => RetentionClass::for_category(&category),
            };
            ImportItem::Record(RecordItem {
                email,
                source: SourceName::parse(&fields.required_text("source")?)?,
                source_id: fields.required_id("source_id")?,
                category,
                retention_class,
                removed_at: fields.optional_time("removed_at")?,
                payload: fields.required_object("payload")?,
            })
        }
        ImportKind::Consents => {
            let purpose = fields.required_text("purpose")?;
            if !purposes.contains(&purpose.as_str()) {
                return Err(format!(
                    "purpose {purpose:?} is not one of the configured purposes ({})",
                    purposes.join(", ")
                ));
            }
            let granted_at = fields.required_time("granted_at")?;
            let withdrawn_at = fields.optional_time("withdrawn_at")?;
            if withdrawn_at.is_some_and(|withdrawn| withdrawn < granted_at) {
                return Err("withdrawn_at is before granted_at".to_string());
            }
            let source = fields.required_text("source")?;
            if source.chars().count() > MAX_ID_CHARS {
                return Err(format!("source has at most {MAX_ID_CHARS} characters"));
            }
            ImportItem::Consent(ConsentItem {
                email,
                purpose,
                granted_at,
                withdrawn_at,
                source,
            })
        }
    };
    Ok(item)
}

struct Fields(Map<String, Value>);

impl Fields {
    fn refuse_unknown(&self, known: &[&str]) -> Result<(), String> {
        match self.0.keys().find(|key| !known.contains(&key.as_str())) {
            Some(unknown) => Err(format!(
                "unknown field {unknown:?}; expected {}",
                known.join(", ")
            )),
            None => Ok(()),
        }
    }

    /// A present, non-null value; `null` counts as absent.
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|value| !value.is_null())
    }

    fn optional_text(&mut self, name: &str) -> Result<Option<String>, String> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim().to_string())),
            Some(other) => Err(format!(
                "{name} must be a string, not {}",
                type_name(&other)
            )),
        }
    }

    fn required_text(&mut self, name: &str) -> Result<String, String> {
        self.optional_text(name)?
            .ok_or_else(|| format!("missing field {name:?}"))
    }

    /// An identifier: text, or a whole number (systems export numeric ids either way).
    fn optional_id(&mut self, name: &str) -> Result<Option<String>, String> {
        let id = match self.take(name) {
            None => return Ok(None),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
            Some(Value::String(text)) => text.trim().to_string(),
            Some(other) => {
                return Err(format!(
                    "{name} must be a string or a whole number, not {}",
                    type_name(&other)
                ))
            }
        };
        if id.chars().count() > MAX_ID_CHARS {
            return Err(format!("{name} has at most {MAX_ID_CHARS} characters"));
        }
        if id.chars().any(char::is_control) {
            return Err(format!("{name} may not hold control characters"));
        }
        Ok(Some(id))
    }

    fn required_id(&mut self, name: &str) -> Result<String, String> {
        self.optional_id(name)?
            .ok_or_else(|| format!("missing field {name:?}"))
    }

    fn optional_time(&mut self, name: &str) -> Result<Option<OffsetDateTime>, String> {
        self.optional_text(name)?
            .map(|text| {
                OffsetDateTime::parse(&text, &Rfc3339)
                    .map(|t| t.to_offset(UtcOffset::UTC))
                    .map_err(|_| {
                        format!("{name} must be an RFC 3339 time like 2026-03-31T09:30:00Z")
                    })
            })
            .transpose()
    }

    fn required_time(&mut self, name: &str) -> Result<OffsetDateTime, String> {
        self.optional_time(name)?
            .ok_or_else(|| format!("missing field {name:?}"))
    }

    fn required_object(&mut self, name: &str) -> Result<Map<String, Value>, String> {
        match self.take(name) {
            None => Err(format!("missing field {name:?}")),
            Some(Value::Object(object)) => Ok(object),
            Some(other) => Err(format!(
                "{name} must be a JSON object, not {}",
                type_name(&other)
            )),
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PURPOSES: &[&str] = &["marketing", "analytics"];

    fn parse(kind: ImportKind, value: Value) -> Result<ImportItem, String> {
        let Value::Object(map) = value else {
            panic!("test input must be an object")
        };
        parse_item(kind, map, PURPOSES)
    }

    #[test]
    fn a_record_parses_with_defaults() {
        let item = parse(
            ImportKind::Records,
            json!({"email": " Asha@Example.IN", "source": "crm", "source_id": 42,
                   "category": "registration", "payload": {"name": "Asha", "age": 31}}),
        )
        .unwrap();
        let ImportItem::Record(record) = item else {
            panic!("a record")
        };
        assert_eq!(record.email.as_str(), "asha@example.in");
        assert_eq!(record.source_id, "42");
        assert_eq!(record.retention_class, RetentionClass::Registration);
        assert_eq!(record.payload["age"], json!(31));
    }

    #[test]
    fn each_failure_names_its_field() {
        let base = json!({"email": "a@example.in", "source": "crm", "source_id": "1",
                          "category": "profile", "payload": {}});
        let with = |key: &str, value: Value| {
            let mut v = base.clone();
            v[key] = value;
            parse(ImportKind::Records, v).unwrap_err()
        };
        let without = |key: &str| {
            let mut v = base.clone();
            v.as_object_mut().unwrap().remove(key);
            parse(ImportKind::Records, v).unwrap_err()
        };
        assert_eq!(without("source_id"), "missing field \"source_id\"");
        assert_eq!(without("payload"), "missing field \"payload\"");
        assert_eq!(
            with("email", json!("not-an-email")),
            "email is not a valid address"
        );
        assert_eq!(
            with("payload", json!("{}")),
            "payload must be a JSON object, not a string"
        );
        assert_eq!(
            with("source", json!(7)),
            "source must be a string, not a number"
        );
        assert_eq!(
            with("source_id", json!(1.5)),
            "source_id must be a string or a whole number, not a number"
        );
        assert!(with("category", json!("Bad Category")).starts_with("category may hold"));
        assert!(with("retention_class", json!("forever")).starts_with("retention_class must be"));
        assert!(
            with("removed_at", json!("yesterday")).starts_with("removed_at must be an RFC 3339")
        );
        assert!(with("colour", json!("red")).starts_with("unknown field \"colour\""));
    }

    #[test]
    fn consents_check_purpose_and_order_of_times() {
        let ok = parse(
            ImportKind::Consents,
            json!({"email": "a@example.in", "purpose": "marketing", "source": "web",
                   "granted_at": "2026-01-01T10:00:00+05:30"}),
        )
        .unwrap();
        let ImportItem::Consent(consent) = ok else {
            panic!("a consent")
        };
        assert_eq!(consent.granted_at.offset(), UtcOffset::UTC);
        assert_eq!(consent.granted_at.hour(), 4);
        assert!(parse(
            ImportKind::Consents,
            json!({"email": "a@example.in", "purpose": "telepathy", "source": "web",
                   "granted_at": "2026-01-01T10:00:00Z"})
        )
        .unwrap_err()
        .contains("configured purposes"));
        assert_eq!(
            parse(
                ImportKind::Consents,
                json!({"email": "a@example.in", "purpose": "marketing", "source": "web",
                       "granted_at": "2026-01-02T10:00:00Z", "withdrawn_at": "2026-01-01T10:00:00Z"})
            )
            .unwrap_err(),
            "withdrawn_at is before granted_at"
        );
    }

    #[test]
    fn subjects_take_optional_fields_and_empty_cells_are_absent() {
        let item = parse(
            ImportKind::Subjects,
            json!({"email": "a@example.in", "account_ref": "", "cancelled_at": null}),
        )
        .unwrap();
        assert_eq!(
            item,
            ImportItem::Subject(SubjectItem {
                email: Email::parse("a@example.in").unwrap(),
                account_ref: None,
                cancelled_at: None
            })
        );
    }
}
