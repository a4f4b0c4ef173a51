use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use crate::files::package::{
    build_package, PackageConsent, PackageInput, PackageObjection, PackageRecord, RetentionNote,
};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::OffsetDateTime;

const GENERATED_AT: OffsetDateTime = datetime!(2025-03-14 15:09:27.5 UTC);

fn payload(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("payload must be an object, got {other}"),
    }
}

fn record(
    id: &str,
    category: &str,
    source: &str,
    source_id: &str,
    state: &str,
    body: Value,
) -> PackageRecord {
    PackageRecord {
        id: id.to_owned(),
        source: source.to_owned(),
        source_id: source_id.to_owned(),
        category: category.to_owned(),
        state: state.to_owned(),
        retention_class: if category == "contact" {
            "short".to_owned()
        } else {
            "standard".to_owned()
        },
        created_at: datetime!(2024-01-02 03:04:05 UTC),
        updated_at: datetime!(2024-06-07 08:09:10 +02:00),
        payload: payload(body),
    }
}

fn sample_records() -> Vec<PackageRecord> {
    vec![
        record(
            "00000000-0000-4000-8000-000000000003",
            "profile",
            "web",
            "w-1",
            "active",
            json!({
                "display_name": "Zoë Ångström 日本",
                "age": 42,
                "score": -1.25,
                "address": {"city": "Malmö", "lines": ["1 Road", null]},
                "website": "=HYPERLINK(\"x\")",
                "state": "shadowed",
                "newsletter": true,
            }),
        ),
        record(
            "00000000-0000-4000-8000-000000000001",
            "profile",
            "crm",
            "c-9",
            "restricted",
            json!({"display_name": "Zoe", "nickname": null}),
        ),
        record(
            "00000000-0000-4000-8000-000000000002",
            "contact",
            "crm",
            "c-10",
            "active",
            json!({}),
        ),
        record(
            "00000000-0000-4000-8000-000000000004",
            "registration",
            "signup",
            "s-1",
            "erased",
            json!({"email": "zoe@example.com"}),
        ),
    ]
}

fn sample_consents() -> Vec<PackageConsent> {
    vec![
        PackageConsent {
            purpose: "newsletter".to_owned(),
            granted_at: datetime!(2024-02-01 10:00:00 UTC),
            withdrawn_at: Some(datetime!(2024-03-01 10:00:00 +01:00)),
            source: "web".to_owned(),
        },
        PackageConsent {
            purpose: "=analytics".to_owned(),
            granted_at: datetime!(2024-01-01 10:00:00 UTC),
            withdrawn_at: None,
            source: "app".to_owned(),
        },
    ]
}

fn sample_objections() -> Vec<PackageObjection> {
    vec![PackageObjection {
        purpose: "profiling".to_owned(),
        recorded_at: datetime!(2024-04-04 04:04:04 UTC),
    }]
}

fn sample_retention() -> Vec<RetentionNote> {
    vec![
        RetentionNote {
            class: "standard".to_owned(),
            rule: "Kept while your account is open, then 2 years.".to_owned(),
        },
        RetentionNote {
            class: "short".to_owned(),
            rule: "Kept for 90 days.".to_owned(),
        },
    ]
}

fn input<'a>(
    records: &'a [PackageRecord],
    consents: &'a [PackageConsent],
    objections: &'a [PackageObjection],
    retention: &'a [RetentionNote],
) -> PackageInput<'a> {
    PackageInput {
        reference: "RD-7K3M-9QXA",
        organisation: "rightsdesk",
        generated_at: GENERATED_AT,
        email: "zoe@example.com",
        account_ref: Some("acct-77"),
        records,
        consents,
        objections,
        retention,
    }
}

struct Unpacked {
    names: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
}

impl Unpacked {
    fn text(&self, name: &str) -> String {
        String::from_utf8(self.files[name].clone()).expect("utf-8")
    }

    fn json(&self, name: &str) -> Value {
        serde_json::from_slice(&self.files[name]).expect("valid JSON")
    }

    fn csv(&self, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = csv::Reader::from_reader(self.files[name].as_slice());
        let header = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    }
}

fn unpack(bytes: &[u8]) -> Unpacked {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("readable zip");
    let mut names = Vec::new();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("name").into_owned();
        assert!(file.enclosed_name().is_some(), "unsafe path {name}");
        assert_eq!(file.compression(), zip::CompressionMethod::Deflated);
        let modified = file.last_modified().expect("timestamp");
        // Zip keeps whole seconds in steps of two.
        assert_eq!(
            (
                modified.year(),
                modified.month(),
                modified.day(),
                modified.hour(),
                modified.minute(),
                modified.second()
            ),
            (2025, 3, 14, 15, 9, 26),
            "{name}"
        );
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("read entry");
        names.push(name.clone());
        files.insert(name, bytes);
    }
    Unpacked { names, files }
}

fn build_sample() -> Unpacked {
    let records = sample_records();
    let consents = sample_consents();
    let objections = sample_objections();
    let retention = sample_retention();
    let bytes =
        build_package(&input(&records, &consents, &objections, &retention)).expect("builds");
    unpack(&bytes)
}

fn parse_time(value: &Value) -> OffsetDateTime {
    let text = value.as_str().expect("time is a string");
    assert!(text.ends_with('Z'), "{text} is not UTC");
    OffsetDateTime::parse(text, &Rfc3339).expect("RFC 3339")
}

#[test]
fn entry_list_is_fixed() {
    let pkg = build_sample();
    assert_eq!(
        pkg.names,
        vec![
            "manifest.json",
            "data.json",
            "records/contact.csv",
            "records/profile.csv",
            "records/registration.csv",
            "consents.csv",
            "objections.csv",
            "README.txt",
        ]
    );
}

#[test]
fn data_json_matches_input_exactly() {
    let pkg = build_sample();
    let data = pkg.json("data.json");
    assert_eq!(data["reference"], "RD-7K3M-9QXA");
    assert_eq!(parse_time(&data["generated_at"]), GENERATED_AT);
    assert_eq!(
        data["subject"],
        json!({"email": "zoe@example.com", "account_ref": "acct-77"})
    );

    let records = data["records"].as_object().expect("records object");
    assert_eq!(
        records.keys().collect::<Vec<_>>(),
        vec!["contact", "profile", "registration"]
    );
    let mut seen = 0;
    for input in sample_records() {
        let list = records[&input.category].as_array().expect("list");
        let out = list
            .iter()
            .find(|r| r["id"] == input.id.as_str())
            .expect("record present");
        assert_eq!(out["source"], input.source.as_str());
        assert_eq!(out["source_id"], input.source_id.as_str());
        assert_eq!(out["state"], input.state.as_str());
        assert_eq!(out["retention_class"], input.retention_class.as_str());
        assert_eq!(parse_time(&out["created_at"]), input.created_at);
        assert_eq!(parse_time(&out["updated_at"]), input.updated_at);
        assert_eq!(out["payload"], Value::Object(input.payload.clone()));
        seen += 1;
    }
    assert_eq!(seen, 4);
    assert_eq!(
        records
            .values()
            .map(|v| v.as_array().map_or(0, Vec::len))
            .sum::<usize>(),
        4
    );

    // Spot checks of the cases that lossy conversions tend to break.
    let profile = records["profile"].as_array().expect("profile");
    assert_eq!(profile[0]["source"], "crm", "sorted by (source, source_id)");
    let web = &profile[1]["payload"];
    assert_eq!(web["age"], json!(42));
    assert!(web["age"].is_u64());
    assert_eq!(web["score"], json!(-1.25));
    assert_eq!(web["display_name"], "Zoë Ångström 日本");
    assert_eq!(
        web["address"],
        json!({"city": "Malmö", "lines": ["1 Road", null]})
    );
    assert_eq!(web["website"], "=HYPERLINK(\"x\")");
    assert_eq!(records["contact"][0]["payload"], json!({}));

    assert_eq!(
        data["consents"],
        json!([
            {"purpose": "=analytics", "granted_at": "2024-01-01T10:00:00Z", "withdrawn_at": null, "source": "app"},
            {"purpose": "newsletter", "granted_at": "2024-02-01T10:00:00Z", "withdrawn_at": "2024-03-01T09:00:00Z", "source": "web"},
        ])
    );
    assert_eq!(
        data["objections"],
        json!([{"purpose": "profiling", "recorded_at": "2024-04-04T04:04:04Z"}])
    );
}

#[test]
fn category_csvs_have_header_rows_and_neutralised_cells() {
    let pkg = build_sample();

    let (header, rows) = pkg.csv("records/profile.csv");
    assert_eq!(
        header,
        vec![
            "source",
            "source_id",
            "state",
            "retention_class",
            "created_at",
            "updated_at",
            "address",
            "age",
            "display_name",
            "newsletter",
            "nickname",
            "score",
            // Columns follow the payload keys' order; only the name is prefixed.
            "payload.state",
            "website",
        ]
    );
    assert_eq!(rows.len(), 2);
    let crm = &rows[0];
    assert_eq!(
        crm[..6],
        [
            "crm",
            "c-9",
            "restricted",
            "standard",
            "2024-01-02T03:04:05Z",
            "2024-06-07T06:09:10Z"
        ]
    );
    assert_eq!(crm[6..], ["", "", "Zoe", "", "", "", "", ""]);
    let web = &rows[1];
    assert_eq!(web[0], "web");
    assert_eq!(web[6], r#"{"city":"Malmö","lines":["1 Road",null]}"#);
    assert_eq!(web[7], "42");
    assert_eq!(web[8], "Zoë Ångström 日本");
    assert_eq!(web[9], "true");
    assert_eq!(web[11], "'-1.25");
    assert_eq!(web[12], "shadowed");
    assert_eq!(web[13], "'=HYPERLINK(\"x\")");
    assert!(pkg.text("records/profile.csv").contains("\r\n"));

    let (header, rows) = pkg.csv("records/contact.csv");
    assert_eq!(
        header,
        vec![
            "source",
            "source_id",
            "state",
            "retention_class",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(rows.len(), 1);

    let (header, rows) = pkg.csv("records/registration.csv");
    assert_eq!(header.last().map(String::as_str), Some("email"));
    assert_eq!(rows.len(), 1);
}

#[test]
fn consents_and_objections_csvs() {
    let pkg = build_sample();
    let (header, rows) = pkg.csv("consents.csv");
    assert_eq!(
        header,
        vec!["purpose", "granted_at", "withdrawn_at", "source"]
    );
    assert_eq!(
        rows,
        vec![
            vec!["'=analytics", "2024-01-01T10:00:00Z", "", "app"],
            vec![
                "newsletter",
                "2024-02-01T10:00:00Z",
                "2024-03-01T09:00:00Z",
                "web"
            ],
        ]
    );
    let (header, rows) = pkg.csv("objections.csv");
    assert_eq!(header, vec!["purpose", "recorded_at"]);
    assert_eq!(rows, vec![vec!["profiling", "2024-04-04T04:04:04Z"]]);
}

#[test]
fn manifest_counts_and_sources() {
    let pkg = build_sample();
    let manifest = pkg.json("manifest.json");
    assert_eq!(manifest["format"], "rightsdesk-data-package");
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["reference"], "RD-7K3M-9QXA");
    assert_eq!(manifest["organisation"], "rightsdesk");
    assert_eq!(manifest["generated_at"], "2025-03-14T15:09:27.5Z");
    assert_eq!(
        manifest["subject"],
        json!({"email": "zoe@example.com", "account_ref": "acct-77"})
    );

    let files = manifest["files"].as_array().expect("files");
    let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(
        paths,
        pkg.names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(files
        .iter()
        .all(|f| f["description"].as_str().is_some_and(|d| !d.is_empty())));
    let counts: Vec<(&str, u64)> = files
        .iter()
        .filter_map(|f| Some((f["path"].as_str()?, f["records"].as_u64()?)))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("records/contact.csv", 1),
            ("records/profile.csv", 2),
            ("records/registration.csv", 1)
        ]
    );

    let categories = manifest["categories"].as_array().expect("categories");
    assert_eq!(categories.len(), 3);
    assert_eq!(
        categories[1],
        json!({
            "category": "profile",
            "file": "records/profile.csv",
            "records": 2,
            "sources": ["crm", "web"],
            "first_recorded_at": "2024-01-02T03:04:05Z",
            "last_updated_at": "2024-06-07T06:09:10Z",
            "retention_classes": ["standard"],
            "states": {"active": 1, "erased": 0, "restricted": 1},
        })
    );
    assert_eq!(categories[0]["category"], "contact");
    assert_eq!(categories[0]["retention_classes"], json!(["short"]));
    assert_eq!(categories[2]["states"]["erased"], 1);

    assert_eq!(
        manifest["retention"],
        json!([
            {"class": "short", "rule": "Kept for 90 days."},
            {"class": "standard", "rule": "Kept while your account is open, then 2 years."},
        ])
    );
    let notes = manifest["notes"].as_array().expect("notes");
    assert!(notes
        .iter()
        .any(|n| n.as_str().is_some_and(|n| n.contains("apostrophe"))));
    assert!(notes
        .iter()
        .any(|n| n.as_str().is_some_and(|n| n.contains("data.json"))));
}

#[test]
fn readme_is_short_and_free_of_personal_data() {
    let pkg = build_sample();
    let readme = pkg.text("README.txt");
    let lines = readme.lines().count();
    assert!((10..=15).contains(&lines), "{lines} lines");
    assert!(readme.contains("RD-7K3M-9QXA"));
    for personal in ["zoe@example.com", "acct-77", "Zo", "crm", "profile"] {
        assert!(!readme.contains(personal), "README mentions {personal}");
    }
}

#[test]
fn evil_category_gets_a_safe_path() {
    let records = vec![record(
        "id-1",
        "../../etc",
        "crm",
        "1",
        "active",
        json!({"a": 1}),
    )];
    let bytes = build_package(&input(&records, &[], &[], &[])).expect("builds");
    let pkg = unpack(&bytes);
    let record_files: Vec<&String> = pkg
        .names
        .iter()
        .filter(|n| n.starts_with("records/"))
        .collect();
    assert_eq!(record_files, vec!["records/______etc.csv"]);
    for name in &pkg.names {
        assert!(!name.contains(".."), "{name}");
        assert!(!name.contains('\\') && !name.starts_with('/'), "{name}");
        assert!(name.matches('/').count() <= 1, "{name}");
    }
    // The real category survives where it is data, not a path.
    let data = pkg.json("data.json");
    assert_eq!(data["records"]["../../etc"][0]["id"], "id-1");
    let manifest = pkg.json("manifest.json");
    assert_eq!(manifest["categories"][0]["category"], "../../etc");
    assert_eq!(manifest["categories"][0]["file"], "records/______etc.csv");
}

#[test]
fn colliding_categories_get_distinct_files() {
    let records = vec![
        record("1", "a b", "crm", "1", "active", json!({"x": 1})),
        record("2", "a_b", "crm", "2", "active", json!({"y": 2})),
        record("3", "a/b", "crm", "3", "active", json!({"z": 3})),
    ];
    let bytes = build_package(&input(&records, &[], &[], &[])).expect("builds");
    let pkg = unpack(&bytes);
    let record_files: Vec<&str> = pkg
        .names
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with("records/"))
        .collect();
    // Categories sort as "a b" < "a/b" < "a_b"; the already-safe name keeps its file.
    assert_eq!(
        record_files,
        vec!["records/a_b-2.csv", "records/a_b-3.csv", "records/a_b.csv"]
    );
    let manifest = pkg.json("manifest.json");
    let mapping: Vec<(String, String)> = manifest["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| (c["category"].to_string(), c["file"].to_string()))
        .collect();
    assert_eq!(
        mapping,
        vec![
            (r#""a b""#.to_owned(), r#""records/a_b-2.csv""#.to_owned()),
            (r#""a/b""#.to_owned(), r#""records/a_b-3.csv""#.to_owned()),
            (r#""a_b""#.to_owned(), r#""records/a_b.csv""#.to_owned()),
        ]
    );
    let (header, _) = pkg.csv("records/a_b.csv");
    assert_eq!(header.last().map(String::as_str), Some("y"));
}

#[test]
fn empty_package_is_valid() {
    let mut plain = input(&[], &[], &[], &[]);
    plain.account_ref = None;
    let bytes = build_package(&plain).expect("builds");
    let pkg = unpack(&bytes);
    assert_eq!(
        pkg.names,
        vec![
            "manifest.json",
            "data.json",
            "consents.csv",
            "objections.csv",
            "README.txt"
        ]
    );
    let data = pkg.json("data.json");
    assert_eq!(data["records"], json!({}));
    assert_eq!(data["consents"], json!([]));
    assert_eq!(data["objections"], json!([]));
    assert_eq!(data["subject"]["account_ref"], Value::Null);
    let manifest = pkg.json("manifest.json");
    assert_eq!(manifest["categories"], json!([]));
    assert_eq!(manifest["retention"], json!([]));
    assert_eq!(
        pkg.text("consents.csv"),
        "purpose,granted_at,withdrawn_at,source\r\n"
    );
    assert_eq!(pkg.text("objections.csv"), "purpose,recorded_at\r\n");
    assert!(pkg.text("README.txt").contains("no records"));
}

#[test]
fn builds_are_byte_identical_and_order_independent() {
    let records = sample_records();
    let consents = sample_consents();
    let objections = sample_objections();
    let retention = sample_retention();
    let first = build_package(&input(&records, &consents, &objections, &retention)).expect("a");
    let second = build_package(&input(&records, &consents, &objections, &retention)).expect("b");
    assert_eq!(first, second);

    let mut shuffled_records = records.clone();
    shuffled_records.reverse();
    let mut shuffled_consents = consents.clone();
    shuffled_consents.reverse();
    let mut shuffled_retention = retention.clone();
    shuffled_retention.reverse();
    let third = build_package(&input(
        &shuffled_records,
        &shuffled_consents,
        &objections,
        &shuffled_retention,
    ))
    .expect("c");
    assert_eq!(first, third);
}

#[test]
fn generated_at_outside_zip_range_is_an_error() {
    let mut early = input(&[], &[], &[], &[]);
    early.generated_at = datetime!(1970-01-01 00:00:00 UTC);
    let err = build_package(&early).expect_err("1970 cannot be a zip time");
    assert!(err.to_string().contains("zip timestamp"));
}
