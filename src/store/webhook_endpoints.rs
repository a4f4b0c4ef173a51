//! Webhook endpoints: where events are posted and which ones; the signing secret sealed.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::webhook_endpoints;
use super::seal::{open, seal};
use super::time::{from_db, to_db};
use super::{DbConn, StoreError};
use crate::domain::ids::WebhookEndpointId;
use crate::domain::webhook::{EndpointUrl, EventType, EventTypes, SigningSecret};
use crate::vault::Keyring;

const TABLE: &str = "webhook_endpoints";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: String,
    url: String,
    event_types: String,
    personal_data: bool,
    enabled: bool,
    secret: String,
    created_at: PrimitiveDateTime,
}

/// An endpoint as the app sees it (without its secret: see [`secret_of`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: WebhookEndpointId,
    pub url: EndpointUrl,
    pub event_types: EventTypes,
    pub personal_data: bool,
    pub enabled: bool,
    pub created_at: time::OffsetDateTime,
}

impl TryFrom<EndpointRow> for Endpoint {
    type Error = StoreError;

    fn try_from(row: EndpointRow) -> Result<Endpoint, StoreError> {
        let corrupt = || StoreError::Corrupt {
            table: TABLE,
            id: row.id.clone(),
        };
        Ok(Endpoint {
            id: row.id.parse().map_err(|_| corrupt())?,
            url: EndpointUrl::parse(&row.url).map_err(|_| corrupt())?,
            event_types: EventTypes::from_stored(&row.event_types).ok_or_else(corrupt)?,
            personal_data: row.personal_data,
            enabled: row.enabled,
            created_at: from_db(row.created_at),
        })
    }
}

/// Stores a new endpoint, its secret sealed.
pub fn insert(
    conn: &mut DbConn,
    vault: &Keyring,
    endpoint: &Endpoint,
    secret: &SigningSecret,
) -> Result<(), StoreError> {
    let id = endpoint.id.to_string();
    let sealed = seal(vault, TABLE, &id, "secret", &secret.to_text())?;
    diesel::insert_into(webhook_endpoints::table)
        .values((
            EndpointRow {
                id,
                url: endpoint.url.as_str().to_string(),
                event_types: endpoint.event_types.to_stored(),
                personal_data: endpoint.personal_data,
                enabled: endpoint.enabled,
                secret: sealed,
                created_at: to_db(endpoint.created_at),
            },
            webhook_endpoints::seal_key_id.eq(vault.current_key_id()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every endpoint, oldest first.
pub fn list(conn: &mut DbConn) -> Result<Vec<Endpoint>, StoreError> {
    webhook_endpoints::table
        .order(webhook_endpoints::created_at.asc())
        .select(EndpointRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Endpoint::try_from)
        .collect()
}

/// The enabled endpoints that receive `event`.
pub fn subscribed(conn: &mut DbConn, event: EventType) -> Result<Vec<Endpoint>, StoreError> {
    Ok(list_enabled(conn)?
        .into_iter()
        .filter(|endpoint| endpoint.event_types.contains(event))
        .collect())
}

fn list_enabled(conn: &mut DbConn) -> Result<Vec<Endpoint>, StoreError> {
    webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select(EndpointRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Endpoint::try_from)
        .collect()
}

/// An endpoint's signing secret, opened.
pub fn secret_of(
    conn: &mut DbConn,
    vault: &Keyring,
    id: WebhookEndpointId,
) -> Result<Option<SigningSecret>, StoreError> {
    let id = id.to_string();
    let stored: Option<String> = webhook_endpoints::table
        .find(&id)
        .select(webhook_endpoints::secret)
        .first(conn)
        .optional()?;
    stored
        .map(|sealed| {
            let text = open(vault, TABLE, &id, "secret", sealed)?;
            SigningSecret::parse(&text).ok_or(StoreError::Corrupt {
                table: TABLE,
                id: id.clone(),
            })
        })
        .transpose()
}

/// Turns an endpoint on or off; false when there is no such endpoint.
pub fn set_enabled(
    conn: &mut DbConn,
    id: WebhookEndpointId,
    enabled: bool,
) -> Result<bool, StoreError> {
    let changed = diesel::update(webhook_endpoints::table.find(id.to_string()))
        .set(webhook_endpoints::enabled.eq(enabled))
        .execute(conn)?;
    Ok(changed == 1)
}
