//! What `fulfil` does to the data held, by kind of request. Runs inside the action's
//! transaction: every effect and its one audit event commit with the status change.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::inventory::{
    find_subject, seal_identity, seal_record, subject_data, Identity, OpenedRecord, SubjectData,
    EMAIL_INDEX,
};
use super::random_bytes;
use super::requests::LoadedRequest;
use super::transition::EffectEvent;
use super::Context;
use crate::domain::email::Email;
use crate::domain::fulfilment::{plan_erasure, Correction, Effects, HeldRecord};
use crate::domain::inventory::{Category, RecordState, RetentionClass};
use crate::domain::kind::RequestKind;
use crate::domain::retention::PurgeClass;
use crate::domain::token::{LinkToken, TOKEN_BYTES};
use crate::error::AppError;
use crate::package::{
    build_package, PackageConsent, PackageInput, PackageObjection, PackageRecord, RetentionNote,
};
use crate::store::consents::{self, ObjectionRow};
use crate::store::holds;
use crate::store::packages::{self, PackageRow};
use crate::store::records;
use crate::store::subjects::{self, NewSubject, SubjectRow};
use crate::store::time::{from_db, to_db};
use crate::store::DbConn;

/// How long a data package is offered, and how often it may be fetched.
pub const PACKAGE_DAYS: i64 = 7;
pub const PACKAGE_MAX_DOWNLOADS: i32 = 3;

/// The officer's choices for a fulfilment.
#[derive(Debug, Clone, Copy)]
pub struct FulfilChoices<'a> {
    pub records: &'a [String],
    pub correction: Option<&'a Correction>,
    pub purposes: &'a [String],
}

struct Effect<'a> {
    ctx: &'a Context,
    request: &'a LoadedRequest,
    now: OffsetDateTime,
    /// The audit events of what was done, written after the request's own change.
    events: RefCell<Vec<EffectEvent>>,
}

impl Effect<'_> {
    fn record(&self, action: &'static str, target: String, mut details: Value) {
        details["reference"] = Value::String(self.request.row.reference.clone());
        self.events.borrow_mut().push(EffectEvent {
            action,
            target,
            details: details.to_string(),
        });
    }
}

/// What a fulfilment did to the data held, and the audit events that record it. The events
/// are appended with the request's transition (see [`super::transition::apply_after`]),
/// once every row the action changes has been changed.
#[derive(Debug)]
pub struct Fulfilment {
    pub effects: Effects,
    pub events: Vec<EffectEvent>,
}

pub fn apply(
    ctx: &Context,
    conn: &mut DbConn,
    request: &LoadedRequest,
    choices: FulfilChoices<'_>,
    now: OffsetDateTime,
) -> Result<Fulfilment, AppError> {
    let effect = Effect {
        ctx,
        request,
        now,
        events: RefCell::new(Vec::new()),
    };
    let effects = apply_effects(&effect, conn, choices)?;
    Ok(Fulfilment {
        effects,
        events: effect.events.into_inner(),
    })
}

fn apply_effects(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    choices: FulfilChoices<'_>,
) -> Result<Effects, AppError> {
    let (ctx, request, now) = (effect.ctx, effect.request, effect.now);
    let email = Email::parse(&request.row.email)
        .map_err(|_| AppError::Internal("a stored request email does not parse".to_string()))?;
    match request.kind {
        RequestKind::Access | RequestKind::Portability => {
            let data = subject_data(ctx, conn, &email)?;
            make_package(effect, conn, &email, data.as_ref())
        }
        RequestKind::Rectification => {
            let data = subject_data(ctx, conn, &email)?.ok_or_else(no_data)?;
            rectify(effect, conn, &data, choices)
        }
        RequestKind::Erasure => {
            let data = subject_data(ctx, conn, &email)?;
            erase(effect, conn, data)
        }
        RequestKind::Restriction => {
            let data = subject_data(ctx, conn, &email)?;
            restrict(effect, conn, data.as_ref(), choices.records)
        }
        RequestKind::Objection => {
            let purposes = chosen_purposes(ctx, request, choices.purposes)?;
            let subject = subject_or_new(ctx, conn, &email, now)?;
            for purpose in &purposes {
                let recorded = consents::insert_objection(
                    conn,
                    &ObjectionRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        subject_id: subject.id.clone(),
                        purpose: purpose.clone(),
                        request_id: request.row.id.clone(),
                        recorded_at: to_db(now),
                    },
                )?;
                if recorded {
                    effect.record(
                        "objection.recorded",
                        format!("subject:{}", subject.id),
                        json!({ "purpose": purpose }),
                    );
                }
            }
            Ok(Effects::Objected { purposes })
        }
        RequestKind::ConsentWithdrawal => {
            let purposes = chosen_purposes(ctx, request, choices.purposes)?;
            if let Some(subject) = find_subject(ctx, conn, &email)? {
                for purpose in &purposes {
                    let mut closed = 0;
                    for entry in consents::open_for(conn, &subject.id, purpose)? {
                        if consents::close(conn, &entry.id, to_db(now))? {
                            closed += 1;
                        }
                    }
                    if closed > 0 {
                        effect.record(
                            "consent.withdrawn",
                            format!("subject:{}", subject.id),
                            json!({ "purpose": purpose, "entries": closed }),
                        );
                    }
                }
            }
            Ok(Effects::ConsentWithdrawn { purposes })
        }
        RequestKind::Grievance => Ok(Effects::None),
    }
}

fn no_data() -> AppError {
    AppError::Conflict(
        "We hold no records about this requester to correct. Reject the request with the reason \"We hold no data about you\" instead.".to_string(),
    )
}

/// The purposes the officer chose, or else the ones the requester named; each one must be
/// a configured purpose.
fn chosen_purposes(
    ctx: &Context,
    request: &LoadedRequest,
    chosen: &[String],
) -> Result<Vec<String>, AppError> {
    let configured = ctx.settings.policy.purpose_slugs();
    let purposes: Vec<String> = if chosen.is_empty() {
        request
            .row
            .purposes
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    } else {
        chosen.to_vec()
    };
    if purposes.is_empty() {
        return Err(AppError::BadRequest(
            "Choose the purposes this request covers.".to_string(),
        ));
    }
    if let Some(unknown) = purposes.iter().find(|p| !configured.contains(&p.as_str())) {
        return Err(AppError::BadRequest(format!(
            "{unknown:?} is not one of the configured purposes."
        )));
    }
    Ok(purposes)
}

pub(crate) fn subject_or_new(
    ctx: &Context,
    conn: &mut DbConn,
    email: &Email,
    now: OffsetDateTime,
) -> Result<SubjectRow, AppError> {
    if let Some(subject) = find_subject(ctx, conn, email)? {
        return Ok(subject);
    }
    let id = uuid::Uuid::now_v7().to_string();
    let sealed = seal_identity(
        ctx,
        &id,
        &Identity {
            email: email.to_string(),
            account_ref: None,
        },
    )?;
    let row = NewSubject {
        id: id.clone(),
        email_hash: ctx.keyring.index(EMAIL_INDEX, email.as_str()),
        key_id: sealed.key_id,
        identity: sealed.bytes,
        cancelled_at: None,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    subjects::insert_many(conn, std::slice::from_ref(&row))?;
    subjects::find_by_id(conn, &id)?
        .ok_or_else(|| AppError::Internal("a new subject vanished".to_string()))
}

fn make_package(
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
                    granted_at: from_db(c.granted_at),
                    withdrawn_at: c.withdrawn_at.map(from_db),
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
                    recorded_at: from_db(o.recorded_at),
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
        reference: &effect.request.row.reference,
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
            request_id: effect.request.row.id.clone(),
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
        effect.request.audit_target(),
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
        id: record.row.id.clone(),
        source: record.row.source.clone(),
        source_id: record.content.source_id.clone(),
        category: record.row.category.clone(),
        state: record.row.state.clone(),
        retention_class: record.row.retention_class.clone(),
        created_at: from_db(record.row.created_at),
        updated_at: from_db(record.row.updated_at),
        payload: record.content.payload.clone(),
    }
}

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
                .find(|r| &r.row.id == id && state_of(r).in_use())
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "A chosen record is not one of this person's records in use.".to_string(),
                    )
                })
        })
        .collect()
}

fn state_of(record: &OpenedRecord) -> RecordState {
    record.row.state.parse().unwrap_or(RecordState::Purged)
}

fn rectify(
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
        let sealed = seal_record(effect.ctx, &record.row.id, &content)?;
        records::reseal(
            conn,
            &record.row.id,
            &sealed.key_id,
            &sealed.bytes,
            to_db(effect.now),
        )?;
        // The fields, never their old or new values.
        effect.record(
            "record.rectified",
            format!("record:{}", record.row.id),
            json!({ "fields": changed, "category": record.row.category }),
        );
        corrected += 1;
    }
    Ok(Effects::Rectified { records: corrected })
}

fn erase(
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
    let candidates: Vec<HeldRecord> = data
        .records
        .iter()
        .filter_map(|r| {
            Some(HeldRecord {
                id: r.row.id.clone(),
                category: Category::parse(&r.row.category).ok()?,
                state: state_of(r),
                under_hold: subject_held || held_records.contains(&r.row.id),
            })
        })
        .collect();
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

fn restrict(
    effect: &Effect<'_>,
    conn: &mut DbConn,
    data: Option<&SubjectData>,
    chosen: &[String],
) -> Result<Effects, AppError> {
    let Some(data) = data else {
        return Ok(Effects::Restricted { records: 0 });
    };
    let targets: Vec<&OpenedRecord> = if chosen.is_empty() {
        data.records
            .iter()
            .filter(|r| state_of(r) == RecordState::Active)
            .collect()
    } else {
        chosen_records(data, chosen)?
    };
    let mut restricted = 0;
    for record in targets {
        if records::restrict(conn, &record.row.id, to_db(effect.now))? {
            effect.record(
                "record.restricted",
                format!("record:{}", record.row.id),
                json!({ "category": record.row.category }),
            );
            restricted += 1;
        }
    }
    Ok(Effects::Restricted {
        records: restricted,
    })
}

/// The subject a request's email belongs to, for pages (no change).
pub fn subject_of(
    ctx: &Context,
    conn: &mut DbConn,
    request: &LoadedRequest,
) -> Result<Option<SubjectData>, AppError> {
    match Email::parse(&request.row.email) {
        Ok(email) => subject_data(ctx, conn, &email),
        Err(_) => Ok(None),
    }
}
