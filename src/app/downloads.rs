//! Data packages as the requester fetches them: an expiring link, a limited number of
//! downloads, each one audited.

use serde_json::json;
use time::OffsetDateTime;

use super::requests::{audit_target, request_id_in};
use super::{clock, Context};
use crate::domain::audit::Actor;
use crate::domain::token::LinkToken;
use crate::error::AppError;
use crate::store::audit::{self, NewAuditEvent};
use crate::store::packages::{self, PackageSummary};
use crate::store::requests;
use crate::store::time::{from_db, to_db};
use crate::store::DbConn;

/// A package the requester may still fetch, for the status page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageOffer {
    /// `/downloads/TOKEN`, or none once the package is no longer offered.
    pub path: Option<String>,
    pub expires_at: OffsetDateTime,
    pub downloads_left: i32,
    pub size_bytes: i64,
}

/// A fetched package.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

const GONE_EXPIRED: &str = "This download link has expired. Ask us for a new copy through your request's status page or by making a new access request.";
const GONE_USED: &str = "This data package was already downloaded the maximum number of times. Ask us for a new copy through your request's status page or by making a new access request.";

/// The request's newest package as the status page offers it.
pub fn offer(
    ctx: &Context,
    conn: &mut DbConn,
    request_id: &str,
) -> Result<Option<PackageOffer>, AppError> {
    let Some(package) = packages::latest_for_request(conn, request_id)? else {
        return Ok(None);
    };
    let now = clock::now();
    let live = from_db(package.expires_at) > now && package.downloads < package.max_downloads;
    Ok(Some(PackageOffer {
        path: if live {
            Some(format!("/downloads/{}", open_token(ctx, &package)?))
        } else {
            None
        },
        expires_at: from_db(package.expires_at),
        downloads_left: (package.max_downloads - package.downloads).max(0),
        size_bytes: package.size_bytes,
    }))
}

fn open_token(ctx: &Context, package: &PackageSummary) -> Result<String, AppError> {
    let bytes = ctx
        .keyring
        .open(
            &package.key_id,
            &package.sealed_token,
            format!("{} token", package.id).as_bytes(),
        )
        .map_err(|e| AppError::Internal(format!("package token: {e}")))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal("package token is not text".into()))
}

/// Fetches a package: counts the download and audits it in one transaction, then opens
/// the content.
pub fn fetch(ctx: &Context, token: &str) -> Result<Download, AppError> {
    let token = LinkToken::parse(token).ok_or(AppError::NotFound)?;
    let now = clock::now();
    let (package, reference) = ctx.write(|conn| {
        let package =
            packages::find_by_token_hash(conn, token.hash().as_str())?.ok_or(AppError::NotFound)?;
        if from_db(package.expires_at) <= now {
            return Err(AppError::Gone(GONE_EXPIRED.to_string()));
        }
        if !packages::count_download(conn, &package.id, to_db(now))? {
            return Err(AppError::Gone(GONE_USED.to_string()));
        }
        let request = requests::find_by_id(
            conn,
            &ctx.keyring,
            request_id_in("data_packages", &package.request_id)?,
        )?
        .ok_or(AppError::NotFound)?;
        audit::append(
            conn,
            &NewAuditEvent {
                at: now,
                actor: &Actor::Requester.to_audit_string(),
                action: "package.downloaded",
                target: &audit_target(request.id),
                details: &json!({
                    "package_id": package.id,
                    "download": package.downloads + 1,
                    "of": package.max_downloads,
                    "reference": request.reference.as_str(),
                })
                .to_string(),
            },
        )?;
        Ok((package, request.reference))
    })?;
    let bytes = ctx
        .keyring
        .open(&package.key_id, &package.content, package.id.as_bytes())
        .map_err(|e| AppError::Internal(format!("data package: {e}")))?;
    Ok(Download {
        file_name: format!("rightsdesk-{reference}.zip"),
        bytes,
    })
}
