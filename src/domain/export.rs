//! The machine-readable request export: its stable columns (DESIGN.md §3 "Export columns")
//! and the rules for each cell, the same in CSV, JSON and NDJSON.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::queue::{AssigneeFilter, QueueFilter, QueueSearch};

/// The columns, in order. Adding one at the end is the only compatible change.
pub const COLUMNS: [&str; 13] = [
    "reference",
    "kind",
    "regime",
    "status",
    "received_at",
    "verified_at",
    "due_at",
    "extended_due_at",
    "closed_at",
    "on_time",
    "assignee",
    "outcome",
    "rejection_reason",
];

/// The columns an admin may add at the end with `--include-personal` (`include_personal=1`
/// over HTTP): the requester's name, email address and the request's own words.
pub const PERSONAL_COLUMNS: [&str; 3] = ["full_name", "email", "details"];

/// An `include_personal` value other than `1`, `true`, `0`, `false` or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("include_personal takes 1 or 0")]
pub struct BadColumnsChoice;

/// Which columns an export carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportColumns {
    /// [`COLUMNS`]: nothing that names the requester.
    Standard,
    /// [`COLUMNS`] then [`PERSONAL_COLUMNS`]; for admins only, and audited as such.
    WithPersonal,
}

impl ExportColumns {
    pub fn includes_personal(self) -> bool {
        self == ExportColumns::WithPersonal
    }

    /// The `include_personal` query parameter: absent, empty, `0` or `false` is the
    /// standard columns, `1` or `true` adds the personal ones; anything else is refused.
    pub fn from_query(value: Option<&str>) -> Result<ExportColumns, BadColumnsChoice> {
        match value.map(str::trim) {
            None | Some("" | "0" | "false") => Ok(ExportColumns::Standard),
            Some("1" | "true") => Ok(ExportColumns::WithPersonal),
            Some(_) => Err(BadColumnsChoice),
        }
    }

    /// The column names, in order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        let personal: &'static [&'static str] = match self {
            ExportColumns::Standard => &[],
            ExportColumns::WithPersonal => &PERSONAL_COLUMNS,
        };
        COLUMNS.iter().chain(personal).copied()
    }
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// RFC 4180: a header row, then one row per request, CRLF line ends.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
        }
    }

    /// The media type of a download in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8; header=present",
            ExportFormat::Json => "application/json",
            ExportFormat::Ndjson => "application/x-ndjson",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            "ndjson" => Ok(ExportFormat::Ndjson),
            _ => Err(()),
        }
    }
}

/// The filters of an export as its audit event records them. A search for an email address
/// is recorded as such, without the address: the audit trail holds no personal data.
pub fn audited_filters(filter: &QueueFilter) -> serde_json::Value {
    let assignee = match &filter.assignee {
        AssigneeFilter::Anyone => None,
        AssigneeFilter::Me => Some("me".to_string()),
        AssigneeFilter::Unassigned => Some("unassigned".to_string()),
        AssigneeFilter::Officer(id) => Some(format!("officer:{id}")),
    };
    let search = filter.search.as_ref().map(|search| match search {
        QueueSearch::Reference(reference) => format!("reference {reference}"),
        QueueSearch::Email(_) => "an email address".to_string(),
    });
    json!({
        "status": filter.status.as_query().unwrap_or("active"),
        "kind": filter.kind.map(|k| k.as_str()),
        "regime": filter.regime.map(|r| r.as_str()),
        "assignee": assignee,
        "overdue": filter.overdue,
        "search": search,
    })
}

/// The requester's own data, exported only with [`ExportColumns::WithPersonal`]. A wiped
/// case file's fields are empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalFields {
    pub full_name: String,
    pub email: String,
    pub details: String,
}

/// A request as the export sees it; the requester's name, email and free text only in
/// `personal`, and only when an admin asked for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub reference: String,
    pub kind: String,
    pub regime: String,
    pub status: String,
    pub received_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
    pub due_at: OffsetDateTime,
    pub extended_due_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub assignee: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason: Option<String>,
    pub personal: Option<PersonalFields>,
}

impl ExportRow {
    /// Whether a closed request was closed by the due date in force; open ones have no
    /// answer yet.
    pub fn on_time(&self) -> Option<bool> {
        let due = self.extended_due_at.unwrap_or(self.due_at);
        self.closed_at.map(|closed| closed <= due)
    }

    /// The cells in column order; `None` is an empty CSV cell and a JSON `null`. Text is
    /// borrowed from the row: an export writes a million of these.
    pub fn cells(&self) -> [Cell<'_>; 13] {
        fn text(s: &str) -> Cell<'_> {
            Cell::Text(Cow::Borrowed(s))
        }
        fn opt_text(s: &Option<String>) -> Cell<'_> {
            s.as_deref().map_or(Cell::Empty, text)
        }
        let time = |t: OffsetDateTime| Cell::Text(Cow::Owned(rfc3339(t)));
        let opt_time = |t: Option<OffsetDateTime>| t.map_or(Cell::Empty, time);
        [
            text(&self.reference),
            text(&self.kind),
            text(&self.regime),
            text(&self.status),
            time(self.received_at),
            opt_time(self.verified_at),
            time(self.due_at),
            opt_time(self.extended_due_at),
            opt_time(self.closed_at),
            self.on_time().map_or(Cell::Empty, Cell::Bool),
            opt_text(&self.assignee),
            opt_text(&self.outcome),
            opt_text(&self.rejection_reason),
        ]
    }

    /// The cells of [`PERSONAL_COLUMNS`], when the row carries them. Free text goes
    /// through the same formula neutralising as every other cell in CSV.
    pub fn personal_cells(&self) -> Option<[Cell<'_>; 3]> {
        self.personal.as_ref().map(|p| {
            [
                Cell::Text(Cow::Borrowed(&p.full_name)),
                Cell::Text(Cow::Borrowed(&p.email)),
                Cell::Text(Cow::Borrowed(&p.details)),
            ]
        })
    }
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Bool(bool),
}

impl Cell<'_> {
    /// The CSV form: formula-looking text is neutralised so a spreadsheet shows it as text.
    pub fn csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Bool(true) => Cow::Borrowed("true"),
            Cell::Bool(false) => Cow::Borrowed("false"),
            Cell::Text(text) => neutralise_formula(text),
        }
    }

    /// The JSON form: exact values.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Empty => serde_json::Value::Null,
            Cell::Bool(b) => serde_json::Value::Bool(*b),
            Cell::Text(text) => serde_json::Value::String(text.to_string()),
        }
    }
}

/// Prefixes text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return first) with an apostrophe.
pub fn neutralise_formula(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// RFC 3339 in UTC with a `Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn row() -> ExportRow {
        ExportRow {
            reference: "RD-7K3M-9QXA".into(),
            kind: "erasure".into(),
            regime: "eu".into(),
            status: "fulfilled".into(),
            received_at: datetime!(2026-03-01 10:00 UTC),
            verified_at: Some(datetime!(2026-03-01 10:05 UTC)),
            due_at: datetime!(2026-04-01 10:00 UTC),
            extended_due_at: None,
            closed_at: Some(datetime!(2026-04-01 10:00 UTC)),
            assignee: Some("=HYPERLINK(\"x\")".into()),
            outcome: Some("fulfilled".into()),
            rejection_reason: None,
            personal: None,
        }
    }

    #[test]
    fn on_time_counts_the_due_date_in_force() {
        let mut r = row();
        assert_eq!(r.on_time(), Some(true), "closed exactly at the due time");
        r.closed_at = Some(datetime!(2026-04-01 10:01 UTC));
        assert_eq!(r.on_time(), Some(false));
        r.extended_due_at = Some(datetime!(2026-06-01 10:00 UTC));
        assert_eq!(r.on_time(), Some(true), "an extension moves the deadline");
        r.closed_at = None;
        assert_eq!(r.on_time(), None, "open requests have no answer yet");
    }

    #[test]
    fn cells_follow_the_columns_and_csv_neutralises_formulas() {
        let row = row();
        let cells = row.cells();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[4].csv(), "2026-03-01T10:00:00Z");
        assert_eq!(cells[7], Cell::Empty);
        assert_eq!(cells[9].csv(), "true");
        assert_eq!(cells[9].json(), serde_json::Value::Bool(true));
        assert_eq!(cells[10].csv(), "'=HYPERLINK(\"x\")");
        assert_eq!(cells[10].json(), serde_json::json!("=HYPERLINK(\"x\")"));
        for (input, expected) in [
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@x", "'@x"),
            ("\tx", "'\tx"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(neutralise_formula(input), expected);
        }
    }

    #[test]
    fn personal_columns_come_last_and_only_when_asked_for() {
        let standard: Vec<&str> = ExportColumns::Standard.names().collect();
        assert_eq!(standard, COLUMNS);
        let personal: Vec<&str> = ExportColumns::WithPersonal.names().collect();
        assert_eq!(&personal[..COLUMNS.len()], COLUMNS);
        assert_eq!(&personal[COLUMNS.len()..], PERSONAL_COLUMNS);
        assert_eq!(ExportColumns::from_query(None), Ok(ExportColumns::Standard));
        assert_eq!(
            ExportColumns::from_query(Some("0")),
            Ok(ExportColumns::Standard)
        );
        assert_eq!(
            ExportColumns::from_query(Some("1")),
            Ok(ExportColumns::WithPersonal)
        );
        assert_eq!(
            ExportColumns::from_query(Some("true")),
            Ok(ExportColumns::WithPersonal)
        );
        assert!(ExportColumns::from_query(Some("yes please")).is_err());
        let mut r = row();
        assert_eq!(r.personal_cells(), None);
        r.personal = Some(PersonalFields {
            full_name: "Asha Rao".into(),
            email: "asha@example.in".into(),
            details: "=SUM(A1)".into(),
        });
        let cells = r.personal_cells().unwrap();
        assert_eq!(cells[0].csv(), "Asha Rao");
        assert_eq!(cells[2].csv(), "'=SUM(A1)");
        assert_eq!(cells[2].json(), serde_json::json!("=SUM(A1)"));
    }

    #[test]
    fn formats_parse_by_name() {
        for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson] {
            assert_eq!(format.as_str().parse(), Ok(format));
        }
        assert!("xlsx".parse::<ExportFormat>().is_err());
        assert!("CSV".parse::<ExportFormat>().is_err());
    }

    #[test]
    fn audited_filters_leave_out_email_addresses() {
        use crate::domain::email::Email;
        use crate::domain::queue::StatusFilter;
        let filter = QueueFilter {
            status: StatusFilter::All,
            search: Some(QueueSearch::Email(
                Email::parse("asha.rao@example.in").unwrap(),
            )),
            overdue: true,
            ..QueueFilter::default()
        };
        let audited = audited_filters(&filter);
        assert_eq!(audited["status"], "all");
        assert_eq!(audited["search"], "an email address");
        assert_eq!(audited["overdue"], true);
        assert!(!audited.to_string().contains("asha"));
        let default = audited_filters(&QueueFilter::default());
        assert_eq!(default["status"], "active");
        assert_eq!(default["search"], serde_json::Value::Null);
    }

    #[test]
    fn times_are_utc_with_z() {
        assert_eq!(
            rfc3339(datetime!(2026-03-01 15:30 +05:30)),
            "2026-03-01T10:00:00Z"
        );
    }
}
