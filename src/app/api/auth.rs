//! Checking the token an API call presents. Every presented token costs the same work (one
//! hash, one lookup by hash) whether it is junk, unknown, expired, revoked or short of the
//! scope, so the time of the answer does not tell them apart.

use super::super::{clock, Context};
use crate::domain::api_token::{ApiAccess, ApiScope, ApiTokenHash, TokenStanding};
use crate::error::AppError;
use crate::store::api_tokens;
use crate::store::time::to_db;

/// Why a call was refused before its work began.
#[derive(Debug, thiserror::Error)]
pub enum ApiAuthError {
    /// No token, or one that is unknown, expired or revoked: 401.
    #[error("a valid API token is required")]
    Unauthenticated,
    /// A live token without the scope the call needs: 403.
    #[error("the token lacks the scope {0}")]
    MissingScope(ApiScope),
    #[error(transparent)]
    App(#[from] AppError),
}

/// The access a presented token (`None`: none was presented) gives for a call that needs
/// `scope`. Its last use is noted at most once a minute.
pub fn authenticate(
    ctx: &Context,
    presented: Option<&str>,
    scope: ApiScope,
) -> Result<ApiAccess, ApiAuthError> {
    let hash = ApiTokenHash::of_presented(presented.unwrap_or(""));
    let mut conn = ctx.conn()?;
    let found = api_tokens::find_by_hash(&mut conn, &hash).map_err(AppError::from)?;
    drop(conn);
    let now = clock::now();
    let token = match found {
        Some(token) if presented.is_some() && token.standing(now) == TokenStanding::Live => token,
        _ => return Err(ApiAuthError::Unauthenticated),
    };
    let access = token.access();
    if !access.has_scope(scope) {
        return Err(ApiAuthError::MissingScope(scope));
    }
    if token.last_use_is_stale(now) {
        ctx.write_statement(|conn| Ok(api_tokens::touch(conn, token.id, to_db(now))?))?;
    }
    Ok(access)
}
