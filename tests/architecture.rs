//! The import rule (docs/ARCHITECTURE.md), checked on the source itself: `web`, `cli` and
//! `jobs` reach the database only through `app`, and `domain` does no I/O and uses no
//! framework. The check reads every `.rs` file under `src/`, comments left out.

use std::fs;
use std::path::{Path, PathBuf};

/// Crates and modules that mean I/O or a framework; none of them belongs in `domain`.
/// (`std::io::Read` over bytes in memory, such as data compiled into the binary, is no I/O:
/// files come through `std::fs`, sockets through `std::net`.)
const NOT_IN_DOMAIN: &[&str] = &[
    "std::fs",
    "std::net",
    "std::io::stdin",
    "std::io::stdout",
    "std::io::stderr",
    "std::process",
    "std::env",
    "tokio",
    "actix",
    "diesel",
    "lettre",
    "reqwest",
    "askama",
    "rustls",
    "r2d2",
    "crate::store",
    "crate::app",
    "crate::web",
    "crate::mail",
];

/// The layers that must go through `app` for anything stored.
const THIN_LAYERS: &[&str] = &["web", "cli", "jobs"];

#[test]
fn web_cli_and_jobs_never_name_the_store() {
    let mut offences = Vec::new();
    for layer in THIN_LAYERS {
        for file in rust_files(&src().join(layer)) {
            for (line_no, line) in code_lines(&file) {
                if names_store(&line) {
                    offences.push(format!("{}:{line_no}: {}", shown(&file), line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "web, cli and jobs call app, never store:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_domain_does_no_io_and_uses_no_framework() {
    let mut offences = Vec::new();
    for file in rust_files(&src().join("domain")) {
        for (line_no, line) in code_lines(&file) {
            for name in NOT_IN_DOMAIN {
                if names_path(&line, name) {
                    offences.push(format!(
                        "{}:{line_no}: {name}: {}",
                        shown(&file),
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "domain is plain Rust: no I/O, no framework, no outer layer:\n{}",
        offences.join("\n")
    );
}

/// The check itself finds what it must, and only that.
#[test]
fn the_checks_see_paths_and_groups_but_not_words() {
    assert!(names_store("use crate::store::requests;"));
    assert!(names_store("    let n = store::requests::count(conn);"));
    assert!(names_store("use crate::{app, store};"));
    assert!(names_store("use crate::{\n    store::DbConn,\n};"));
    assert!(names_store("use super::super::store;"));
    assert!(!names_store(
        ".insert_header((header::CACHE_CONTROL, \"no-store\"))"
    ));
    assert!(!names_store("store: Arc<CertificateStore>,"));
    assert!(!names_store("let datastore::x = 1;"));
    assert!(names_path("use std::fs::File;", "std::fs"));
    assert!(names_path(
        "let n = std::io::stdin().read_line(&mut s);",
        "std::io::stdin"
    ));
    assert!(names_path("use tokio::sync::Notify;", "tokio"));
    assert!(names_path("    let x = diesel::sql_query(q);", "diesel"));
    assert!(!names_path("use std::fmt;", "std::fs"));
    assert!(!names_path("// a tokio-free module", "tokio"));
    assert!(!names_path("let tokios = 1;", "tokio"));
    assert_eq!(
        strip_comments("let a = 1; // store::x\n/* crate::store */ let b = \"//\";"),
        "let a = 1; \n let b = \"//\";"
    );
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn shown(file: &Path) -> String {
    file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(file)
        .display()
        .to_string()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no Rust files under {}", dir.display());
    files
}

/// The file's statements without comments, each with the number of the line it starts on.
/// A `use` group spread over several lines is joined into one, so that its names are seen
/// together.
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(file).unwrap();
    let code = strip_comments(&text);
    let mut lines = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in code.lines().enumerate() {
        match open.as_mut() {
            Some((_, group)) => {
                group.push(' ');
                group.push_str(line.trim());
            }
            None if line.contains('{') && line.trim_start().starts_with("use ") => {
                open = Some((i + 1, line.to_string()));
            }
            None => {
                lines.push((i + 1, line.to_string()));
                continue;
            }
        }
        if open.as_ref().is_some_and(|(_, group)| group.contains(';')) {
            lines.extend(open.take());
        }
    }
    lines.extend(open);
    lines
}

/// The text without `//` and `/* */` comments (string literals are kept whole, so a `//`
/// inside one is not a comment). Line breaks stay, so line numbers stay true.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for rest in chars.by_ref() {
                    if rest == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for rest in chars.by_ref() {
                    if rest == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && rest == '/' {
                        break;
                    }
                    last = rest;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether a line names the `store` module: as a path (`store::`, `crate::store`) or as a
/// name in a `use` group.
fn names_store(line: &str) -> bool {
    let code = without_strings(line);
    if names_path(&code, "store") {
        return true;
    }
    code.trim_start().starts_with("use ")
        && code
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == "store")
}

/// Whether `path` appears as a path, not inside a longer name: a path of several segments
/// wherever it stands, a single name when `::` joins it to another or a `use` names it.
fn names_path(line: &str, path: &str) -> bool {
    let code = without_strings(line);
    let code = strip_comments(&code);
    let mut from = 0;
    while let Some(found) = code[from..].find(path) {
        let start = from + found;
        let end = start + path.len();
        let before = code[..start].chars().next_back();
        let after = code[end..].chars().next();
        let starts_a_name = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let ends_a_name = after.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let is_path = path.contains("::")
            || code[end..].starts_with("::")
            || (code.trim_start().starts_with("use ") && ends_a_name)
            || code[..start].ends_with("::");
        if starts_a_name && ends_a_name && is_path {
            return true;
        }
        from = end;
    }
    false
}

/// The line with the contents of its string literals blanked.
fn without_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                out.push('"');
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    out
}
