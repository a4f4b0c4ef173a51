//! Officer sign-in: password, then a TOTP code when enrolled; server-side sessions; TOTP
//! enrolment; throttling of failed attempts per account and per client address.

use std::net::IpAddr;

use serde_json::json;
use time::OffsetDateTime;

use super::officer::CurrentOfficer;
use super::{clock, random_bytes, refusals, sign_in_throttle, Context};
use crate::domain::audit::{Actor, Target};
use crate::domain::email::Email;
use crate::domain::ids::OfficerId;
use crate::domain::officer::Officer;
use crate::domain::password::{dummy_verify, verify_password};
use crate::domain::session::SessionPolicy;
use crate::domain::sign_in_step::SignInProgress;
use crate::domain::token::TOKEN_BYTES;
use crate::domain::totp::{TotpRejected, TotpSecret, TOTP_SECRET_BYTES};
use crate::error::AppError;
use crate::store::audit;
use crate::store::officers::{self, OfficerChanges};
use crate::store::sessions::{self, NewSession};
use crate::store::time::{from_db, to_db};
use crate::store::DbConn;

pub use crate::domain::sign_in_step::NextStep;

/// A new session: the secret for the cookie and where to go.
#[derive(Debug)]
pub struct SignedIn {
    pub session_token: String,
    pub next: NextStep,
}

/// A live session and how far its sign-in got.
#[derive(Debug, Clone)]
pub struct Session {
    pub officer: CurrentOfficer,
    pub mfa_passed: bool,
    pub mfa_enrolled: bool,
    /// The officer's role is one that must use TOTP (the settings' policy).
    pub mfa_required: bool,
    /// An admin reset the password; the officer must choose a new one first.
    pub password_change_required: bool,
}

impl Session {
    /// What the officer must do before using the workspace, if anything.
    pub fn pending_step(&self) -> Option<NextStep> {
        SignInProgress {
            mfa_enrolled: self.mfa_enrolled,
            mfa_passed: self.mfa_passed,
            mfa_required: self.mfa_required,
            password_change_required: self.password_change_required,
        }
        .owed()
    }
}

const WRONG_CREDENTIALS: &str = "The email address or password is not right.";

fn session_hash(token: &str) -> String {
    crate::crypto::sha256_hex(token)
}

/// Checks the password and opens a session. Unknown emails, wrong passwords and disabled
/// accounts get the same answer, after the same work.
pub fn sign_in(
    ctx: &Context,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<SignedIn, AppError> {
    let now = clock::now();
    let email_text = Email::parse(email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    // Argon2 takes 19 MiB per check: past the bound, "busy" instead of running out of memory.
    let _hasher = ctx.password_checks.enter(HASHER_PATIENCE).ok_or_else(|| {
        ctx.metrics.sign_in_busy.inc();
        AppError::Busy
    })?;
    let attempt = sign_in_throttle::reserve(ctx, "password", &email_text, client, now)?;
    let officer = {
        let mut conn = ctx.conn()?;
        officers::find_by_email(&mut conn, &email_text)?
    };
    // Hashing runs outside any transaction: it is slow on purpose.
    let accepted = match &officer {
        Some(row) => verify_password(password, &row.password_hash) && row.disabled_at.is_none(),
        None => {
            dummy_verify(password);
            false
        }
    };
    let refusal = refusals::sign_in(ctx, &email_text, officer.as_ref());
    match officer.filter(|_| accepted) {
        Some(row) => ctx.write(|conn| {
            sign_in_throttle::succeeded(conn, &attempt)?;
            let token = open_session(ctx, conn, &row, now, false)?;
            let enrolled = row.totp_enabled_at.is_some();
            record(
                conn,
                row.id,
                "officer.signed_in",
                json!({ "second_step": enrolled }),
                now,
            )?;
            let next = SignInProgress {
                mfa_enrolled: enrolled,
                mfa_passed: false,
                mfa_required: ctx.settings.totp_required_roles.requires(row.role),
                password_change_required: row.password_change_required,
            }
            .owed()
            .unwrap_or(NextStep::Workspace);
            Ok(SignedIn {
                session_token: token,
                next,
            })
        }),
        None => {
            sign_in_throttle::failed(ctx, &attempt, &refusal, now)?;
            Err(AppError::BadCredentials(WRONG_CREDENTIALS.to_string()))
        }
    }
}

/// How long a sign-in waits for a free password hasher before it is answered "busy".
const HASHER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

fn open_session(
    ctx: &Context,
    conn: &mut DbConn,
    officer: &Officer,
    now: OffsetDateTime,
    mfa_passed: bool,
) -> Result<String, AppError> {
    let token = data_encoding::BASE64URL_NOPAD.encode(&random_bytes::<TOKEN_BYTES>()?);
    let policy: &SessionPolicy = &ctx.settings.sessions;
    sessions::insert(
        conn,
        &NewSession {
            id_hash: &session_hash(&token),
            officer_id: &officer.id.to_string(),
            mfa_passed,
            created_at: to_db(now),
            last_seen_at: to_db(now),
            expires_at: to_db(policy.expires_at(now, now)),
        },
    )?;
    Ok(token)
}

/// The session behind a cookie, if it is live; refreshes its idle clock now and then.
pub fn session(ctx: &Context, token: &str) -> Result<Session, AppError> {
    let now = clock::now();
    let hash = session_hash(token);
    let mut conn = ctx.conn()?;
    let stored = sessions::find(&mut conn, &hash)?.ok_or(AppError::SessionEnded)?;
    let policy = &ctx.settings.sessions;
    let (created, seen) = (from_db(stored.created_at), from_db(stored.last_seen_at));
    if !policy.is_live(created, seen, now) {
        sessions::delete(&mut conn, &hash)?;
        return Err(AppError::SessionEnded);
    }
    let row = officers::find_by_id(&mut conn, &stored.officer_id)?.ok_or(AppError::SessionEnded)?;
    if row.disabled_at.is_some() {
        sessions::delete(&mut conn, &hash)?;
        return Err(AppError::SessionEnded);
    }
    if policy.needs_touch(seen, now) {
        // The session's end moves with its use, up to the absolute limit; the purge deletes
        // by this end.
        sessions::touch(
            &mut conn,
            &hash,
            to_db(now),
            to_db(policy.expires_at(created, now)),
        )?;
    }
    let scope = row.scope();
    Ok(Session {
        mfa_enrolled: row.totp_enabled_at.is_some(),
        mfa_passed: stored.mfa_passed,
        mfa_required: ctx.settings.totp_required_roles.requires(scope.role),
        password_change_required: row.password_change_required,
        officer: CurrentOfficer {
            scope,
            id: row.id,
            name: row.name,
            email: row.email,
            session_hash: hash,
        },
    })
}

/// The second step: a TOTP code. On success the session is replaced by a fresh one.
pub fn confirm_code(
    ctx: &Context,
    token: &str,
    code: &str,
    client: Option<IpAddr>,
) -> Result<String, AppError> {
    let now = clock::now();
    let current = session(ctx, token)?;
    if current.mfa_passed || !current.mfa_enrolled {
        return Err(AppError::Conflict(
            "This session needs no code.".to_string(),
        ));
    }
    let attempt =
        sign_in_throttle::reserve(ctx, "code", &current.officer.id.to_string(), client, now)?;
    let outcome = ctx.write(|conn| {
        let row = officers::find_by_id(conn, &current.officer.id.to_string())?
            .ok_or(AppError::SessionEnded)?;
        let secret = stored_totp_secret(ctx, &row)?
            .ok_or_else(|| AppError::Internal("enrolled officer without a secret".into()))?;
        let last = row.totp_last_step.map(|s| s.max(0) as u64);
        let step = match secret.verify(code, now.unix_timestamp().max(0) as u64, last) {
            Ok(step) => step,
            Err(rejected) => return Ok(Err(rejected)),
        };
        // Two sign-ins racing with one code: only the first advances the step.
        if !officers::advance_totp_step(conn, &row.id.to_string(), step as i64)? {
            return Ok(Err(TotpRejected::Replayed));
        }
        sign_in_throttle::succeeded(conn, &attempt)?;
        sessions::delete(conn, &current.officer.session_hash)?;
        let fresh = open_session(ctx, conn, &row, now, true)?;
        record(conn, row.id, "officer.second_step_passed", json!({}), now)?;
        Ok(Ok(fresh))
    })?;
    match outcome {
        Ok(fresh) => Ok(fresh),
        Err(rejected) => {
            let refusal = refusals::code(ctx, &current.officer, rejected);
            sign_in_throttle::failed(ctx, &attempt, &refusal, now)?;
            Err(AppError::BadCredentials(match rejected {
                TotpRejected::Replayed => "That code was already used. Wait for the next code and enter it.".to_string(),
                _ => "That code is not right. Enter the 6-digit code your authenticator app shows now.".to_string(),
            }))
        }
    }
}

/// Ends the session.
pub fn sign_out(ctx: &Context, token: &str) -> Result<(), AppError> {
    let mut conn = ctx.conn()?;
    sessions::delete(&mut conn, &session_hash(token))?;
    Ok(())
}

/// What the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: TotpSecret,
    pub otpauth_uri: String,
}

/// Starts (or shows again) TOTP enrolment: a fresh secret, not active until confirmed.
pub fn start_enrolment(ctx: &Context, officer: &CurrentOfficer) -> Result<Enrolment, AppError> {
    let now = clock::now();
    ctx.write(|conn| {
        let row =
            officers::find_by_id(conn, &officer.id.to_string())?.ok_or(AppError::SessionEnded)?;
        if row.totp_enabled_at.is_some() {
            return Err(AppError::Conflict(
                "Two-step sign-in is already on for your account.".to_string(),
            ));
        }
        let secret = match stored_totp_secret(ctx, &row)? {
            Some(pending) => pending,
            None => {
                let secret = TotpSecret::from_bytes(random_bytes::<TOTP_SECRET_BYTES>()?);
                let officer_id = row.id.to_string();
                officers::update(
                    conn,
                    &officer_id,
                    &OfficerChanges {
                        totp_secret: Some(Some(seal_totp_secret(ctx, &officer_id, &secret)?)),
                        ..OfficerChanges::default()
                    },
                    to_db(now),
                )?;
                secret
            }
        };
        let otpauth_uri = secret.otpauth_uri("rightsdesk", &row.email);
        Ok(Enrolment {
            secret,
            otpauth_uri,
        })
    })
}

/// Turns TOTP on once the officer proves their app shows the right code.
pub fn confirm_enrolment(
    ctx: &Context,
    officer: &CurrentOfficer,
    code: &str,
) -> Result<(), AppError> {
    let now = clock::now();
    ctx.write(|conn| {
        let row = officers::find_by_id(conn, &officer.id.to_string())?.ok_or(AppError::SessionEnded)?;
        let secret = stored_totp_secret(ctx, &row)?
            .filter(|_| row.totp_enabled_at.is_none())
            .ok_or_else(|| AppError::Conflict("Start the set-up again from the two-step sign-in page.".to_string()))?;
        let step = secret
            .verify(code, now.unix_timestamp().max(0) as u64, None)
            .map_err(|_| AppError::BadCredentials("That code is not right. Check the time on your phone and enter the code it shows now.".to_string()))?;
        officers::update(
            conn,
            &row.id.to_string(),
            &OfficerChanges {
                totp_enabled_at: Some(Some(to_db(now))),
                totp_last_step: Some(Some(step as i64)),
                ..OfficerChanges::default()
            },
            to_db(now),
        )?;
        sessions::mark_mfa_passed(conn, &officer.session_hash)?;
        record(
            conn,
            row.id,
            "officer.mfa_enrolled",
            json!({}),
            now,
        )
    })
}

pub(crate) fn record(
    conn: &mut DbConn,
    officer_id: OfficerId,
    action: &str,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append_event(
        conn,
        now,
        &Actor::Officer(officer_id),
        action,
        &Target::Officer(officer_id),
        &details,
    )?;
    Ok(())
}

/// TOTP secrets are sealed at rest, bound to the officer's id: the database alone cannot
/// produce codes. (Public for the bulk generator of `bench/`, which enrols its admin.)
pub fn seal_totp_secret(
    ctx: &Context,
    officer_id: &str,
    secret: &TotpSecret,
) -> Result<String, AppError> {
    ctx.keyring
        .seal_text(&secret.to_base32(), &totp_context(officer_id))
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The officer's TOTP secret, opened; a secret stored before sealing existed is read as is.
fn stored_totp_secret(ctx: &Context, row: &Officer) -> Result<Option<TotpSecret>, AppError> {
    let Some(stored) = row.totp_secret.as_deref() else {
        return Ok(None);
    };
    let base32 = match ctx
        .keyring
        .open_text(stored, &totp_context(&row.id.to_string()))
    {
        Some(opened) => opened.map_err(|e| AppError::Internal(format!("TOTP secret: {e}")))?,
        None => stored.to_string(),
    };
    Ok(TotpSecret::from_base32(&base32))
}

/// A stored TOTP secret (sealed under any known key, or not sealed yet) sealed again under
/// the current key (`rekey`).
pub(crate) fn reseal_totp_secret(
    ctx: &Context,
    officer_id: &str,
    stored: &str,
) -> Result<String, AppError> {
    let base32 = match ctx.keyring.open_text(stored, &totp_context(officer_id)) {
        Some(opened) => opened.map_err(|e| AppError::Internal(format!("TOTP secret: {e}")))?,
        None => stored.to_string(),
    };
    ctx.keyring
        .seal_text(&base32, &totp_context(officer_id))
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn totp_context(officer_id: &str) -> String {
    format!("officer totp {officer_id}")
}
