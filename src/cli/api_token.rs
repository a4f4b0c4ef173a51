//! `rightsdesk api-token create|revoke`: tokens for other systems on the JSON API. The
//! secret is printed once, on standard output; only its hash is stored.

use crate::app::api::tokens;
use crate::app::officers::Requester;
use crate::app::Context;
use crate::config::Settings;
use crate::domain::api_token::RawNewApiToken;
use crate::error::AppError;

pub fn create(
    settings: Settings,
    name: String,
    scopes: Vec<String>,
    regions: Vec<String>,
    expires: Option<String>,
) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    let raw = RawNewApiToken {
        name,
        scopes,
        regions,
        expires: expires.unwrap_or_default(),
    };
    match tokens::create(&ctx, Requester::Operator, &raw) {
        Ok(created) => {
            eprintln!(
                "API token {} created; the secret below is shown only now:",
                created.token.id
            );
            println!("{}", created.secret.as_str());
            Ok(())
        }
        Err(AppError::Invalid(errors)) => Err(errors
            .iter()
            .map(|e| format!("--{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")),
        Err(error) => Err(error.to_string()),
    }
}

pub fn revoke(settings: Settings, id: String) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    match tokens::revoke(&ctx, Requester::Operator, &id) {
        Ok(()) => {
            println!("API token {id} revoked");
            Ok(())
        }
        Err(AppError::NotFound) => Err(format!("no API token {id} that is not revoked already")),
        Err(error) => Err(error.to_string()),
    }
}
