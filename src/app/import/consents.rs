//! A consents batch: a grant is recorded once; a later withdrawal closes it.

use time::OffsetDateTime;

use super::subject_index::SubjectIndex;
use super::{Batch, Counts};
use crate::domain::import_row::{ConsentItem, ImportItem};
use crate::error::AppError;
use crate::store::consents::{self, ConsentRow};
use crate::store::time::to_db;
use crate::store::DbConn;

pub(super) fn write_consents(
    conn: &mut DbConn,
    batch: Batch,
    subjects: &SubjectIndex,
    now: OffsetDateTime,
) -> Result<Counts, AppError> {
    let mut counts = Counts::default();
    for (_, item) in batch {
        let ImportItem::Consent(ConsentItem {
            email,
            purpose,
            granted_at,
            withdrawn_at,
            source,
        }) = item
        else {
            continue;
        };
        let subject = subjects.get(email.as_str())?;
        match consents::find_entry(conn, &subject.id, &purpose, to_db(granted_at), &source)? {
            None => {
                consents::insert(
                    conn,
                    &ConsentRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        subject_id: subject.id.clone(),
                        purpose,
                        granted_at: to_db(granted_at),
                        withdrawn_at: withdrawn_at.map(to_db),
                        source,
                        recorded_at: to_db(now),
                    },
                )?;
                counts.inserted += 1;
            }
            Some(entry) => match withdrawn_at {
                Some(at) if entry.withdrawn_at.is_none() => {
                    consents::close(conn, &entry.id, to_db(at))?;
                    counts.updated += 1;
                }
                _ => counts.unchanged += 1,
            },
        }
    }
    Ok(counts)
}
