use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::files::package::plan::Plan;
use crate::files::package::times::{rfc3339, rfc3339_opt};
use crate::files::package::PackageError;

#[derive(Serialize)]
pub(crate) struct Subject<'a> {
    pub email: &'a str,
    pub account_ref: Option<&'a str>,
}

#[derive(Serialize)]
struct DataDocument<'a> {
    reference: &'a str,
    generated_at: String,
    subject: Subject<'a>,
    records: BTreeMap<&'a str, Vec<DataRecord<'a>>>,
    consents: Vec<DataConsent<'a>>,
    objections: Vec<DataObjection<'a>>,
}

#[derive(Serialize)]
struct DataRecord<'a> {
    id: &'a str,
    source: &'a str,
    source_id: &'a str,
    state: &'a str,
    retention_class: &'a str,
    created_at: String,
    updated_at: String,
    /// Borrowed, not converted, so the exported values are the stored values.
    payload: &'a Map<String, Value>,
}

#[derive(Serialize)]
struct DataConsent<'a> {
    purpose: &'a str,
    granted_at: String,
    withdrawn_at: Option<String>,
    source: &'a str,
}

#[derive(Serialize)]
struct DataObjection<'a> {
    purpose: &'a str,
    recorded_at: String,
}

pub(crate) fn render(plan: &Plan<'_>) -> Result<Vec<u8>, PackageError> {
    let mut records = BTreeMap::new();
    for group in &plan.categories {
        let rows = group
            .records
            .iter()
            .map(|r| {
                Ok(DataRecord {
                    id: &r.id,
                    source: &r.source,
                    source_id: &r.source_id,
                    state: &r.state,
                    retention_class: &r.retention_class,
                    created_at: rfc3339(r.created_at)?,
                    updated_at: rfc3339(r.updated_at)?,
                    payload: &r.payload,
                })
            })
            .collect::<Result<Vec<_>, PackageError>>()?;
        records.insert(group.category, rows);
    }

    let consents = plan
        .consents
        .iter()
        .map(|c| {
            Ok(DataConsent {
                purpose: &c.purpose,
                granted_at: rfc3339(c.granted_at)?,
                withdrawn_at: rfc3339_opt(c.withdrawn_at)?,
                source: &c.source,
            })
        })
        .collect::<Result<Vec<_>, PackageError>>()?;

    let objections = plan
        .objections
        .iter()
        .map(|o| {
            Ok(DataObjection {
                purpose: &o.purpose,
                recorded_at: rfc3339(o.recorded_at)?,
            })
        })
        .collect::<Result<Vec<_>, PackageError>>()?;

    let document = DataDocument {
        reference: plan.input.reference,
        generated_at: rfc3339(plan.input.generated_at)?,
        subject: Subject {
            email: plan.input.email,
            account_ref: plan.input.account_ref,
        },
        records,
        consents,
        objections,
    };
    to_pretty_json(&document)
}

/// Pretty-printed because people open these files in a text editor; the trailing
/// newline keeps command-line tools happy.
pub(crate) fn to_pretty_json<T: Serialize>(value: &T) -> Result<Vec<u8>, PackageError> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| PackageError::context("encoding JSON", e))?;
    bytes.push(b'\n');
    Ok(bytes)
}
