//! Every language has every message: a language is one directory under `locales/`, and
//! each of its `.ftl` files' messages must exist in every other language. Every message id
//! the templates and the code ask for exists in every language.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The message ids an `.ftl` file defines: lines that start a message (`id =`), not
/// comments, terms, attributes or continuation lines.
fn message_ids(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('='))
        .map(|(id, _)| id.trim().to_string())
        .filter(|id| {
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect()
}

/// Each language's message ids.
fn locales() -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for entry in fs::read_dir(root().join("locales")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let tag = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut ids = BTreeSet::new();
        for file in fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "ftl") {
                let text = fs::read_to_string(&file).unwrap();
                for id in message_ids(&text) {
                    assert!(ids.insert(id.clone()), "{tag}: {id} defined twice");
                }
            }
        }
        all.insert(tag, ids);
    }
    all
}

#[test]
fn every_language_has_every_message() {
    let all = locales();
    assert!(
        all.contains_key("en") && all.contains_key("hi"),
        "{:?}",
        all.keys()
    );
    let every: BTreeSet<&String> = all.values().flatten().collect();
    let mut missing = Vec::new();
    for (tag, ids) in &all {
        for id in &every {
            if !ids.contains(*id) {
                missing.push(format!("locales/{tag}: {id}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "messages missing:\n{}",
        missing.join("\n")
    );
}

/// The message ids named as string literals in `text`: the first argument of a message
/// call (`.t("id"`), and in Rust also any literal starting with a message family's prefix
/// (`"timeline-submitted"`, `"error-kind-missing"`).
fn asked_for(text: &str, rust: bool) -> Vec<String> {
    let mut ids = Vec::new();
    for call in [".t(\"", ".t1(\"", ".t_with(\"", ".count(\""] {
        for (at, _) in text.match_indices(call) {
            if let Some(id) = text[at + call.len()..].split('"').next() {
                ids.push(id.to_string());
            }
        }
    }
    if rust {
        for prefix in ["\"timeline-", "\"error-", "\"mail-", "\"status-notice-"] {
            for (at, _) in text.match_indices(prefix) {
                if let Some(id) = text[at + 1..].split('"').next() {
                    ids.push(id.to_string());
                }
            }
        }
    }
    ids.retain(|id| {
        !id.is_empty()
            && !id.ends_with('-')
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    ids
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn templates_and_code_ask_only_for_messages_every_language_has() {
    let all = locales();
    let mut files = Vec::new();
    files_under(&root().join("templates"), "html", &mut files);
    files_under(&root().join("templates"), "txt", &mut files);
    files_under(&root().join("src"), "rs", &mut files);
    let mut unknown = Vec::new();
    let mut seen = 0;
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let rust = file.extension().is_some_and(|e| e == "rs");
        for id in asked_for(&text, rust) {
            seen += 1;
            for (tag, ids) in &all {
                if !ids.contains(&id) {
                    unknown.push(format!("{}: {id} (not in locales/{tag})", file.display()));
                }
            }
        }
    }
    assert!(seen > 100, "the check found only {seen} message ids");
    assert!(
        unknown.is_empty(),
        "unknown messages:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_must() {
    assert_eq!(
        message_ids("# comment\nhello = Hi\n    .attr = x\n-term = T\nbye =\n    Bye\n"),
        BTreeSet::from(["hello".to_string(), "bye".to_string()])
    );
    assert_eq!(
        asked_for(
            r#"{{ lang.t("home-title") }} m.t1("x-y", "a", b) "error-z" class="error-q""#,
            false
        ),
        vec!["home-title".to_string(), "x-y".to_string()]
    );
    assert_eq!(
        asked_for(r#"m.t(&format!("kind-{}", k)) "error-z" "error-""#, true),
        vec!["error-z".to_string()]
    );
}
