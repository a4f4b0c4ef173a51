//! An export as the audit trail sees it: its start (format and filters) committed before
//! its first byte is written, so that an export killed half-way still leaves it; its end
//! (rows, whether it completed); and the export-spike rule (`domain::export_spike`) checked
//! at both, which mails the admins at most once per officer per hour.

use serde_json::json;
use time::OffsetDateTime;

use super::{clock, Context};
use crate::domain::access_events::{EXPORT_FINISHED, EXPORT_SPIKE, EXPORT_STARTED};
use crate::domain::audit::{Actor, Target};
use crate::domain::export_spike::{ExportSpikePolicy, ExportUsage, WINDOW};
use crate::domain::ids::OfficerId;
use crate::error::AppError;
use crate::mail::compose;
use crate::store::audit;
use crate::store::export_watch;
use crate::store::time::to_db;
use crate::store::DbConn;

/// An export under way: its id ties its start and end events together.
#[derive(Debug, Clone)]
pub struct ExportRun {
    id: String,
    actor: Actor,
    /// The officer it counts against (none for the command line).
    officer: Option<OfficerId>,
    format: &'static str,
    filters: serde_json::Value,
    /// Whether the requesters' names, emails and details were included.
    personal: bool,
}

impl ExportRun {
    /// Appends one of the export's events: what every one of them says (its id, format,
    /// filters and whether personal columns went out), then `more`.
    fn append(
        &self,
        conn: &mut DbConn,
        action: &str,
        more: serde_json::Value,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        let mut details = json!({
            "export_id": self.id,
            "format": self.format,
            "filters": self.filters,
            "personal": self.personal,
        });
        if let (Some(all), serde_json::Value::Object(more)) = (details.as_object_mut(), more) {
            all.extend(more);
        }
        audit::append_event(
            conn,
            now,
            &self.actor,
            action,
            &Target::RequestExport,
            &details,
        )?;
        Ok(())
    }
}

/// Records the start in its own transaction, committed when this returns.
pub fn start(
    ctx: &Context,
    actor: Actor,
    officer: Option<OfficerId>,
    format: &'static str,
    filters: serde_json::Value,
    personal: bool,
) -> Result<ExportRun, AppError> {
    let now = clock::now();
    let run = ExportRun {
        id: uuid::Uuid::now_v7().to_string(),
        actor,
        officer,
        format,
        filters,
        personal,
    };
    let alerted = ctx.write(|conn| {
        // Rows first, the audit events last (the lock order in docs/ARCHITECTURE.md).
        let spike = match run.officer {
            Some(officer) => {
                let officer_id = officer.to_string();
                export_watch::forget_before(
                    conn,
                    &officer_id,
                    to_db(ExportSpikePolicy::window_start(now)),
                )?;
                export_watch::insert_started(conn, &run.id, &officer_id, to_db(now))?;
                spike_alert(ctx, conn, officer, now)?
            }
            None => None,
        };
        run.append(conn, EXPORT_STARTED, json!({}), now)?;
        record_spike(conn, &run, spike, &ctx.settings.export_spike, now)
    })?;
    if alerted {
        ctx.wake_mailer();
    }
    Ok(run)
}

/// Records the end: the rows written, and whether the export completed.
pub fn finish(ctx: &Context, run: &ExportRun, rows: u64, complete: bool) -> Result<(), AppError> {
    let now = clock::now();
    let alerted = ctx.write(|conn| {
        let spike = match run.officer {
            Some(officer) => {
                export_watch::record_rows(conn, &run.id, rows.min(i64::MAX as u64) as i64)?;
                spike_alert(ctx, conn, officer, now)?
            }
            None => None,
        };
        let outcome = json!({ "rows": rows, "complete": complete });
        run.append(conn, EXPORT_FINISHED, outcome, now)?;
        record_spike(conn, run, spike, &ctx.settings.export_spike, now)
    })?;
    if alerted {
        ctx.wake_mailer();
    }
    Ok(())
}

/// The officer's usage when it is a spike the admins have not yet been told about this
/// hour; the admins' mail is queued.
fn spike_alert(
    ctx: &Context,
    conn: &mut DbConn,
    officer: OfficerId,
    now: OffsetDateTime,
) -> Result<Option<ExportUsage>, AppError> {
    let policy = ctx.settings.export_spike;
    let officer_id = officer.to_string();
    let usage = export_watch::usage_since(
        conn,
        &officer_id,
        to_db(ExportSpikePolicy::window_start(now)),
    )?;
    if !policy.is_spike(usage) {
        return Ok(None);
    }
    if !export_watch::claim_alert(
        conn,
        &officer_id,
        to_db(now),
        to_db(ExportSpikePolicy::alerts_lapsed_by(now)),
    )? {
        return Ok(None);
    }
    let link = ctx.link(&format!("/officer/audit?action={EXPORT_SPIKE}"));
    super::officers::mail_admins(ctx, conn, now, |to| compose::export_spike_alert(to, &link))?;
    Ok(Some(usage))
}

/// Appends the anomaly, if there is one; whether it was.
///
/// The event is the system's and about every officer, not about the one who exported: an
/// officer reads events about themselves in the audit viewer, and an alert about an
/// insider is for admins and auditors. The officer is named by id in the details.
fn record_spike(
    conn: &mut DbConn,
    run: &ExportRun,
    spike: Option<ExportUsage>,
    policy: &ExportSpikePolicy,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let (Some(usage), Some(officer)) = (spike, run.officer) else {
        return Ok(false);
    };
    audit::append_event(
        conn,
        now,
        &Actor::System,
        EXPORT_SPIKE,
        &Target::Officers,
        &json!({
            "officer_id": officer.to_string(),
            "export_id": run.id,
            "exports": usage.exports,
            "rows": usage.rows,
            "max_exports": policy.max_exports,
            "max_rows": policy.max_rows,
            "window_minutes": WINDOW.whole_minutes(),
        }),
    )?;
    Ok(true)
}
