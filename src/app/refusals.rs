//! How a refused password or code is written into the audit trail: who, about whom, why,
//! and the email address only as a keyed hash. The events are appended by
//! `sign_in_throttle::failed`, in the transaction that settles the attempt.

use serde_json::json;

use super::officer::CurrentOfficer;
use super::sign_in_throttle::Refusal;
use super::Context;
use crate::domain::access_events::{
    SignInFailure, EMAIL_HASH_DOMAIN, PASSWORD_CHECK_FAILED, SECOND_STEP_FAILED, SIGN_IN_FAILED,
};
use crate::domain::audit::{Actor, Target};
use crate::domain::email::Email;
use crate::domain::officer::Officer;
use crate::domain::totp::TotpRejected;

/// The keyed hash an email address is audited under (never the address itself): the same
/// address always gives the same hash, however it was typed, so an investigator who knows
/// an address can find its attempts, and a reader of the trail alone learns nothing.
pub fn audited_email_hash(ctx: &Context, email: &str) -> String {
    let normalised = Email::parse(email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    ctx.keyring.index(EMAIL_HASH_DOMAIN, &normalised)
}

/// A refused sign-in with `email` (as typed); `officer` is the account it names, if any.
/// Nobody is signed in yet, so the system records it, about the account when there is one.
pub fn sign_in(ctx: &Context, email: &str, officer: Option<&Officer>) -> Refusal {
    let (failure, target) = match officer {
        None => (SignInFailure::UnknownEmail, Target::Officers),
        // Right password or not: the trail does not tell which for a disabled account.
        Some(row) if row.disabled_at.is_some() => {
            (SignInFailure::Disabled, Target::Officer(row.id))
        }
        Some(row) => (SignInFailure::WrongPassword, Target::Officer(row.id)),
    };
    Refusal {
        actor: Actor::System,
        action: SIGN_IN_FAILED,
        target,
        details: details(ctx, email, failure),
    }
}

/// A refused second-step code, by the officer whose password opened the session.
pub fn code(ctx: &Context, officer: &CurrentOfficer, rejected: TotpRejected) -> Refusal {
    let failure = match rejected {
        TotpRejected::Replayed => SignInFailure::ReplayedCode,
        _ => SignInFailure::WrongCode,
    };
    by_the_officer(ctx, officer, SECOND_STEP_FAILED, failure)
}

/// A wrong current password on the officer's own password form.
pub fn password_check(ctx: &Context, officer: &CurrentOfficer) -> Refusal {
    by_the_officer(
        ctx,
        officer,
        PASSWORD_CHECK_FAILED,
        SignInFailure::WrongPassword,
    )
}

fn by_the_officer(
    ctx: &Context,
    officer: &CurrentOfficer,
    action: &'static str,
    failure: SignInFailure,
) -> Refusal {
    Refusal {
        actor: Actor::Officer(officer.id),
        action,
        target: Target::Officer(officer.id),
        details: details(ctx, &officer.email, failure),
    }
}

fn details(ctx: &Context, email: &str, failure: SignInFailure) -> serde_json::Value {
    json!({
        "email_hash": audited_email_hash(ctx, email),
        "reason": failure.as_str(),
    })
}
