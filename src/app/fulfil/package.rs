//! An access or portability request: the person's data package, sealed and offered for a
//! few days and a few downloads.

use std::collections::BTreeSet;

use serde_json::json;

use super::Effect;
use crate::app::inventory::{OpenedRecord, SubjectData};
use crate::app::random_bytes;
use crate::domain::audit::Target;
use crate::domain::email::Email;
use crate::domain::fulfilment::Effects;
use crate::domain::inventory::RetentionClass;
use crate::domain::retention::PurgeClass;
use crate::domain::token::{LinkToken, TOKEN_BYTES};
use crate::error::AppError;
use crate::files::package::{
    build_package, PackageConsent, PackageInput, PackageObjection, PackageRecord, RetentionNote,
};
use crate::store::packages::{self, PackageRow};
use crate::store::time::to_db;
use crate::store::DbConn;

/// How long a data package is offered, and how often it may be fetched.
pub const PACKAGE_DAYS: i64 = 7;
pub const PACKAGE_MAX_DOWNLOADS: i32 = 3;

pub(super) fn make_package(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    email: &Email,
    data: Option<&SubjectData>,
) -> Result<Effects, AppError> {
    let ctx = effect.ctx;
    let now = effect.now;
    let records: Vec<PackageRecord> = data
        .map(|d| d.records.iter().map(package_record).collect())
        .unwrap_or_default();
    let consents: Vec<PackageConsent> = data
        .map(|d| {
            d.consents
                .iter()
                .map(|c| PackageConsent {
                    purpose: c.purpose.clone(),
                    granted_at: c.granted_at,
                    withdrawn_at: c.withdrawn_at,
                    source: c.source.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let objections: Vec<PackageObjection> = data
        .map(|d| {
            d.objections
                .iter()
                .map(|o| PackageObjection {
                    purpose: o.purpose.clone(),
                    recorded_at: o.recorded_at,
                })
                .collect()
        })
        .unwrap_or_default();
    let retention: Vec<RetentionNote> = RetentionClass::ALL
        .iter()
        .map(|class| RetentionNote {
            class: class.as_str().to_string(),
            rule: effect
                .ctx
                .settings
                .policy
                .retention
                .describe(purge_class(*class)),
        })
        .collect();
    let account_ref = data.and_then(|d| d.identity.account_ref.as_deref());
    let zip = build_package(&PackageInput {
        reference: effect.request.reference.as_str(),
        organisation: &ctx.settings.public_url,
        generated_at: now,
        email: email.as_str(),
        account_ref,
        records: &records,
        consents: &consents,
        objections: &objections,
        retention: &retention,
    })
    .map_err(|e| AppError::Internal(format!("data package: {}", e.0)))?;

    let id = uuid::Uuid::now_v7().to_string();
    let token = LinkToken::from_random(random_bytes::<TOKEN_BYTES>()?);
    let content = ctx
        .keyring
        .seal(&zip, id.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let sealed_token = ctx
        .keyring
        .seal(token.as_str().as_bytes(), format!("{id} token").as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if sealed_token.key_id != content.key_id {
        return Err(AppError::Internal(
            "the sealing key changed mid-package".to_string(),
        ));
    }
    let expires_at = now + time::Duration::days(PACKAGE_DAYS);
    packages::insert(
        conn,
        &PackageRow {
            id: id.clone(),
            request_id: effect.request.id.to_string(),
            token_hash: token.hash().as_str().to_string(),
            key_id: content.key_id,
            sealed_token: sealed_token.bytes,
            size_bytes: zip.len() as i64,
            content: content.bytes,
            created_at: to_db(now),
            expires_at: to_db(expires_at),
            downloads: 0,
            max_downloads: PACKAGE_MAX_DOWNLOADS,
        },
    )?;
    let categories: BTreeSet<&str> = records.iter().map(|r| r.category.as_str()).collect();
    effect.record(
        "package.created",
        Target::Request(effect.request.id),
        json!({
            "package_id": id,
            "records": records.len(),
            "categories": categories,
            "bytes": zip.len(),
            "expires_at": to_db(expires_at).to_string(),
        }),
    );
    Ok(Effects::Package {
        records: records.len(),
        expires_on: expires_at.date().to_string(),
        downloads: PACKAGE_MAX_DOWNLOADS as u32,
    })
}

/// The purge class that deletes records of a retention class.
fn purge_class(class: RetentionClass) -> PurgeClass {
    match class {
        RetentionClass::Registration => PurgeClass::Registration,
        RetentionClass::RemovedContent => PurgeClass::RemovedContent,
        RetentionClass::ErasedRecords => PurgeClass::ErasedRecords,
    }
}

fn package_record(record: &OpenedRecord) -> PackageRecord {
    PackageRecord {
        id: record.record.id.to_string(),
        source: record.record.source.clone(),
        source_id: record.content.source_id.clone(),
        category: record.record.category_text().to_string(),
        state: record.record.state_text().to_string(),
        retention_class: record.record.retention_text().to_string(),
        created_at: record.record.created_at,
        updated_at: record.record.updated_at,
        payload: record.content.payload.clone(),
    }
}
