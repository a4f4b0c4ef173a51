use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::files::package::data_json::{to_pretty_json, Subject};
use crate::files::package::plan::{CategoryGroup, EntryKind, Plan};
use crate::files::package::times::rfc3339;
use crate::files::package::PackageError;

const FORMAT: &str = "rightsdesk-data-package";
const VERSION: u32 = 1;

/// Listed with zero counts even when absent, so a reader can see that, for example,
/// nothing is restricted rather than wonder whether the state is reported at all.
const KNOWN_STATES: [&str; 3] = ["active", "restricted", "erased"];

const NOTES: [&str; 6] = [
    "All times are in UTC and written in RFC 3339 format, for example 2024-05-01T09:30:00Z.",
    "data.json holds every value exactly as we hold it; the CSV files are a spreadsheet-friendly copy of the same records.",
    "In the CSV files, a cell that begins with =, +, -, @, a tab or a carriage return is prefixed with an apostrophe (') so that spreadsheet programs show it as text instead of running it as a formula.",
    "In the CSV files, lists and nested objects are written as compact JSON text, and an empty cell means the record has no value for that column.",
    "In the CSV files, a payload field whose name matches a standard column gets a \"payload.\" prefix in its column name, for example payload.state.",
    "File names under records/ are derived from the category name; the files and categories lists show which file holds which category.",
];

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    version: u32,
    reference: &'a str,
    organisation: &'a str,
    generated_at: String,
    subject: Subject<'a>,
    files: Vec<FileEntry<'a>>,
    categories: Vec<CategorySummary<'a>>,
    retention: Vec<RetentionEntry<'a>>,
    notes: [&'static str; 6],
}

#[derive(Serialize)]
struct FileEntry<'a> {
    path: String,
    description: String,
    /// Lets readers map a sanitised file name back to the real category.
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<usize>,
}

#[derive(Serialize)]
struct CategorySummary<'a> {
    category: &'a str,
    file: &'a str,
    records: usize,
    sources: BTreeSet<&'a str>,
    first_recorded_at: Option<String>,
    last_updated_at: Option<String>,
    retention_classes: BTreeSet<&'a str>,
    states: BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct RetentionEntry<'a> {
    class: &'a str,
    rule: &'a str,
}

fn summarise<'a>(group: &'a CategoryGroup<'a>) -> Result<CategorySummary<'a>, PackageError> {
    let mut states: BTreeMap<&str, usize> = KNOWN_STATES.iter().map(|s| (*s, 0)).collect();
    for record in &group.records {
        *states.entry(record.state.as_str()).or_default() += 1;
    }
    let first = group.records.iter().map(|r| r.created_at).min();
    let last = group.records.iter().map(|r| r.updated_at).max();
    Ok(CategorySummary {
        category: group.category,
        file: &group.path,
        records: group.records.len(),
        sources: group.records.iter().map(|r| r.source.as_str()).collect(),
        first_recorded_at: first.map(rfc3339).transpose()?,
        last_updated_at: last.map(rfc3339).transpose()?,
        retention_classes: group
            .records
            .iter()
            .map(|r| r.retention_class.as_str())
            .collect(),
        states,
    })
}

pub(crate) fn render_manifest(plan: &Plan<'_>) -> Result<Vec<u8>, PackageError> {
    let files = plan
        .entries()
        .into_iter()
        .map(|entry| {
            let (category, records) = match entry {
                EntryKind::Records(group) => (Some(group.category), Some(group.records.len())),
                _ => (None, None),
            };
            FileEntry {
                path: entry.path(),
                description: entry.description(),
                category,
                records,
            }
        })
        .collect();

    let manifest = Manifest {
        format: FORMAT,
        version: VERSION,
        reference: plan.input.reference,
        organisation: plan.input.organisation,
        generated_at: rfc3339(plan.input.generated_at)?,
        subject: Subject {
            email: plan.input.email,
            account_ref: plan.input.account_ref,
        },
        files,
        categories: plan
            .categories
            .iter()
            .map(summarise)
            .collect::<Result<_, _>>()?,
        retention: plan
            .retention
            .iter()
            .map(|r| RetentionEntry {
                class: &r.class,
                rule: &r.rule,
            })
            .collect(),
        notes: NOTES,
    };
    to_pretty_json(&manifest)
}

/// Written for the person downloading the package. It deliberately carries no personal
/// data beyond the reference, so it stays harmless if shared when asking for help.
pub(crate) fn render_readme(plan: &Plan<'_>) -> Result<String, PackageError> {
    let organisation = plan.input.organisation;
    let records_line = if plan.categories.is_empty() {
        "records/        (not included: we hold no records about you in any category)"
    } else {
        "records/        one spreadsheet (CSV file) per category of data, one row per record."
    };
    let lines = [
        format!("Your data package from {organisation}"),
        format!("Request reference: {}", plan.input.reference),
        format!("Prepared: {} (UTC)", rfc3339(plan.input.generated_at)?),
        String::new(),
        format!("This archive contains the personal data {organisation} holds about you, in these files:"),
        "manifest.json   an index: the files, how many records each category holds, and how long each kind of data is kept.".to_owned(),
        "data.json       everything in one file, with every value exactly as we hold it (useful for moving your data elsewhere).".to_owned(),
        records_line.to_owned(),
        "consents.csv    the consents you gave and, where it applies, when you withdrew them.".to_owned(),
        "objections.csv  the objections you raised to particular uses of your data.".to_owned(),
        String::new(),
        "In the spreadsheets, a cell that would begin with = + - or @ starts with an apostrophe (')".to_owned(),
        "so that spreadsheet programs show it as text instead of running it; data.json has the original.".to_owned(),
        "All times are in UTC. If anything looks wrong or missing, contact us quoting the reference above.".to_owned(),
    ];
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    Ok(text)
}
