//! The data inventory: what the organisation holds about a person, by category, and the
//! states a record passes through on its way out.

use std::fmt;
use std::str::FromStr;

/// Where a personal record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordState {
    /// In use.
    Active,
    /// Kept, but not used or passed to other systems (a restriction request).
    Restricted,
    /// Removed from active use; kept only until its retention clock runs out.
    Erased,
    /// Gone; only the row's bookkeeping remains.
    Purged,
}

impl RecordState {
    pub const ALL: [RecordState; 4] = [
        RecordState::Active,
        RecordState::Restricted,
        RecordState::Erased,
        RecordState::Purged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Active => "active",
            RecordState::Restricted => "restricted",
            RecordState::Erased => "erased",
            RecordState::Purged => "purged",
        }
    }

    /// Whether the record still holds data the person can ask for.
    pub fn is_held(self) -> bool {
        matches!(
            self,
            RecordState::Active | RecordState::Restricted | RecordState::Erased
        )
    }

    /// Whether the record is in use: the states erasure and restriction apply to, and so the
    /// records an officer can pick for them.
    pub fn in_use(self) -> bool {
        matches!(self, RecordState::Active | RecordState::Restricted)
    }
}

impl fmt::Display for RecordState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordState {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or(())
    }
}

/// How long a record is kept once its clock starts, and what starts the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RetentionClass {
    /// Registration data: from the account's cancellation.
    Registration,
    /// Removed content, kept for investigation: from its removal.
    RemovedContent,
    /// Everything else: from its erasure.
    ErasedRecords,
}

impl RetentionClass {
    pub const ALL: [RetentionClass; 3] = [
        RetentionClass::Registration,
        RetentionClass::RemovedContent,
        RetentionClass::ErasedRecords,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RetentionClass::Registration => "registration",
            RetentionClass::RemovedContent => "removed_content",
            RetentionClass::ErasedRecords => "erased_records",
        }
    }

    /// The class a category's records get when the import does not name one.
    pub fn for_category(category: &Category) -> RetentionClass {
        match category.as_str() {
            "registration" | "account" => RetentionClass::Registration,
            "content" => RetentionClass::RemovedContent,
            _ => RetentionClass::ErasedRecords,
        }
    }

    /// What starts the clock, in plain words.
    pub fn trigger(self) -> &'static str {
        match self {
            RetentionClass::Registration => "the account is cancelled",
            RetentionClass::RemovedContent => "the content is removed",
            RetentionClass::ErasedRecords => "erasure is approved",
        }
    }
}

impl fmt::Display for RetentionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RetentionClass {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RetentionClass::ALL
            .into_iter()
            .find(|class| class.as_str() == s)
            .ok_or(())
    }
}

/// A record's category: lower-case letters, digits, `_` and `-`, so that it is safe in
/// file names and URLs (`registration`, `profile`, `contact`, `content`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Category(String);

impl Category {
    pub const MAX_LEN: usize = 40;

    pub fn parse(text: &str) -> Result<Category, String> {
        let text = text.trim();
        if text.is_empty() || text.len() > Self::MAX_LEN {
            return Err(format!(
                "category must have 1 to {} characters",
                Self::MAX_LEN
            ));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(
                "category may hold only lower-case letters, digits, '_' and '-'".to_string(),
            );
        }
        Ok(Category(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of the system a record comes from (`crm`, `billing`, ...): not personal, so
/// it is stored as is and shown in the data package's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceName(String);

impl SourceName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(text: &str) -> Result<SourceName, String> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > Self::MAX_LEN {
            return Err(format!(
                "source must have 1 to {} characters",
                Self::MAX_LEN
            ));
        }
        if text.chars().any(char::is_control) {
            return Err("source may not hold control characters".to_string());
        }
        Ok(SourceName(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_safe_names() {
        assert_eq!(Category::parse(" profile ").unwrap().as_str(), "profile");
        assert!(Category::parse("../etc").is_err());
        assert!(Category::parse("Profile").is_err());
        assert!(Category::parse("").is_err());
        assert!(Category::parse(&"a".repeat(41)).is_err());
        assert!(Category::parse("order-history_2").is_ok());
    }

    #[test]
    fn retention_class_follows_the_category() {
        let class = |c: &str| RetentionClass::for_category(&Category::parse(c).unwrap());
        assert_eq!(class("registration"), RetentionClass::Registration);
        assert_eq!(class("content"), RetentionClass::RemovedContent);
        assert_eq!(class("profile"), RetentionClass::ErasedRecords);
    }

    #[test]
    fn names_round_trip() {
        for state in RecordState::ALL {
            assert_eq!(state.as_str().parse::<RecordState>(), Ok(state));
        }
        for class in RetentionClass::ALL {
            assert_eq!(class.as_str().parse::<RetentionClass>(), Ok(class));
        }
        assert!(RecordState::Erased.is_held());
        assert!(!RecordState::Erased.in_use());
        assert!(!RecordState::Purged.is_held());
    }

    #[test]
    fn sources_refuse_control_characters() {
        assert!(SourceName::parse("crm").is_ok());
        assert!(SourceName::parse("c\u{0}rm").is_err());
        assert!(SourceName::parse(" ").is_err());
    }
}
