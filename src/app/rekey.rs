//! `rekey`: every sealed value re-sealed, and every keyed hash computed again, under the
//! current key, so that an older key can leave `RIGHTSDESK_PREVIOUS_SECRET_KEYS`. Batches,
//! each its own transaction: a crash loses at most one, and a second run picks up what is
//! still under an old key (or not sealed at all: rows written before sealing existed).
//!
//! The audit chain is never re-hashed (exported checkpoints must keep matching): before
//! re-sealing, the run verifies it with every configured key and writes a rotation seal
//! under the current key over the era made with the older ones (`app::audit::rotation`), so
//! `audit verify` passes once they are gone. On PostgreSQL the tables re-sealed are then
//! vacuumed, outside any transaction; see `docs/ARCHITECTURE.md`.

use serde_json::json;

use super::audit::{seal_retired_era, Rotation, VerifyError};
use super::inventory::{self, Identity, RecordContent, EMAIL_INDEX};
use super::{clock, Context};
use crate::domain::audit::{Actor, Target};
use crate::error::AppError;
use crate::store::reseal::Batch;
use crate::store::{audit, reseal, DbConn, StoreError};

pub const DEFAULT_BATCH_SIZE: i64 = 500;

/// What a run reports as it goes.
pub trait RekeyProgress {
    fn started(&mut self, _total: u64) {}
    fn resealed(&mut self, _table: &str, _rows: u64) {}
    /// About to vacuum `table` (PostgreSQL only).
    fn vacuuming(&mut self, _table: &str) {}
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RekeyRun {
    /// Rows re-sealed per table, in `reseal::TABLES` order.
    pub resealed: Vec<(&'static str, u64)>,
    /// The audit era of the older keys: sealed now, already, or nothing to seal.
    pub rotation: Option<Rotation>,
    /// Tables vacuumed afterwards (PostgreSQL), with the seconds each took.
    pub vacuumed: Vec<(&'static str, f64)>,
}

/// Which parts of a run to do beside re-sealing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Steps {
    seal_audit_era: bool,
    vacuum: bool,
}

pub struct Quiet;
impl RekeyProgress for Quiet {}

/// The migration that began sealing: rows written before it are sealed as it is applied.
const SEALING_MIGRATION: &str = "20261201000031";

/// Seals the rows written before sealing existed, right after the migration that added
/// the columns (a `rekey` run does the same, and finishes one cut short).
pub fn seal_after_upgrade(ctx: &Context, applied: &[String]) -> Result<(), AppError> {
    let upgraded = applied
        .iter()
        .any(|v| v.replace('-', "").starts_with(SEALING_MIGRATION));
    // A new database has nothing to seal, and its audit trail stays empty.
    // The key is the one already in use: there is no audit era to seal for a retirement.
    if upgraded && count_stale(ctx)?.iter().any(|(_, n)| *n > 0) {
        let steps = Steps {
            seal_audit_era: false,
            vacuum: false,
        };
        run_steps(ctx, DEFAULT_BATCH_SIZE, &mut Quiet, steps)?;
    }
    Ok(())
}

/// Rows of each table still under an old key (or unsealed), in `reseal::TABLES` order.
pub fn count_stale(ctx: &Context) -> Result<Vec<(&'static str, i64)>, AppError> {
    Ok(reseal::count_stale(&mut *ctx.conn()?, &ctx.keyring)?)
}

/// Seals the audit era of the older keys, re-seals everything under the current key, then
/// (PostgreSQL) vacuums the tables it rewrote.
pub fn run(
    ctx: &Context,
    batch_size: i64,
    progress: &mut dyn RekeyProgress,
) -> Result<RekeyRun, AppError> {
    let steps = Steps {
        seal_audit_era: true,
        vacuum: true,
    };
    run_steps(ctx, batch_size, progress, steps)
}

fn run_steps(
    ctx: &Context,
    batch_size: i64,
    progress: &mut dyn RekeyProgress,
    steps: Steps,
) -> Result<RekeyRun, AppError> {
    let before = count_stale(ctx)?;
    let total: i64 = before.iter().map(|(_, n)| n).sum();
    let run_id = uuid::Uuid::now_v7().to_string();
    let target = Target::Rekey(run_id.to_string());
    let key_id = ctx.keyring.current_key_id().to_string();
    ctx.write(|conn| {
        audit::append_event(
            conn,
            clock::now(),
            &Actor::Operator,
            "vault.rekey_started",
            &target,
            &json!({ "key_id": key_id, "stale": counts_json(&before) }),
        )?;
        Ok(())
    })?;
    let rotation = if steps.seal_audit_era {
        Some(seal_retired_era(ctx, &target).map_err(|error| match error {
            VerifyError::Broken(broken) => AppError::Conflict(format!(
                "the audit chain does not verify, so its era cannot be sealed for the older keys' retirement (nothing was re-sealed): {broken}"
            )),
            VerifyError::App(error) => error,
        })?)
    } else {
        None
    };
    progress.started(total.max(0) as u64);
    let mut conn = ctx.conn()?;
    reseal::overwrite_replaced(&mut conn)?;
    let mut done = Vec::new();
    for table in reseal::TABLES {
        let mut rows = 0u64;
        let mut after = String::new();
        loop {
            let done = ctx.write_on(&mut conn, |conn| {
                batch(ctx, conn, table, &after, batch_size)
            })?;
            rows += done.resealed as u64;
            progress.resealed(table, done.resealed as u64);
            match done.last_id {
                Some(last) if (done.resealed as i64) == batch_size => after = last,
                _ => break,
            }
        }
        done.push((*table, rows));
    }
    ctx.write(|conn| {
        let resealed: serde_json::Map<String, serde_json::Value> = done
            .iter()
            .map(|(t, n)| (t.to_string(), json!(n)))
            .collect();
        audit::append_event(
            conn,
            clock::now(),
            &Actor::Operator,
            "vault.rekey_finished",
            &target,
            &json!({ "key_id": key_id, "resealed": resealed }),
        )?;
        Ok(())
    })?;
    reseal::checkpoint(&mut conn)?;
    let mut vacuumed = Vec::new();
    if steps.vacuum && reseal::vacuums(&conn) {
        for (table, rows) in &done {
            if *rows > 0 {
                progress.vacuuming(table);
                let started = std::time::Instant::now();
                reseal::vacuum_analyze(&mut conn, table)?;
                vacuumed.push((*table, started.elapsed().as_secs_f64()));
            }
        }
    }
    Ok(RekeyRun {
        resealed: done,
        rotation,
        vacuumed,
    })
}

fn counts_json(counts: &[(&str, i64)]) -> serde_json::Value {
    counts
        .iter()
        .map(|(t, n)| (t.to_string(), json!(n)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// One batch of one table; returns how many rows it re-sealed.
fn batch(
    ctx: &Context,
    conn: &mut DbConn,
    table: &str,
    after: &str,
    limit: i64,
) -> Result<Batch, AppError> {
    let vault = &ctx.keyring;
    Ok(match table {
        "requests" => reseal::requests_batch(conn, vault, after, limit)?,
        "request_messages" => reseal::messages_batch(conn, vault, after, limit)?,
        "legal_holds" => reseal::holds_batch(conn, vault, after, limit)?,
        "mail_outbox" => reseal::outbox_batch(conn, vault, after, limit)?,
        "webhook_endpoints" => reseal::webhook_endpoints_batch(conn, vault, after, limit)?,
        "webhook_deliveries" => reseal::webhook_deliveries_batch(conn, vault, after, limit)?,
        "officers" => {
            let rows = reseal::stale_totp_secrets(conn, vault, after, limit)?;
            for (id, stored) in &rows {
                let sealed = super::auth::reseal_totp_secret(ctx, id, stored)?;
                reseal::set_totp_secret(conn, id, &sealed)?;
            }
            Batch::of(&rows, |row| row.0.as_str())
        }
        "subjects" => {
            let rows = reseal::stale_subjects(conn, vault, after, limit)?;
            for (id, key_id, sealed) in &rows {
                let json = vault
                    .open(key_id, sealed, id.as_bytes())
                    .map_err(StoreError::Sealed)?;
                let identity: Identity = serde_json::from_slice(&json)
                    .map_err(|_| StoreError::corrupt("subjects", id))?;
                let fresh = inventory::seal_identity(ctx, id, &identity)?;
                let hash = vault.index(EMAIL_INDEX, &identity.email);
                reseal::set_subject(conn, id, &fresh.key_id, &fresh.bytes, &hash)?;
            }
            Batch::of(&rows, |row| row.0.as_str())
        }
        "personal_records" => {
            let rows = reseal::stale_records(conn, vault, after, limit)?;
            for (id, source, key_id, sealed) in &rows {
                let json = vault
                    .open(key_id, sealed, id.as_bytes())
                    .map_err(StoreError::Sealed)?;
                let content: RecordContent = serde_json::from_slice(&json)
                    .map_err(|_| StoreError::corrupt("personal_records", id))?;
                let fresh = inventory::seal_record(ctx, id, &content)?;
                let source_key = inventory::source_key(ctx, source, &content.source_id);
                reseal::set_record(conn, id, &fresh.key_id, &fresh.bytes, &source_key)?;
            }
            Batch::of(&rows, |row| row.0.as_str())
        }
        "data_packages" => {
            let rows = reseal::stale_packages(conn, vault, after, limit)?;
            for (id, key_id, token, content) in &rows {
                let token_context = format!("{id} token");
                let open = |bytes: &[u8], context: &[u8]| {
                    vault
                        .open(key_id, bytes, context)
                        .map_err(StoreError::Sealed)
                };
                let token = vault
                    .seal(
                        &open(token, token_context.as_bytes())?,
                        token_context.as_bytes(),
                    )
                    .map_err(StoreError::Sealed)?;
                let content = vault
                    .seal(&open(content, id.as_bytes())?, id.as_bytes())
                    .map_err(StoreError::Sealed)?;
                reseal::set_package(conn, id, &token.key_id, &token.bytes, &content.bytes)?;
            }
            Batch::of(&rows, |row| row.0.as_str())
        }
        other => return Err(AppError::Internal(format!("rekey: no table {other}"))),
    })
}
