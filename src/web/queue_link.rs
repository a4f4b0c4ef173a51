//! The officer queue's filters written back into a link (next page, export), percent-encoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::kind::RequestKind;
use crate::domain::queue::{AssigneeFilter, QueueCursor, QueueFilter, QueueSearch};
use crate::domain::regime::Regime;

/// Characters left as they are in a query value (RFC 3986 "unreserved").
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The query string (without `?`) that reproduces this filter, for next-page and export
/// links; empty when nothing is filtered. Fields come in a fixed order and values are
/// percent-encoded.
pub fn queue_query(filter: &QueueFilter, after: Option<&QueueCursor>) -> String {
    let assignee = match &filter.assignee {
        AssigneeFilter::Anyone => None,
        AssigneeFilter::Me => Some("me"),
        AssigneeFilter::Unassigned => Some("unassigned"),
        AssigneeFilter::Officer(id) => Some(id.as_str()),
    };
    let search = filter.search.as_ref().map(|search| match search {
        QueueSearch::Reference(reference) => reference.as_str(),
        QueueSearch::Email(email) => email.as_str(),
    });
    let cursor = after.map(QueueCursor::encode);
    let pairs = [
        ("status", filter.status.as_query()),
        ("kind", filter.kind.map(RequestKind::as_str)),
        ("regime", filter.regime.map(Regime::as_str)),
        ("assignee", assignee),
        ("overdue", filter.overdue.then_some("1")),
        ("q", search),
        ("after", cursor.as_deref()),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|value| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use actix_web::web::Query;
    use time::macros::datetime;

    use super::*;
    use crate::domain::queue::RawQueueQuery;

    /// The query string read as the queue handler reads it.
    fn read(query: &str) -> RawQueueQuery {
        Query::<RawQueueQuery>::from_query(query)
            .unwrap()
            .into_inner()
    }

    #[test]
    fn queue_query_rebuilds_what_parse_read() {
        let cursor = QueueCursor {
            due_at: datetime!(2025-05-01 00:00 UTC),
            id: "abc".to_string(),
        };
        let table = [
            ("", None, String::new()),
            ("overdue=on", None, "overdue=1".to_string()),
            (
                "status=open&kind=access&regime=eu&assignee=unassigned",
                None,
                "status=open&kind=access&regime=eu&assignee=unassigned".to_string(),
            ),
            (
                "q=rd-7k3m-9qxa",
                Some(&cursor),
                format!("q=RD-7K3M-9QXA&after={}", cursor.encode()),
            ),
            (
                "q=a%2Bb%40example.com",
                None,
                "q=a%2Bb%40example.com".to_string(),
            ),
        ];
        for (input, after, expected) in table {
            let filter = QueueFilter::parse(&read(input)).unwrap();
            let query = queue_query(&filter, after);
            assert_eq!(query, expected, "{input}");
            let back = read(&query);
            assert_eq!(QueueFilter::parse(&back), Ok(filter), "{query}");
            assert_eq!(back.cursor().as_ref(), after);
        }
    }
}
