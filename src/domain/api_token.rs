//! API tokens: what another system presents as `Authorization: Bearer`, what it may do
//! (scopes) and see (regions), and when it stops working. Only the secret's SHA-256 hash
//! is stored; the secret is shown once, when the token is made.

use std::fmt;
use std::str::FromStr;

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};
use time::{Date, Duration, OffsetDateTime, Time};

use super::ids::ApiTokenId;
use super::regime::Regime;
use super::submission::FieldError;

/// How many random bytes a token's secret carries.
pub const API_SECRET_BYTES: usize = 32;
/// What every secret starts with, so that one found in a log or a repository is recognised.
pub const API_SECRET_PREFIX: &str = "rdk_";
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// How often a token's "last used" time is written: at most once a minute, so that a busy
/// token does not cost a write per call.
pub const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// What a token may do on the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiScope {
    RequestsRead,
    RequestsWrite,
    InventoryWrite,
    ConsentsRead,
    TasksRead,
    TasksWrite,
}

/// Text that names no scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope")]
pub struct UnknownScope;

impl ApiScope {
    pub const ALL: [ApiScope; 6] = [
        ApiScope::RequestsRead,
        ApiScope::RequestsWrite,
        ApiScope::InventoryWrite,
        ApiScope::ConsentsRead,
        ApiScope::TasksRead,
        ApiScope::TasksWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::RequestsRead => "requests:read",
            ApiScope::RequestsWrite => "requests:write",
            ApiScope::InventoryWrite => "inventory:write",
            ApiScope::ConsentsRead => "consents:read",
            ApiScope::TasksRead => "tasks:read",
            ApiScope::TasksWrite => "tasks:write",
        }
    }
}

impl FromStr for ApiScope {
    type Err = UnknownScope;

    fn from_str(text: &str) -> Result<ApiScope, UnknownScope> {
        ApiScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == text)
            .ok_or(UnknownScope)
    }
}

impl fmt::Display for ApiScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token's secret as its holder presents it. Never stored, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiSecret(String);

impl ApiSecret {
    pub fn from_random(bytes: [u8; API_SECRET_BYTES]) -> ApiSecret {
        ApiSecret(format!(
            "{API_SECRET_PREFIX}{}",
            BASE64URL_NOPAD.encode(&bytes)
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> ApiTokenHash {
        ApiTokenHash::of_presented(&self.0)
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiSecret(..)")
    }
}

/// The stored form of a secret: its SHA-256, hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiTokenHash(String);

impl ApiTokenHash {
    /// The hash of whatever a client presented, well-formed or not: every presented token
    /// costs one hash and one lookup, so that a junk token is refused in the same time as
    /// an unknown, expired or revoked one.
    pub fn of_presented(presented: &str) -> ApiTokenHash {
        ApiTokenHash(HEXLOWER.encode(&Sha256::digest(presented.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored token as the admin page lists it and the API checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    /// The regimes whose requests the token sees; empty: all of them.
    pub regions: Vec<Regime>,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

/// Whether a token works now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStanding {
    Live,
    Expired,
    Revoked,
}

impl TokenStanding {
    pub fn label(self) -> &'static str {
        match self {
            TokenStanding::Live => "Active",
            TokenStanding::Expired => "Expired",
            TokenStanding::Revoked => "Revoked",
        }
    }
}

impl ApiToken {
    pub fn standing(&self, now: OffsetDateTime) -> TokenStanding {
        if self.revoked_at.is_some() {
            TokenStanding::Revoked
        } else if self.expires_at.is_some_and(|at| now >= at) {
            TokenStanding::Expired
        } else {
            TokenStanding::Live
        }
    }

    pub fn access(&self) -> ApiAccess {
        ApiAccess {
            token_id: self.id,
            scopes: self.scopes.clone(),
            regions: self.regions.clone(),
        }
    }

    /// Whether its "last used" time is stale enough to be written again at `now`.
    pub fn last_use_is_stale(&self, now: OffsetDateTime) -> bool {
        self.last_used_at
            .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
    }
}

/// What a live token lets its caller do, once it has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAccess {
    pub token_id: ApiTokenId,
    pub scopes: Vec<ApiScope>,
    pub regions: Vec<Regime>,
}

impl ApiAccess {
    pub fn has_scope(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whether requests under `regime` exist for this token (outside: 404).
    pub fn can_see(&self, regime: Regime) -> bool {
        self.regions.is_empty() || self.regions.contains(&regime)
    }

    /// The regimes a listing is limited to, in [`Regime::ALL`] order.
    pub fn visible_regimes(&self) -> Vec<Regime> {
        Regime::ALL
            .into_iter()
            .filter(|regime| self.can_see(*regime))
            .collect()
    }
}

/// A token to make, as typed on the command line or the admin form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawNewApiToken {
    pub name: String,
    pub scopes: Vec<String>,
    pub regions: Vec<String>,
    /// `YYYY-MM-DD`, or empty for a token that does not expire.
    pub expires: String,
}

/// A checked token to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub regions: Vec<Regime>,
    /// The end of the expiry date (its following midnight, UTC): the token works all that day.
    pub expires_at: Option<OffsetDateTime>,
}

impl NewApiToken {
    /// Checks every field, returning all problems at once. `today` is the UTC date now: an
    /// expiry date before it is refused.
    pub fn parse(raw: &RawNewApiToken, today: Date) -> Result<NewApiToken, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = raw.name.trim().to_string();
        if name.is_empty() {
            errors.push(FieldError::untranslated("name", "give the token a name"));
        } else if name.chars().count() > MAX_TOKEN_NAME_CHARS || name.chars().any(char::is_control)
        {
            errors.push(FieldError::untranslated(
                "name",
                format!("use at most {MAX_TOKEN_NAME_CHARS} characters on one line"),
            ));
        }
        let mut scopes = Vec::new();
        for text in raw
            .scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match text.parse::<ApiScope>() {
                Ok(scope) if !scopes.contains(&scope) => scopes.push(scope),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::untranslated(
                    "scope",
                    format!("unknown scope {text:?}"),
                )),
            }
        }
        if scopes.is_empty() && !errors.iter().any(|e| e.field == "scope") {
            errors.push(FieldError::untranslated(
                "scope",
                "choose at least one scope",
            ));
        }
        scopes.sort();
        let mut regions = Vec::new();
        for text in raw
            .regions
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match text.parse::<Regime>() {
                Ok(regime) if !regions.contains(&regime) => regions.push(regime),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::untranslated(
                    "region",
                    format!("unknown region {text:?}"),
                )),
            }
        }
        regions.sort_by_key(|regime| Regime::ALL.iter().position(|r| r == regime));
        let expires_at = parse_expiry(raw.expires.trim(), today).map_err(|message| {
            errors.push(FieldError::untranslated("expires", message));
        });
        match expires_at {
            Ok(expires_at) if errors.is_empty() => Ok(NewApiToken {
                name,
                scopes,
                regions,
                expires_at,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_expiry(text: &str, today: Date) -> Result<Option<OffsetDateTime>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, format).map_err(|_| "write the date as YYYY-MM-DD".to_string())?;
    if date < today {
        return Err("the expiry date is in the past".to_string());
    }
    let end = date
        .next_day()
        .ok_or_else(|| "the expiry date is too far away".to_string())?;
    Ok(Some(end.with_time(Time::MIDNIGHT).assume_utc()))
}

/// Scopes or regions as stored: names separated by spaces.
pub fn join_names<T: Copy>(items: &[T], name: impl Fn(T) -> &'static str) -> String {
    items
        .iter()
        .map(|item| name(*item))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn raw(scopes: &[&str], regions: &[&str], expires: &str) -> RawNewApiToken {
        RawNewApiToken {
            name: "CRM".to_string(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            regions: regions.iter().map(|s| s.to_string()).collect(),
            expires: expires.to_string(),
        }
    }

    #[test]
    fn a_token_parses_with_scopes_regions_and_an_expiry_at_the_days_end() {
        let token = NewApiToken::parse(
            &raw(
                &["requests:write", "requests:read"],
                &["eu", "in"],
                "2027-01-31",
            ),
            date!(2026 - 12 - 01),
        )
        .unwrap();
        assert_eq!(
            token.scopes,
            vec![ApiScope::RequestsRead, ApiScope::RequestsWrite]
        );
        assert_eq!(token.regions, vec![Regime::In, Regime::Eu]);
        assert_eq!(token.expires_at, Some(datetime!(2027-02-01 00:00 UTC)));
    }

    #[test]
    fn bad_fields_are_all_named() {
        let errors = NewApiToken::parse(
            &RawNewApiToken {
                name: " ".into(),
                scopes: vec!["requests:delete".into()],
                regions: vec!["mars".into()],
                expires: "2026-11-30".into(),
            },
            date!(2026 - 12 - 01),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "scope", "region", "expires"]);
        assert!(NewApiToken::parse(&raw(&[], &[], ""), date!(2026 - 12 - 01)).is_err());
    }

    #[test]
    fn standing_follows_revocation_then_expiry() {
        let mut token = ApiToken {
            id: ApiTokenId::new(),
            name: "x".into(),
            scopes: vec![ApiScope::RequestsRead],
            regions: vec![],
            created_at: datetime!(2026-01-01 00:00 UTC),
            expires_at: Some(datetime!(2026-02-01 00:00 UTC)),
            revoked_at: None,
            last_used_at: None,
        };
        assert_eq!(
            token.standing(datetime!(2026-01-31 23:59 UTC)),
            TokenStanding::Live
        );
        assert_eq!(
            token.standing(datetime!(2026-02-01 00:00 UTC)),
            TokenStanding::Expired
        );
        token.revoked_at = Some(datetime!(2026-01-02 00:00 UTC));
        assert_eq!(
            token.standing(datetime!(2026-01-03 00:00 UTC)),
            TokenStanding::Revoked
        );
        let access = token.access();
        assert!(access.can_see(Regime::Eu), "no regions: every region");
    }

    #[test]
    fn secrets_are_prefixed_hidden_from_debug_and_hashed_stably() {
        let secret = ApiSecret::from_random([3; API_SECRET_BYTES]);
        assert!(secret.as_str().starts_with(API_SECRET_PREFIX));
        assert!(!format!("{secret:?}").contains(secret.as_str()));
        assert_eq!(secret.hash(), ApiTokenHash::of_presented(secret.as_str()));
        assert_eq!(secret.hash().as_str().len(), 64);
    }
}
