//! A consents batch: a grant is recorded once; a later withdrawal closes it.

use time::OffsetDateTime;

use super::subject_index::SubjectIndex;
use super::{Batch, Counts};
use crate::domain::ids::SubjectId;
use crate::domain::import_row::{ConsentItem, ImportItem};
use crate::domain::subject::Consent;
use crate::error::AppError;
use crate::store::consents;
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
        let subject_id: SubjectId = subject.id.parse().map_err(|_| {
            AppError::Internal("import: a subject id that does not parse".to_string())
        })?;
        match consents::find_entry(conn, &subject.id, &purpose, to_db(granted_at), &source)? {
            None => {
                consents::insert(
                    conn,
                    &Consent {
                        id: uuid::Uuid::now_v7().to_string(),
                        subject_id,
                        purpose,
                        granted_at,
                        withdrawn_at,
                        source,
                        recorded_at: now,
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
