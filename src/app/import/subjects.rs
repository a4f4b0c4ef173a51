//! A subjects batch: account references and cancellation dates, the registration clock
//! started when a subject's account is cancelled.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::subject_index::SubjectIndex;
use super::{Batch, Counts};
use crate::app::inventory::{open_identity, seal_identity, Identity, EMAIL_INDEX};
use crate::app::Context;
use crate::domain::import_row::{ImportItem, SubjectItem};
use crate::error::AppError;
use crate::store::records;
use crate::store::subjects;
use crate::store::time::to_db;
use crate::store::DbConn;

pub(super) fn write_subjects(
    ctx: &Context,
    conn: &mut DbConn,
    batch: Batch,
    subjects: &mut SubjectIndex,
    now: OffsetDateTime,
) -> Result<Counts, AppError> {
    let mut counts = Counts::default();
    let mut seen = HashSet::new();
    for (_, item) in batch {
        let ImportItem::Subject(SubjectItem {
            email,
            account_ref,
            cancelled_at,
        }) = item
        else {
            continue;
        };
        if subjects.created.contains(email.as_str()) && seen.insert(email.to_string()) {
            // Created by this batch with this item's values.
            counts.inserted += 1;
            continue;
        }
        let subject = subjects.get(email.as_str())?.clone();
        let row = match subject.row {
            Some(row) => row,
            None => subjects::find_by_id(conn, &subject.id)?
                .ok_or_else(|| AppError::Internal("import: subject vanished".to_string()))?,
        };
        let row_id = row.id.to_string();
        let mut changed = false;
        let identity = open_identity(ctx, &row)?;
        if account_ref.is_some() && account_ref != identity.account_ref {
            let identity = Identity {
                email: email.to_string(),
                account_ref,
            };
            let sealed = seal_identity(ctx, &row_id, &identity)?;
            subjects::update_identity(
                conn,
                &row_id,
                &ctx.keyring.index(EMAIL_INDEX, email.as_str()),
                &sealed.key_id,
                &sealed.bytes,
                to_db(now),
            )?;
            changed = true;
        }
        if let Some(at) = cancelled_at.map(to_db) {
            if row.cancelled_at.map(to_db) != Some(at) {
                subjects::set_cancelled_at(conn, &row_id, at, to_db(now))?;
                records::start_registration_clock(conn, &row_id, at)?;
                if let Some(entry) = subjects.by_email.get_mut(email.as_str()) {
                    entry.cancelled_at = Some(at);
                }
                changed = true;
            }
        }
        if changed {
            // A later item for this subject in the batch reads the row afresh.
            if let Some(entry) = subjects.by_email.get_mut(email.as_str()) {
                entry.row = None;
            }
            counts.updated += 1;
        } else {
            counts.unchanged += 1;
        }
    }
    Ok(counts)
}
