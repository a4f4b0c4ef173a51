//! Rectification and restriction: changes to chosen records of the person, or to all of
//! those in use.

use serde_json::json;

use super::Effect;
use super::FulfilChoices;
use crate::app::inventory::{seal_record, OpenedRecord, SubjectData};
use crate::domain::audit::Target;
use crate::domain::fulfilment::Effects;
use crate::domain::inventory::RecordState;
use crate::error::AppError;
use crate::store::records;
use crate::store::time::to_db;
use crate::store::DbConn;

/// The chosen records, each one of the subject's records in use.
fn chosen_records<'a>(
    data: &'a SubjectData,
    chosen: &[String],
) -> Result<Vec<&'a OpenedRecord>, AppError> {
    chosen
        .iter()
        .map(|id| {
            data.records
                .iter()
                .find(|r| &r.record.id.to_string() == id && r.record.in_use())
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "A chosen record is not one of this person's records in use.".to_string(),
                    )
                })
        })
        .collect()
}

pub(super) fn rectify(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    data: &SubjectData,
    choices: FulfilChoices<'_>,
) -> Result<Effects, AppError> {
    let correction = choices.correction.ok_or_else(|| {
        AppError::BadRequest("Write the correction to apply, as field: new value.".to_string())
    })?;
    if choices.records.is_empty() {
        return Err(AppError::BadRequest(
            "Choose the records the correction applies to.".to_string(),
        ));
    }
    let mut corrected = 0;
    for record in chosen_records(data, choices.records)? {
        let mut content = record.content.clone();
        let changed = correction.apply(&mut content.payload);
        if changed.is_empty() {
            continue;
        }
        let id = record.record.id.to_string();
        let sealed = seal_record(effect.ctx, &id, &content)?;
        records::reseal(conn, &id, &sealed.key_id, &sealed.bytes, to_db(effect.now))?;
        // The fields, never their old or new values.
        effect.record(
            "record.rectified",
            Target::Record(record.record.id),
            json!({ "fields": changed, "category": record.record.category_text() }),
        );
        corrected += 1;
    }
    Ok(Effects::Rectified { records: corrected })
}

pub(super) fn restrict(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    data: Option<&SubjectData>,
    chosen: &[String],
) -> Result<Effects, AppError> {
    let Some(data) = data else {
        return Ok(Effects::Restricted { records: 0 });
    };
    let targets: Vec<&OpenedRecord> = if chosen.is_empty() {
        let mut active = Vec::new();
        for record in &data.records {
            match &record.record.state {
                Ok(RecordState::Active) => active.push(record),
                Ok(_) => {}
                // A record whose state cannot be read might be in use: restricting around
                // it would leave it in use without a word, so nothing is restricted.
                Err(bad) => {
                    return Err(AppError::Conflict(format!(
                        "This restriction cannot go ahead: the {} record {} has the state \
                         {:?}, which the inventory does not know. Nothing was changed. Correct \
                         the record in the data inventory, then fulfil the request again.",
                        record.record.source, record.content.source_id, bad.text
                    )))
                }
            }
        }
        active
    } else {
        chosen_records(data, chosen)?
    };
    let mut restricted = 0;
    for record in targets {
        if records::restrict(conn, &record.record.id.to_string(), to_db(effect.now))? {
            effect.record(
                "record.restricted",
                Target::Record(record.record.id),
                json!({ "category": record.record.category_text() }),
            );
            restricted += 1;
        }
    }
    Ok(Effects::Restricted {
        records: restricted,
    })
}
