//! The compliance report as files: CSV for spreadsheets, JSON for auditors' tooling, and
//! the twelve-month trend as an inline SVG chart for the report page.

pub mod chart;
pub mod csv;
pub mod json;
