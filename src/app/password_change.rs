//! An officer changes their own password: the current one, then the new one twice. The new
//! password passes the rules of `domain::password` (length, not the email, not on the
//! breached-password list) and differs from the current one. Every other session of the
//! officer ends; the one that made the change stays. A wrong current password counts as a
//! failed sign-in (the same throttle), since it is one more guess at the password.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::json;

use super::officer::CurrentOfficer;
use super::{clock, random_bytes, sign_in_throttle, Context};
use crate::domain::audit::Target;
use crate::domain::password::{hash_password, verify_password, NewPassword};
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::officers::{self, OfficerChanges};
use crate::store::sessions;
use crate::store::time::to_db;

/// The password form as typed.
#[derive(Debug, Clone, Default)]
pub struct PasswordChangeInput {
    pub current_password: String,
    pub new_password: String,
    pub confirmation: String,
}

/// How long a change waits for a free password hasher before it is answered "busy".
const HASHER_PATIENCE: Duration = Duration::from_secs(2);

fn field(field: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        key: "",
        message: message.to_string(),
    }
}

/// Checks the form, then the current password, and stores the new one. Field errors come
/// back as `AppError::Invalid` naming `current_password`, `new_password` or `confirmation`.
pub fn change_own(
    ctx: &Context,
    officer: &CurrentOfficer,
    input: &PasswordChangeInput,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if input.current_password.is_empty() {
        errors.push(field("current_password", "enter your current password"));
    }
    let new_password = NewPassword::parse(&input.new_password, &officer.email)
        .map_err(|weak| errors.push(field("new_password", &weak.to_string())));
    if new_password.is_ok() && input.confirmation != input.new_password {
        errors.push(field(
            "confirmation",
            "the two new passwords are not the same: type the new password again",
        ));
    }
    let (Ok(new_password), true) = (new_password, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };

    let now = clock::now();
    // Up to three Argon2 runs: inside the same bound as sign-ins.
    let _hasher = ctx.password_checks.enter(HASHER_PATIENCE).ok_or_else(|| {
        ctx.metrics.sign_in_busy.inc();
        AppError::Busy
    })?;
    let attempt = sign_in_throttle::reserve(ctx, "password", &officer.email, client, now)?;
    let current_hash = {
        let mut conn = ctx.conn()?;
        officers::find_by_id(&mut conn, &officer.id.to_string())?
            .ok_or(AppError::SessionEnded)?
            .password_hash
    };
    if !verify_password(&input.current_password, &current_hash) {
        let refusal = super::refusals::password_check(ctx, officer);
        sign_in_throttle::failed(ctx, &attempt, &refusal, now)?;
        return Err(AppError::Invalid(vec![field(
            "current_password",
            "your current password is not right",
        )]));
    }
    if verify_password(&input.new_password, &current_hash) {
        ctx.write(|conn| sign_in_throttle::succeeded(conn, &attempt))?;
        return Err(AppError::Invalid(vec![field(
            "new_password",
            "choose a password different from your current one",
        )]));
    }
    let new_hash = hash_password(&new_password, &random_bytes::<16>()?)
        .map_err(|e| AppError::Internal(e.to_string()))?;

    ctx.write(|conn| {
        let row =
            officers::find_by_id(conn, &officer.id.to_string())?.ok_or(AppError::SessionEnded)?;
        if row.password_hash != current_hash {
            // Changed (or reset) since it was checked: the current password is no longer
            // the one typed.
            return Err(AppError::Conflict(
                "Your password was changed meanwhile. Sign in again and retry.".to_string(),
            ));
        }
        let officer_id = row.id.to_string();
        officers::update(
            conn,
            &officer_id,
            &OfficerChanges {
                password_hash: Some(new_hash),
                password_change_required: Some(false),
                ..OfficerChanges::default()
            },
            to_db(now),
        )?;
        let ended = sessions::delete_for_officer_except(conn, &officer_id, &officer.session_hash)?;
        sign_in_throttle::succeeded(conn, &attempt)?;
        let actor = officer.actor().to_audit_string();
        audit::append(
            conn,
            &NewAuditEvent {
                at: now,
                actor: &actor,
                action: "officer.password_changed",
                target: &Target::Officer(row.id).to_audit_string(),
                details: &json!({
                    "after_reset": row.password_change_required,
                    "other_sessions_ended": ended,
                })
                .to_string(),
            },
        )?;
        Ok(())
    })
}
