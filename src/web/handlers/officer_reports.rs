//! `GET /officer/reports/compliance?month=YYYY-MM[&format=csv|json]`: the monthly compliance
//! report as a page, or as CSV or JSON for a regulator.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::render_officer_page;
use crate::app;
use crate::domain::kind::RequestKind;
use crate::domain::regime::Regime;
use crate::domain::report::{ComplianceReport, ReportLine, ReportMonth};
use crate::error::AppError;
use crate::web::error::WebError;
use crate::web::officer_pages::{
    ReportLineRow, ReportPage, ReportPurgeRow, ReportRejectionRow, ReportTrendRow,
};
use crate::web::session::SignedIn;
use crate::web::WebState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    month: Option<String>,
    format: Option<String>,
}

enum Format {
    Html,
    Csv,
    Json,
}

pub async fn compliance(
    state: web::Data<WebState>,
    req: HttpRequest,
    SignedIn(officer): SignedIn,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, WebError> {
    let query = query.into_inner();
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("" | "html") => Format::Html,
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(_) => {
            return Err(AppError::BadRequest(
                "Choose a report format: html, csv or json.".to_string(),
            )
            .into())
        }
    };
    let month = match query.month.as_deref().map(str::trim) {
        None | Some("") => app::report::default_month(&state.ctx),
        Some(text) => {
            ReportMonth::parse(text).map_err(|e| AppError::BadRequest(format!("Month: {e}.")))?
        }
    };
    let report = state
        .run_as(&officer, move |ctx, reader| {
            app::report::compliance(ctx, reader, month)
        })
        .await?;
    match format {
        Format::Csv => {
            let body = app::report::csv_file(&report)?;
            download(
                month,
                "csv",
                "text/csv; charset=utf-8; header=present",
                body,
            )
        }
        Format::Json => {
            let body = app::report::json_file(&state.ctx, &report)?;
            download(month, "json", "application/json", body)
        }
        Format::Html => render_officer_page(&state, &req, &officer, |nav| {
            let this_month = app::report::default_month(&state.ctx).next();
            page(&report, nav, this_month)
        }),
    }
}

fn download(
    month: ReportMonth,
    extension: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<HttpResponse, WebError> {
    let disposition = format!("attachment; filename=\"compliance-{month}.{extension}\"");
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition)
                .map_err(|_| AppError::Internal("report file name".to_string()))?,
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

fn page(
    report: &ComplianceReport,
    nav: crate::web::officer_pages::OfficerNav,
    this_month: ReportMonth,
) -> ReportPage {
    let month = report.month;
    let link = |m: ReportMonth| format!("/officer/reports/compliance?month={m}");
    ReportPage {
        nav,
        month_label: month.label(),
        month_value: month.to_string(),
        time_zone: report.zone.clone(),
        in_progress: month >= this_month,
        previous_link: link(month.previous()),
        next_link: (month < this_month).then(|| link(month.next())),
        csv_link: format!("{}&format=csv", link(month)),
        json_link: format!("{}&format=json", link(month)),
        total: line_row(&report.total()),
        lines: report.lines.iter().map(line_row).collect(),
        rejections: report
            .rejections
            .iter()
            .map(|r| ReportRejectionRow {
                regime: regime_label(&r.regime),
                kind: kind_label(&r.kind),
                reason: r.reason.replace('_', " "),
                count: r.count,
            })
            .collect(),
        purges: report
            .purges
            .iter()
            .map(|p| ReportPurgeRow {
                class: p.class.replace('_', " "),
                count: p.count,
            })
            .collect(),
        chart_svg: app::report::trend_chart(report),
        trend: report
            .trend
            .iter()
            .map(|t| ReportTrendRow {
                month: t.month.label(),
                received: t.received,
                answered: t.answered,
                on_time_rate: percent(t.on_time_rate()),
            })
            .collect(),
    }
}

fn line_row(line: &ReportLine) -> ReportLineRow {
    ReportLineRow {
        regime: regime_label(&line.regime),
        kind: kind_label(&line.kind),
        received: line.received,
        verified: line.verified,
        closed: line.closed(),
        fulfilled: line.fulfilled,
        rejected: line.rejected,
        withdrawn: line.withdrawn,
        on_time_rate: percent(line.on_time_rate()),
        median_days: days(line.close_times.median_days()),
        p90_days: days(line.close_times.p90_days()),
        extensions: line.extensions,
        open_at_end: line.open_at_end,
        overdue_at_end: line.overdue_at_end,
    }
}

/// The region's name; the stored code if it is not one (it always is).
fn regime_label(code: &str) -> String {
    code.parse::<Regime>()
        .map_or_else(|_| code.to_string(), |r| r.label().to_string())
}

fn kind_label(code: &str) -> String {
    code.parse::<RequestKind>()
        .map_or_else(|_| code.replace('_', " "), |k| k.label().to_string())
}

/// "95.0%", or a dash when nothing was answered.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// "3.5", or a dash when nothing closed.
fn days(days: Option<f64>) -> String {
    days.map_or_else(|| "–".to_string(), |d| format!("{d:.1}"))
}
