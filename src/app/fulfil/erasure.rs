//! An erasure: the person's records in use taken out of use, except what a legal hold
//! keeps; the account cancelled with it, so that registration data keeps its own clock.

use std::collections::HashSet;

use serde_json::json;

use super::Effect;
use crate::app::inventory::SubjectData;
use crate::domain::audit::Target;
use crate::domain::fulfilment::{plan_erasure, Effects, HeldRecord};
use crate::domain::inventory::RetentionClass;
use crate::domain::retention::PurgeClass;
use crate::error::AppError;
use crate::store::holds;
use crate::store::records;
use crate::store::subjects;
use crate::store::time::to_db;
use crate::store::DbConn;

pub(super) fn erase(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    data: Option<SubjectData>,
) -> Result<Effects, AppError> {
    let registration_period = effect
        .ctx
        .settings
        .policy
        .retention
        .period(PurgeClass::Registration)
        .to_string();
    let Some(data) = data else {
        return Ok(Effects::Erased {
            plan: Default::default(),
            registration_period,
        });
    };
    let today = effect.now.date();
    let subject_id = data.subject.id.to_string();
    let subject_held =
        !holds::active_for(conn, &effect.ctx.keyring, "subject", &subject_id, today)?.is_empty();
    let record_ids: Vec<String> = data
        .records
        .iter()
        .map(|r| r.record.id.to_string())
        .collect();
    let held_records: HashSet<String> =
        holds::active_for_targets(conn, &effect.ctx.keyring, "record", &record_ids, today)?
            .into_iter()
            .map(|hold| hold.target_id)
            .collect();
    let mut candidates: Vec<HeldRecord> = Vec::new();
    for record in &data.records {
        let stored = &record.record;
        let id = stored.id.to_string();
        let under_hold = subject_held || held_records.contains(&id);
        match HeldRecord::of(&id, &stored.category, &stored.state, under_hold) {
            Ok(Some(held)) => candidates.push(held),
            Ok(None) => {}
            Err(unreadable) => {
                let named = format!("the {} record {}", stored.source, record.content.source_id);
                return Err(AppError::Conflict(unreadable.refusal(&named)));
            }
        }
    }
    let plan = plan_erasure(&candidates);
    let now = effect.now;

    // The account goes with the erasure: its registration data keeps its retention period
    // from the cancellation (an earlier one, or now).
    let has_account = data.identity.account_ref.is_some()
        || data.records.iter().any(|r| r.record.is_registration());
    if has_account && subjects::cancel(conn, &subject_id, to_db(now))? {
        records::start_registration_clock(conn, &subject_id, to_db(now))?;
        effect.record(
            "subject.cancelled",
            Target::Subject(data.subject.id),
            json!({ "registration_period": registration_period }),
        );
    }
    let cancelled_at = data.subject.cancelled_at.unwrap_or(now);
    for id in &plan.erase {
        let record = data
            .records
            .iter()
            .find(|r| &r.record.id.to_string() == id)
            .ok_or_else(|| AppError::Internal("erasure lost a record".to_string()))?;
        let registration = record.record.is_registration();
        let (class, from) = if registration {
            (RetentionClass::Registration, cancelled_at)
        } else {
            (RetentionClass::ErasedRecords, now)
        };
        if records::erase(conn, id, class.as_str(), to_db(from), to_db(now))? {
            effect.record(
                "record.erased",
                Target::Record(record.record.id),
                json!({ "category": record.record.category_text(), "retention_class": class.as_str() }),
            );
        }
    }
    for id in &plan.kept {
        let record = data
            .records
            .iter()
            .find(|r| &r.record.id.to_string() == id)
            .ok_or_else(|| AppError::Internal("erasure lost a record".to_string()))?;
        effect.record(
            "record.erasure_withheld",
            Target::Record(record.record.id),
            json!({ "category": record.record.category_text(), "because": "legal_hold" }),
        );
    }
    Ok(Effects::Erased {
        plan,
        registration_period,
    })
}
