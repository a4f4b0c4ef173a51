//! The monthly compliance report page.

use askama::Template;

use super::OfficerNav;

#[derive(Template)]
#[template(path = "officer/report.html")]
pub struct ReportPage {
    pub nav: OfficerNav,
    /// "March 2026"
    pub month_label: String,
    /// "2026-03", the month field's value.
    pub month_value: String,
    pub time_zone: String,
    /// The month has not ended: "at month end" figures are as of now.
    pub in_progress: bool,
    pub previous_link: String,
    pub next_link: Option<String>,
    pub csv_link: String,
    pub json_link: String,
    pub total: ReportLineRow,
    pub lines: Vec<ReportLineRow>,
    pub rejections: Vec<ReportRejectionRow>,
    pub purges: Vec<ReportPurgeRow>,
    /// The twelve-month chart, an SVG element drawn on the server.
    pub chart_svg: String,
    pub trend: Vec<ReportTrendRow>,
}

/// One (regime, kind) line of the report, formatted.
pub struct ReportLineRow {
    pub regime: String,
    pub kind: String,
    pub received: u64,
    pub verified: u64,
    pub closed: u64,
    pub fulfilled: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    pub on_time_rate: String,
    pub median_days: String,
    pub p90_days: String,
    pub extensions: u64,
    pub open_at_end: u64,
    pub overdue_at_end: u64,
}

pub struct ReportRejectionRow {
    pub regime: String,
    pub kind: String,
    pub reason: String,
    pub count: u64,
}

pub struct ReportPurgeRow {
    pub class: String,
    pub count: u64,
}

pub struct ReportTrendRow {
    pub month: String,
    pub received: u64,
    pub answered: u64,
    pub on_time_rate: String,
}
