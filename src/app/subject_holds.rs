//! Legal holds an admin places on a person without a request (a court's or regulator's
//! order naming them), found by the keyed hash of their email, and their release.
//!
//! A hold on someone about whom nothing is held yet is still placed: it creates the subject
//! (their sealed email under its keyed hash, nothing else), and it protects what arrives
//! later. Imports, the ingest and fulfilments find a person by that same hash, so a record
//! that arrives after the order attaches to the held subject and the purge keeps it. A
//! preservation order covers data "held now or later"; refusing would leave the gap the
//! order exists to close, and telling the admin "unknown" in words would be the only
//! difference. The page says which case it was (no email goes into the URL or the log).

use serde_json::{json, Value};

use super::inventory::{find_subject, open_identity, subject_or_new};
use super::officer::CurrentOfficer;
use super::{clock, Context};
use crate::domain::audit::Target;
use crate::domain::hold::{Hold, HoldScope};
use crate::domain::ids::SubjectId;
use crate::domain::subject_hold::{RawSubjectHold, SubjectHoldOrder};
use crate::error::AppError;
use crate::store::audit;
use crate::store::holds::{self, NewHold};
use crate::store::time::to_db;
use crate::store::{requests, subjects, DbConn};

/// The scope of holds on everything held about one person.
pub const SUBJECT_HOLD_SCOPE: &str = "subject";

/// A hold on a person, as the admin page lists it.
#[derive(Debug, Clone)]
pub struct SubjectHold {
    pub hold: Hold,
    /// The person's email, opened from the vault for the admin.
    pub email: String,
    /// The reference of the request it was placed from, if any.
    pub origin_reference: Option<String>,
    pub placed_by: String,
}

/// What placing a hold found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// Data about the person was already held; the hold keeps it.
    OnKnownSubject,
    /// Nothing was held yet; the hold keeps whatever arrives under that email.
    OnNewSubject,
}

fn ensure_admin(officer: &CurrentOfficer) -> Result<(), AppError> {
    if officer.scope.can_hold_without_request() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only admins place and release legal holds on a person without a request.".to_string(),
        ))
    }
}

/// Every hold in force on a person's data as a whole, newest first.
pub fn list(ctx: &Context, officer: &CurrentOfficer) -> Result<Vec<SubjectHold>, AppError> {
    ensure_admin(officer)?;
    let mut conn = ctx.conn()?;
    let names = super::officer::names(&mut conn)?;
    holds::list_active(&mut conn, &ctx.keyring, clock::now().date())?
        .into_iter()
        .filter(|hold| hold.scope == HoldScope::Subject)
        .map(|hold| {
            let subject = subjects::find_by_id(&mut conn, &hold.target_id)?.ok_or_else(|| {
                AppError::Internal(format!("hold {} covers a missing subject", hold.id))
            })?;
            let email = open_identity(ctx, &subject)?.email;
            let origin_reference = match hold.origin_request_id {
                Some(id) => requests::find_by_id(&mut conn, &ctx.keyring, id)?
                    .map(|r| r.reference.to_string()),
                None => None,
            };
            let placed_by = super::officer::name_of(&names, hold.placed_by);
            Ok(SubjectHold {
                hold,
                email,
                origin_reference,
                placed_by,
            })
        })
        .collect()
}

/// Places a hold on everything held about the person with this email, now and later.
pub fn place(
    ctx: &Context,
    officer: &CurrentOfficer,
    raw: &RawSubjectHold,
) -> Result<Placed, AppError> {
    ensure_admin(officer)?;
    let now = clock::now();
    let order = SubjectHoldOrder::parse(raw, now.date()).map_err(AppError::Invalid)?;
    ctx.write(|conn| {
        let known = find_subject(ctx, conn, &order.email)?;
        let placed = match known {
            Some(_) => Placed::OnKnownSubject,
            None => Placed::OnNewSubject,
        };
        let subject = match known {
            Some(subject) => subject,
            None => subject_or_new(ctx, conn, &order.email, now)?,
        };
        let id = uuid::Uuid::now_v7().to_string();
        let subject_id = subject.id.to_string();
        holds::insert(
            conn,
            &ctx.keyring,
            &NewHold {
                id: &id,
                scope: SUBJECT_HOLD_SCOPE,
                target_id: &subject_id,
                order_reference: &order.order_reference,
                reason: &order.reason,
                placed_by: &officer.id.to_string(),
                placed_at: to_db(now),
                expires_on: order.expires_on,
                origin_request_id: None,
            },
        )?;
        // Ids and dates only: the order's reference and reason may name people.
        let details = json!({
            "hold_id": id,
            "scope": SUBJECT_HOLD_SCOPE,
            "expires_on": order.expires_on.map(|d| d.to_string()),
            "subject_created": placed == Placed::OnNewSubject,
        });
        record(
            conn,
            officer,
            "subject.hold_placed",
            subject.id,
            &details,
            now,
        )?;
        Ok(placed)
    })
}

/// Releases a hold on a person's data (whichever request, if any, it came from).
pub fn release(ctx: &Context, officer: &CurrentOfficer, hold_id: &str) -> Result<(), AppError> {
    ensure_admin(officer)?;
    ctx.write(|conn| {
        let now = clock::now();
        let not_active = || AppError::Conflict("That hold is not in force.".to_string());
        let hold = holds::find(conn, &ctx.keyring, hold_id)?
            .filter(|hold| hold.scope == HoldScope::Subject)
            .ok_or_else(not_active)?;
        super::hold_authority::ensure_may_release(conn, officer, &hold)?;
        if !holds::release(conn, &hold, officer.id, to_db(now))? {
            return Err(not_active());
        }
        let details = json!({ "hold_id": hold.id.to_string(), "scope": SUBJECT_HOLD_SCOPE });
        record(
            conn,
            officer,
            "subject.hold_released",
            hold.target_id
                .parse()
                .map_err(|_| crate::store::StoreError::corrupt("legal_holds", hold.id))?,
            &details,
            now,
        )
    })
}

fn record(
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    action: &str,
    subject_id: SubjectId,
    details: &Value,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    audit::append_event(
        conn,
        now,
        &officer.actor(),
        action,
        &Target::Subject(subject_id),
        details,
    )?;
    Ok(())
}
