//! What the retention engine will do next: per class, what is due now and in the next 30
//! days, and the legal holds in force. For admins and auditors.

use time::OffsetDateTime;

use super::officer::CurrentOfficer;
use super::purge;
use super::{clock, Context};
use crate::domain::hold::{Hold, HoldScope};
use crate::domain::retention::PurgeClass;
use crate::error::AppError;
use crate::store::holds;
use crate::store::requests;
use crate::store::time::to_db;

/// How far ahead the overview looks.
pub const LOOKAHEAD_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassOutlook {
    pub class: PurgeClass,
    pub rule: String,
    /// Past its time now and not held: the next purge takes these.
    pub due_now: i64,
    /// Past its time but kept by a legal hold.
    pub held: i64,
    /// Coming due within the look-ahead.
    pub due_soon: i64,
}

#[derive(Debug, Clone)]
pub struct HeldItem {
    pub hold: Hold,
    /// The request's reference, for holds on requests.
    pub reference: Option<String>,
    /// The name of the officer who placed it.
    pub placed_by: String,
}

#[derive(Debug, Clone)]
pub struct RetentionOverview {
    pub as_of: OffsetDateTime,
    pub classes: Vec<ClassOutlook>,
    pub holds: Vec<HeldItem>,
}

pub fn overview(ctx: &Context, officer: &CurrentOfficer) -> Result<RetentionOverview, AppError> {
    if !officer.scope.can_verify_audit() {
        return Err(AppError::Forbidden(
            "The retention overview is for admins and auditors.".to_string(),
        ));
    }
    let now = clock::now();
    let ahead = now + time::Duration::days(LOOKAHEAD_DAYS);
    let policy = &ctx.settings.policy.retention;
    let mut conn = ctx.conn()?;
    let mut classes = Vec::new();
    for class in PurgeClass::ALL {
        let (due, unheld) = purge::count(
            &mut conn,
            class,
            to_db(policy.cutoff(class, now)),
            now.date(),
        )?;
        let (due_later, _) = purge::count(
            &mut conn,
            class,
            to_db(policy.cutoff(class, ahead)),
            ahead.date(),
        )?;
        classes.push(ClassOutlook {
            class,
            rule: policy.describe(class),
            due_now: unheld,
            held: due - unheld,
            due_soon: (due_later - due).max(0),
        });
    }
    let names = super::officer::names(&mut conn)?;
    let holds = holds::list_active(&mut conn, &ctx.keyring, now.date())?
        .into_iter()
        .map(|hold| {
            let reference = if hold.scope == HoldScope::Request {
                requests::find_by_id(
                    &mut conn,
                    &ctx.keyring,
                    super::requests::request_id_in("legal_holds", &hold.target_id)?,
                )?
                .map(|r| r.reference.to_string())
            } else {
                None
            };
            let placed_by = super::officer::name_of(&names, hold.placed_by);
            Ok(HeldItem {
                hold,
                reference,
                placed_by,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(RetentionOverview {
        as_of: now,
        classes,
        holds,
    })
}
