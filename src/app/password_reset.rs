//! An admin resets an officer's password (a forgotten password, a suspected leak).
//!
//! The new password is drawn at random and shown to the admin once, never typed by them:
//! an admin-chosen password tends to be weak or reused across resets and would be known to
//! two people for good. It is only good for the next sign-in, which asks for a new
//! password before anything else (`auth::NextStep::ChangePassword`). Every session of the
//! officer ends, and the reset is audited (without the password).

use serde_json::json;

use super::officers::Requester;
use super::{clock, random_bytes, Context};
use crate::domain::audit::Target;
use crate::domain::password::{hash_password, NewPassword};
use crate::domain::temporary_password::{TemporaryPassword, TEMPORARY_PASSWORD_BYTES};
use crate::error::AppError;
use crate::store::audit;
use crate::store::officers::{self, OfficerChanges};
use crate::store::sessions;
use crate::store::time::to_db;

/// What the admin sees once: whose password it is and the temporary password.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub officer_name: String,
    pub officer_email: String,
    pub temporary_password: TemporaryPassword,
}

/// Replaces the officer's password with a temporary one and ends their sessions.
pub fn reset(
    ctx: &Context,
    by: Requester<'_>,
    officer_id: &str,
) -> Result<PasswordReset, AppError> {
    by.ensure_admin()?;
    uuid::Uuid::try_parse(officer_id).map_err(|_| AppError::NotFound)?;
    if matches!(&by, Requester::Admin(me) if me.id.to_string() == officer_id) {
        return Err(AppError::Conflict(
            "To change your own password, use “Change password” in the menu.".to_string(),
        ));
    }
    let temporary = TemporaryPassword::from_random(random_bytes::<TEMPORARY_PASSWORD_BYTES>()?);
    let now = clock::now();
    let row = {
        let mut conn = ctx.conn()?;
        officers::find_by_id(&mut conn, officer_id)?.ok_or(AppError::NotFound)?
    };
    let password = NewPassword::parse(temporary.as_str(), &row.email)
        .map_err(|e| AppError::Internal(format!("temporary password refused: {e}")))?;
    // Hashing is slow on purpose: outside the transaction.
    let hash = hash_password(&password, &random_bytes::<16>()?)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.write(|conn| {
        let officer_id = row.id.to_string();
        if !officers::update(
            conn,
            &officer_id,
            &OfficerChanges {
                password_hash: Some(hash),
                password_change_required: Some(true),
                ..OfficerChanges::default()
            },
            to_db(now),
        )? {
            return Err(AppError::NotFound);
        }
        let ended = sessions::delete_for_officer(conn, &officer_id)?;
        audit::append_event(
            conn,
            now,
            &by.actor(),
            "officer.password_reset",
            &Target::Officer(row.id),
            &json!({ "sessions_ended": ended }),
        )?;
        Ok(())
    })?;
    Ok(PasswordReset {
        officer_name: row.name,
        officer_email: row.email,
        temporary_password: temporary,
    })
}
