use std::collections::BTreeSet;

/// Long enough for any sensible category, short enough to stay clear of path length
/// limits when the archive is unpacked on Windows.
const MAX_STEM_CHARS: usize = 64;

/// Used when a category sanitises to nothing (e.g. the empty string).
const EMPTY_STEM: &str = "uncategorised";

/// Windows refuses to create these even with an extension, so an archive containing
/// `records/con.csv` would fail to unpack there.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Turns a category into something that can only ever be a single, plain file-name
/// component: the output alphabet has no `/`, `\`, `.`, `:` or uppercase, so it cannot
/// escape `records/`, form `..`, or collide on case-insensitive file systems.
fn sanitise(category: &str) -> String {
    let mut stem: String = category
        .chars()
        .take(MAX_STEM_CHARS)
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    if stem.is_empty() {
        stem = EMPTY_STEM.to_owned();
    }
    if WINDOWS_RESERVED.contains(&stem.as_str()) {
        stem.push('_');
    }
    stem
}

/// Returns one unique file stem per category, in the same order as `categories`.
///
/// Categories that are already safe keep their own name, so a well-formed category is
/// never renamed because some malformed one happens to sanitise onto it; only the
/// altered names get a numeric suffix. `categories` must be unique and sorted, which
/// makes the suffixes deterministic.
pub(crate) fn assign_file_stems(categories: &[&str]) -> Vec<String> {
    let sanitised: Vec<String> = categories.iter().map(|c| sanitise(c)).collect();
    let mut used: BTreeSet<String> = categories
        .iter()
        .zip(&sanitised)
        .filter(|(category, stem)| **category == stem.as_str())
        .map(|(_, stem)| stem.clone())
        .collect();

    categories
        .iter()
        .zip(sanitised)
        .map(|(category, stem)| {
            if *category == stem {
                return stem;
            }
            let mut candidate = stem.clone();
            let mut n = 2u64;
            while used.contains(&candidate) {
                candidate = format!("{stem}-{n}");
                n += 1;
            }
            used.insert(candidate.clone());
            candidate
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_are_kept() {
        assert_eq!(
            assign_file_stems(&["contact", "profile", "web-2_x"]),
            vec!["contact", "profile", "web-2_x"]
        );
    }

    #[test]
    fn traversal_and_separators_are_neutralised() {
        for evil in ["../../etc", "..", "a/b", "a\\b", "C:\\x", "/abs", ".hidden"] {
            let stem = &assign_file_stems(&[evil])[0];
            assert!(!stem.contains(".."), "{stem}");
            assert!(!stem.contains('/') && !stem.contains('\\') && !stem.contains(':'));
            assert!(!stem.is_empty());
        }
        assert_eq!(assign_file_stems(&["../../etc"]), vec!["______etc"]);
    }

    #[test]
    fn collisions_get_suffixes_and_safe_names_win() {
        // Sorted input, as the planner provides it.
        let stems = assign_file_stems(&["a b", "a/b", "a_b", "a_b-2"]);
        assert_eq!(stems, vec!["a_b-3", "a_b-4", "a_b", "a_b-2"]);
    }

    #[test]
    fn empty_reserved_long_and_unicode() {
        assert_eq!(assign_file_stems(&[""]), vec![EMPTY_STEM]);
        assert_eq!(assign_file_stems(&["con"]), vec!["con_"]);
        assert_eq!(assign_file_stems(&["Profil\u{e9}"]), vec!["_rofil_"]);
        let long = "x".repeat(500);
        assert_eq!(assign_file_stems(&[&long])[0].len(), MAX_STEM_CHARS);
    }
}
