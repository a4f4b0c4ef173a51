//! Legal holds placed and released from a request's page.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::{bump_version, record};
use crate::app::fulfil::subject_of;
use crate::app::officer::CurrentOfficer;
use crate::app::Context;
use crate::domain::hold::HoldScope;
use crate::domain::officer_action::HoldTarget;
use crate::domain::request::Request;
use crate::error::AppError;
use crate::store::holds::{self, NewHold};
use crate::store::time::to_db;
use crate::store::DbConn;

/// A legal hold as the officer asked for it.
pub(super) struct HoldOrder<'a> {
    pub target: &'a HoldTarget,
    pub order_reference: &'a str,
    pub expires_on: Option<time::Date>,
    pub reason: &'a str,
}

pub(super) fn place(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &Request,
    hold: &HoldOrder<'_>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let HoldOrder {
        target,
        order_reference,
        expires_on,
        reason,
    } = *hold;
    if expires_on.is_some_and(|date| date < now.date()) {
        return Err(AppError::BadRequest(
            "The hold's expiry date has already passed.".to_string(),
        ));
    }
    bump_version(conn, request, now)?;
    let target_id = match target {
        HoldTarget::Request => request.id.to_string(),
        HoldTarget::Subject | HoldTarget::Record(_) => {
            let data = subject_of(ctx, conn, request)?.ok_or_else(|| {
                AppError::BadRequest(
                    "We hold no data about this person; place the hold on the request instead."
                        .to_string(),
                )
            })?;
            match target {
                HoldTarget::Record(id) => data
                    .records
                    .iter()
                    .find(|r| &r.record.id.to_string() == id)
                    .map(|r| r.record.id.to_string())
                    .ok_or_else(|| {
                        AppError::BadRequest(
                            "That record is not one of this person's records.".to_string(),
                        )
                    })?,
                _ => data.subject.id.to_string(),
            }
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    holds::insert(
        conn,
        &ctx.keyring,
        &NewHold {
            id: &id,
            scope: target.scope(),
            target_id: &target_id,
            order_reference,
            reason,
            placed_by: &officer.id.to_string(),
            placed_at: to_db(now),
            expires_on,
            origin_request_id: Some(&request.id.to_string()),
        },
    )?;
    let mut details = Map::new();
    details.insert("hold_id".into(), Value::String(id));
    details.insert("scope".into(), Value::String(target.scope().to_string()));
    details.insert("target_id".into(), Value::String(target_id));
    details.insert(
        "reference".into(),
        Value::String(request.reference.to_string()),
    );
    details.insert(
        "expires_on".into(),
        expires_on.map_or(Value::Null, |d| Value::String(d.to_string())),
    );
    record(conn, officer, request, "request.hold_placed", details, now)
}

pub(super) fn release(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &CurrentOfficer,
    request: &Request,
    hold_id: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    bump_version(conn, request, now)?;
    let not_active = || AppError::Conflict("That hold is not active on this request.".to_string());
    let hold = holds::find(conn, &ctx.keyring, hold_id)?.ok_or_else(not_active)?;
    // Only holds this page shows can be released from it: on the request, or on the
    // requester's data.
    let covers_this_request = match hold.scope {
        HoldScope::Request => hold.target_id == request.id.to_string(),
        scope => subject_of(ctx, conn, request)?.is_some_and(|data| match scope {
            HoldScope::Subject => data.subject.id.to_string() == hold.target_id,
            HoldScope::Record => data
                .records
                .iter()
                .any(|r| r.record.id.to_string() == hold.target_id),
            HoldScope::Request => false,
        }),
    };
    if !covers_this_request {
        return Err(not_active());
    }
    crate::app::hold_authority::ensure_may_release(conn, officer, &hold)?;
    if !holds::release(conn, &hold, officer.id, to_db(now))? {
        return Err(not_active());
    }
    let mut details = Map::new();
    details.insert("hold_id".into(), Value::String(hold_id.to_string()));
    details.insert("scope".into(), Value::String(hold.scope.to_string()));
    details.insert(
        "reference".into(),
        Value::String(request.reference.to_string()),
    );
    record(
        conn,
        officer,
        request,
        "request.hold_released",
        details,
        now,
    )
}
