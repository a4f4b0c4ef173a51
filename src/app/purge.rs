//! The purge: each retention class in turn, in batches. A batch's deletions and their audit
//! events commit together, so a purge stopped at any point (even killed) leaves nothing
//! deleted and unaudited, and the next run carries on. Batches of one class take that
//! class's lock, so two purges at once never take the same item.

use std::collections::BTreeMap;

use serde_json::json;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::purge_notice::{self, Notices};
use super::{clock, Context};
use crate::domain::audit::{Actor, Target};
use crate::domain::retention::PurgeClass;
use crate::domain::retention_notice::class_needs_notice;
use crate::error::AppError;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::time::to_db;
use crate::store::{self, requests, retention, DbConn};

/// Items per transaction: every commit rewrites the index pages its deletions touched, and
/// keyed hashes spread those over the whole index, so larger batches go much faster (at
/// 200,000 records: 16,000/s at 2,000, 31,000/s at 5,000) while holding the write lock
/// for a fraction of a second.
pub const DEFAULT_BATCH_SIZE: i64 = 5000;

#[derive(Debug, Clone, Copy)]
pub struct PurgeOptions {
    /// The moment the purge stands at (now, or the start of `--as-of`'s day).
    pub as_of: OffsetDateTime,
    pub dry_run: bool,
    pub batch_size: i64,
}

/// One class's figures: past its time, removed by this run, kept by legal holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClassSummary {
    pub due: i64,
    pub purged: i64,
    pub held: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub as_of: OffsetDateTime,
    pub dry_run: bool,
    pub classes: Vec<(PurgeClass, ClassSummary)>,
    /// Notices before erasure (DPDP Rules r.8(2)) for the classes that need them.
    pub notices: Notices,
}

impl PurgeReport {
    pub fn total_purged(&self) -> i64 {
        self.classes.iter().map(|(_, s)| s.purged).sum()
    }

    /// The machine form: `{"as_of", "dry_run", "classes": {"<class>": {due, purged, held}},
    /// "notices": {"<class>": {due, sent, waiting}}}`. An item waiting for its notice is
    /// due and neither purged nor held.
    pub fn to_json(&self) -> serde_json::Value {
        let classes: serde_json::Map<String, serde_json::Value> = self
            .classes
            .iter()
            .map(|(class, summary)| (class.as_str().to_string(), json!(summary)))
            .collect();
        let notices: serde_json::Map<String, serde_json::Value> = self
            .notices
            .classes
            .iter()
            .map(|(class, summary)| (class.as_str().to_string(), json!(summary)))
            .collect();
        json!({
            "as_of": self.as_of.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "dry_run": self.dry_run,
            "classes": classes,
            "notices": notices,
        })
    }
}

/// Hears of progress: a class starts with this many items to purge, then each batch.
pub trait PurgeProgress {
    fn class_started(&mut self, class: PurgeClass, to_purge: i64);
    fn purged(&mut self, class: PurgeClass, count: i64);
    /// Whether to stop before the next batch (the process is shutting down). What was
    /// purged stays purged; the rest waits for the next run.
    fn should_stop(&self) -> bool {
        false
    }
}

/// No one listening.
pub struct Quiet;

impl PurgeProgress for Quiet {
    fn class_started(&mut self, _: PurgeClass, _: i64) {}
    fn purged(&mut self, _: PurgeClass, _: i64) {}
}

/// A scheduled run: taken by one instance at a time (`None` when another instance is
/// purging), and counted in the metrics.
pub fn run_exclusive(
    ctx: &Context,
    options: PurgeOptions,
    progress: &mut dyn PurgeProgress,
) -> Result<Option<PurgeReport>, AppError> {
    let mut lock_conn = ctx.conn()?;
    if !crate::store::retention::try_lock_run(&mut lock_conn)? {
        return Ok(None);
    }
    let result = run(ctx, options, progress);
    ctx.metrics.purge_runs.inc();
    crate::store::retention::unlock_run(&mut lock_conn)?;
    result.map(Some)
}

pub fn run(
    ctx: &Context,
    options: PurgeOptions,
    progress: &mut dyn PurgeProgress,
) -> Result<PurgeReport, AppError> {
    let policy = &ctx.settings.policy.retention;
    let today = options.as_of.date();
    // One connection for the whole purge, tuned like an import's: a purge deletes from
    // indexes keyed by random hashes.
    let mut conn = ctx.conn()?;
    store::prepare_bulk_load(&mut conn)?;
    let mut classes = Vec::new();
    // Given once, when the first class that needs notices has something to purge.
    let mut notices: Option<Notices> = None;
    for class in PurgeClass::ALL {
        let cutoff = to_db(policy.cutoff(class, options.as_of));
        let (due, unheld) = count(&mut conn, class, cutoff, today)?;
        let mut summary = ClassSummary {
            due,
            purged: 0,
            held: due - unheld,
        };
        let waiting = if class_needs_notice(class) && unheld > 0 {
            if notices.is_none() {
                notices = Some(purge_notice::give(
                    ctx,
                    &mut conn,
                    options.as_of,
                    options.dry_run,
                    progress,
                )?);
            }
            notices.as_ref().map_or(0, |n| n.waiting(class))
        } else {
            0
        };
        let to_purge = unheld - waiting;
        if !options.dry_run && to_purge > 0 {
            progress.class_started(class, to_purge);
            while !progress.should_stop() {
                let purged = ctx.write_on(&mut conn, |conn| {
                    retention::lock_class(conn, class as i32)?;
                    purge_batch(
                        conn,
                        class,
                        cutoff,
                        today,
                        options.batch_size,
                        options.as_of,
                    )
                })?;
                if purged == 0 {
                    break;
                }
                summary.purged += purged;
                progress.purged(class, purged);
            }
        }
        classes.push((class, summary));
    }
    Ok(PurgeReport {
        as_of: options.as_of,
        dry_run: options.dry_run,
        classes,
        notices: notices.unwrap_or_default(),
    })
}

/// `(due, not held)` for a class.
pub fn count(
    conn: &mut DbConn,
    class: PurgeClass,
    cutoff: PrimitiveDateTime,
    today: time::Date,
) -> Result<(i64, i64), AppError> {
    Ok(match class {
        PurgeClass::Registration | PurgeClass::RemovedContent | PurgeClass::ErasedRecords => (
            retention::count_due_records(conn, class.as_str(), cutoff)?,
            retention::count_unheld_records(conn, class.as_str(), cutoff, today)?,
        ),
        PurgeClass::UnverifiedRequests => (
            retention::count_due_unverified(conn, cutoff)?,
            retention::count_unheld_unverified(conn, cutoff, today)?,
        ),
        PurgeClass::ClosedCaseFiles => (
            retention::count_due_case_files(conn, cutoff)?,
            retention::count_unheld_case_files(conn, cutoff, today)?,
        ),
        PurgeClass::DataPackages => {
            let n = retention::count_due_packages(conn, cutoff)?;
            (n, n)
        }
        PurgeClass::LinkTokens => {
            let n = retention::count_due_tokens(conn, cutoff)?;
            (n, n)
        }
        PurgeClass::Sessions => {
            let n = retention::count_due_sessions(conn, cutoff)?;
            (n, n)
        }
        PurgeClass::SentMail => {
            let n = retention::count_due_sent_mail(conn, cutoff)?;
            (n, n)
        }
    })
}

/// One batch of a class, with its audit events; returns how many items went.
fn purge_batch(
    conn: &mut DbConn,
    class: PurgeClass,
    cutoff: PrimitiveDateTime,
    today: time::Date,
    limit: i64,
    as_of: OffsetDateTime,
) -> Result<i64, AppError> {
    let now = clock::now();
    let as_of_text = to_db(as_of).to_string();
    // Per-item targets keep the id exactly as stored: the purge also takes rows of older
    // data whose ids are not UUIDs, and each must be audited under its own id.
    let mut events: Vec<(String, serde_json::Value)> = Vec::new();
    let purged = match class {
        PurgeClass::Registration | PurgeClass::RemovedContent | PurgeClass::ErasedRecords => {
            let due = retention::unheld_record_ids(
                conn,
                class.as_str(),
                cutoff,
                today,
                to_db(as_of),
                limit,
            )?;
            let ids: Vec<String> = due.iter().map(|(id, _)| id.clone()).collect();
            retention::delete_records(conn, &ids)?;
            for (id, category) in due {
                events.push((format!("record:{id}"), json!({ "category": category })));
            }
            ids.len()
        }
        PurgeClass::UnverifiedRequests => {
            let due = retention::unheld_unverified(conn, cutoff, today, limit)?;
            let ids: Vec<String> = due.iter().map(|(id, _)| id.clone()).collect();
            retention::delete_requests(conn, &ids)?;
            // One update per region, in key order (as every change of the counts).
            let mut per_regime: BTreeMap<&str, i64> = BTreeMap::new();
            for (id, regime) in &due {
                *per_regime.entry(regime.as_str()).or_default() += 1;
                events.push((format!("request:{id}"), json!({})));
            }
            for (regime, n) in per_regime {
                requests::count_remove(conn, regime, "unverified", n)?;
            }
            ids.len()
        }
        PurgeClass::ClosedCaseFiles => {
            let due = retention::unheld_case_files(conn, cutoff, today, limit)?;
            let mut wiped = 0;
            for id in due {
                if retention::wipe_case_file(conn, &id, to_db(now))? {
                    events.push((
                        format!("request:{id}"),
                        json!({ "kept": "statistics stub" }),
                    ));
                    wiped += 1;
                }
            }
            wiped
        }
        PurgeClass::DataPackages => {
            let due = retention::due_packages(conn, cutoff, limit)?;
            let ids: Vec<String> = due.iter().map(|(id, _)| id.clone()).collect();
            retention::delete_packages(conn, &ids)?;
            for (id, request_id) in due {
                events.push((format!("request:{request_id}"), json!({ "package_id": id })));
            }
            ids.len()
        }
        PurgeClass::LinkTokens => retention::delete_due_tokens(conn, cutoff, limit)?,
        PurgeClass::Sessions => retention::delete_due_sessions(conn, cutoff, limit)?,
        PurgeClass::SentMail => retention::delete_due_sent_mail(conn, cutoff, limit)?,
    };
    let actor = Actor::System.to_audit_string();
    if class.audited_per_item() {
        let action = if class.wipes() {
            "retention.wiped"
        } else {
            "retention.purged"
        };
        let bodies: Vec<(String, String)> = events
            .into_iter()
            .map(|(target, mut details)| {
                details["class"] = json!(class.as_str());
                details["as_of"] = json!(as_of_text);
                (target, details.to_string())
            })
            .collect();
        let batch: Vec<NewAuditEvent<'_>> = bodies
            .iter()
            .map(|(target, details)| NewAuditEvent {
                at: now,
                actor: &actor,
                action,
                target,
                details,
            })
            .collect();
        audit::append_many(conn, &batch)?;
    } else if purged > 0 {
        audit::append(
            conn,
            &NewAuditEvent {
                at: now,
                actor: &actor,
                action: "retention.purged",
                target: &Target::Retention(class.as_str().to_string()).to_audit_string(),
                details: &json!({ "class": class.as_str(), "count": purged, "as_of": as_of_text })
                    .to_string(),
            },
        )?;
    }
    Ok(purged as i64)
}
