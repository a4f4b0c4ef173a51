use std::collections::BTreeMap;

use crate::files::package::naming;
use crate::files::package::{
    PackageConsent, PackageInput, PackageObjection, PackageRecord, RetentionNote,
};

/// The records of one category, in output order, with the archive path chosen for them.
pub(crate) struct CategoryGroup<'a> {
    pub category: &'a str,
    pub path: String,
    pub records: Vec<&'a PackageRecord>,
}

/// The input put into output order once, so every file in the archive agrees on
/// ordering and naming.
pub(crate) struct Plan<'a> {
    pub input: PackageInput<'a>,
    pub categories: Vec<CategoryGroup<'a>>,
    pub consents: Vec<&'a PackageConsent>,
    pub objections: Vec<&'a PackageObjection>,
    pub retention: Vec<&'a RetentionNote>,
}

#[derive(Clone, Copy)]
pub(crate) enum EntryKind<'p> {
    Manifest,
    Data,
    Records(&'p CategoryGroup<'p>),
    Consents,
    Objections,
    Readme,
}

impl<'a> Plan<'a> {
    pub fn new(input: &PackageInput<'a>) -> Self {
        let mut by_category: BTreeMap<&'a str, Vec<&'a PackageRecord>> = BTreeMap::new();
        for record in input.records {
            by_category
                .entry(&record.category)
                .or_default()
                .push(record);
        }

        let names: Vec<&str> = by_category.keys().copied().collect();
        let stems = naming::assign_file_stems(&names);
        let categories = by_category
            .into_iter()
            .zip(stems)
            .map(|((category, mut records), stem)| {
                // The id tiebreak keeps the order independent of how the caller's
                // query happened to return duplicates of (source, source_id).
                records.sort_by(|a, b| {
                    (&a.source, &a.source_id, &a.id).cmp(&(&b.source, &b.source_id, &b.id))
                });
                CategoryGroup {
                    category,
                    path: format!("records/{stem}.csv"),
                    records,
                }
            })
            .collect();

        // Consents, objections and retention notes are sorted too, so the package does
        // not change when the caller's storage returns rows in a different order.
        let mut consents: Vec<&PackageConsent> = input.consents.iter().collect();
        consents.sort_by(|a, b| {
            (a.granted_at, &a.purpose, &a.source, a.withdrawn_at).cmp(&(
                b.granted_at,
                &b.purpose,
                &b.source,
                b.withdrawn_at,
            ))
        });
        let mut objections: Vec<&PackageObjection> = input.objections.iter().collect();
        objections.sort_by(|a, b| (a.recorded_at, &a.purpose).cmp(&(b.recorded_at, &b.purpose)));
        let mut retention: Vec<&RetentionNote> = input.retention.iter().collect();
        retention.sort_by(|a, b| (&a.class, &a.rule).cmp(&(&b.class, &b.rule)));

        Plan {
            input: *input,
            categories,
            consents,
            objections,
            retention,
        }
    }

    /// The archive's entries in their fixed order; the manifest lists exactly these.
    pub fn entries(&self) -> Vec<EntryKind<'_>> {
        let mut entries = vec![EntryKind::Manifest, EntryKind::Data];
        entries.extend(self.categories.iter().map(EntryKind::Records));
        entries.extend([
            EntryKind::Consents,
            EntryKind::Objections,
            EntryKind::Readme,
        ]);
        entries
    }
}

impl EntryKind<'_> {
    pub fn path(&self) -> String {
        match self {
            EntryKind::Manifest => "manifest.json".to_owned(),
            EntryKind::Data => "data.json".to_owned(),
            EntryKind::Records(group) => group.path.clone(),
            EntryKind::Consents => "consents.csv".to_owned(),
            EntryKind::Objections => "objections.csv".to_owned(),
            EntryKind::Readme => "README.txt".to_owned(),
        }
    }

    pub fn description(&self) -> String {
        match self {
            EntryKind::Manifest => "Index of this package: the files, a summary of each category of data, and how long each kind of data is kept.".to_owned(),
            EntryKind::Data => "All of the data in one JSON document, with every value exactly as we hold it.".to_owned(),
            EntryKind::Records(group) => format!(
                "Records in the category \"{}\" as a spreadsheet, one row per record.",
                group.category
            ),
            EntryKind::Consents => "Consents you gave and, where it applies, when you withdrew them.".to_owned(),
            EntryKind::Objections => "Objections you raised to particular uses of your data.".to_owned(),
            EntryKind::Readme => "A plain-language guide to this package.".to_owned(),
        }
    }
}
