//! A personal record as the use cases see it: typed ids, times with their offset, and its
//! category, retention class and state parsed — or, when the stored text is not one the
//! inventory knows, that text kept so that the record can be named rather than skipped.

use time::OffsetDateTime;

use super::ids::{RecordId, SubjectId};
use super::inventory::{Category, RecordState, RetentionClass};

/// A stored value of a record that does not parse: its text, and why it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub text: String,
    pub reason: String,
}

/// A record field as read: the known value, or the text that could not be read.
pub type Readable<T> = Result<T, Unreadable>;

/// One item of data about a subject; its content stays sealed until a use case opens it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: RecordId,
    pub subject_id: SubjectId,
    pub source: String,
    /// The keyed hash of (source, source id) the record is found by on re-import.
    pub source_key: String,
    pub category: Readable<Category>,
    pub retention_class: Readable<RetentionClass>,
    pub state: Readable<RecordState>,
    pub key_id: String,
    pub sealed: Vec<u8>,
    pub removed_at: Option<OffsetDateTime>,
    pub restricted_at: Option<OffsetDateTime>,
    pub erased_at: Option<OffsetDateTime>,
    pub retention_from: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Record {
    /// The category as stored, readable or not (for listing the record).
    pub fn category_text(&self) -> &str {
        text_of(&self.category, Category::as_str)
    }

    /// The state as stored, readable or not.
    pub fn state_text(&self) -> &str {
        text_of(&self.state, |s| s.as_str())
    }

    /// The retention class as stored, readable or not.
    pub fn retention_text(&self) -> &str {
        text_of(&self.retention_class, |c| c.as_str())
    }

    /// Whether the record is known to be in use (erasure and restriction apply to it).
    pub fn in_use(&self) -> bool {
        self.state.as_ref().is_ok_and(|s| s.in_use())
    }

    /// Whether the record belongs to the registration class (its clock starts at the
    /// account's cancellation).
    pub fn is_registration(&self) -> bool {
        self.retention_class == Ok(RetentionClass::Registration)
    }
}

fn text_of<'a, T>(value: &'a Readable<T>, as_str: impl Fn(&'a T) -> &'a str) -> &'a str {
    match value {
        Ok(known) => as_str(known),
        Err(unreadable) => &unreadable.text,
    }
}

/// Reads a stored record state.
pub fn read_state(text: &str) -> Readable<RecordState> {
    text.parse().map_err(|()| Unreadable {
        text: text.to_string(),
        reason: "the inventory does not know it".to_string(),
    })
}

/// Reads a stored category.
pub fn read_category(text: &str) -> Readable<Category> {
    Category::parse(text).map_err(|reason| Unreadable {
        text: text.to_string(),
        reason,
    })
}

/// Reads a stored retention class.
pub fn read_retention_class(text: &str) -> Readable<RetentionClass> {
    text.parse().map_err(|()| Unreadable {
        text: text.to_string(),
        reason: "the inventory does not know it".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_values_keep_their_text() {
        assert_eq!(read_state("active"), Ok(RecordState::Active));
        assert_eq!(read_state("archived").unwrap_err().text, "archived");
        let bad = read_category("Contact Details!").unwrap_err();
        assert_eq!(bad.text, "Contact Details!");
        assert!(!bad.reason.is_empty());
        assert_eq!(
            read_retention_class("registration"),
            Ok(RetentionClass::Registration)
        );
        assert!(read_retention_class("forever").is_err());
    }
}
