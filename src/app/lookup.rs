//! A requester who lost their link asks for a fresh one with their email and the reference.
//! The answer is the same whether or not they matched, so the page reveals nothing.

use super::requests::queue_mail;
use super::status::fresh_status_link;
use super::{clock, Context};
use crate::domain::email::Email;
use crate::domain::reference::Reference;
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::mail::compose;
use crate::store::requests;

pub fn request_link(ctx: &Context, email: &str, reference: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let email = Email::parse(email).map_err(|e| {
        errors.push(FieldError {
            field: "email",
            message: e.to_string(),
        })
    });
    let reference = Reference::parse(reference).map_err(|e| {
        errors.push(FieldError {
            field: "reference",
            message: e.to_string(),
        })
    });
    let (Ok(email), Ok(reference)) = (email, reference) else {
        return Err(AppError::Invalid(errors));
    };
    let sent = ctx.write(|conn| -> Result<bool, AppError> {
        let now = clock::now();
        let Some(request) = requests::find_by_reference(conn, reference.as_str())? else {
            return Ok(false);
        };
        // Unverified requests have no status page yet: their verification mail is the link.
        if request.email != email.as_str() || request.verified_at.is_none() {
            return Ok(false);
        }
        let link = fresh_status_link(ctx, conn, request.id, now)?;
        let mail = compose::lookup_link(&request.email, request.reference.as_str(), &link)?;
        queue_mail(conn, &mail, now)?;
        Ok(true)
    })?;
    if sent {
        ctx.wake_mailer();
    }
    Ok(())
}
