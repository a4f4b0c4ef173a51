//! Messages on a request: to and from the requester, and the officers' internal notes.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use super::ids::RequestId;

/// Who wrote a message, and so who may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Requester,
    /// An officer writing to the requester.
    Officer,
    /// An officer's note for the file; the requester never sees it.
    Internal,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Requester => "requester",
            Author::Officer => "officer",
            Author::Internal => "internal",
        }
    }

    /// Whether the requester sees messages by this author.
    pub fn requester_sees(self) -> bool {
        self != Author::Internal
    }
}

impl fmt::Display for Author {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Author {
    type Err = ();

    fn from_str(text: &str) -> Result<Author, ()> {
        [Author::Requester, Author::Officer, Author::Internal]
            .into_iter()
            .find(|a| a.as_str() == text)
            .ok_or(())
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub request_id: RequestId,
    pub author: Author,
    pub body: String,
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_read_back_what_they_write() {
        for author in [Author::Requester, Author::Officer, Author::Internal] {
            assert_eq!(author.as_str().parse(), Ok(author));
        }
        assert!(!Author::Internal.requester_sees());
    }
}
