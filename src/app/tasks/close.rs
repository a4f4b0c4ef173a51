//! An officer closes a request whose tasks are not all completed: the requester's outcome
//! mail goes now, naming the source systems still to act.

use serde_json::json;

use super::outcome;
use crate::app::officer::CurrentOfficer;
use crate::app::{clock, Context};
use crate::domain::audit::Target;
use crate::domain::status::RequestStatus;
use crate::error::AppError;
use crate::store::audit;
use crate::store::requests;
use crate::store::tasks;

/// Sends the held outcome mail with the sources whose tasks are open or failed listed, and
/// audits it. Refused when the mail is not held (never was, or already went).
pub fn close_with_open_tasks(
    ctx: &Context,
    officer: &CurrentOfficer,
    reference: &str,
) -> Result<(), AppError> {
    ctx.write(|conn| {
        let now = clock::now();
        let request = requests::find_by_reference(conn, &ctx.keyring, reference)?
            .ok_or(AppError::NotFound)?;
        officer.ensure_can_read(request.regime)?;
        if request.status == RequestStatus::Unverified {
            return Err(AppError::NotFound);
        }
        officer.ensure_can_act(request.regime)?;
        let request_id = request.id.to_string();
        if !tasks::lock_held_outcome(conn, &request_id)? {
            return Err(AppError::Conflict(
                "The requester has already been told the outcome of this request.".to_string(),
            ));
        }
        let open: Vec<String> = tasks::of_request(conn, &request_id)?
            .into_iter()
            .filter(|t| !t.state.is_completed())
            .map(|t| t.source)
            .collect();
        let by = officer.actor().to_audit_string();
        if !outcome::release_with_open(ctx, conn, &request, &open, &by, now)? {
            return Err(AppError::Conflict(
                "The requester has already been told the outcome of this request.".to_string(),
            ));
        }
        audit::append_event(
            conn,
            now,
            &officer.actor(),
            "request.closed_with_open_tasks",
            &Target::Request(request.id),
            &json!({ "reference": request.reference.as_str(), "open_sources": open }),
        )?;
        Ok(())
    })?;
    ctx.wake_mailer();
    Ok(())
}
