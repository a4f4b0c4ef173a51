//! Making, listing and revoking API tokens. The secret is returned once, at creation; only
//! its hash is stored. Each change is audited by the token's id.

use serde_json::json;

use super::super::officer::CurrentOfficer;
use super::super::officers::Requester;
use super::super::{clock, random_bytes, Context};
use crate::domain::api_token::{
    ApiScope, ApiSecret, ApiToken, NewApiToken, RawNewApiToken, API_SECRET_BYTES,
};
use crate::domain::audit::Target;
use crate::domain::ids::ApiTokenId;
use crate::domain::regime::Regime;
use crate::error::AppError;
use crate::store::api_tokens;
use crate::store::audit;
use crate::store::time::to_db;

/// A token just made: the secret, to be shown now and never again.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: ApiSecret,
}

fn ensure_admin(requester: &Requester<'_>) -> Result<(), AppError> {
    match requester {
        Requester::Admin(officer) if !officer.scope.can_manage_officers() => Err(
            AppError::Forbidden("Only admins manage API tokens.".to_string()),
        ),
        _ => Ok(()),
    }
}

pub fn create(
    ctx: &Context,
    requester: Requester<'_>,
    raw: &RawNewApiToken,
) -> Result<CreatedToken, AppError> {
    ensure_admin(&requester)?;
    let now = clock::now();
    let new = NewApiToken::parse(raw, now.date()).map_err(AppError::Invalid)?;
    let secret = ApiSecret::from_random(random_bytes::<API_SECRET_BYTES>()?);
    let id = ApiTokenId::new();
    ctx.write(|conn| {
        api_tokens::insert(conn, id, &secret.hash(), &new, to_db(now))?;
        audit::append_event(
            conn,
            now,
            &requester.actor(),
            "api_token.created",
            &Target::ApiToken(id),
            &json!({
                "scopes": new.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "regions": new.regions.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "expires_at": new.expires_at.map(|at| at.unix_timestamp()),
            }),
        )?;
        Ok(())
    })?;
    let token = ApiToken {
        id,
        name: new.name,
        scopes: new.scopes,
        regions: new.regions,
        created_at: now,
        expires_at: new.expires_at,
        revoked_at: None,
        last_used_at: None,
    };
    Ok(CreatedToken { token, secret })
}

/// Revokes a token by its id; a token revoked already, or none with this id, is a 404.
pub fn revoke(ctx: &Context, requester: Requester<'_>, id: &str) -> Result<(), AppError> {
    ensure_admin(&requester)?;
    let id: ApiTokenId = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let now = clock::now();
    ctx.write(|conn| {
        if !api_tokens::revoke(conn, id, to_db(now))? {
            return Err(AppError::NotFound);
        }
        audit::append_event(
            conn,
            now,
            &requester.actor(),
            "api_token.revoked",
            &Target::ApiToken(id),
            &json!({}),
        )?;
        Ok(())
    })
}

/// Every token, newest first, for the admin page.
pub fn list(ctx: &Context, officer: &CurrentOfficer) -> Result<Vec<ApiToken>, AppError> {
    ensure_admin(&Requester::Admin(officer))?;
    let mut conn = ctx.conn()?;
    Ok(api_tokens::list(&mut conn)?)
}

/// The scope and region names a form offers.
pub fn choices() -> (Vec<ApiScope>, Vec<Regime>) {
    (ApiScope::ALL.to_vec(), Regime::ALL.to_vec())
}
