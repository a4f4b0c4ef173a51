//! Notices before erasure (DPDP Rules r.8(2)), as a purge gives them. Before the record
//! classes are purged, every subject under a regime that needs a notice
//! (`domain::retention_notice`) whose due records no notice covers yet is mailed one, in
//! one transaction with the notice rows and a `retention.notice_sent` event; those records
//! then wait 48 hours (the purge's batch query passes over them until their notice lets
//! them go). A subject with no usable email address is purged as before.

use std::collections::BTreeMap;

use serde_json::json;
use time::OffsetDateTime;

use super::inventory::{open_identity, EMAIL_INDEX};
use super::purge::PurgeProgress;
use super::{clock, requests, Context};
use crate::domain::audit::{Actor, Target};
use crate::domain::email::Email;
use crate::domain::export::rfc3339;
use crate::domain::local_time::requester_zone;
use crate::domain::regime::Regime;
use crate::domain::retention::PurgeClass;
use crate::domain::retention_notice::{
    erase_from, given_at, noticed_regime_codes, NOTICE_CLASSES, NOTICE_SENT,
};
use crate::domain::subject::Subject;
use crate::error::AppError;
use crate::i18n::Messages;
use crate::mail::compose;
use crate::store::retention_notices::{self, NewRetentionNotice};
use crate::store::time::to_db;
use crate::store::{audit, subjects, DbConn};

/// Keyed hashes per lookup of subjects.
const HASH_CHUNK: usize = 1_000;
/// Subjects per question about their records.
const SUBJECT_CHUNK: usize = 500;

/// One class's notices in a purge: subjects due a notice now (mailed by this run unless it
/// is a dry run), those mailed, and items kept because their notice is younger than 48
/// hours (or was given by this very run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct NoticeSummary {
    pub due: i64,
    pub sent: i64,
    pub waiting: i64,
}

/// The notices of a purge, per class that needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notices {
    pub classes: Vec<(PurgeClass, NoticeSummary)>,
}

impl Default for Notices {
    fn default() -> Self {
        Notices {
            classes: NOTICE_CLASSES
                .into_iter()
                .map(|class| (class, NoticeSummary::default()))
                .collect(),
        }
    }
}

impl Notices {
    /// Items of `class` this run must pass over.
    pub fn waiting(&self, class: PurgeClass) -> i64 {
        self.summary(class).map_or(0, |s| s.waiting)
    }

    fn summary(&self, class: PurgeClass) -> Option<&NoticeSummary> {
        self.classes
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, summary)| summary)
    }

    fn summary_mut(&mut self, class: PurgeClass) -> Option<&mut NoticeSummary> {
        self.classes
            .iter_mut()
            .find(|(c, _)| *c == class)
            .map(|(_, summary)| summary)
    }
}

/// A subject due a notice: where to send it and what it covers.
struct DueNotice {
    subject: Subject,
    email: Email,
    items: Vec<(PurgeClass, i64)>,
}

/// Works out the notices due at `as_of` and, unless `dry_run`, gives them.
pub fn give(
    ctx: &Context,
    conn: &mut DbConn,
    as_of: OffsetDateTime,
    dry_run: bool,
    progress: &dyn PurgeProgress,
) -> Result<Notices, AppError> {
    let (mut notices, due) = plan(ctx, conn, as_of)?;
    if dry_run {
        return Ok(notices);
    }
    let mut mailed = false;
    for notice in due {
        // What is not noticed yet is not purged either: the purge stops too.
        if progress.should_stop() {
            break;
        }
        let sent = ctx.write_on(conn, |conn| send(ctx, conn, &notice, as_of))?;
        for (class, _) in &sent {
            if let Some(summary) = notices.summary_mut(*class) {
                summary.sent += 1;
            }
        }
        mailed |= !sent.is_empty();
    }
    if mailed {
        ctx.wake_mailer();
    }
    Ok(notices)
}

/// The subjects under a regime that needs a notice: those whose email address some
/// request under it was made from, found by the address's keyed hash under every key.
fn noticed_subjects(ctx: &Context, conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    let emails =
        retention_notices::request_emails_under(conn, &ctx.keyring, &noticed_regime_codes())?;
    let mut hashes = Vec::with_capacity(emails.len());
    for email in &emails {
        // An address that does not read as one (say, stored sealed) would silently match
        // nobody, and people would lose their notice: stop the purge instead.
        let email = Email::parse(email).map_err(|_| {
            AppError::Internal(
                "a request's email address cannot be read, so who must be told before \
                 erasure is unknown"
                    .to_string(),
            )
        })?;
        hashes.extend(ctx.keyring.index_candidates(EMAIL_INDEX, email.as_str()));
    }
    let mut ids = Vec::new();
    for chunk in hashes.chunks(HASH_CHUNK) {
        ids.extend(retention_notices::subject_ids_by_email_hashes(conn, chunk)?);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The figures per class, and the subjects due a notice now.
fn plan(
    ctx: &Context,
    conn: &mut DbConn,
    as_of: OffsetDateTime,
) -> Result<(Notices, Vec<DueNotice>), AppError> {
    let mut notices = Notices::default();
    let subject_ids = noticed_subjects(ctx, conn)?;
    if subject_ids.is_empty() {
        return Ok((notices, Vec::new()));
    }
    let policy = &ctx.settings.policy.retention;
    let today = as_of.date();
    let mut uncovered: BTreeMap<String, Vec<(PurgeClass, i64)>> = BTreeMap::new();
    for class in NOTICE_CLASSES {
        let cutoff = to_db(policy.cutoff(class, as_of));
        let mut waiting = 0;
        for chunk in subject_ids.chunks(SUBJECT_CHUNK) {
            waiting += retention_notices::count_waiting(
                conn,
                class.as_str(),
                cutoff,
                today,
                to_db(as_of),
                chunk,
            )?;
            for (subject, n) in
                retention_notices::uncovered_by_subject(conn, class.as_str(), cutoff, today, chunk)?
            {
                uncovered.entry(subject).or_default().push((class, n));
            }
        }
        if let Some(summary) = notices.summary_mut(class) {
            summary.waiting = waiting;
        }
    }
    let mut due = Vec::new();
    for (subject_id, items) in uncovered {
        let subject = subjects::find_by_id(conn, &subject_id)?
            .ok_or_else(|| AppError::Internal("a subject due a notice vanished".to_string()))?;
        let email = Email::parse(&open_identity(ctx, &subject)?.email).ok();
        for (class, n) in &items {
            if let Some(summary) = notices.summary_mut(*class) {
                match email {
                    Some(_) => summary.due += 1,
                    // No address to tell: its items are purged as before, not kept.
                    None => summary.waiting -= n,
                }
            }
        }
        if let Some(email) = email {
            due.push(DueNotice {
                subject,
                email,
                items,
            });
        }
    }
    Ok((notices, due))
}

/// Gives one subject's notice in the caller's transaction: the notice rows, the mail and
/// the audit event. Returns the classes it covered, none when another purge told the
/// subject since the plan was made.
fn send(
    ctx: &Context,
    conn: &mut DbConn,
    notice: &DueNotice,
    as_of: OffsetDateTime,
) -> Result<Vec<(PurgeClass, i64)>, AppError> {
    retention_notices::lock_notices(conn)?;
    let policy = &ctx.settings.policy.retention;
    let subject_id = notice.subject.id.to_string();
    let one = std::slice::from_ref(&subject_id);
    let mut covered = Vec::new();
    for (class, _) in &notice.items {
        let cutoff = to_db(policy.cutoff(*class, as_of));
        let uncovered = retention_notices::uncovered_by_subject(
            conn,
            class.as_str(),
            cutoff,
            as_of.date(),
            one,
        )?;
        if let Some((_, n)) = uncovered.first() {
            covered.push((*class, *n, cutoff));
        }
    }
    if covered.is_empty() {
        return Ok(Vec::new());
    }
    let now = clock::now();
    let from = erase_from(given_at(as_of, now));
    for (class, n, cutoff) in &covered {
        retention_notices::insert(
            conn,
            &NewRetentionNotice {
                id: &uuid::Uuid::now_v7().to_string(),
                subject_id: &subject_id,
                retention_class: class.as_str(),
                covers_until: *cutoff,
                erase_from: to_db(from),
                sent_at: to_db(now),
                items: *n,
            },
        )?;
    }
    let lines: Vec<(PurgeClass, i64)> = covered.iter().map(|(c, n, _)| (*c, *n)).collect();
    let grievance = ctx.link("/requests/new?kind=grievance");
    // The notice goes to Indian subjects: their language is that of their newest request,
    // their clock the organisation's or India's.
    let locale =
        crate::store::requests::latest_locale_for_email(conn, &ctx.keyring, notice.email.as_str())?;
    let messages = Messages::for_locale(&locale);
    let zone = requester_zone(ctx.settings.configured_time_zone.as_ref(), Regime::In);
    let reader = compose::Reader {
        to: notice.email.as_str(),
        messages: &messages,
        zone: &zone,
    };
    let mail = compose::erasure_notice(&reader, &lines, from, &grievance)?;
    requests::queue_mail(conn, &ctx.keyring, &mail, now)?;
    let classes: serde_json::Map<String, serde_json::Value> = covered
        .iter()
        .map(|(c, n, _)| (c.as_str().to_string(), json!(n)))
        .collect();
    audit::append_event(
        conn,
        now,
        &Actor::System,
        NOTICE_SENT,
        &Target::Subject(notice.subject.id),
        &json!({
            "classes": classes,
            "erase_from": rfc3339(from),
            "as_of": rfc3339(as_of),
        }),
    )?;
    Ok(covered.into_iter().map(|(c, n, _)| (c, n)).collect())
}
