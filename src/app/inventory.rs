//! The data inventory as the use cases see it: subjects found by email, records opened
//! and sealed, and what an officer is shown about a person.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::Context;
use crate::domain::email::Email;
use crate::domain::record::Record;
use crate::domain::subject::{Consent, Objection, Subject};
use crate::error::AppError;
use crate::store::consents;
use crate::store::records;
use crate::store::subjects::{self, NewSubject};
use crate::store::time::to_db;
use crate::store::DbConn;
use crate::vault::{Sealed, VaultError};

/// The keyed-hash domains: an email and a record's (source, source id) are found by these.
pub const EMAIL_INDEX: &str = "subject email";
pub const SOURCE_INDEX: &str = "record source";

/// What a subject's sealed identity holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub email: String,
    #[serde(default)]
    pub account_ref: Option<String>,
}

/// What a record's sealed content holds: everything personal about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordContent {
    pub source_id: String,
    pub payload: Map<String, Value>,
}

/// A record with its content opened.
#[derive(Debug, Clone)]
pub struct OpenedRecord {
    pub record: Record,
    pub content: RecordContent,
}

/// Everything held about one person, opened for an officer or a data package.
#[derive(Debug, Clone)]
pub struct SubjectData {
    pub subject: Subject,
    pub identity: Identity,
    pub records: Vec<OpenedRecord>,
    pub consents: Vec<Consent>,
    pub objections: Vec<Objection>,
}

fn vault_error(e: VaultError) -> AppError {
    AppError::Internal(format!("sealed data: {e}"))
}

pub fn source_key(ctx: &Context, source: &str, source_id: &str) -> String {
    ctx.keyring
        .index(SOURCE_INDEX, &format!("{source}\u{0}{source_id}"))
}

pub fn source_key_candidates(ctx: &Context, source: &str, source_id: &str) -> Vec<String> {
    ctx.keyring
        .index_candidates(SOURCE_INDEX, &format!("{source}\u{0}{source_id}"))
}

pub fn seal_identity(
    ctx: &Context,
    subject_id: &str,
    identity: &Identity,
) -> Result<Sealed, AppError> {
    let json = serde_json::to_vec(identity).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.keyring
        .seal(&json, subject_id.as_bytes())
        .map_err(vault_error)
}

pub fn open_identity(ctx: &Context, subject: &Subject) -> Result<Identity, AppError> {
    let json = ctx
        .keyring
        .open(
            &subject.key_id,
            &subject.identity,
            subject.id.to_string().as_bytes(),
        )
        .map_err(vault_error)?;
    serde_json::from_slice(&json).map_err(|e| AppError::Internal(format!("identity: {e}")))
}

pub fn seal_record(
    ctx: &Context,
    record_id: &str,
    content: &RecordContent,
) -> Result<Sealed, AppError> {
    let json = serde_json::to_vec(content).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.keyring
        .seal(&json, record_id.as_bytes())
        .map_err(vault_error)
}

pub fn open_record(ctx: &Context, record: Record) -> Result<OpenedRecord, AppError> {
    let json = ctx
        .keyring
        .open(
            &record.key_id,
            &record.sealed,
            record.id.to_string().as_bytes(),
        )
        .map_err(vault_error)?;
    let content =
        serde_json::from_slice(&json).map_err(|e| AppError::Internal(format!("record: {e}")))?;
    Ok(OpenedRecord { record, content })
}

/// The subject an email belongs to, under the current key or one before it.
pub fn find_subject(
    ctx: &Context,
    conn: &mut DbConn,
    email: &Email,
) -> Result<Option<Subject>, AppError> {
    let hashes = ctx.keyring.index_candidates(EMAIL_INDEX, email.as_str());
    Ok(subjects::find_by_email_hashes(conn, &hashes)?)
}

/// The subject an email belongs to, created (with only its sealed email) when there is
/// none yet. Two transactions may create the same person at once: the second one's insert
/// gives way to the first one's row, and both go on with that subject.
pub fn subject_or_new(
    ctx: &Context,
    conn: &mut DbConn,
    email: &Email,
    now: OffsetDateTime,
) -> Result<Subject, AppError> {
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
    subjects::insert_if_absent(conn, &row)?;
    find_subject(ctx, conn, email)?
        .ok_or_else(|| AppError::Internal("a new subject vanished".to_string()))
}

/// Everything held about the person with this email, or `None` when nothing is.
pub fn subject_data(
    ctx: &Context,
    conn: &mut DbConn,
    email: &Email,
) -> Result<Option<SubjectData>, AppError> {
    let Some(subject) = find_subject(ctx, conn, email)? else {
        return Ok(None);
    };
    let identity = open_identity(ctx, &subject)?;
    let subject_id = subject.id.to_string();
    let records = records::held_for_subject(conn, &subject_id)?
        .into_iter()
        .map(|record| open_record(ctx, record))
        .collect::<Result<Vec<_>, _>>()?;
    let consents = consents::history(conn, &subject_id)?;
    let objections = consents::objections_for(conn, &subject_id)?;
    Ok(Some(SubjectData {
        subject,
        identity,
        records,
        consents,
        objections,
    }))
}

/// The current consent state per purpose: granted when an entry is open.
pub fn consent_state<'a>(purposes: &[&'a str], ledger: &[Consent]) -> Vec<(&'a str, bool)> {
    purposes
        .iter()
        .map(|purpose| {
            let granted = ledger
                .iter()
                .any(|entry| entry.purpose == *purpose && entry.withdrawn_at.is_none());
            (*purpose, granted)
        })
        .collect()
}
