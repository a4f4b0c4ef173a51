//! Managing officers: creation (CLI and admin page), role and regions, disabling, MFA reset.
//! Every change is audited; officers are named by id in the audit trail, never by email.

use serde_json::json;
use time::OffsetDateTime;

use super::officer::CurrentOfficer;
use super::requests::queue_mail;
use super::{clock, random_bytes, Context};
use crate::domain::audit::{Actor, Target};
use crate::domain::email::Email;
use crate::domain::ids::OfficerId;
use crate::domain::officer::Officer;
use crate::domain::password::{hash_password, NewPassword};
use crate::domain::regime::Regime;
use crate::domain::role::Role;
use crate::domain::submission::FieldError;
use crate::error::AppError;
use crate::mail::compose;
use crate::store::officers::{self, NewOfficer, OfficerChanges};
use crate::store::sessions;
use crate::store::time::to_db;
use crate::store::DbConn;

/// A new officer as typed by an admin or an operator.
#[derive(Debug, Clone, Default)]
pub struct NewOfficerInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub regions: Vec<String>,
    pub password: String,
}

/// Who asks for a change: an admin in the workspace or the operator at the command line.
#[derive(Debug, Clone)]
pub enum Requester<'a> {
    Admin(&'a CurrentOfficer),
    Operator,
}

impl Requester<'_> {
    pub(crate) fn actor(&self) -> Actor {
        match self {
            Requester::Admin(officer) => officer.actor(),
            Requester::Operator => Actor::Operator,
        }
    }

    pub(crate) fn ensure_admin(&self) -> Result<(), AppError> {
        match self {
            Requester::Admin(officer) if !officer.scope.can_manage_officers() => Err(
                AppError::Forbidden("Only admins manage officers.".to_string()),
            ),
            _ => Ok(()),
        }
    }
}

fn field(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        key: "",
        message: message.into(),
    }
}

fn parse_regions(role: Role, regions: &[String]) -> Result<Vec<Regime>, FieldError> {
    let mut parsed = regions
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| r.trim().parse::<Regime>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| field("regions", "choose regions from the list"))?;
    parsed.sort_by_key(|r| r.as_str());
    parsed.dedup();
    if role == Role::Officer && parsed.is_empty() {
        return Err(field(
            "regions",
            "an officer needs at least one region to work on",
        ));
    }
    Ok(parsed)
}

fn regions_text(regions: &[Regime]) -> String {
    regions
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Creates an officer; returns their id.
pub fn create(
    ctx: &Context,
    by: Requester<'_>,
    input: &NewOfficerInput,
) -> Result<String, AppError> {
    by.ensure_admin()?;
    let mut errors = Vec::new();
    let email = Email::parse(&input.email).map_err(|e| errors.push(field("email", e.to_string())));
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(field(
            "name",
            "enter the officer's name (at most 200 characters)",
        ));
    }
    let role = input
        .role
        .trim()
        .parse::<Role>()
        .map_err(|e| errors.push(field("role", e.to_string())));
    let regions = role
        .as_ref()
        .ok()
        .map(|role| parse_regions(*role, &input.regions));
    let regions = match regions {
        Some(Ok(regions)) => regions,
        Some(Err(error)) => {
            errors.push(error);
            Vec::new()
        }
        None => Vec::new(),
    };
    let password = NewPassword::parse(&input.password, &input.email)
        .map_err(|weak| errors.push(field("password", weak.to_string())));
    let (Ok(email), Ok(role), Ok(password)) = (email, role, password) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = hash_password(&password, &random_bytes::<16>()?)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = OfficerId::new();
    let now = clock::now();
    ctx.write(|conn| {
        if officers::find_by_email(conn, email.as_str())?.is_some() {
            return Err(AppError::Invalid(vec![field(
                "email",
                "an officer with this email address exists",
            )]));
        }
        officers::insert(
            conn,
            &NewOfficer {
                id: &id.to_string(),
                email: email.as_str(),
                name: &name,
                role: role.as_str(),
                regions: &regions_text(&regions),
                password_hash: &hash,
                created_at: to_db(now),
                updated_at: to_db(now),
            },
        )?;
        audit_change(
            conn,
            &by,
            id,
            "officer.created",
            json!({ "role": role.as_str(), "regions": regions_text(&regions) }),
            now,
        )
    })?;
    Ok(id.to_string())
}

pub fn list(ctx: &Context, by: Requester<'_>) -> Result<Vec<Officer>, AppError> {
    by.ensure_admin()?;
    let mut conn = ctx.conn()?;
    Ok(officers::list(&mut conn)?)
}

/// A change an admin makes to an officer.
#[derive(Debug, Clone)]
pub enum OfficerUpdate {
    RoleAndRegions { role: String, regions: Vec<String> },
    Disable,
    Enable,
    ResetMfa,
}

pub fn update(
    ctx: &Context,
    by: Requester<'_>,
    officer_id: &str,
    change: &OfficerUpdate,
) -> Result<&'static str, AppError> {
    by.ensure_admin()?;
    // Officer ids are UUIDs; anything else in the address names no officer (and could hold
    // a NUL, which PostgreSQL cannot compare).
    uuid::Uuid::try_parse(officer_id).map_err(|_| AppError::NotFound)?;
    let now = clock::now();
    ctx.write(|conn| {
        let row = officers::find_by_id(conn, officer_id)?.ok_or(AppError::NotFound)?;
        let is_self = matches!(&by, Requester::Admin(me) if me.id == row.id);
        let (changes, action, details, notice) = match change {
            OfficerUpdate::RoleAndRegions { role, regions } => {
                let role = role
                    .parse::<Role>()
                    .map_err(|e| AppError::Invalid(vec![field("role", e.to_string())]))?;
                let regions =
                    parse_regions(role, regions).map_err(|e| AppError::Invalid(vec![e]))?;
                if is_self && role != Role::Admin {
                    return Err(AppError::Conflict(
                        "You cannot remove your own admin role.".to_string(),
                    ));
                }
                (
                    OfficerChanges {
                        role: Some(role.as_str().to_string()),
                        regions: Some(regions_text(&regions)),
                        ..OfficerChanges::default()
                    },
                    "officer.role_changed",
                    json!({ "role": role.as_str(), "regions": regions_text(&regions) }),
                    "The role and regions are saved; the officer signs in again.",
                )
            }
            OfficerUpdate::Disable => {
                if is_self {
                    return Err(AppError::Conflict(
                        "You cannot disable your own account.".to_string(),
                    ));
                }
                (
                    OfficerChanges {
                        disabled_at: Some(Some(to_db(now))),
                        ..OfficerChanges::default()
                    },
                    "officer.disabled",
                    json!({}),
                    "The officer is disabled and signed out.",
                )
            }
            OfficerUpdate::Enable => (
                OfficerChanges {
                    disabled_at: Some(None),
                    ..OfficerChanges::default()
                },
                "officer.enabled",
                json!({}),
                "The officer can sign in again.",
            ),
            OfficerUpdate::ResetMfa => (
                OfficerChanges {
                    totp_secret: Some(None),
                    totp_enabled_at: Some(None),
                    totp_last_step: Some(None),
                    ..OfficerChanges::default()
                },
                "officer.mfa_reset",
                json!({}),
                "Two-step sign-in is reset; the officer sets it up again at the next sign-in.",
            ),
        };
        let officer_id = row.id.to_string();
        if removes_active_admin(&row, &changes) {
            ensure_another_admin_remains(conn, &by, &officer_id)?;
        }
        officers::update(conn, &officer_id, &changes, to_db(now))?;
        if !matches!(change, OfficerUpdate::Enable) {
            sessions::delete_for_officer(conn, &officer_id)?;
        }
        audit_change(conn, &by, row.id, action, details, now)?;
        Ok(notice)
    })
}

/// Whether `changes` take an active admin's authority away (a new role, or disabling).
fn removes_active_admin(row: &Officer, changes: &OfficerChanges) -> bool {
    let active_admin = row.role == Role::Admin && row.is_active();
    let demoted = changes
        .role
        .as_deref()
        .is_some_and(|role| role != Role::Admin.as_str());
    let disabled = matches!(changes.disabled_at, Some(Some(_)));
    active_admin && (demoted || disabled)
}

/// Refuses to remove the last active admin. The active admins are counted with their rows
/// locked, inside the change's transaction, so two admins demoting each other at once are
/// counted one after the other and at most one succeeds. The admin asking must still be
/// one of them: they may have been demoted while their request waited.
fn ensure_another_admin_remains(
    conn: &mut DbConn,
    by: &Requester<'_>,
    target_id: &str,
) -> Result<(), AppError> {
    let admins = officers::lock_active_admin_ids(conn)?;
    if admins.iter().all(|id| id == target_id) {
        return Err(AppError::Conflict(
            "This is the last active admin. Make another officer an admin first; nothing was changed."
                .to_string(),
        ));
    }
    match by {
        Requester::Admin(me) if !admins.contains(&me.id.to_string()) => Err(AppError::Forbidden(
            "Only admins manage officers.".to_string(),
        )),
        _ => Ok(()),
    }
}

fn audit_change(
    conn: &mut DbConn,
    by: &Requester<'_>,
    officer_id: OfficerId,
    action: &str,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    crate::store::audit::append_event(
        conn,
        now,
        &by.actor(),
        action,
        &Target::Officer(officer_id),
        &details,
    )?;
    Ok(())
}

/// Mails every active admin that something in the audit trail needs a look.
pub fn alert_admins(ctx: &Context, conn: &mut DbConn, now: OffsetDateTime) -> Result<(), AppError> {
    let link = ctx.link("/officer/audit?action=security.sign_in_burst");
    mail_admins(ctx, conn, now, |to| compose::security_alert(to, &link))
}

/// Queues one mail, made by `compose` for each address, to every active admin.
pub fn mail_admins(
    ctx: &Context,
    conn: &mut DbConn,
    now: OffsetDateTime,
    compose: impl Fn(&str) -> Result<crate::mail::compose::OutgoingMail, AppError>,
) -> Result<(), AppError> {
    for admin in officers::list(conn)?
        .into_iter()
        .filter(|o| o.role == Role::Admin && o.is_active())
    {
        queue_mail(conn, &ctx.keyring, &compose(&admin.email)?, now)?;
    }
    Ok(())
}
