//! Reading the `Authorization: Bearer` header and checking the token for one call: the
//! token's checks run on the blocking pool, then its rate limit. Nothing else authenticates
//! an API call (no cookies, no query parameters).

use actix_web::http::header;
use actix_web::HttpRequest;

use super::problem::ApiError;
use crate::app::api::auth;
use crate::domain::api_token::{ApiAccess, ApiScope};
use crate::web::WebState;

/// The bearer token in the request, if it carries one.
fn presented(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// The access the call's token gives for `scope`: 401 without a live token, 403 without
/// the scope, 429 past the token's rate.
pub async fn authorize(
    state: &WebState,
    req: &HttpRequest,
    scope: ApiScope,
) -> Result<ApiAccess, ApiError> {
    let token = presented(req);
    let ctx = state.ctx.clone();
    let access =
        actix_web::web::block(move || auth::authenticate(&ctx, token.as_deref(), scope)).await??;
    state.api_limiter.check(access.token_id)?;
    Ok(access)
}
