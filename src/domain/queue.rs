//! The officer queue: its filters read from the query string, its keyset cursor and which
//! due-date badge a request gets (DESIGN.md section 3, `GET /officer/queue`). Links and the
//! badges' CSS classes are written by `web` (`queue_link.rs`, `view.rs`).
//!
//! The queue is ordered by `(due_at, id)`; a page after the first starts strictly after the
//! cursor, so paging stays fast and stable while requests arrive.

use data_encoding::BASE64URL_NOPAD;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::day;
use super::email::Email;
use super::kind::RequestKind;
use super::reference::Reference;
use super::regime::Regime;
use super::status::RequestStatus;

/// How many requests one queue page shows.
pub const PAGE_SIZE: i64 = 50;
/// How close a due date must be for a request to be flagged as due soon.
pub const DUE_SOON: Duration = Duration::days(3);
/// The longest officer id accepted in a filter or cursor (a UUID has 36 characters).
const MAX_ID_LEN: usize = 64;

/// Whose requests to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    /// The signed-in officer's.
    Me,
    Unassigned,
    /// One officer's, by internal id.
    Officer(String),
}

/// What the search box found to search for. Names and free text are never searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueSearch {
    /// A request reference in its canonical form, such as `RD-7K3M-9QXA`.
    Reference(String),
    /// A requester's exact (normalised) email address.
    Email(Email),
}

/// Which statuses to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// The work to do: open, in progress, awaiting the requester (no `status`).
    #[default]
    Active,
    /// Every confirmed request, closed ones included (`status=all`).
    All,
    One(RequestStatus),
}

impl StatusFilter {
    /// The query value; `None` for the default.
    pub fn as_query(self) -> Option<&'static str> {
        match self {
            StatusFilter::Active => None,
            StatusFilter::All => Some("all"),
            StatusFilter::One(status) => Some(status.as_str()),
        }
    }
}

/// The queue's filters, parsed. `Default` lists the active work of every region one reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueFilter {
    pub status: StatusFilter,
    pub kind: Option<RequestKind>,
    pub regime: Option<Regime>,
    pub assignee: AssigneeFilter,
    /// Only active requests past their due date.
    pub overdue: bool,
    pub search: Option<QueueSearch>,
}

/// The queue's query string as it arrives; every field is optional and an empty one means
/// "no filter".
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct RawQueueQuery {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub regime: Option<String>,
    pub assignee: Option<String>,
    pub overdue: Option<String>,
    pub q: Option<String>,
    pub after: Option<String>,
}

/// A filter value that cannot be used, with the message shown beside its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("choose a status from the list")]
    Status,
    #[error("choose a kind of request from the list")]
    Kind,
    #[error("choose a region from the list")]
    Regime,
    #[error("choose an assignee from the list")]
    Assignee,
    #[error("overdue is either on or off")]
    Overdue,
    #[error("enter a reference like RD-7K3M-9QXA or an exact email address")]
    Search,
    #[error("this page link is out of date: start again from the first page")]
    Cursor,
}

impl FilterError {
    /// The query field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            FilterError::Status => "status",
            FilterError::Kind => "kind",
            FilterError::Regime => "regime",
            FilterError::Assignee => "assignee",
            FilterError::Overdue => "overdue",
            FilterError::Search => "q",
            FilterError::Cursor => "after",
        }
    }
}

/// The last row of a page: the next page starts after `(due_at, id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCursor {
    pub due_at: OffsetDateTime,
    pub id: String,
}

/// The due-date badge of a request in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Overdue,
    DueSoon,
    Ok,
    Closed,
}

impl QueueFilter {
    /// Reads the query string, reporting every unusable field at once. `after` is checked
    /// too; read it with [`RawQueueQuery::cursor`].
    pub fn parse(raw: &RawQueueQuery) -> Result<QueueFilter, Vec<FilterError>> {
        let mut errors = Vec::new();
        let mut filter = QueueFilter::default();
        if let Some(text) = present(&raw.status) {
            match text {
                "all" => filter.status = StatusFilter::All,
                _ => match text.parse() {
                    Ok(status) => filter.status = StatusFilter::One(status),
                    Err(_) => errors.push(FilterError::Status),
                },
            }
        }
        if let Some(text) = present(&raw.kind) {
            match text.parse() {
                Ok(kind) => filter.kind = Some(kind),
                Err(_) => errors.push(FilterError::Kind),
            }
        }
        if let Some(text) = present(&raw.regime) {
            match text.parse() {
                Ok(regime) => filter.regime = Some(regime),
                Err(_) => errors.push(FilterError::Regime),
            }
        }
        if let Some(text) = present(&raw.assignee) {
            match parse_assignee(text) {
                Some(assignee) => filter.assignee = assignee,
                None => errors.push(FilterError::Assignee),
            }
        }
        if let Some(text) = present(&raw.overdue) {
            match text {
                "1" | "on" | "true" => filter.overdue = true,
                "0" | "off" | "false" => filter.overdue = false,
                _ => errors.push(FilterError::Overdue),
            }
        }
        if let Some(text) = present(&raw.q) {
            match parse_search(text) {
                Some(search) => filter.search = Some(search),
                None => errors.push(FilterError::Search),
            }
        }
        if present(&raw.after).is_some() && raw.cursor().is_none() {
            errors.push(FilterError::Cursor);
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(errors)
        }
    }
}

impl RawQueueQuery {
    /// The page cursor, when `after` holds a valid one.
    pub fn cursor(&self) -> Option<QueueCursor> {
        present(&self.after).and_then(QueueCursor::decode)
    }
}

impl QueueCursor {
    /// An opaque, URL-safe token: base64url of `"<unix nanoseconds>:<id>"`.
    pub fn encode(&self) -> String {
        let plain = format!("{}:{}", self.due_at.unix_timestamp_nanos(), self.id);
        BASE64URL_NOPAD.encode(plain.as_bytes())
    }

    /// Reads what [`QueueCursor::encode`] wrote; anything else is `None`. The time comes back
    /// in UTC, within [`day::YEARS`] like every stored due date: an edited cursor before the
    /// year 1 would be past what PostgreSQL can compare.
    pub fn decode(token: &str) -> Option<QueueCursor> {
        let bytes = BASE64URL_NOPAD.decode(token.as_bytes()).ok()?;
        let plain = String::from_utf8(bytes).ok()?;
        let (nanos, id) = plain.split_once(':')?;
        let nanos: i128 = nanos.parse().ok()?;
        let due_at = OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .filter(|at| day::in_range(*at))?;
        is_id(id).then(|| QueueCursor {
            due_at,
            id: id.to_string(),
        })
    }
}

/// The badge for a request due at `due`: a closed request is `Closed` whatever its date; an
/// open one is overdue once `now` is past `due`, and due soon within [`DUE_SOON`] of it.
pub fn due_state(due: OffsetDateTime, now: OffsetDateTime, closed: bool) -> DueState {
    if closed {
        DueState::Closed
    } else if now > due {
        DueState::Overdue
    } else if due - now <= DUE_SOON {
        DueState::DueSoon
    } else {
        DueState::Ok
    }
}

/// The trimmed value of a field, or `None` when it is missing or blank.
fn present(field: &Option<String>) -> Option<&str> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

fn parse_assignee(text: &str) -> Option<AssigneeFilter> {
    match text {
        "anyone" => Some(AssigneeFilter::Anyone),
        "me" => Some(AssigneeFilter::Me),
        "unassigned" => Some(AssigneeFilter::Unassigned),
        id if is_id(id) => Some(AssigneeFilter::Officer(id.to_string())),
        _ => None,
    }
}

fn parse_search(text: &str) -> Option<QueueSearch> {
    if let Ok(reference) = Reference::parse(text) {
        return Some(QueueSearch::Reference(reference.as_str().to_string()));
    }
    Email::parse(text).ok().map(QueueSearch::Email)
}

/// An internal id as the store writes them (a UUID): letters, digits and hyphens.
fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_ID_LEN
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const OFFICER_ID: &str = "01956f3c-7a3e-7c1a-9b2d-4f6e8a0b1c2d";

    fn raw(pairs: &[(&str, &str)]) -> RawQueueQuery {
        let mut raw = RawQueueQuery::default();
        for (name, value) in pairs {
            let value = Some(value.to_string());
            match *name {
                "status" => raw.status = value,
                "kind" => raw.kind = value,
                "regime" => raw.regime = value,
                "assignee" => raw.assignee = value,
                "overdue" => raw.overdue = value,
                "q" => raw.q = value,
                "after" => raw.after = value,
                other => panic!("no field {other}"),
            }
        }
        raw
    }

    fn email(text: &str) -> QueueSearch {
        QueueSearch::Email(Email::parse(text).unwrap())
    }

    #[test]
    fn each_field_parses() {
        type Set = fn(&mut QueueFilter);
        fn reference() -> Option<QueueSearch> {
            Some(QueueSearch::Reference("RD-7K3M-9QXA".to_string()))
        }
        // (field, value, what the value sets on an otherwise default filter)
        let table: [(&str, &str, Set); 15] = [
            ("status", "in_progress", |f| {
                f.status = StatusFilter::One(RequestStatus::InProgress)
            }),
            ("status", "all", |f| f.status = StatusFilter::All),
            ("kind", "erasure", |f| f.kind = Some(RequestKind::Erasure)),
            ("regime", "us-ca", |f| f.regime = Some(Regime::UsCa)),
            ("assignee", "me", |f| f.assignee = AssigneeFilter::Me),
            ("assignee", "unassigned", |f| {
                f.assignee = AssigneeFilter::Unassigned
            }),
            ("assignee", "anyone", |_| {}),
            ("assignee", OFFICER_ID, |f| {
                f.assignee = AssigneeFilter::Officer(OFFICER_ID.to_string())
            }),
            ("overdue", "1", |f| f.overdue = true),
            ("overdue", "on", |f| f.overdue = true),
            ("overdue", "true", |f| f.overdue = true),
            ("overdue", "off", |_| {}),
            ("q", "RD-7K3M-9QXA", |f| f.search = reference()),
            ("q", " rd 7k3m 9qxa ", |f| f.search = reference()),
            ("q", "Asha.Rao@Example.in", |f| {
                f.search = Some(email("asha.rao@example.in"))
            }),
        ];
        for (name, value, set) in table {
            let mut expected = QueueFilter::default();
            set(&mut expected);
            let parsed = QueueFilter::parse(&raw(&[(name, value)]));
            assert_eq!(parsed, Ok(expected), "{name}={value}");
        }
    }

    #[test]
    fn empty_values_mean_no_filter() {
        let all_blank = raw(&[
            ("status", ""),
            ("kind", " "),
            ("regime", ""),
            ("assignee", ""),
            ("overdue", ""),
            ("q", "  "),
            ("after", ""),
        ]);
        assert_eq!(QueueFilter::parse(&all_blank), Ok(QueueFilter::default()));
        assert_eq!(
            QueueFilter::parse(&RawQueueQuery::default()),
            Ok(QueueFilter::default())
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = raw(&[
            ("status", "Open"),
            ("kind", "delete"),
            ("regime", "uk"),
            ("assignee", "robert'); drop table"),
            ("overdue", "yes"),
            ("q", "Asha Rao"),
            ("after", "not a cursor"),
        ]);
        let errors = QueueFilter::parse(&bad).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|error| error.field()).collect();
        assert_eq!(
            fields,
            ["status", "kind", "regime", "assignee", "overdue", "q", "after"]
        );
        assert_eq!(
            FilterError::Search.to_string(),
            "enter a reference like RD-7K3M-9QXA or an exact email address"
        );
        let too_long = "a".repeat(MAX_ID_LEN + 1);
        assert_eq!(
            QueueFilter::parse(&raw(&[("assignee", &too_long)])),
            Err(vec![FilterError::Assignee])
        );
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let cursor = QueueCursor {
            due_at: datetime!(2025-04-30 23:59:59.123456789 UTC),
            id: OFFICER_ID.to_string(),
        };
        let token = cursor.encode();
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(QueueCursor::decode(&token), Some(cursor.clone()));
        let before_1970 = QueueCursor {
            due_at: datetime!(1969-12-31 12:00 UTC),
            id: "x".to_string(),
        };
        assert_eq!(
            QueueCursor::decode(&before_1970.encode()),
            Some(before_1970)
        );
        let encode = |plain: &str| BASE64URL_NOPAD.encode(plain.as_bytes());
        for junk in [
            String::new(),
            "!!!".to_string(),
            encode("no separator"),
            encode("12:"),
            encode("twelve:abc"),
            encode("1:a:b"),
            encode("999999999999999999999999999999:abc"),
            encode(&format!("{}:abc", i128::MAX)),
            encode(&format!("{}:abc", i128::MIN)),
            // Instants `time` holds but no due date can be: before the year 1.
            encode("-62135596801000000000:abc"),
            encode("-377705116800000000000:abc"),
        ] {
            assert_eq!(QueueCursor::decode(&junk), None, "{junk:?}");
        }
        assert_eq!(raw(&[("after", &token)]).cursor(), Some(cursor));
        let last = QueueCursor {
            due_at: datetime!(9999-12-31 23:59:59.999999999 UTC),
            id: "x".to_string(),
        };
        assert_eq!(QueueCursor::decode(&last.encode()), Some(last));
        let first = QueueCursor {
            due_at: datetime!(0001-01-01 00:00 UTC),
            id: "x".to_string(),
        };
        assert_eq!(QueueCursor::decode(&first.encode()), Some(first));
    }

    #[test]
    fn due_states_at_the_boundaries() {
        let due = datetime!(2025-05-10 12:00 UTC);
        let second = Duration::seconds(1);
        let table = [
            (due - Duration::days(10), false, DueState::Ok),
            (due - DUE_SOON - second, false, DueState::Ok),
            (due - DUE_SOON, false, DueState::DueSoon),
            (due, false, DueState::DueSoon),
            (due + second, false, DueState::Overdue),
            (due + Duration::days(30), true, DueState::Closed),
            (due - Duration::days(30), true, DueState::Closed),
        ];
        for (now, closed, expected) in table {
            assert_eq!(
                due_state(due, now, closed),
                expected,
                "{now} closed={closed}"
            );
        }
    }
}
