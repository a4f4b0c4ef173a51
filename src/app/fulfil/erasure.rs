//! An erasure: the person's records in use taken out of use, except what a legal hold
//! keeps; the account cancelled with it, so that registration data keeps its own clock.

use std::collections::HashSet;

use serde_json::json;

use super::Effect;
use crate::app::inventory::SubjectData;
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
    let subject_held = !holds::active_for(conn, "subject", &data.subject.id, today)?.is_empty();
    let record_ids: Vec<String> = data.records.iter().map(|r| r.row.id.clone()).collect();
    let held_records: HashSet<String> =
        holds::active_for_targets(conn, "record", &record_ids, today)?
            .into_iter()
            .map(|hold| hold.target_id)
            .collect();
    let mut candidates: Vec<HeldRecord> = Vec::new();
    for record in &data.records {
        let under_hold = subject_held || held_records.contains(&record.row.id);
        let row = &record.row;
        match HeldRecord::read(&row.id, &row.category, &row.state, under_hold) {
            Ok(Some(held)) => candidates.push(held),
            Ok(None) => {}
            Err(unreadable) => {
                let named = format!("the {} record {}", row.source, record.content.source_id);
                return Err(AppError::Conflict(unreadable.refusal(&named)));
            }
        }
    }
    let plan = plan_erasure(&candidates);
    let now = to_db(effect.now);

    // The account goes with the erasure: its registration data keeps its retention period
    // from the cancellation (an earlier one, or now).
    let has_account = data.identity.account_ref.is_some()
        || data
            .records
            .iter()
            .any(|r| r.row.retention_class == RetentionClass::Registration.as_str());
    if has_account && subjects::cancel(conn, &data.subject.id, now)? {
        records::start_registration_clock(conn, &data.subject.id, now)?;
        effect.record(
            "subject.cancelled",
            format!("subject:{}", data.subject.id),
            json!({ "registration_period": registration_period }),
        );
    }
    let cancelled_at = data.subject.cancelled_at.unwrap_or(now);
    for id in &plan.erase {
        let record = data
            .records
            .iter()
            .find(|r| &r.row.id == id)
            .ok_or_else(|| AppError::Internal("erasure lost a record".to_string()))?;
        let registration = record.row.retention_class == RetentionClass::Registration.as_str();
        let (class, from) = if registration {
            (RetentionClass::Registration, cancelled_at)
        } else {
            (RetentionClass::ErasedRecords, now)
        };
        if records::erase(conn, id, class.as_str(), from, now)? {
            effect.record(
                "record.erased",
                format!("record:{id}"),
                json!({ "category": record.row.category, "retention_class": class.as_str() }),
            );
        }
    }
    for id in &plan.kept {
        let category = data
            .records
            .iter()
            .find(|r| &r.row.id == id)
            .map(|r| r.row.category.clone())
            .unwrap_or_default();
        effect.record(
            "record.erasure_withheld",
            format!("record:{id}"),
            json!({ "category": category, "because": "legal_hold" }),
        );
    }
    Ok(Effects::Erased {
        plan,
        registration_period,
    })
}
