//! The subjects of one import batch, found by their email's keyed hash or created.

use std::collections::{HashMap, HashSet};

use time::{OffsetDateTime, PrimitiveDateTime};

use crate::app::inventory::{seal_identity, Identity, EMAIL_INDEX};
use crate::app::Context;
use crate::domain::subject::Subject;
use crate::error::AppError;
use crate::store::subjects::{self, NewSubject};
use crate::store::time::to_db;
use crate::store::DbConn;

/// The batch's subjects by email, created when unknown.
pub(super) struct SubjectIndex {
    pub(super) by_email: HashMap<String, SubjectRef>,
    /// Emails whose subject this batch created.
    pub(super) created: HashSet<String>,
}

#[derive(Debug, Clone)]
pub(super) struct SubjectRef {
    pub(super) id: String,
    pub(super) cancelled_at: Option<PrimitiveDateTime>,
    /// The stored row, when it was read (existing subjects) and is still current.
    pub(super) row: Option<Subject>,
}

impl SubjectIndex {
    pub(super) fn resolve<'a>(
        ctx: &Context,
        conn: &mut DbConn,
        emails: impl Iterator<Item = &'a str>,
        initial: &HashMap<&str, (Option<String>, Option<PrimitiveDateTime>)>,
        now: OffsetDateTime,
    ) -> Result<SubjectIndex, AppError> {
        let emails: HashSet<&str> = emails.collect();
        let mut hash_to_email: HashMap<String, &str> = HashMap::new();
        for email in &emails {
            for hash in ctx.keyring.index_candidates(EMAIL_INDEX, email) {
                hash_to_email.insert(hash, email);
            }
        }
        let hashes: Vec<String> = hash_to_email.keys().cloned().collect();
        let mut by_email = HashMap::new();
        for row in subjects::find_many_by_email_hashes(conn, &hashes)? {
            if let Some(email) = hash_to_email.get(&row.email_hash) {
                by_email.insert(
                    email.to_string(),
                    SubjectRef {
                        id: row.id.to_string(),
                        cancelled_at: row.cancelled_at.map(to_db),
                        row: Some(row),
                    },
                );
            }
        }
        let mut fresh = Vec::new();
        let mut created = HashSet::new();
        let unknown: Vec<&str> = emails
            .into_iter()
            .filter(|e| !by_email.contains_key(*e))
            .collect();
        for email in unknown {
            let id = uuid::Uuid::now_v7().to_string();
            let (account_ref, cancelled_at) = initial.get(email).cloned().unwrap_or_default();
            let identity = Identity {
                email: email.to_string(),
                account_ref,
            };
            let sealed = seal_identity(ctx, &id, &identity)?;
            fresh.push(NewSubject {
                id: id.clone(),
                email_hash: ctx.keyring.index(EMAIL_INDEX, email),
                key_id: sealed.key_id,
                identity: sealed.bytes,
                cancelled_at,
                created_at: to_db(now),
                updated_at: to_db(now),
            });
            created.insert(email.to_string());
            by_email.insert(
                email.to_string(),
                SubjectRef {
                    id,
                    cancelled_at,
                    row: None,
                },
            );
        }
        subjects::insert_many(conn, &fresh)?;
        Ok(SubjectIndex { by_email, created })
    }

    pub(super) fn get(&self, email: &str) -> Result<&SubjectRef, AppError> {
        self.by_email
            .get(email)
            .ok_or_else(|| AppError::Internal("import: subject not resolved".to_string()))
    }
}
