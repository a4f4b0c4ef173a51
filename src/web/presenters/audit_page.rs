//! The audit viewer page from a page of events.

use crate::app::audit::{AuditQuery, AUDIT_PAGE};
use crate::domain::audit::{AuditCursor, AuditEvent};
use crate::web::officer_pages::{AuditPage, AuditRow, OfficerNav};
use crate::web::view;

/// Fills the audit page: the filters as sent, the events, the next page's link and the
/// result of a chain check when one just ran (`verify`: intact or not, and what to say).
pub fn audit_page(
    rows: &[AuditEvent],
    query: AuditQuery,
    nav: OfficerNav,
    can_verify: bool,
    verify: Option<(bool, String)>,
) -> AuditPage {
    let next_link = (rows.len() as i64 == AUDIT_PAGE).then(|| {
        let last = rows
            .last()
            .map(|r| AuditCursor::after(r).to_param())
            .unwrap_or_default();
        let encode = |v: &str| {
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        format!(
            "/officer/audit?actor={}&action={}&target={}&from={}&to={}&before={last}",
            encode(&query.actor),
            encode(&query.action),
            encode(&query.target),
            encode(&query.from),
            encode(&query.to)
        )
    });
    let (verify_ok, verify_result) = match verify {
        Some((ok, message)) => (ok, Some(message)),
        None => (false, None),
    };
    AuditPage {
        nav,
        actor: query.actor,
        action: query.action,
        target: query.target,
        from: query.from,
        to: query.to,
        rows: rows
            .iter()
            .map(|r| AuditRow {
                seq: r.seq,
                pending: r.is_pending(),
                at: view::display_time(r.at),
                actor: r.actor.to_audit_string(),
                action: r.action.clone(),
                target: r.target.to_audit_string(),
                details: r.details.clone(),
            })
            .collect(),
        next_link,
        can_verify,
        verify_result,
        verify_ok,
    }
}
