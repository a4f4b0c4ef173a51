//! The requester's outcome mail a request's tasks held back.

use time::OffsetDateTime;

use crate::app::requests::queue_mail;
use crate::app::status::fresh_status_link;
use crate::app::Context;
use crate::domain::request::Request;
use crate::domain::task::all_completed;
use crate::error::AppError;
use crate::i18n::Messages;
use crate::mail::compose;
use crate::store::tasks;
use crate::store::time::to_db;
use crate::store::DbConn;

/// Who released a held mail when the last task completed.
pub(super) const RELEASED_BY_TASKS: &str = "tasks_completed";

/// Sends the held outcome mail when every task of the request is completed; returns
/// whether it went. The caller holds the held mail's lock.
pub(super) fn release_if_done(
    ctx: &Context,
    conn: &mut DbConn,
    request: &Request,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let request_id = request.id.to_string();
    let all = tasks::of_request(conn, &request_id)?;
    if !all_completed(all.iter().map(|t| &t.state)) {
        return Ok(false);
    }
    if !tasks::release_outcome(conn, &request_id, to_db(now), RELEASED_BY_TASKS)? {
        return Ok(false);
    }
    if request.email.is_empty() {
        // The case file was wiped at the end of its retention: nobody left to tell.
        return Ok(false);
    }
    let link = fresh_status_link(ctx, conn, request.id, now)?;
    let messages = Messages::for_locale(&request.locale);
    let mail = compose::status_changed(
        &messages,
        &request.email,
        request.reference.as_str(),
        request.status,
        false,
        &link,
    )?;
    queue_mail(conn, &ctx.keyring, &mail, now)?;
    Ok(true)
}

/// Sends the held outcome mail now, naming the sources whose tasks are not completed.
pub(super) fn release_with_open(
    ctx: &Context,
    conn: &mut DbConn,
    request: &Request,
    open_sources: &[String],
    by: &str,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    if !tasks::release_outcome(conn, &request.id.to_string(), to_db(now), by)? {
        return Ok(false);
    }
    if request.email.is_empty() {
        // The case file was wiped at the end of its retention: nobody left to tell.
        return Ok(true);
    }
    let link = fresh_status_link(ctx, conn, request.id, now)?;
    let messages = Messages::for_locale(&request.locale);
    let mail = compose::closed_with_open_tasks(
        &messages,
        &request.email,
        request.reference.as_str(),
        open_sources,
        &link,
    )?;
    queue_mail(conn, &ctx.keyring, &mail, now)?;
    Ok(true)
}
